import Foundation
import Testing

@testable import BasketryCustomers

/// Fits on the same data as `lifetimes` 0.11.3 give the same parameters and predictions to 1e-4
/// relative.
@Suite struct LifetimesMatchTests {
  @Test(arguments: [false, true])
  func betaGeoMatches(penalized: Bool) throws {
    let fixture = try Fixtures.simulated()
    let expected = penalized ? fixture.bgnbd_penalized : fixture.bgnbd
    let rows = fixture.rows
    let model = try BetaGeoModel.fit(rows, penalizer: expected.penalizer)
    let p = model.parameters
    for (name, value) in [("r", p.r), ("alpha", p.alpha), ("a", p.a), ("b", p.b)] {
      #expect(close(value, try #require(expected.params[name]), relative: 1e-4), "\(name): \(value)")
    }
    for i in 0..<10 {
      #expect(close(model.expectedPurchases(in: 10, given: rows[i]), expected.expected_purchases_10[i], relative: 1e-4))
      #expect(close(model.probabilityAlive(rows[i]), expected.p_alive[i], relative: 1e-4))
    }
    let unconditional = try #require(expected.unconditional_10)
    #expect(close(model.expectedPurchases(in: 10), unconditional, relative: 1e-4))
  }

  @Test func paretoNBDMatches() throws {
    let fixture = try Fixtures.simulated()
    let rows = fixture.rows
    let model = try ParetoNBDModel.fit(rows)
    let p = model.parameters
    for (name, value) in [("r", p.r), ("alpha", p.alpha), ("s", p.s), ("beta", p.beta)] {
      #expect(close(value, try #require(fixture.paretonbd.params[name]), relative: 1e-4), "\(name): \(value)")
    }
    for i in 0..<10 {
      #expect(
        close(
          model.expectedPurchases(in: 10, given: rows[i]), fixture.paretonbd.expected_purchases_10[i], relative: 1e-4))
      #expect(close(model.probabilityAlive(rows[i]), fixture.paretonbd.p_alive[i], relative: 1e-4))
    }
  }

  @Test func gammaGammaAndLifetimeValueMatch() throws {
    let fixture = try Fixtures.simulated()
    let rows = fixture.rows
    let spend = try GammaGammaModel.fit(rows)
    let p = spend.parameters
    for (name, value) in [("p", p.p), ("q", p.q), ("v", p.v)] {
      #expect(close(value, try #require(fixture.gammagamma.params[name]), relative: 1e-4), "\(name): \(value)")
    }
    var options = CustomerValueModel.Options()
    options.periodsPerMonth = 4.345
    let model = CustomerValueModel(
      purchases: .betaGeo(try BetaGeoModel.fit(rows)), spend: spend, options: options)
    for i in 0..<10 {
      #expect(close(model.expectedSpend(rows[i]), fixture.gammagamma.expected_spend[i], relative: 1e-4))
      #expect(close(model.lifetimeValue(rows[i]), fixture.gammagamma.clv_12_months_1pct_weekly[i], relative: 1e-4))
    }
  }

  @Test func codableRoundTrip() throws {
    let fixture = try Fixtures.simulated()
    let model = try CustomerValueModel.fit(
      RFMTable(customers: fixture.rows.indices.map(String.init), rows: fixture.rows))
    let decoded = try JSONDecoder().decode(CustomerValueModel.self, from: JSONEncoder().encode(model))
    #expect(decoded == model)
  }
}
