import Foundation

/// The result of a significance test.
public struct TestResult: Sendable, Hashable, Codable {
  /// The test statistic (z or t).
  public var statistic: Double
  /// Two-sided p-value.
  public var pValue: Double
  /// Degrees of freedom (Welch); nil for z-tests.
  public var degreesOfFreedom: Double?

  /// Creates a result.
  public init(statistic: Double, pValue: Double, degreesOfFreedom: Double? = nil) {
    self.statistic = statistic
    self.pValue = pValue
    self.degreesOfFreedom = degreesOfFreedom
  }
}

/// Significance tests and sample sizes for A/B experiments.
public enum ExperimentStatistics {
  /// Two-proportion z-test with a pooled variance.
  ///
  /// z = (p_B − p_A) / √(p̂(1 − p̂)(1/n_A + 1/n_B)), p̂ = (x_A + x_B) / (n_A + n_B); two-sided p = 2(1 − Φ(|z|)).
  /// - Returns: nil when either group is empty or the pooled rate is 0 or 1.
  public static func twoProportionZTest(successesA: Int, totalA: Int, successesB: Int, totalB: Int) -> TestResult? {
    guard totalA > 0, totalB > 0 else { return nil }
    let pA = Double(successesA) / Double(totalA)
    let pB = Double(successesB) / Double(totalB)
    let pooled = Double(successesA + successesB) / Double(totalA + totalB)
    let se = (pooled * (1 - pooled) * (1 / Double(totalA) + 1 / Double(totalB))).squareRoot()
    guard se > 0 else { return nil }
    let z = (pB - pA) / se
    return TestResult(statistic: z, pValue: 2 * (1 - normalCDF(abs(z))))
  }

  /// Welch's unequal-variance t-test on two means (e.g. average order value).
  ///
  /// t = (m_B − m_A) / √(v_A/n_A + v_B/n_B), with Welch–Satterthwaite degrees of freedom;
  /// two-sided p from Student's t distribution.
  /// - Returns: nil with fewer than 2 observations in a group or zero variance.
  public static func welchTTest(
    meanA: Double, varianceA: Double, countA: Int, meanB: Double, varianceB: Double, countB: Int
  ) -> TestResult? {
    guard countA >= 2, countB >= 2 else { return nil }
    let a = varianceA / Double(countA)
    let b = varianceB / Double(countB)
    guard a + b > 0 else { return nil }
    let t = (meanB - meanA) / (a + b).squareRoot()
    let df = (a + b) * (a + b) / (a * a / Double(countA - 1) + b * b / Double(countB - 1))
    return TestResult(statistic: t, pValue: studentTTwoSidedP(t: t, df: df), degreesOfFreedom: df)
  }

  /// Observations per variant needed to detect a relative change in a conversion rate.
  ///
  /// n = (z_{1−α/2} √(2 p̄(1 − p̄)) + z_{1−β} √(p₁(1 − p₁) + p₂(1 − p₂)))² / (p₂ − p₁)²,
  /// p₂ = p₁(1 + mde), p̄ = (p₁ + p₂)/2. Defaults: α = 0.05, power 0.8, mde 10 %.
  /// - Returns: nil when the baseline is not in (0, 1) or the effect is 0.
  public static func sampleSizePerVariant(
    baselineRate: Double, minimumDetectableEffect: Double = 0.10, alpha: Double = 0.05, power: Double = 0.8
  ) -> Int? {
    let p1 = baselineRate
    let p2 = min(max(p1 * (1 + minimumDetectableEffect), 1e-9), 1 - 1e-9)
    guard p1 > 0, p1 < 1, p2 != p1 else { return nil }
    let zA = normalQuantile(1 - alpha / 2)
    let zB = normalQuantile(power)
    let pBar = (p1 + p2) / 2
    let root = zA * (2 * pBar * (1 - pBar)).squareRoot() + zB * (p1 * (1 - p1) + p2 * (1 - p2)).squareRoot()
    return Int((root * root / ((p2 - p1) * (p2 - p1))).rounded(.up))
  }

  /// The Wilson score interval of a proportion.
  ///
  /// center = (p̂ + z²/2n) / (1 + z²/n), half-width = z √(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n), z = Φ⁻¹(1 − (1 − level)/2).
  /// - Returns: [low, high]; [0, 1] with no trials.
  public static func wilsonInterval(successes: Int, total: Int, level: Double = 0.95) -> [Double] {
    guard total > 0 else { return [0, 1] }
    let z = normalQuantile(1 - (1 - level) / 2)
    let n = Double(total)
    let p = Double(successes) / n
    let denominator = 1 + z * z / n
    let center = (p + z * z / (2 * n)) / denominator
    let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
    return [successes == 0 ? 0 : max(0, center - half), successes >= total ? 1 : min(1, center + half)]
  }

  /// The interval of a difference of two proportions, p_B − p_A ± z √(p_A(1 − p_A)/n_A + p_B(1 − p_B)/n_B)
  /// (Wald, unpooled).
  /// - Returns: [low, high], or nil when either group is empty.
  public static func differenceInterval(
    successesA: Int, totalA: Int, successesB: Int, totalB: Int, level: Double = 0.95
  ) -> [Double]? {
    guard totalA > 0, totalB > 0 else { return nil }
    let z = normalQuantile(1 - (1 - level) / 2)
    let pA = Double(successesA) / Double(totalA)
    let pB = Double(successesB) / Double(totalB)
    let half = z * (pA * (1 - pA) / Double(totalA) + pB * (1 - pB) / Double(totalB)).squareRoot()
    return [pB - pA - half, pB - pA + half]
  }

  /// Mean and unbiased variance of values.
  public static func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
    guard !values.isEmpty else { return (0, 0) }
    let mean = values.reduce(0, +) / Double(values.count)
    guard values.count > 1 else { return (mean, 0) }
    let ss = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (mean, ss / Double(values.count - 1))
  }

  // MARK: - Distributions

  /// Standard normal CDF Φ(x) = erfc(−x/√2)/2.
  public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

  /// Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9 after one Newton step).
  public static func normalQuantile(_ p: Double) -> Double {
    guard p > 0, p < 1 else { return p <= 0 ? -.infinity : .infinity }
    let a: [Double] = [
      -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
      -3.066479806614716e+01, 2.506628277459239e+00,
    ]
    let b: [Double] = [
      -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
      -1.328068155288572e+01, 1,
    ]
    let c: [Double] = [
      -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
      4.374664141464968e+00, 2.938163982698783e+00,
    ]
    let d: [Double] = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00, 1]
    func horner(_ coefficients: [Double], _ x: Double) -> Double {
      var result = 0.0
      for coefficient in coefficients { result = result * x + coefficient }
      return result
    }
    let low = 0.02425
    var x: Double
    if p < low {
      let q = (-2 * log(p)).squareRoot()
      x = horner(c, q) / horner(d, q)
    } else if p <= 1 - low {
      let q = p - 0.5
      let r = q * q
      x = horner(a, r) * q / horner(b, r)
    } else {
      let q = (-2 * log(1 - p)).squareRoot()
      x = -horner(c, q) / horner(d, q)
    }
    let e = normalCDF(x) - p
    let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
  }

  /// Two-sided p-value of Student's t: I_{df/(df+t²)}(df/2, 1/2).
  public static func studentTTwoSidedP(t: Double, df: Double) -> Double {
    guard df > 0, t.isFinite else { return t.isFinite ? 1 : 0 }
    return regularizedIncompleteBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
  }

  /// The regularised incomplete beta function I_x(a, b) by Lentz's continued fraction.
  public static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let lnBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
    let lnPowers: Double = a * log(x) + b * log(1 - x)
    let lnFront = lnBeta + lnPowers
    if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(x: 1 - x, a: b, b: a) }
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var f = d
    for m in 1...300 {
      let m = Double(m)
      let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
      d = 1 + even * d
      if abs(d) < tiny { d = tiny }
      c = 1 + even / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      f *= d * c
      let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
      d = 1 + odd * d
      if abs(d) < tiny { d = tiny }
      c = 1 + odd / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      f *= delta
      if abs(delta - 1) < 1e-14 { break }
    }
    return exp(lnFront) * f / a
  }
}
