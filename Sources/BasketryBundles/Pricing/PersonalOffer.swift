import BasketryCore

/// What offering a priced bundle to one shopper is expected to earn, from that shopper's own purchase
/// probabilities.
///
/// The shopper's valuations follow the bundle's willingness-to-pay model (``BundleValuationModel``: the same
/// price responses and correlations as the shop-wide pricing) with each item's log-normal re-centred so that
/// P(v > list price) equals the shopper's own probability of buying the item anyway. Over `draws` simulated
/// valuations (common random numbers; pairs are integrated exactly, ``PairExpectation``), with π₀ the margin of the items they would buy singly without the offer
/// and m = bundle price − Σ costs:
///
///     P(take)      = P(Σ v − B > Σ max(0, v − p))            (mixed bundling choice, ``BundleChoice``)
///     cannibalised = E[π₀ · 1(take)]                          (margin they would have paid anyway)
///     expected     = P(take) · m − cannibalised               = E[profit with offer − profit without]
public struct PersonalOffer: Sendable, Hashable, Codable {
  /// P(the shopper buys each item anyway within the horizon), in the bundle's item order.
  public var itemProbabilities: [Double]
  /// P(the shopper takes the bundle | offered).
  public var bundleProbability: Double
  /// The same probability for an average shopper with history (their items' average probabilities).
  public var averageBundleProbability: Double
  /// Bundle price minus the items' costs.
  public var bundleMargin: Double
  /// Expected margin of items the shopper would have bought anyway at full price, lost to the bundle.
  public var cannibalisedMargin: Double
  /// P(take) · bundle margin − cannibalised margin.
  public var expectedProfit: Double
  /// The horizon of the probabilities, in days.
  public var horizonDays: Double

  private enum CodingKeys: String, CodingKey {
    case itemProbabilities = "item_probabilities"
    case bundleProbability = "bundle_probability"
    case averageBundleProbability = "average_bundle_probability"
    case bundleMargin = "bundle_margin"
    case cannibalisedMargin = "cannibalised_margin"
    case expectedProfit = "expected_profit"
    case horizonDays = "horizon_days"
  }

  /// Evaluates the offer of a priced bundle to one shopper.
  /// - Parameters:
  ///   - items: the bundle's items (prices and costs).
  ///   - pricing: the bundle's willingness-to-pay inputs (elasticities, incidences, correlations).
  ///   - bundlePrice: the offered price.
  ///   - probabilities: the shopper's P(buys item anyway), in the items' order.
  ///   - averageProbabilities: the same for an average shopper, in the items' order.
  ///   - horizonDays: the probabilities' horizon.
  ///   - draws: simulated valuation vectors (default 4,000).
  ///   - seed: random seed (the same seed for every shopper: common random numbers).
  /// - Complexity: O(draws · k²) for k items.
  public static func evaluate(
    items: [BundleItem], pricing: BundlePricingDetail, bundlePrice: Double, probabilities: [Double],
    averageProbabilities: [Double], horizonDays: Double, draws: Int = 4000, seed: UInt64 = 0x5EED
  ) -> PersonalOffer {
    let prices = items.map(\.price)
    let costs = items.map(\.cost)
    let margin = bundlePrice - costs.reduce(0, +)
    func simulate(_ incidences: [Double]) -> (take: Double, cannibalised: Double) {
      let valuations = items.indices.map { index in
        ItemValuation.calibrated(
          price: prices[index], cost: costs[index], incidence: incidences[index],
          elasticity: index < pricing.elasticitiesUsed.count ? pricing.elasticitiesUsed[index] : -1)
      }
      let model = BundleValuationModel(items: valuations, correlation: pricing.correlations)
      if items.count == 2 {
        // Exact integration for pairs: Δprofit = P(take) · m − cannibalised.
        let exact = PairExpectation(model).expectations(bundlePrice: bundlePrice)
        return (exact.take, exact.take * margin - exact.profit)
      }
      let k = items.count
      let drawn = model.draw(count: draws, seed: seed)
      var takes = 0.0
      var cannibalised = 0.0
      drawn.withUnsafeBufferPointer { buffer in
        for s in 0..<draws {
          let row = UnsafeBufferPointer(rebasing: buffer[(s * k)..<(s * k + k)])
          let choice = BundleChoice.choose(valuations: row, prices: prices, costs: costs, bundlePrice: bundlePrice)
          guard choice.takesBundle else { continue }
          takes += 1
          let without = BundleChoice.choose(valuations: row, prices: prices, costs: costs, bundlePrice: nil)
          cannibalised += without.profit
        }
      }
      let n = Double(max(draws, 1))
      return (takes / n, cannibalised / n)
    }
    let personal = simulate(probabilities)
    let average = simulate(averageProbabilities)
    return PersonalOffer(
      itemProbabilities: probabilities, bundleProbability: personal.take, averageBundleProbability: average.take,
      bundleMargin: margin, cannibalisedMargin: personal.cannibalised,
      expectedProfit: personal.take * margin - personal.cannibalised, horizonDays: horizonDays)
  }
}
