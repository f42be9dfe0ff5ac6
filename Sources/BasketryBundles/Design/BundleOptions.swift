import BasketryCore

/// Settings for designing bundles from association statistics.
///
/// Defaults: bundles of 2–4 items, at most 20 returned, discounts from 0 to 20 % in 1 % steps,
/// a 20 % margin floor, a 35 % assumed margin where an item's cost is unknown, and a
/// completion-rate elasticity of 8 (see ``BundleOptions/completionElasticity``), and at most
/// 50,000 candidate itemsets (see ``BundleOptions/maxCandidates``).
public struct BundleOptions: Sendable, Hashable, Codable {
  /// Smallest bundle size (≥ 2). Default 2.
  public var minSize: Int
  /// Largest bundle size. Default 4.
  public var maxSize: Int
  /// How many bundles to return. Default 20.
  public var count: Int
  /// Largest discount off the sum of item prices, as a fraction. Default 0.20.
  public var maxDiscount: Double
  /// Discount grid step. Default 0.01.
  public var discountStep: Double
  /// The bundle's margin rate, (price − cost) / price, may not fall below this. Default 0.20.
  public var marginFloor: Double
  /// Margin rate assumed for items whose cost is unknown. Default 0.35.
  public var assumedMarginRate: Double
  /// Relative rise of the completion rate per unit of discount: a shopper who has some of the
  /// bundle's items completes it with probability min(1, b · e^(elasticity · discount)), where b is
  /// the observed completion rate. Default 8 (10 % off multiplies completion by about 2.2).
  /// An assumption of this first pricing model; the willingness-to-pay model replaces it.
  public var completionElasticity: Double
  /// Minimum lift for every item against the rest of its bundle. Default 1.5.
  public var minLift: Double
  /// How many of the returned bundles one item may appear in. Default 2.
  public var maxBundlesPerItem: Int
  /// Drop bundles that contain two variants of one product (same title in another colour,
  /// same stock-code stem). Default true.
  public var dropVariants: Bool
  /// Currency shown in explanations (e.g. "£" or "EUR "); empty for none.
  public var currency: String
  /// How bundles are priced. Default ``PricingModel/willingnessToPay``.
  public var pricingModel: PricingModel
  /// How item price responses are estimated for the willingness-to-pay model.
  public var priceResponse: PriceResponseOptions
  /// Simulated shoppers per willingness-to-pay price evaluation. Default 4,000.
  public var pricingDraws: Int
  /// Never use an elasticity smaller in magnitude than the Lerner bound 1 / margin rate: a shop whose
  /// demand were less elastic would profit from raising its prices, so such observational estimates are
  /// treated as confounded (price cuts timed with weak demand). Default true.
  public var lernerBound: Bool
  /// Most frequent itemsets of `minSize ... maxSize` items the designer accepts as candidates; more
  /// fail with a ``BundleError`` (key `max-candidates`) asking for a higher minimum support or a smaller
  /// `maxSize`. Nil means no limit. Default 50,000 (about a minute of willingness-to-pay pricing at
  /// roughly 1 ms per candidate on one core).
  ///
  /// Each candidate that survives the filters is priced (willingness-to-pay simulates
  /// ``pricingDraws`` shoppers per discount) and kept until ranking, so work and memory grow with this.
  public var maxCandidates: Int?

  /// How bundle prices are chosen.
  public enum PricingModel: String, Sendable, Hashable, Codable {
    /// ``BundlePriceOptimizer``: log-normal valuations calibrated per item from purchase incidence and
    /// the estimated price elasticity, correlated by co-purchase lift; shoppers choose the best of
    /// nothing, single items and the bundle.
    case willingnessToPay = "willingness-to-pay"
    /// The first model (``BundlePricing``): completion rate × e^(completionElasticity · discount). Kept
    /// for comparison; it assumes rather than estimates the response to a discount.
    case completionElasticity = "completion-elasticity"
  }

  /// Creates options with the documented defaults.
  public init(
    minSize: Int = 2, maxSize: Int = 4, count: Int = 20, maxDiscount: Double = 0.20, discountStep: Double = 0.01,
    marginFloor: Double = 0.20, assumedMarginRate: Double = 0.35, completionElasticity: Double = 8,
    minLift: Double = 1.5, maxBundlesPerItem: Int = 2, dropVariants: Bool = true, currency: String = "",
    pricingModel: PricingModel = .willingnessToPay, priceResponse: PriceResponseOptions = PriceResponseOptions(),
    pricingDraws: Int = 4000, lernerBound: Bool = true, maxCandidates: Int? = 50_000
  ) {
    self.maxCandidates = maxCandidates
    self.lernerBound = lernerBound
    self.pricingModel = pricingModel
    self.priceResponse = priceResponse
    self.pricingDraws = pricingDraws
    self.minSize = minSize
    self.maxSize = maxSize
    self.count = count
    self.maxDiscount = maxDiscount
    self.discountStep = discountStep
    self.marginFloor = marginFloor
    self.assumedMarginRate = assumedMarginRate
    self.completionElasticity = completionElasticity
    self.minLift = minLift
    self.maxBundlesPerItem = maxBundlesPerItem
    self.dropVariants = dropVariants
    self.currency = currency
  }

  /// Checks ranges and throws a ``BundleError`` naming the bad option.
  public func validate() throws {
    func fail(_ key: String, _ value: Any, _ rule: String) -> BundleError {
      BundleError(key: key, value: "\(value)", message: rule)
    }
    if minSize < 2 { throw fail("min-size", minSize, "must be at least 2") }
    if maxSize < minSize { throw fail("max-size", maxSize, "must be at least min-size (\(minSize))") }
    if count < 1 { throw fail("k", count, "must be at least 1") }
    if !(0...0.95).contains(maxDiscount) { throw fail("max-discount", maxDiscount, "must be between 0 and 0.95") }
    if !(discountStep > 0 && discountStep <= 0.5) { throw fail("discount-step", discountStep, "must be in (0, 0.5]") }
    if !(0..<1).contains(marginFloor) { throw fail("margin-floor", marginFloor, "must be in [0, 1)") }
    if !(0..<1).contains(assumedMarginRate) {
      throw fail("assumed-margin", assumedMarginRate, "must be in [0, 1)")
    }
    if !(completionElasticity >= 0) { throw fail("elasticity", completionElasticity, "must be ≥ 0") }
    if pricingDraws < 100 { throw fail("pricing-draws", pricingDraws, "must be at least 100") }
    if maxBundlesPerItem < 1 { throw fail("max-bundles-per-item", maxBundlesPerItem, "must be at least 1") }
    if let maxCandidates, maxCandidates < 1 {
      throw fail("max-candidates", maxCandidates, "must be at least 1 (or unset for no limit)")
    }
  }
}

/// A bad bundle option: names the key and the value.
public struct BundleError: BasketryError {
  /// The option's name as on the command line.
  public var key: String
  /// The offending value.
  public var value: String
  /// What the value must be.
  public var message: String
  public var category: ErrorCategory { .invalidInput }

  /// Creates an error.
  public init(key: String, value: String, message: String) {
    self.key = key
    self.value = value
    self.message = message
  }

  public var description: String { "invalid \(key) \(value): \(message)" }
}
