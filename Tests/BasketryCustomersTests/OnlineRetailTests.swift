import BasketryIngest
import BasketryTesting
import Foundation
import Testing

@testable import BasketryCustomers

/// Online Retail, calibration to 2011-06-09 and holdout to 2011-12-09, against lifetimes 0.11.3 on
/// the identical RFM table.
@Suite struct OnlineRetailTests {
  @Test func betaGeoMatchesLifetimesOnTheRFMTable() throws {
    let oracle = try Fixtures.onlineRetail()
    let (table, lifetimesPrediction) = try Fixtures.onlineRetailTable()
    #expect(table.count == oracle.customers)
    let model = try BetaGeoModel.fit(table.rows)
    #expect(close(model.parameters.r, try #require(oracle.bgnbd_params["r"]), relative: 1e-4))
    #expect(close(model.parameters.alpha, try #require(oracle.bgnbd_params["alpha"]), relative: 1e-4))
    let predicted = table.rows.map { model.expectedPurchases(in: 183, given: $0) }
    for (mine, theirs) in zip(predicted, lifetimesPrediction) {
      #expect(close(mine, theirs, relative: 1e-4))
    }
    let actual = try #require(table.holdoutFrequency)
    let naive = table.rows.map { HoldoutEvaluation.naivePrediction($0, horizon: 183) }
    let evaluation = HoldoutEvaluation(
      frequency: table.rows.map(\.frequency), actual: actual, predictions: [("naive", naive), ("bgnbd", predicted)])
    #expect(close(evaluation.metrics[1].mae, oracle.bgnbd.mae, relative: 1e-4))
    #expect(close(evaluation.metrics[1].pearson, oracle.bgnbd.pearson, relative: 1e-4))
    #expect(close(evaluation.metrics[1].rmse, oracle.bgnbd.rmse, relative: 1e-4))
    #expect(close(evaluation.metrics[0].mae, oracle.naive.mae, relative: 1e-9))
    #expect(close(evaluation.metrics[0].pearson, oracle.naive.pearson, relative: 1e-9))
    for group in evaluation.groups {
      let expected = try #require(oracle.groups[String(group.frequency)])
      #expect(group.customers == expected.n)
      #expect(group.actual == expected.actual)
      #expect(close(group.predicted[1], expected.bgnbd, relative: 1e-4))
    }
  }

  @Test func paretoNBDMatchesLifetimesOnTheRFMTable() throws {
    let oracle = try Fixtures.onlineRetail()
    let (table, _) = try Fixtures.onlineRetailTable()
    let model = try ParetoNBDModel.fit(table.rows)
    let predicted = table.rows.map { model.expectedPurchases(in: 183, given: $0) }
    let actual = try #require(table.holdoutFrequency)
    let evaluation = HoldoutEvaluation(
      frequency: table.rows.map(\.frequency), actual: actual, predictions: [("pareto-nbd", predicted)])
    // lifetimes' Nelder–Mead stops near s ≈ 0 (no dropout); the metrics agree to 1e-3.
    #expect(close(evaluation.metrics[0].mae, oracle.paretonbd.mae, relative: 1e-3))
    #expect(close(evaluation.metrics[0].pearson, oracle.paretonbd.pearson, relative: 1e-3))
  }

  /// Basketry's own ingest of the raw file, with the ORACLES cleaning, gives the identical table.
  @Test(.enabled(if: TestSupport.sharedDataRoot != nil)) func ingestGivesTheIdenticalTable() throws {
    let root = try #require(TestSupport.sharedDataRoot)
    let path = root + "/online-retail/online_retail.csv.gz"
    let dataset = try Ingest.load([path], options: OracleCleaning.options).dataset
    let table = try RFMTable(
      dataset: dataset, calibrationEnd: OracleCleaning.unixTime("2011-06-09"),
      holdoutEnd: OracleCleaning.unixTime("2011-12-09"), includeItem: OracleCleaning.productFilter(dataset.catalog))
    let (expected, _) = try Fixtures.onlineRetailTable()
    #expect(table.customers == expected.customers)
    #expect(table.holdoutFrequency == expected.holdoutFrequency)
    #expect(table.rows.count == expected.rows.count)
    for (mine, theirs) in zip(table.rows, expected.rows) {
      #expect(mine.frequency == theirs.frequency && mine.recency == theirs.recency && mine.age == theirs.age)
      #expect(close(mine.monetary, theirs.monetary, relative: 1e-8, floor: 1e-9))
    }
  }
}
