import Foundation

/// The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while
/// alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after every purchase they
/// drop out with probability p ~ Beta(a, b).
///
/// Fitted by maximum likelihood as `lifetimes`' `BetaGeoFitter` does: times are scaled by 1/max T,
/// the objective is the negative mean log-likelihood per customer plus `penalizer` × (r² + α² + a² +
/// b²) on the scaled parameters, minimised over log-parameters from ln p = 0.1 for every parameter.
public struct BetaGeoModel: Sendable, Hashable, Codable {
  /// The four parameters, with α in the data's time unit (days for ``RFMTable``).
  public struct Parameters: Sendable, Hashable, Codable {
    /// Shape of the purchase-rate gamma.
    public var r: Double
    /// Scale (rate parameter) of the purchase-rate gamma, in time units.
    public var alpha: Double
    /// First shape of the dropout beta.
    public var a: Double
    /// Second shape of the dropout beta.
    public var b: Double
    /// Creates parameters.
    public init(r: Double, alpha: Double, a: Double, b: Double) {
      self.r = r
      self.alpha = alpha
      self.a = a
      self.b = b
    }
  }

  /// The fitted (or given) parameters.
  public var parameters: Parameters
  /// The L2 penaliser the parameters were fitted with (0 for given parameters).
  public var penalizer: Double
  /// The mean log-likelihood per customer at the parameters (without the penalty), or nil.
  public var meanLogLikelihood: Double?

  /// A model with given parameters.
  public init(parameters: Parameters) {
    self.parameters = parameters
    self.penalizer = 0
    self.meanLogLikelihood = nil
  }

  /// Fits the model to customers' summaries.
  /// - Parameters:
  ///   - rows: the customers' (x, tₓ, T); `monetary` is ignored.
  ///   - penalizer: the L2 penaliser on the scaled parameters (`lifetimes`' `penalizer_coef`).
  ///     Default 0.
  /// - Returns: the fitted model.
  /// - Throws: ``CustomerValueError`` for no customers, an age of 0 for everyone, or no convergence.
  /// - Complexity: O(iterations × distinct (x, tₓ, T) rows); identical rows are merged first.
  public static func fit(_ rows: some Collection<RFM>, penalizer: Double = 0) throws -> BetaGeoModel {
    let data = WeightedRFM(rows)
    guard data.count > 0, data.maxAge > 0 else {
      throw CustomerValueError(.noCustomers, "BG/NBD needs customers with a positive age (T > 0)")
    }
    let scale = 1 / data.maxAge
    let likelihood = BetaGeoLikelihood(data: data, scale: scale)
    let outcome = Minimizer().minimize(start: [0.1, 0.1, 0.1, 0.1]) { theta in
      likelihood.objective(theta, penalizer: penalizer)
    }
    guard outcome.converged, outcome.point.allSatisfy(\.isFinite) else {
      throw CustomerValueError(
        .notConverged,
        "BG/NBD stopped after \(outcome.iterations) iterations with gradient \(outcome.gradientNorm); "
          + "try a penalizer such as 0.001")
    }
    let p = outcome.point.map(exp)
    var model = BetaGeoModel(parameters: Parameters(r: p[0], alpha: p[1] / scale, a: p[2], b: p[3]))
    model.penalizer = penalizer
    model.meanLogLikelihood = -likelihood.objective(outcome.point, penalizer: 0).value
    return model
  }

  // MARK: - Predictions

  /// The probability that a customer with history `rfm` is still alive at T:
  /// 1 / (1 + [a / (b + x − 1)] ((α + T)/(α + tₓ))^{r+x}) for x > 0, else 1.
  /// - Complexity: O(1).
  public func probabilityAlive(_ rfm: RFM) -> Double {
    guard rfm.frequency > 0 else { return 1 }
    let (r, alpha, a, b) = (parameters.r, parameters.alpha, parameters.a, parameters.b)
    let x = Double(rfm.frequency)
    let logDiv = (r + x) * log((alpha + rfm.age) / (alpha + rfm.recency)) + log(a / (b + x - 1))
    return 1 / (1 + exp(logDiv))
  }

  /// Expected repeat purchases in the next `t` periods for a customer with history `rfm` (equation
  /// 10 of the paper):
  /// [(a + b + x − 1)/(a − 1)] [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
  /// / [1 + 𝟙(x>0) a/(b+x−1) ((α+T)/(α+tₓ))^{r+x}].
  ///
  /// When b > 10⁸ (with a ≈ 0: no dropout, a common fit on young shops) the two factors cancel
  /// numerically, and the limit for a/b → 0, the NBD posterior mean (r + x)/(α + T) · t over the same
  /// denominator, is used instead; also when the series does not converge.
  /// - Complexity: O(series terms), typically tens.
  public func expectedPurchases(in t: Double, given rfm: RFM) -> Double {
    guard t > 0 else { return 0 }
    let (r, alpha, a, b) = (parameters.r, parameters.alpha, parameters.a, parameters.b)
    let x = Double(rfm.frequency)
    let bigT = rfm.age
    let denominator =
      1 + (rfm.frequency > 0 ? a / (b + x - 1) * pow((alpha + bigT) / (alpha + rfm.recency), r + x) : 0)
    let nbd = (r + x) / (alpha + bigT) * t
    let c = a + b + x - 1
    let z = t / (alpha + bigT + t)
    guard b < 1e8, let hyp = SpecialFunctions.hypergeometric2F1(r + x, b + x, c, z) else {
      return nbd / denominator
    }
    let first = c / (a - 1)
    let second = 1 - hyp.sign * exp(hyp.log + (r + x) * log((alpha + bigT) / (alpha + bigT + t)))
    let value = first * second / denominator
    return value.isFinite && value >= 0 ? value : nbd / denominator
  }

  /// Expected purchases in `t` periods of a newly acquired customer:
  /// [(a + b − 1)/(a − 1)] [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))].
  /// - Complexity: O(series terms).
  public func expectedPurchases(in t: Double) -> Double {
    let (r, alpha, a, b) = (parameters.r, parameters.alpha, parameters.a, parameters.b)
    let z = t / (alpha + t)
    guard b < 1e8, let hyp = SpecialFunctions.hypergeometric2F1(r, b, a + b - 1, z) else {
      return r / alpha * t
    }
    let value = (a + b - 1) / (a - 1) * (1 - hyp.sign * exp(hyp.log + r * log(alpha / (alpha + t))))
    return value.isFinite && value >= 0 ? value : r / alpha * t
  }
}

/// The BG/NBD log-likelihood over merged rows with its analytic gradient in log-parameters.
///
/// ℓ = ln Γ(r+x) − ln Γ(r) + r ln α + ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x)
///   + ln[(α+T)^{−(r+x)} + 𝟙(x>0) a/(b+x−1) (α+tₓ)^{−(r+x)}].
///
/// Terms that depend on x alone, on T alone or on tₓ alone are computed once per distinct value
/// (daily data has a few hundred distinct ages), so a row costs one `exp` and one `log`.
struct BetaGeoLikelihood: Sendable {
  let data: WeightedRFM
  let scale: Double
  let distinctX: Distinct
  let distinctAge: Distinct
  let distinctRecency: Distinct
  let totalWeight: Double

  /// Distinct values of a column and each row's index into them.
  struct Distinct: Sendable {
    var values: [Double] = []
    var index: [Int32] = []
    init(_ column: [Double]) {
      var positions: [UInt64: Int32] = [:]
      index.reserveCapacity(column.count)
      for value in column {
        if let p = positions[value.bitPattern] {
          index.append(p)
        } else {
          let p = Int32(values.count)
          positions[value.bitPattern] = p
          values.append(value)
          index.append(p)
        }
      }
    }
  }

  init(data: WeightedRFM, scale: Double) {
    self.data = data
    self.scale = scale
    distinctX = Distinct(data.frequency)
    distinctAge = Distinct(data.age.map { $0 * scale })
    distinctRecency = Distinct(data.recency.map { $0 * scale })
    totalWeight = data.totalWeight
  }

  /// Negative mean log-likelihood plus penalty, and its gradient in θ = ln(r, α, a, b).
  /// - Complexity: O(rows + distinct values of x, T and tₓ).
  func objective(_ theta: [Double], penalizer: Double) -> (value: Double, gradient: [Double]) {
    let r = exp(theta[0])
    let alpha = exp(theta[1])
    let a = exp(theta[2])
    let b = exp(theta[3])
    guard r.isFinite, alpha.isFinite, a.isFinite, b.isFinite, r > 0, alpha > 0, a > 0, b > 0 else {
      return (.infinity, [0, 0, 0, 0])
    }
    // x-only terms: value and partial derivatives in r, a, b.
    let psiR = SpecialFunctions.digamma(r)
    let psiB = SpecialFunctions.digamma(b)
    let psiAB = SpecialFunctions.digamma(a + b)
    let lgR = SpecialFunctions.logGamma(r)
    let lgB = SpecialFunctions.logGamma(b)
    let lgAB = SpecialFunctions.logGamma(a + b)
    let logA = log(a)
    let logAlpha = log(alpha)
    let xs = distinctX.values
    var constant = [Double](repeating: 0, count: xs.count)
    var dConstR = constant
    var dConstA = constant
    var dConstB = constant
    var logAOverBX = constant
    var dLogAOverBXB = constant
    for (k, x) in xs.enumerated() {
      constant[k] =
        SpecialFunctions.logGamma(r + x) - lgR + lgAB + SpecialFunctions.logGamma(b + x) - lgB
        - SpecialFunctions.logGamma(a + b + x) + r * logAlpha
      let psiABX = SpecialFunctions.digamma(a + b + x)
      dConstR[k] = SpecialFunctions.digamma(r + x) - psiR + logAlpha
      dConstA[k] = psiAB - psiABX
      dConstB[k] = psiAB + SpecialFunctions.digamma(b + x) - psiB - psiABX
      let bx = b + max(x, 1) - 1
      logAOverBX[k] = logA - log(bx)
      dLogAOverBXB[k] = -1 / bx
    }
    let logAge = distinctAge.values.map { log(alpha + $0) }
    let invAge = distinctAge.values.map { 1 / (alpha + $0) }
    let logRecency = distinctRecency.values.map { log(alpha + $0) }
    let invRecency = distinctRecency.values.map { 1 / (alpha + $0) }
    var ll = 0.0
    var gR = 0.0
    var gAlpha = 0.0
    var gA = 0.0
    var gB = 0.0
    let rOverAlpha = r / alpha
    for i in 0..<data.count {
      let k = Int(distinctX.index[i])
      let x = xs[k]
      let w = data.weight[i]
      let rx = r + x
      let ageIndex = Int(distinctAge.index[i])
      let logAT = logAge[ageIndex]
      let a3 = -rx * logAT
      var value = constant[k]
      var dr = dConstR[k]
      var dAlpha = rOverAlpha
      if x > 0 {
        let recencyIndex = Int(distinctRecency.index[i])
        let logATx = logRecency[recencyIndex]
        let a4 = logAOverBX[k] - rx * logATx
        // ln(e^{a3} + e^{a4}) and the weight w4 = e^{a4}/(e^{a3} + e^{a4}), with one exp.
        let d = a4 - a3
        let w4: Double
        if d > 0 {
          let e = exp(-d)
          value += a4 + log1p(e)
          w4 = 1 / (1 + e)
        } else {
          let e = exp(d)
          value += a3 + log1p(e)
          w4 = e / (1 + e)
        }
        let w3 = 1 - w4
        dr += -w3 * logAT - w4 * logATx
        dAlpha -= rx * (w3 * invAge[ageIndex] + w4 * invRecency[recencyIndex])
        gA += w * (dConstA[k] + w4 / a)
        gB += w * (dConstB[k] + w4 * dLogAOverBXB[k])
      } else {
        value += a3
        dr -= logAT
        dAlpha -= rx * invAge[ageIndex]
        gA += w * dConstA[k]
        gB += w * dConstB[k]
      }
      ll += w * value
      gR += w * dr
      gAlpha += w * dAlpha
    }
    let n = totalWeight
    let penalty = penalizer * (r * r + alpha * alpha + a * a + b * b)
    let value = -ll / n + penalty
    // d/dθ = p · d/dp.
    let gradient = [
      -gR / n * r + 2 * penalizer * r * r,
      -gAlpha / n * alpha + 2 * penalizer * alpha * alpha,
      -gA / n * a + 2 * penalizer * a * a,
      -gB / n * b + 2 * penalizer * b * b,
    ]
    return (value, gradient)
  }
}
