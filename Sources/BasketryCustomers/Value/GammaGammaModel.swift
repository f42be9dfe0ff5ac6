import Foundation

/// The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Hardie's note 025): a
/// customer's purchase values are Gamma(p, ν) with ν ~ Gamma(q, v) across customers, independent of
/// how often they buy.
///
/// Fitted as `lifetimes`' `GammaGammaFitter` on customers with at least one repeat purchase:
/// negative mean log-likelihood plus `penalizer` × (p² + q² + v²), over log-parameters from
/// ln p = 0.1 for every parameter.
public struct GammaGammaModel: Sendable, Hashable, Codable {
  /// The three parameters.
  public struct Parameters: Sendable, Hashable, Codable {
    /// Shape of a customer's purchase values.
    public var p: Double
    /// Shape of the gamma over customers' value rates.
    public var q: Double
    /// Scale of the gamma over customers' value rates.
    public var v: Double
    /// Creates parameters.
    public init(p: Double, q: Double, v: Double) {
      self.p = p
      self.q = q
      self.v = v
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

  /// Fits the model to the customers with repeat purchases and a positive mean value.
  /// - Parameters:
  ///   - rows: customers' summaries; rows with x = 0 or monetary ≤ 0 are skipped.
  ///   - penalizer: L2 penaliser (`penalizer_coef`). Default 0.
  /// - Throws: ``CustomerValueError`` with fewer than 2 usable customers or no convergence.
  /// - Complexity: O(iterations × usable customers).
  public static func fit(_ rows: some Collection<RFM>, penalizer: Double = 0) throws -> GammaGammaModel {
    let usable = rows.filter { $0.frequency > 0 && $0.monetary > 0 && $0.monetary.isFinite }
    guard usable.count >= 2 else {
      throw CustomerValueError(
        .noCustomers, "Gamma-Gamma needs at least 2 customers with repeat purchases, found \(usable.count)")
    }
    let x = usable.map { Double($0.frequency) }
    let m = usable.map(\.monetary)
    let logM = m.map(log)
    let logX = x.map(log)
    let n = Double(usable.count)
    let outcome = Minimizer().minimize(start: [0.1, 0.1, 0.1]) { theta in
      let p = exp(theta[0])
      let q = exp(theta[1])
      let v = exp(theta[2])
      guard p.isFinite, q.isFinite, v.isFinite, p > 0, q > 0, v > 0 else { return (.infinity, [0, 0, 0]) }
      let lgQ = SpecialFunctions.logGamma(q)
      let psiQ = SpecialFunctions.digamma(q)
      let logV = log(v)
      var ll = 0.0
      var gp = 0.0
      var gq = 0.0
      var gv = 0.0
      for i in 0..<x.count {
        let px = p * x[i]
        let logXMV = log(x[i] * m[i] + v)
        let psiPXQ = SpecialFunctions.digamma(px + q)
        ll +=
          SpecialFunctions.logGamma(px + q) - SpecialFunctions.logGamma(px) - lgQ + q * logV + (px - 1) * logM[i] + px
          * logX[i] - (px + q) * logXMV
        gp += x[i] * (psiPXQ - SpecialFunctions.digamma(px) + logM[i] + logX[i] - logXMV)
        gq += psiPXQ - psiQ + logV - logXMV
        gv += q / v - (px + q) / (x[i] * m[i] + v)
      }
      let value = -ll / n + penalizer * (p * p + q * q + v * v)
      let gradient = [
        -gp / n * p + 2 * penalizer * p * p, -gq / n * q + 2 * penalizer * q * q,
        -gv / n * v + 2 * penalizer * v * v,
      ]
      return (value, gradient)
    }
    guard outcome.converged else {
      throw CustomerValueError(
        .notConverged, "Gamma-Gamma stopped with gradient \(outcome.gradientNorm) after \(outcome.iterations) steps")
    }
    let e = outcome.point.map(exp)
    var model = GammaGammaModel(parameters: Parameters(p: e[0], q: e[1], v: e[2]))
    model.penalizer = penalizer
    return model
  }

  /// The expected mean purchase value of a customer, a weighted mean of their own mean and the
  /// population's: w · m + (1 − w) · v p/(q − 1) with w = p x/(p x + q − 1). For q ≤ 1 the population
  /// mean is infinite and the customer's own mean is returned.
  /// - Complexity: O(1).
  public func expectedSpend(_ rfm: RFM) -> Double {
    let (p, q, v) = (parameters.p, parameters.q, parameters.v)
    guard q > 1 else { return rfm.monetary }
    let x = Double(rfm.frequency)
    let weight = p * x / (p * x + q - 1)
    return weight * rfm.monetary + (1 - weight) * v * p / (q - 1)
  }
}
