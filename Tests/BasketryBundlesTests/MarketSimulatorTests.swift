import BasketryCore
import BasketryIngest
import BasketryTesting
import Foundation
import Testing

@testable import BasketryBundles

@Suite struct MarketSimulatorTests {
  static func load(_ path: String) throws -> Dataset {
    var ingest = IngestOptions(format: .onlineRetail)
    ingest.cleaning = CleaningOptions.default(for: .onlineRetail)
    return try Ingest.load([path], options: ingest).dataset
  }

  static let samplePath = TestSupport.repositoryRoot + "/Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"

  @Test func calibratedWorldReproducesTheDataItsDrawnFrom() throws {
    let dataset = try Self.load(Self.samplePath)
    let options = MarketSimulationOptions(items: 30)
    let world = try MarketWorld.calibrated(from: dataset, options: options)
    #expect(world.items.count == 30)
    #expect(!world.blocks.isEmpty)
    let transactions = dataset.transactions()
    let support = transactions.itemSupportCounts()
    for item in world.items {
      let id = try #require(dataset.catalog.id(of: item.id))
      let incidence = Double(support[Int(id)]) / Double(transactions.count) * options.visitShareOfOrders
      #expect(abs(item.valuation.purchaseProbability(at: item.valuation.price) - incidence) < 1e-6)
      #expect(item.elasticity < 0)
    }
    let used = world.blocks.flatMap(\.items)
    #expect(Set(used).count == used.count, "blocks overlap")
    #expect(world.blocks.allSatisfy { $0.correlation > 0 && $0.lift >= options.minBlockLift })
  }

  @Test func historyRecordsOnlyWhatTheShopSees() throws {
    let dataset = try Self.load(Self.samplePath)
    let options = MarketSimulationOptions(items: 20, historyVisits: 4000, historyPeriods: 4)
    let world = try MarketWorld.calibrated(from: dataset, options: options)
    let history = MarketSimulator(world: world, options: options).simulateHistory(seed: 1)
    #expect(history.visitsPerPeriod == [1000, 1000, 1000, 1000])
    #expect(history.dataset.baskets.count > 0 && history.dataset.baskets.count <= 4000)
    for line in 0..<history.dataset.baskets.lineCount {
      let item = Int(history.dataset.baskets.items[line])
      let ratio = history.dataset.baskets.unitPrices[line] / world.items[item].valuation.price
      #expect(ratio > 0.8 / 1.1 - 0.01 && ratio < 1.25 * 1.1 + 0.01)
    }
  }

  /// One seed on the shipped sample: Basketry must gain profit over no bundles and beat the fixed discount.
  @Test func smallSimulationRanksTheStrategies() throws {
    let dataset = try Self.load(Self.samplePath)
    let options = MarketSimulationOptions(seeds: [1], items: 40, evaluationVisits: 100_000, optimizerDraws: 20_000)
    let world = try MarketWorld.calibrated(from: dataset, options: options)
    let result = MarketSimulator(world: world, options: options).run()
    let row = try #require(result.outcomes.first)
    #expect(row.map(\.name) == MarketSimulator.strategyNames)
    let none = row[0]
    let fixed = row[1]
    let basketry = row[2]
    let oracle = row[3]
    #expect(none.attachRate == 0 && none.offers.isEmpty)
    #expect(oracle.profit > none.profit)
    #expect(basketry.profit > none.profit)
    #expect(basketry.profit > fixed.profit)
    #expect(result.upliftShares[0] > 0.5)
    for offer in basketry.offers {
      let cost = offer.items.reduce(0) { $0 + world.items[$1].valuation.cost }
      #expect((offer.price - cost) / offer.price >= options.marginFloor - 1e-9)
      #expect(offer.discount <= options.maxDiscount + 1e-9)
    }
  }

  /// The acceptance run: full Online Retail, five seeds (BASKETRY_SLOW_TESTS=1).
  @Test(.enabled(if: TestSupport.slowTestsEnabled && TestSupport.sharedDataRoot != nil))
  func acceptanceOnOnlineRetail() throws {
    let root = try #require(TestSupport.sharedDataRoot)
    let dataset = try Self.load(root + "/online-retail/online_retail.csv.gz")
    let options = MarketSimulationOptions()
    let world = try MarketWorld.calibrated(from: dataset, options: options)
    let result = MarketSimulator(world: world, options: options).run()
    for summary in result.summaries {
      print(
        String(
          format: "%@: profit %.0f [%.0f, %.0f] uplift %.1f revenue %.0f attach %.4f aov %.3f", summary.name,
          summary.profit.mean, summary.profit.low, summary.profit.high, summary.profitUplift.mean,
          summary.revenue.mean, summary.attachRate.mean, summary.aov.mean))
    }
    print("uplift share of oracle: \(result.upliftShareOfMeans), per seed \(result.upliftShares)")
    #expect(result.upliftShareOfMeans >= 0.9)
    for row in result.outcomes { #expect(row[2].profit > row[1].profit) }
  }
}
