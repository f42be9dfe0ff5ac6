import BasketryCore
import Foundation
import Testing

@testable import BasketryBundles

@Suite struct WillingnessToPayTests {
  // Prices 10 and 6, costs 5 and 3, bundle 14 (D = 2).
  let prices = [10.0, 6.0]
  let costs = [5.0, 3.0]

  @Test(arguments: [
    // valuations, takes bundle, items bought, revenue, profit
    ([12.0, 7.0], true, 2, 14.0, 6.0),  // buys both anyway: bundle surplus 5 > 3
    ([12.0, 5.0], true, 2, 14.0, 6.0),  // item 1 only would give 2; bundle 3
    ([12.0, 3.5], false, 1, 10.0, 5.0),  // bundle 1.5 < 2: item 1 alone
    ([12.0, 4.0], false, 1, 10.0, 5.0),  // tie (2 = 2) goes to the singles
    ([9.0, 5.5], true, 2, 14.0, 6.0),  // neither alone, bundle surplus 0.5
    ([8.0, 5.0], false, 0, 0.0, 0.0),  // nothing: bundle surplus −1
    ([9.0, 7.0], true, 2, 14.0, 6.0),  // item 2 alone gives 1; bundle 2
  ])
  func handComputedChoices(values: [Double], takes: Bool, bought: Int, revenue: Double, profit: Double) {
    let choice = BundleChoice.choose(valuations: values, prices: prices, costs: costs, bundlePrice: 14)
    #expect(choice.takesBundle == takes)
    #expect(choice.itemsBought == bought)
    #expect(abs(choice.revenue - revenue) < 1e-12)
    #expect(abs(choice.profit - profit) < 1e-12)
  }

  @Test func withoutABundleShoppersBuyEveryItemWorthItsPrice() {
    let choice = BundleChoice.choose(valuations: [12, 5], prices: prices, costs: costs, bundlePrice: nil)
    #expect(!choice.takesBundle && choice.itemsBought == 1 && choice.revenue == 10 && choice.profit == 5)
  }

  @Test func calibrationReproducesIncidenceAndElasticity() {
    let valuation = ItemValuation.calibrated(price: 4, cost: 2, incidence: 0.08, elasticity: -2.5)
    #expect(abs(valuation.purchaseProbability(at: 4) - 0.08) < 1e-9)
    let h = 1e-4
    let slope =
      (log(valuation.purchaseProbability(at: 4 * exp(h))) - log(valuation.purchaseProbability(at: 4 * exp(-h))))
      / (2 * h)
    #expect(abs(slope + 2.5) < 1e-4)
  }

  @Test func copulaCorrelationReproducesTheJointRate() {
    let rho = Gaussian.correlation(jointProbability: 0.02, p1: 0.1, p2: 0.05)
    let joint = Gaussian.upperOrthant(Gaussian.quantile(0.9), Gaussian.quantile(0.95), rho: rho)
    #expect(abs(joint - 0.02) < 1e-6)
    #expect(abs(Gaussian.upperOrthant(0, 0, rho: 0) - 0.25) < 1e-7)
    #expect(abs(Gaussian.upperOrthant(0, 0, rho: 0.5) - (0.25 + asin(0.5) / (2 * Double.pi))) < 1e-7)
    #expect(abs(Gaussian.quantile(0.975) - 1.959_963_984_540_054) < 1e-9)
  }

  @Test func exactPairExpectationMatchesSimulation() throws {
    let a = ItemValuation.calibrated(price: 10, cost: 6, incidence: 0.1, elasticity: -2.5)
    let b = ItemValuation.calibrated(price: 6, cost: 3.5, incidence: 0.06, elasticity: -3)
    let model = BundleValuationModel(items: [a, b], correlation: [1, 0.6, 0.6, 1])
    var exact = BundlePriceOptimizer(maxDiscount: 0.2, marginFloor: 0, draws: 400_000, seed: 3)
    var simulated = exact
    simulated.exactPairs = false
    for d in [0.0, 0.05, 0.12] {
      let e = try #require(exact.quote(model: model, discount: d, shoppers: 1))
      let s = try #require(simulated.quote(model: model, discount: d, shoppers: 1))
      #expect(abs(e.expectedIncrementalProfit - s.expectedIncrementalProfit) < 4 * max(s.profitStandardError, 1e-4))
      #expect(abs(e.takeRate - s.takeRate) < 0.003)
      #expect(abs(e.baselineProfitPerShopper - s.baselineProfitPerShopper) < 0.01)
      #expect(abs(e.attachRate - s.attachRate) < 0.01)
    }
    exact.exactPairs = true
    let zero = try #require(exact.quote(model: model, discount: 0, shoppers: 1))
    #expect(abs(zero.expectedIncrementalProfit) < 1e-9)
  }

  @Test func optimiserKeepsTheFloorAndPrefersAProfitableDiscount() throws {
    // Elastic items with weakly correlated valuations: a bundle discount converts many single buyers.
    let a = ItemValuation.calibrated(price: 10, cost: 6.5, incidence: 0.1, elasticity: -3)
    let b = ItemValuation.calibrated(price: 10, cost: 6.5, incidence: 0.1, elasticity: -3)
    let model = BundleValuationModel(items: [a, b], correlation: [1, 0.2, 0.2, 1])
    let optimizer = BundlePriceOptimizer(maxDiscount: 0.3, marginFloor: 0.2)
    let quote = try #require(optimizer.bestPrice(model: model, shoppers: 1000))
    #expect(quote.discount > 0)
    #expect(quote.expectedIncrementalProfit > 0)
    #expect(quote.marginRate >= 0.2 - 1e-9)
    #expect(quote.discount <= 1 - 13.0 / 0.8 / 20 + 1e-9)
    #expect(quote.attachRate > 0 && quote.attachRate <= 1)
  }
}
