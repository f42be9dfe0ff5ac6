import Foundation

/// A small quasi-Newton minimiser: BFGS with an Armijo backtracking line search.
///
/// Used on log-parameters, where every model here is smooth and unconstrained. Non-finite objective
/// values count as +∞, so the line search backs away from regions where a likelihood overflows.
struct Minimizer: Sendable {
  /// Stop when the largest gradient component is below this. Default 1e-9.
  var gradientTolerance = 1e-9
  /// Stop when an iteration improves the objective by less than this, relative. Default 1e-15.
  var relativeTolerance = 1e-15
  /// At most this many iterations. Default 1,000.
  var maxIterations = 1000

  /// The outcome of a minimisation.
  struct Outcome: Sendable {
    /// The minimising point.
    var point: [Double]
    /// The objective there.
    var value: Double
    /// The largest absolute gradient component there.
    var gradientNorm: Double
    /// Iterations taken.
    var iterations: Int
    /// Whether a tolerance was met (rather than the iteration cap or a failed line search).
    var converged: Bool
  }

  /// Minimises `objective`, which returns the value and gradient at a point.
  /// - Complexity: O(iterations × (objective evaluations + n²)).
  func minimize(start: [Double], objective: ([Double]) -> (value: Double, gradient: [Double])) -> Outcome {
    let n = start.count
    var x = start
    var (f, g) = objective(x)
    if !f.isFinite { return Outcome(point: x, value: f, gradientNorm: .infinity, iterations: 0, converged: false) }
    var h = Self.identity(n)
    var iteration = 0
    var stalls = 0
    while iteration < maxIterations {
      iteration += 1
      let gNorm = g.map(abs).max() ?? 0
      if gNorm < gradientTolerance {
        return Outcome(point: x, value: f, gradientNorm: gNorm, iterations: iteration, converged: true)
      }
      var direction = Self.multiply(h, g).map { -$0 }
      var slope = zip(direction, g).reduce(0) { $0 + $1.0 * $1.1 }
      if !(slope < 0) {
        h = Self.identity(n)
        direction = g.map { -$0 }
        slope = -g.reduce(0) { $0 + $1 * $1 }
      }
      // Keep the first trial step moderate in log-parameter space.
      let longest = direction.map(abs).max() ?? 0
      var step = longest > 5 ? 5 / longest : 1.0
      var accepted: (x: [Double], f: Double, g: [Double])?
      for _ in 0..<60 {
        let trial = zip(x, direction).map { $0 + step * $1 }
        let (ft, gt) = objective(trial)
        if ft.isFinite, ft <= f + 1e-4 * step * slope, gt.allSatisfy(\.isFinite) {
          accepted = (trial, ft, gt)
          break
        }
        step *= 0.5
      }
      guard let next = accepted else {
        return Outcome(point: x, value: f, gradientNorm: gNorm, iterations: iteration, converged: gNorm < 1e-5)
      }
      let s = zip(next.x, x).map { $0 - $1 }
      let y = zip(next.g, g).map { $0 - $1 }
      let improvement = f - next.f
      x = next.x
      g = next.g
      f = next.f
      let sy = zip(s, y).reduce(0) { $0 + $1.0 * $1.1 }
      if sy > 1e-300 {
        h = Self.bfgsUpdate(h, s: s, y: y, sy: sy)
      }
      if improvement <= relativeTolerance * max(abs(f), 1e-300) {
        stalls += 1
        if stalls >= 3 {
          let norm = g.map(abs).max() ?? 0
          return Outcome(point: x, value: f, gradientNorm: norm, iterations: iteration, converged: norm < 1e-5)
        }
      } else {
        stalls = 0
      }
    }
    let norm = g.map(abs).max() ?? 0
    return Outcome(point: x, value: f, gradientNorm: norm, iterations: iteration, converged: norm < gradientTolerance)
  }

  /// Central finite-difference gradient, step 1e-6 × max(1, |xᵢ|).
  /// - Complexity: 2n evaluations of `function`.
  static func numericGradient(_ function: ([Double]) -> Double, at x: [Double]) -> [Double] {
    var gradient = [Double](repeating: 0, count: x.count)
    var probe = x
    for i in x.indices {
      let h = 1e-6 * max(1, abs(x[i]))
      probe[i] = x[i] + h
      let up = function(probe)
      probe[i] = x[i] - h
      let down = function(probe)
      probe[i] = x[i]
      gradient[i] = (up - down) / (2 * h)
    }
    return gradient
  }

  // MARK: - Dense helpers

  private static func identity(_ n: Int) -> [[Double]] {
    (0..<n).map { i in (0..<n).map { $0 == i ? 1 : 0 } }
  }

  private static func multiply(_ m: [[Double]], _ v: [Double]) -> [Double] {
    m.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
  }

  /// H⁺ = (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ with ρ = 1/(yᵀs).
  private static func bfgsUpdate(_ h: [[Double]], s: [Double], y: [Double], sy: Double) -> [[Double]] {
    let n = s.count
    let rho = 1 / sy
    let hy = multiply(h, y)
    let yhy = zip(y, hy).reduce(0) { $0 + $1.0 * $1.1 }
    var result = h
    for i in 0..<n {
      for j in 0..<n {
        result[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
      }
    }
    return result
  }
}
