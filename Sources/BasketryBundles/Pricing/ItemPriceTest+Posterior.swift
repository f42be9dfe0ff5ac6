import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Laplace approximation N(θ̂, H⁻¹) of a price test's demand-model posterior, θ = (a, ε, δ₁ … δ_K)
/// (``ItemPriceTest``).
public struct PriceTestPosterior: Sendable, Hashable {
  /// log(p_k / p₀) per level.
  public let logPriceRatios: [Double]
  /// p_k − c per level.
  public let margins: [Double]
  /// Posterior mode θ̂.
  public let mode: [Double]
  /// Lower Cholesky factor L of the Hessian H = L Lᵀ of the negative log posterior at the mode (row-major).
  let factor: [Double]

  /// Dimension d = levels + 2.
  var dimension: Int { mode.count }

  /// Units per session at level k under parameters θ: exp(a + ε x_k + δ_k).
  /// - Complexity: O(1).
  func rate(_ theta: [Double], level k: Int) -> Double {
    exp(min(theta[0] + theta[1] * logPriceRatios[k] + theta[2 + k], 50))
  }

  /// Posterior-mean units per session at each level, E[exp(η_k)] = exp(η̂_k + Var(η_k) / 2).
  /// - Complexity: O(levels · d²).
  public var meanRates: [Double] {
    logPriceRatios.indices.map { k in
      var z = [Double](repeating: 0, count: dimension)
      z[0] = 1
      z[1] = logPriceRatios[k]
      z[2 + k] = 1
      let variance = quadraticInverse(z)
      return exp(min(mode[0] + mode[1] * logPriceRatios[k] + mode[2 + k] + variance / 2, 50))
    }
  }

  /// Posterior-mean profit per session at each level: margin × ``meanRates``.
  public var meanProfits: [Double] { zip(margins, meanRates).map { $0 * $1 } }

  /// The posterior mean of the elasticity ε and its standard deviation.
  public var elasticity: (mean: Double, sd: Double) {
    var z = [Double](repeating: 0, count: dimension)
    z[1] = 1
    return (mode[1], quadraticInverse(z).squareRoot())
  }

  /// zᵀ H⁻¹ z, from the Cholesky factor.
  /// - Complexity: O(d²).
  func quadraticInverse(_ z: [Double]) -> Double {
    let y = Self.forward(factor, z, n: dimension)
    return y.reduce(0) { $0 + $1 * $1 }
  }

  /// One draw of θ: θ̂ + L⁻ᵀ u, u standard normal (covariance H⁻¹).
  /// - Complexity: O(d²).
  public func sample(using rng: inout SplitMix64) -> [Double] {
    let n = dimension
    var u = [Double](repeating: 0, count: n)
    for i in 0..<n { u[i] = rng.nextGaussian() }
    let step = Self.backward(factor, u, n: n)
    return (0..<n).map { mode[$0] + step[$0] }
  }

  /// Sampled profit per session at every level.
  /// - Complexity: O(d²).
  public func sampleProfits(using rng: inout SplitMix64) -> [Double] {
    let theta = sample(using: &rng)
    return margins.indices.map { margins[$0] * rate(theta, level: $0) }
  }

  /// For each level, the posterior probability that it earns less per session than `level`, from `draws` draws.
  /// - Complexity: O(draws · d²).
  public func probabilityBelow(level reference: Int, draws: Int, using rng: inout SplitMix64) -> [Double] {
    var below = [Int](repeating: 0, count: margins.count)
    let count = max(draws, 1)
    for _ in 0..<count {
      let profits = sampleProfits(using: &rng)
      for k in margins.indices where profits[k] < profits[reference] { below[k] += 1 }
    }
    return below.map { Double($0) / Double(count) }
  }

  /// For each level, the posterior probability that it earns the most per session, from `draws` draws.
  /// - Complexity: O(draws · d²).
  public func probabilityBest(draws: Int, using rng: inout SplitMix64) -> [Double] {
    var wins = [Int](repeating: 0, count: margins.count)
    let count = max(draws, 1)
    for _ in 0..<count {
      let profits = sampleProfits(using: &rng)
      if let best = profits.indices.max(by: { profits[$0] < profits[$1] }) { wins[best] += 1 }
    }
    return wins.map { Double($0) / Double(count) }
  }

  // MARK: - Fit

  /// Newton's method on the negative log posterior
  /// f(θ) = Σ_k (n_k e^{η_k} − y_k η_k) + ½ Σ_j P_j (θ_j − m_j)², η_k = a + ε x_k + δ_k,
  /// with step halving; f is convex, so the mode is unique.
  /// - Complexity: O(steps · d³), at most 50 steps.
  static func fit(
    logPriceRatios x: [Double], sessions: [Double], units: [Double], margins: [Double], prior: PriceTestPrior,
    options: PriceTestOptions
  ) -> PriceTestPosterior {
    let k = x.count
    let d = k + 2
    var mean = [Double](repeating: 0, count: d)
    mean[0] = log(prior.baseRate)
    mean[1] = prior.elasticity
    var precision = [Double](repeating: 1 / (options.levelDeviationSD * options.levelDeviationSD), count: d)
    precision[0] = 1 / (options.baseRateLogSD * options.baseRateLogSD)
    precision[1] = 1 / (prior.elasticitySE * prior.elasticitySE)

    func eta(_ theta: [Double], _ level: Int) -> Double { theta[0] + theta[1] * x[level] + theta[2 + level] }
    func objective(_ theta: [Double]) -> Double {
      var f = 0.0
      for level in 0..<k {
        let e = min(eta(theta, level), 50)
        f += sessions[level] * exp(e) - units[level] * e
      }
      for j in 0..<d { f += 0.5 * precision[j] * (theta[j] - mean[j]) * (theta[j] - mean[j]) }
      return f
    }
    func hessian(_ theta: [Double]) -> [Double] {
      var h = [Double](repeating: 0, count: d * d)
      for j in 0..<d { h[j * d + j] = precision[j] }
      for level in 0..<k {
        let mu = sessions[level] * exp(min(eta(theta, level), 50))
        let index = [0, 1, 2 + level]
        let value = [1, x[level], 1]
        for r in 0..<3 {
          for c in 0..<3 { h[index[r] * d + index[c]] += mu * value[r] * value[c] }
        }
      }
      return h
    }

    var theta = mean
    var current = objective(theta)
    var factor = choleskyFactor(hessian(theta), n: d) ?? diagonalFactor(precision)
    for _ in 0..<50 {
      var gradient = (0..<d).map { precision[$0] * (theta[$0] - mean[$0]) }
      for level in 0..<k {
        let residual = sessions[level] * exp(min(eta(theta, level), 50)) - units[level]
        gradient[0] += residual
        gradient[1] += residual * x[level]
        gradient[2 + level] += residual
      }
      let step = backward(factor, forward(factor, gradient, n: d), n: d)
      var scale = 1.0
      var accepted = false
      for _ in 0..<30 {
        let candidate = (0..<d).map { theta[$0] - scale * step[$0] }
        let value = objective(candidate)
        if value <= current + 1e-12 * max(1, abs(current)) {
          let change = zip(candidate, theta).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
          theta = candidate
          current = value
          accepted = change > 1e-10
          break
        }
        scale /= 2
      }
      factor = choleskyFactor(hessian(theta), n: d) ?? factor
      if !accepted { break }
    }
    return PriceTestPosterior(logPriceRatios: x, margins: margins, mode: theta, factor: factor)
  }

  /// The Cholesky factor of a diagonal precision.
  static func diagonalFactor(_ diagonal: [Double]) -> [Double] {
    let d = diagonal.count
    var l = [Double](repeating: 0, count: d * d)
    for j in 0..<d { l[j * d + j] = diagonal[j].squareRoot() }
    return l
  }

  /// Solves L y = b (L lower triangular, row-major).
  static func forward(_ l: [Double], _ b: [Double], n: Int) -> [Double] {
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var sum = b[i]
      for j in 0..<i { sum -= l[i * n + j] * y[j] }
      y[i] = sum / l[i * n + i]
    }
    return y
  }

  /// Solves Lᵀ y = b.
  static func backward(_ l: [Double], _ b: [Double], n: Int) -> [Double] {
    var y = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
      var sum = b[i]
      for j in (i + 1)..<n { sum -= l[j * n + i] * y[j] }
      y[i] = sum / l[i * n + i]
    }
    return y
  }
}
