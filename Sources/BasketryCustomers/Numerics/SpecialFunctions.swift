import Foundation

/// Special functions the purchase models need, in double precision.
enum SpecialFunctions {
  /// The digamma function ψ(x) = d/dx ln Γ(x) for x > 0.
  ///
  /// Recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 6, then the asymptotic series
  /// ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ); absolute error below 1e-13.
  /// - Complexity: O(1).
  static func digamma(_ x: Double) -> Double {
    var x = x
    var result = 0.0
    while x < 6 {
      result -= 1 / x
      x += 1
    }
    let inv = 1 / x
    let inv2 = inv * inv
    let series =
      inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))))
    return result + log(x) - 0.5 * inv - series
  }

  /// ln Γ(x) for x > 0.
  @inline(__always) static func logGamma(_ x: Double) -> Double { lgamma(x) }

  /// ln(eᵃ + eᵇ) without overflow; `-inf` terms are allowed.
  @inline(__always) static func logAddExp(_ a: Double, _ b: Double) -> Double {
    let m = max(a, b)
    if m == -.infinity { return -.infinity }
    return m + log(exp(a - m) + exp(b - m))
  }

  /// The Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, a, b > 0 and c not 0 or a
  /// negative integer, by its power series Σₖ (a)ₖ(b)ₖ / ((c)ₖ k!) zᵏ, summed until the terms decrease
  /// and one is below 1e-16 of the sum.
  ///
  /// When a + b > c the terms grow like k^{a+b−c−1} zᵏ before they fall, so Euler's transformation
  /// ₂F₁(a, b; c; z) = (1 − z)^{c−a−b} ₂F₁(c − a, c − b; c; z) is summed instead.
  ///
  /// Returns ln |₂F₁| and its sign, so large values do not overflow (the sum is rescaled as it grows)
  /// and c < 0 (negative early terms) works. `nil` when the series has not converged after `maxTerms`.
  /// - Complexity: O(terms); about −ln(1e-16)/−ln z plus the peak of the terms.
  static func hypergeometric2F1(
    _ a: Double, _ b: Double, _ c: Double, _ z: Double, maxTerms: Int = 200_000
  ) -> (log: Double, sign: Double)? {
    if z == 0 { return (0, 1) }
    guard z > 0, z < 1, !(c <= 0 && c == c.rounded()) else { return nil }
    if a + b - c > 0.5 {
      guard let euler = series(c - a, c - b, c, z, maxTerms: maxTerms) else { return nil }
      return (euler.log + (c - a - b) * log1p(-z), euler.sign)
    }
    return series(a, b, c, z, maxTerms: maxTerms)
  }

  private static func series(
    _ a: Double, _ b: Double, _ c: Double, _ z: Double, maxTerms: Int
  ) -> (log: Double, sign: Double)? {
    var logScale = 0.0
    var sum = 1.0
    var term = 1.0
    var k = 0.0
    while k < Double(maxTerms) {
      let ratio = (a + k) * (b + k) / ((c + k) * (k + 1)) * z
      term *= ratio
      sum += term
      k += 1
      if abs(sum) > 1e250 {
        let scale = abs(sum)
        logScale += log(scale)
        term /= scale
        sum /= scale
      }
      if abs(term) <= 1e-16 * abs(sum) && abs(ratio) < 1 && c + k > 0 {
        guard sum != 0 else { return nil }
        return (logScale + log(abs(sum)), sum < 0 ? -1 : 1)
      }
    }
    return nil
  }

  /// ln ₂F₁(a, b; c; z) where the function is positive (see ``hypergeometric2F1(_:_:_:_:maxTerms:)``).
  static func logHypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double? {
    guard let value = hypergeometric2F1(a, b, c, z), value.sign > 0 else { return nil }
    return value.log
  }
}
