#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Standard normal distribution helpers: density, distribution, quantile, the bivariate upper
/// orthant probability and its inversion for the correlation.
public enum Gaussian {
  /// Density φ(x) = e^(−x²/2) / √(2π).
  @inlinable public static func pdf(_ x: Double) -> Double { exp(-0.5 * x * x) * 0.398_942_280_401_432_7 }

  /// Distribution function Φ(x) = erfc(−x/√2) / 2.
  @inlinable public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x * 0.707_106_781_186_547_5) }

  /// The quantile Φ⁻¹(p) for p in (0, 1) (Acklam's rational approximation refined by one Halley step;
  /// absolute error below 1e-12). Returns ±∞ at 0 and 1.
  public static func quantile(_ p: Double) -> Double {
    if p <= 0 { return -.infinity }
    if p >= 1 { return .infinity }
    let a = [
      -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
      -3.066479806614716e+01, 2.506628277459239e+00,
    ]
    let b = [
      -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
      -1.328068155288572e+01,
    ]
    let c = [
      -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
      4.374664141464968e+00, 2.938163982698783e+00,
    ]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low {
      let q = (-2 * log(p)).squareRoot()
      x =
        (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p <= 1 - low {
      let q = p - 0.5
      let r = q * q
      x =
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
      let q = (-2 * log(1 - p)).squareRoot()
      x =
        -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    let e = cdf(x) - p
    let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
  }

  /// The hazard (inverse Mills ratio) φ(z) / (1 − Φ(z)), computed stably for large z.
  public static func hazard(_ z: Double) -> Double {
    let tail = 0.5 * erfc(z * 0.707_106_781_186_547_5)
    if tail < 1e-300 { return z }
    return pdf(z) / tail
  }

  /// P(X > a, Y > b) for standard bivariate normal (X, Y) with correlation ρ:
  /// ∫ₐ^∞ φ(x) · (1 − Φ((b − ρx) / √(1 − ρ²))) dx by composite Simpson's rule on [a, a + 12].
  /// - Complexity: O(steps), 400 by default; absolute error about 1e-9.
  public static func upperOrthant(_ a: Double, _ b: Double, rho: Double, steps: Int = 400) -> Double {
    if rho >= 0.999_999 { return 1 - cdf(max(a, b)) }
    if rho <= -0.999_999 { return max(0, 1 - cdf(a) - cdf(b)) }
    let s = (1 - rho * rho).squareRoot()
    let lower = max(a, -9)
    let upper = max(lower, 9)
    guard upper > lower else { return 0 }
    let n = steps % 2 == 0 ? steps : steps + 1
    let h = (upper - lower) / Double(n)
    var sum = 0.0
    for i in 0...n {
      let x = lower + Double(i) * h
      let f = pdf(x) * (1 - cdf((b - rho * x) / s))
      let weight: Double = (i == 0 || i == n) ? 1 : (i % 2 == 1 ? 4 : 2)
      sum += weight * f
    }
    return max(0, sum * h / 3)
  }

  /// The correlation ρ of a Gaussian copula under which two events with marginal probabilities
  /// `p1` and `p2` (X > Φ⁻¹(1 − p1), Y > Φ⁻¹(1 − p2)) happen together with probability `joint`.
  /// Bisection on ρ in [−0.95, 0.95]; the joint probability is monotone in ρ.
  /// - Returns: the correlation, clamped to [−0.95, 0.95] when `joint` is outside the attainable range.
  public static func correlation(jointProbability joint: Double, p1: Double, p2: Double) -> Double {
    guard p1 > 0, p1 < 1, p2 > 0, p2 < 1 else { return 0 }
    let a = quantile(1 - p1)
    let b = quantile(1 - p2)
    var low = -0.95
    var high = 0.95
    if joint <= upperOrthant(a, b, rho: low) { return low }
    if joint >= upperOrthant(a, b, rho: high) { return high }
    for _ in 0..<40 {
      let mid = (low + high) / 2
      if upperOrthant(a, b, rho: mid) < joint { low = mid } else { high = mid }
    }
    return (low + high) / 2
  }
}

/// Lower-triangular Cholesky factor of a small symmetric matrix (row-major, n × n).
/// - Returns: nil when the matrix is not positive definite.
/// - Complexity: O(n³).
public func choleskyFactor(_ matrix: [Double], n: Int) -> [Double]? {
  var l = [Double](repeating: 0, count: n * n)
  for i in 0..<n {
    for j in 0...i {
      var sum = matrix[i * n + j]
      for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
      if i == j {
        guard sum > 1e-10 else { return nil }
        l[i * n + i] = sum.squareRoot()
      } else {
        l[i * n + j] = sum / l[j * n + j]
      }
    }
  }
  return l
}

/// The Cholesky factor of a correlation matrix, shrinking the off-diagonal entries by 10 % at a
/// time until it is positive definite (pairwise estimates need not form a valid matrix).
public func validCorrelationFactor(_ correlation: [Double], n: Int) -> (factor: [Double], shrink: Double) {
  var shrink = 1.0
  while shrink > 0.001 {
    var m = correlation
    for i in 0..<n {
      for j in 0..<n where i != j { m[i * n + j] *= shrink }
      m[i * n + i] = 1
    }
    if let l = choleskyFactor(m, n: n) { return (l, shrink) }
    shrink *= 0.9
  }
  var identity = [Double](repeating: 0, count: n * n)
  for i in 0..<n { identity[i * n + i] = 1 }
  return (identity, 0)
}
