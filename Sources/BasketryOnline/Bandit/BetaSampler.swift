import BasketryCore
import Foundation

/// Draws from Gamma and Beta distributions with a seeded generator.
///
/// Gamma(shape, 1) by Marsaglia & Tsang (2000) for shape ≥ 1, boosted by U^(1/shape) below 1;
/// Beta(a, b) = X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
public enum BetaSampler {
  /// One draw from Gamma(shape, 1).
  /// - Parameter shape: must be positive.
  public static func gamma(shape: Double, using rng: inout SplitMix64) -> Double {
    if shape < 1 {
      let u = max(rng.nextUnit(), 1e-300)
      return gamma(shape: shape + 1, using: &rng) * pow(u, 1 / shape)
    }
    let d = shape - 1.0 / 3.0
    let c = 1 / (9 * d).squareRoot()
    while true {
      var x = 0.0
      var v = 0.0
      repeat {
        x = rng.nextGaussian()
        v = 1 + c * x
      } while v <= 0
      v = v * v * v
      let u = rng.nextUnit()
      if u < 1 - 0.0331 * x * x * x * x { return d * v }
      if log(max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
    }
  }

  /// One draw from Beta(alpha, beta).
  ///
  /// Beta(1, b) and Beta(a, 1) are drawn exactly by inversion, 1 − U^(1/b) and U^(1/a): one uniform
  /// and one `pow` instead of two Gamma draws. Arms that have never converted (α = 1 under the
  /// default prior) are the common case in serving.
  public static func beta(alpha: Double, beta: Double, using rng: inout SplitMix64) -> Double {
    if alpha == 1 {
      let u = rng.nextUnit()
      return beta == 1 ? u : 1 - pow(u, 1 / beta)
    }
    if beta == 1 {
      return pow(rng.nextUnit(), 1 / alpha)
    }
    let x = gamma(shape: alpha, using: &rng)
    let y = gamma(shape: beta, using: &rng)
    return x + y > 0 ? x / (x + y) : 0.5
  }
}
