import Foundation

/// The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): while alive, a customer buys as a
/// Poisson process with rate λ ~ Gamma(r, α); their lifetime is exponential with rate μ ~ Gamma(s, β).
///
/// Fitted by maximum likelihood with `lifetimes`' `ParetoNBDFitter` objective: times scaled by
/// 1/max T, −Σ log-likelihood + `penalizer` × (r² + α² + s² + β²) on the scaled parameters; the
/// log-likelihood is Hardie's note 009, equation (18), with A₀ as an integral (see
/// ``logDeathIntegral(_:x:recency:age:)``).
/// Minimised here by BFGS on log-parameters with central-difference gradients (lifetimes uses
/// Nelder–Mead on the raw parameters; the optimum is the same).
public struct ParetoNBDModel: Sendable, Hashable, Codable {
  /// The four parameters, with α and β in the data's time unit.
  public struct Parameters: Sendable, Hashable, Codable {
    /// Shape of the purchase-rate gamma.
    public var r: Double
    /// Rate parameter of the purchase-rate gamma.
    public var alpha: Double
    /// Shape of the dropout-rate gamma.
    public var s: Double
    /// Rate parameter of the dropout-rate gamma.
    public var beta: Double
    /// Creates parameters.
    public init(r: Double, alpha: Double, s: Double, beta: Double) {
      self.r = r
      self.alpha = alpha
      self.s = s
      self.beta = beta
    }
  }

  /// The fitted (or given) parameters.
  public var parameters: Parameters
  /// The L2 penaliser used in the fit.
  public var penalizer: Double

  /// A model with given parameters.
  public init(parameters: Parameters) {
    self.parameters = parameters
    self.penalizer = 0
  }

  /// Fits the model.
  /// - Parameters:
  ///   - rows: the customers' (x, tₓ, T).
  ///   - penalizer: L2 penaliser on the scaled parameters. Default 0.
  /// - Throws: ``CustomerValueError`` for no customers or no convergence.
  /// - Complexity: O(iterations × distinct rows × 48).
  public static func fit(_ rows: some Collection<RFM>, penalizer: Double = 0) throws -> ParetoNBDModel {
    let data = WeightedRFM(rows)
    guard data.count > 0, data.maxAge > 0 else {
      throw CustomerValueError(.noCustomers, "Pareto/NBD needs customers with a positive age (T > 0)")
    }
    let scale = 1 / data.maxAge
    let recency = data.recency.map { $0 * scale }
    let age = data.age.map { $0 * scale }
    let n = data.totalWeight
    func objective(_ theta: [Double]) -> Double {
      let p = theta.map(exp)
      guard p.allSatisfy({ $0.isFinite && $0 > 0 }) else { return .infinity }
      let parameters = Parameters(r: p[0], alpha: p[1], s: p[2], beta: p[3])
      var ll = 0.0
      for i in 0..<data.count {
        ll += data.weight[i] * logLikelihood(parameters, x: data.frequency[i], recency: recency[i], age: age[i])
      }
      return -ll / n + penalizer / n * p.reduce(0) { $0 + $1 * $1 }
    }
    // lifetimes starts near 1 for every scaled parameter: ln 1 = 0.
    let outcome = Minimizer(gradientTolerance: 1e-8).minimize(start: [0, 0, 0, 0]) { theta in
      let value = objective(theta)
      return (value, value.isFinite ? Minimizer.numericGradient(objective, at: theta) : [0, 0, 0, 0])
    }
    guard outcome.converged, outcome.point.allSatisfy(\.isFinite) else {
      throw CustomerValueError(
        .notConverged,
        "Pareto/NBD stopped after \(outcome.iterations) iterations with gradient \(outcome.gradientNorm)")
    }
    let p = outcome.point.map(exp)
    var model = ParetoNBDModel(parameters: Parameters(r: p[0], alpha: p[1] / scale, s: p[2], beta: p[3] / scale))
    model.penalizer = penalizer
    return model
  }

  // MARK: - Likelihood

  /// ln I with I = ∫_{tₓ}^{T} (α + y)^{−(r+x)} (β + y)^{−(s+1)} dy, so that s · I is the likelihood
  /// share of dying between the last purchase and T (Hardie's s/(r+s+x) A₀ of note 009, equations
  /// 19–20, whose ₂F₁ series converge slowly when α ≪ β).
  ///
  /// Computed by 48-point Gauss–Legendre in u = ln(α + y), where the integrand is smooth; the range
  /// stops where the (α + y)^{−(r+x−1)} factor has fallen by e⁻⁴⁵, beyond which the rest is below
  /// double precision. −∞ when tₓ = T.
  static func logDeathIntegral(_ parameters: Parameters, x: Double, recency: Double, age: Double) -> Double {
    let (r, alpha, s, beta) = (parameters.r, parameters.alpha, parameters.s, parameters.beta)
    let lower = log(alpha + recency)
    var upper = log(alpha + age)
    let decay = r + x - 1
    if decay > 1 { upper = min(upper, lower + 45 / decay) }
    let shift = beta - alpha
    return GaussLegendre.rule48.logIntegral(from: lower, to: upper) { u in
      // dy = e^u du: (α+y)^{−(r+x)} dy = e^{−(r+x−1)u} du.
      -decay * u - (s + 1) * log(shift + exp(u))
    }
  }

  /// The log-likelihood of one customer (equation 18).
  static func logLikelihood(_ parameters: Parameters, x: Double, recency: Double, age: Double) -> Double {
    let (r, alpha, s, beta) = (parameters.r, parameters.alpha, parameters.s, parameters.beta)
    let a1 = SpecialFunctions.logGamma(r + x) - SpecialFunctions.logGamma(r) + r * log(alpha) + s * log(beta)
    let death = logDeathIntegral(parameters, x: x, recency: recency, age: age)
    let a2 = SpecialFunctions.logAddExp(-(r + x) * log(alpha + age) - s * log(beta + age), log(s) + death)
    return a1 + a2
  }

  // MARK: - Predictions

  /// The probability that a customer with history `rfm` is alive at T:
  /// 1 / (1 + s (α+T)^{r+x} (β+T)^s I), with I as in ``logDeathIntegral(_:x:recency:age:)``.
  /// - Complexity: O(48).
  public func probabilityAlive(_ rfm: RFM) -> Double {
    let (r, alpha, s, beta) = (parameters.r, parameters.alpha, parameters.s, parameters.beta)
    let x = Double(rfm.frequency)
    let death = Self.logDeathIntegral(parameters, x: x, recency: rfm.recency, age: rfm.age)
    let exponent = log(s) + (r + x) * log(alpha + rfm.age) + s * log(beta + rfm.age) + death
    let value = 1 / (1 + exp(exponent))
    return value.isFinite ? value : 1
  }

  /// Expected repeat purchases in the next `t` periods (note 009, equation 41):
  /// P(alive) · (r + x)(β + T) / ((α + T)(s − 1)) · [1 − ((β + T)/(β + T + t))^{s−1}].
  /// - Complexity: O(48).
  public func expectedPurchases(in t: Double, given rfm: RFM) -> Double {
    guard t > 0 else { return 0 }
    let (r, alpha, s, beta) = (parameters.r, parameters.alpha, parameters.s, parameters.beta)
    let x = Double(rfm.frequency)
    let bigT = rfm.age
    let likelihood = Self.logLikelihood(parameters, x: x, recency: rfm.recency, age: bigT)
    let first =
      SpecialFunctions.logGamma(r + x) - SpecialFunctions.logGamma(r) + r * log(alpha) + s * log(beta) - (r + x)
      * log(alpha + bigT) - s
      * log(beta + bigT)
    let second = log(r + x) + log(beta + bigT) - log(alpha + bigT)
    // (1 − u^{s−1})/(s − 1) with u = (β+T)/(β+T+t); its limit −ln u as s → 1.
    let logU = log((beta + bigT) / (beta + bigT + t))
    let sm1 = s - 1
    let ratio = abs(sm1) < 1e-12 ? -logU : -expm1(sm1 * logU) / sm1
    return exp(first + second + log(ratio) - likelihood)
  }
}
