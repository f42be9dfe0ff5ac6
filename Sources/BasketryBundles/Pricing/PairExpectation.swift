#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Exact expectations of the mixed-bundling choice for a pair (no Monte Carlo noise).
///
/// With log vᵢ = μᵢ + σᵢ zᵢ, corr(z₁, z₂) = ρ, list prices pᵢ, costs cᵢ, bundle price B and D = p₁ + p₂ − B,
/// the bundle changes what a shopper does only in these regions (``BundleChoice``):
///
///     v₁ > p₁, v₂ > p₂:                    bundle instead of both singles: Δprofit = B − p₁ − p₂
///     v₁ > p₁, p₂ − D < v₂ ≤ p₂:            bundle instead of item 1:       Δprofit = B − p₁ − c₂
///     p₁ − D < v₁ ≤ p₁, v₂ > p₂:            bundle instead of item 2:       Δprofit = B − p₂ − c₁
///     v₁ ≤ p₁, v₂ ≤ p₂, v₁ + v₂ > B:         bundle instead of nothing:      Δprofit = B − c₁ − c₂
///
/// Each is an integral over z₁ of φ(z₁) times a conditional normal probability for z₂ (mean ρz₁,
/// sd √(1 − ρ²)), computed by composite Simpson's rule on segments split at the kinks.
/// - Complexity: O(segments · steps) per price.
struct PairExpectation {
  let mu: (Double, Double)
  let sigma: (Double, Double)
  let rho: Double
  let price: (Double, Double)
  let cost: (Double, Double)
  var steps = 64

  init(_ model: BundleValuationModel) {
    let a = model.items[0]
    let b = model.items[1]
    mu = (a.logMean, b.logMean)
    sigma = (a.logSD, b.logSD)
    rho = max(-0.999, min(0.999, model.correlation.count == 4 ? model.correlation[1] : 0))
    price = (a.price, b.price)
    cost = (a.cost, b.cost)
  }

  /// P(v₂ > x | z₁).
  func above(_ x: Double, given z1: Double) -> Double {
    guard x > 0 else { return 1 }
    let s = (1 - rho * rho).squareRoot()
    return 1 - Gaussian.cdf(((log(x) - mu.1) / sigma.1 - rho * z1) / s)
  }

  /// Per-shopper expectations with the bundle at `bundlePrice`: (Δprofit, Δrevenue, take rate, buyers of any
  /// item with the bundle, buyers of any item without it, revenue with the bundle, revenue without it).
  func expectations(
    bundlePrice b: Double
  ) -> (
    profit: Double, revenue: Double, take: Double, buyers: Double, baseBuyers: Double, revenueWith: Double,
    revenueWithout: Double
  ) {
    let d = price.0 + price.1 - b
    let z1Price = (log(price.0) - mu.0) / sigma.0
    let p1 = 1 - Gaussian.cdf(z1Price)
    let p2 = 1 - Gaussian.cdf((log(price.1) - mu.1) / sigma.1)
    let both = Gaussian.upperOrthant(z1Price, (log(price.1) - mu.1) / sigma.1, rho: rho)
    let baseBuyers = p1 + p2 - both
    let revenueWithout = p1 * price.0 + p2 * price.1
    // No discount: the bundle never beats the singles strictly (ties go to the singles).
    guard d > 1e-12 else { return (0, 0, 0, baseBuyers, baseBuyers, revenueWithout, revenueWithout) }
    let z1Low = price.0 - d > 0 ? (log(price.0 - d) - mu.0) / sigma.0 : -9.0
    let low = max(-9, min(9, z1Low))
    let high = max(low, max(-9, min(9, z1Price)))
    var profit = 0.0
    var revenue = 0.0
    var take = 0.0
    var buyersLost = 0.0
    // The branch is chosen by segment, not by comparing v₁ with p₁, so that the kinks' endpoints are exact.
    for (lo, hi, aboveP1) in [(low, high, false), (high, 9.0, true)] {
      guard hi > lo else { continue }
      let h = (hi - lo) / Double(steps)
      for i in 0...steps {
        let z1 = lo + Double(i) * h
        let weight = (i == 0 || i == steps ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0)) * h / 3 * Gaussian.pdf(z1)
        let v1 = exp(mu.0 + sigma.0 * z1)
        let pAbove2 = above(price.1, given: z1)
        var dp = 0.0
        var dr = 0.0
        var t = 0.0
        if aboveP1 {
          let pMid = max(0, above(price.1 - d, given: z1) - pAbove2)
          dp += pAbove2 * (b - price.0 - price.1) + pMid * (b - price.0 - cost.1)
          dr += pAbove2 * (b - price.0 - price.1) + pMid * (b - price.0)
          t += pAbove2 + pMid
        } else {
          let pNothing = max(0, above(b - v1, given: z1) - pAbove2)
          dp += pAbove2 * (b - price.1 - cost.0) + pNothing * (b - cost.0 - cost.1)
          dr += pAbove2 * (b - price.1) + pNothing * b
          t += pAbove2 + pNothing
          buyersLost -= weight * pNothing
        }
        profit += weight * dp
        revenue += weight * dr
        take += weight * t
      }
    }
    return (profit, revenue, take, baseBuyers - buyersLost, baseBuyers, revenueWithout + revenue, revenueWithout)
  }
}
