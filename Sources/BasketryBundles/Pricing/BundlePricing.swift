import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A price for a bundle and its expected effect.
public struct PriceQuote: Sendable, Hashable {
  /// ProductBundle price, rounded to cents.
  public var price: Double
  /// 1 − price / list price.
  public var discount: Double
  /// Expected completion rate at this price.
  public var completionRate: Double
  /// Expected incremental profit over the analysed period.
  public var expectedIncrementalProfit: Double
}

/// The first pricing model: the discount that maximises expected incremental profit under a
/// constant-elasticity completion response, never breaking the margin floor.
///
/// With list price L, cost C, `together` orders that already hold every item, `partial` orders
/// that hold some, observed completion rate b = together / (together + partial), and m the mean
/// list margin of the items partial orders lacked:
///
///     p(d) = min(1, b · e^(elasticity · d))
///     E(d) = (p(d) − b) · (together + partial) · (m − d · L) − together · d · L
///
/// The first term is the margin won from shoppers who now complete the bundle, the second the
/// discount given to those who would have bought it all anyway. d ranges over
/// 0, step, 2·step, … ≤ maxDiscount with (L(1 − d) − C) / (L(1 − d)) ≥ marginFloor.
public struct BundlePricing: Sendable {
  /// Settings (discount grid, margin floor, elasticity).
  public let options: BundleOptions

  /// Creates the pricer.
  public init(options: BundleOptions) { self.options = options }

  /// The most profitable admissible price, or nil when even a zero discount breaks the margin floor.
  /// - Complexity: O(maxDiscount / step).
  public func bestPrice(
    listPrice: Double, cost: Double, together: Int, partial: Int, meanMissingMargin: Double
  )
    -> PriceQuote?
  {
    guard listPrice > 0 else { return nil }
    let opportunities = Double(together + partial)
    let base = opportunities > 0 ? Double(together) / opportunities : 0
    var best: PriceQuote?
    var steps = 0
    while true {
      let d = Double(steps) * options.discountStep
      if d > options.maxDiscount + 1e-12 { break }
      steps += 1
      let price = (listPrice * (1 - d) * 100).rounded() / 100
      guard price > 0, (price - cost) / price >= options.marginFloor - 1e-12 else { break }
      let discount = 1 - price / listPrice
      let completion = min(1, base * exp(options.completionElasticity * discount))
      let gained = (completion - base) * opportunities * (meanMissingMargin - discount * listPrice)
      let cannibalised = Double(together) * discount * listPrice
      let quote = PriceQuote(
        price: price, discount: discount, completionRate: completion,
        expectedIncrementalProfit: gained - cannibalised)
      if best.map({ quote.expectedIncrementalProfit > $0.expectedIncrementalProfit + 1e-9 }) ?? true {
        best = quote
      }
    }
    return best
  }
}
