import BasketryCore
import Foundation
import Testing

@testable import BasketryBundles

@Suite struct BundlePricingTests {
  @Test func zeroDiscountEarnsNothingAndFloorBinds() throws {
    // List 10, cost 7.5: margin rate 25 % at full price; a 20 % floor allows at most 6.25 % off.
    let pricing = BundlePricing(options: BundleOptions(maxDiscount: 0.5, marginFloor: 0.2, completionElasticity: 20))
    let quote = try #require(
      pricing.bestPrice(listPrice: 10, cost: 7.5, together: 100, partial: 900, meanMissingMargin: 2.5))
    #expect((quote.price - 7.5) / quote.price >= 0.2 - 1e-12)
    #expect(quote.discount <= 0.0625 + 1e-9)
    #expect(quote.expectedIncrementalProfit > 0)
  }

  @Test func matchesHandComputedObjective() throws {
    // b = 0.1, opportunities 1000, m = 2, L = 10, elasticity 8, only d ∈ {0, 0.05} allowed.
    let options = BundleOptions(maxDiscount: 0.05, discountStep: 0.05, marginFloor: 0, completionElasticity: 8)
    let quote = try #require(
      BundlePricing(options: options).bestPrice(
        listPrice: 10, cost: 5, together: 100, partial: 900, meanMissingMargin: 2))
    let p = 0.1 * exp(8 * 0.05)
    let expected = (p - 0.1) * 1000 * (2 - 0.5) - 100 * 0.5
    #expect(abs(quote.expectedIncrementalProfit - expected) < 1e-9)
    #expect(quote.price == 9.5)
    #expect(abs(quote.completionRate - p) < 1e-12)
  }

  @Test func noAdmissiblePriceWhenCostAboveFloor() {
    let pricing = BundlePricing(options: BundleOptions(marginFloor: 0.3))
    #expect(pricing.bestPrice(listPrice: 10, cost: 8, together: 5, partial: 5, meanMissingMargin: 1) == nil)
  }

  @Test func unprofitableDiscountsStayAtZero() throws {
    // Completion does not respond: every discount only gives margin away.
    let pricing = BundlePricing(options: BundleOptions(completionElasticity: 0))
    let quote = try #require(
      pricing.bestPrice(listPrice: 10, cost: 5, together: 10, partial: 90, meanMissingMargin: 2))
    #expect(quote.discount == 0)
    #expect(quote.expectedIncrementalProfit == 0)
  }

  @Test func optionsAreValidated() {
    #expect(throws: BundleError.self) { try BundleOptions(minSize: 1).validate() }
    #expect(throws: BundleError.self) { try BundleOptions(maxDiscount: 1.2).validate() }
    #expect(throws: BundleError.self) { try BundleOptions(marginFloor: 1).validate() }
    #expect(throws: Never.self) { try BundleOptions().validate() }
  }
}
