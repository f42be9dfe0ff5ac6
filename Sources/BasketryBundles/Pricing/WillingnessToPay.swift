import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One item's valuation distribution in a shopper population: log v ~ N(logMean, logSD²).
public struct ItemValuation: Sendable, Hashable, Codable {
  /// Mean of log valuation, μ.
  public var logMean: Double
  /// Standard deviation of log valuation, σ (> 0).
  public var logSD: Double
  /// List price.
  public var price: Double
  /// Unit cost.
  public var cost: Double

  /// Creates a valuation distribution.
  public init(logMean: Double, logSD: Double, price: Double, cost: Double) {
    self.logMean = logMean
    self.logSD = logSD
    self.price = price
    self.cost = cost
  }

  /// The log-normal valuation that reproduces a purchase incidence `incidence` at `price` and a
  /// purchase-incidence elasticity `elasticity` there:
  ///
  ///     P(v > p) = 1 − Φ(z₀) = incidence,   z₀ = (log p − μ) / σ,
  ///     d log P / d log p = −h(z₀) / σ = elasticity,   h(z) = φ(z) / (1 − Φ(z)),
  ///
  /// so σ = h(z₀) / |elasticity| and μ = log p − σ z₀. Elasticities are clamped to [−8, −0.3] and the
  /// incidence to [1e-6, 0.95].
  ///
  /// With `referencePrice`, incidence and elasticity are those observed at that price (e.g. the centre of
  /// the price variation the elasticity was estimated on), and `price` is only the list price recorded.
  public static func calibrated(
    price: Double, cost: Double, incidence: Double, elasticity: Double, referencePrice: Double? = nil
  ) -> ItemValuation {
    let q = min(max(incidence, 1e-6), 0.95)
    let e = min(max(abs(elasticity), 0.3), 8)
    let z0 = Gaussian.quantile(1 - q)
    let sigma = Gaussian.hazard(z0) / e
    return ItemValuation(logMean: log(referencePrice ?? price) - sigma * z0, logSD: sigma, price: price, cost: cost)
  }

  /// P(v > price): the share of shoppers who buy the item alone at `price`.
  public func purchaseProbability(at price: Double) -> Double {
    1 - Gaussian.cdf((log(price) - logMean) / logSD)
  }
}

/// What a shopper does when offered a set of items singly at list prices and, optionally, together as a
/// bundle (mixed bundling).
///
/// With additive valuations vᵢ, buying any subset S at list prices gives Σ_{i∈S} (vᵢ − pᵢ), best at
/// S* = {i : vᵢ > pᵢ}; the bundle gives Σ vᵢ − B. The shopper takes the bundle when
/// Σ vᵢ − B > Σ max(0, vᵢ − pᵢ) (which implies a non-negative surplus), otherwise buys S* (possibly
/// nothing). Ties go to not buying the bundle.
public struct BundleChoice: Sendable, Hashable {
  /// Whether the shopper takes the bundle.
  public var takesBundle: Bool
  /// Items bought (all of them with the bundle).
  public var itemsBought: Int
  /// Money paid.
  public var revenue: Double
  /// Money paid minus the cost of what was bought.
  public var profit: Double

  /// The choice of one shopper.
  /// - Parameters:
  ///   - valuations: the shopper's valuation of each item.
  ///   - prices: list prices.
  ///   - costs: unit costs.
  ///   - bundlePrice: the bundle's price, or nil when no bundle is offered.
  public static func choose(
    valuations: UnsafeBufferPointer<Double>, prices: [Double], costs: [Double], bundlePrice: Double?
  ) -> BundleChoice {
    var singles = 0.0
    var total = 0.0
    var revenue = 0.0
    var cost = 0.0
    var bought = 0
    var allCost = 0.0
    for i in 0..<prices.count {
      let v = valuations[i]
      total += v
      allCost += costs[i]
      if v > prices[i] {
        singles += v - prices[i]
        revenue += prices[i]
        cost += costs[i]
        bought += 1
      }
    }
    if let bundlePrice, total - bundlePrice > singles + 1e-9 {
      return BundleChoice(
        takesBundle: true, itemsBought: prices.count, revenue: bundlePrice, profit: bundlePrice - allCost)
    }
    return BundleChoice(takesBundle: false, itemsBought: bought, revenue: revenue, profit: revenue - cost)
  }

  /// The choice for valuations in an array.
  public static func choose(
    valuations: [Double], prices: [Double], costs: [Double], bundlePrice: Double?
  ) -> BundleChoice {
    valuations.withUnsafeBufferPointer {
      choose(valuations: $0, prices: prices, costs: costs, bundlePrice: bundlePrice)
    }
  }
}

/// Correlated, heterogeneous valuations of a bundle's items: log-normal margins joined by a Gaussian
/// copula with pairwise correlations.
public struct BundleValuationModel: Sendable, Hashable {
  /// Each item's valuation distribution.
  public var items: [ItemValuation]
  /// Correlations of log valuations, row-major n × n (diagonal 1).
  public var correlation: [Double]

  /// Creates a model; `correlation` defaults to independence.
  public init(items: [ItemValuation], correlation: [Double]? = nil) {
    self.items = items
    let n = items.count
    if let correlation, correlation.count == n * n {
      self.correlation = correlation
    } else {
      var identity = [Double](repeating: 0, count: n * n)
      for i in 0..<n { identity[i * n + i] = 1 }
      self.correlation = identity
    }
  }

  /// The correlation of log valuations that reproduces how often two items are bought together:
  /// the Gaussian-copula ρ with P(both) = lift · P(i) · P(j) (``Gaussian/correlation(jointProbability:p1:p2:)``).
  public static func correlation(lift: Double, incidence1: Double, incidence2: Double) -> Double {
    Gaussian.correlation(
      jointProbability: min(lift * incidence1 * incidence2, min(incidence1, incidence2)), p1: incidence1,
      p2: incidence2)
  }

  /// `count` valuation vectors, row-major (count × n), from a seeded generator (common random numbers:
  /// the same seed gives the same shoppers).
  /// - Complexity: O(count · n²).
  public func draw(count: Int, seed: UInt64) -> [Double] {
    let n = items.count
    let factor = validCorrelationFactor(correlation, n: n).factor
    var rng = SplitMix64(seed: seed)
    var out = [Double](repeating: 0, count: count * n)
    var z = [Double](repeating: 0, count: n)
    for s in 0..<count {
      for i in 0..<n { z[i] = rng.nextGaussian() }
      for i in 0..<n {
        var x = 0.0
        for k in 0...i { x += factor[i * n + k] * z[k] }
        out[s * n + i] = exp(items[i].logMean + items[i].logSD * x)
      }
    }
    return out
  }
}
