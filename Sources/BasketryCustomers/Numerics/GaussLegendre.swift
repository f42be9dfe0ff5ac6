import Foundation

/// Gauss–Legendre quadrature nodes and weights on [−1, 1].
struct GaussLegendre: Sendable {
  let nodes: [Double]
  let weights: [Double]

  /// The 48-point rule, computed once.
  static let rule48 = GaussLegendre(points: 48)

  /// Computes an n-point rule by Newton's method on Pₙ (Numerical Recipes' `gauleg`).
  /// - Complexity: O(n²).
  init(points n: Int) {
    var nodes = [Double](repeating: 0, count: n)
    var weights = [Double](repeating: 0, count: n)
    let m = (n + 1) / 2
    for i in 0..<m {
      var z = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
      var derivative = 0.0
      for _ in 0..<100 {
        var p1 = 1.0
        var p2 = 0.0
        for j in 0..<n {
          let p3 = p2
          p2 = p1
          p1 = ((2 * Double(j) + 1) * z * p2 - Double(j) * p3) / Double(j + 1)
        }
        derivative = Double(n) * (z * p1 - p2) / (z * z - 1)
        let previous = z
        z = previous - p1 / derivative
        if abs(z - previous) < 1e-15 { break }
      }
      nodes[i] = -z
      nodes[n - 1 - i] = z
      weights[i] = 2 / ((1 - z * z) * derivative * derivative)
      weights[n - 1 - i] = weights[i]
    }
    self.nodes = nodes
    self.weights = weights
  }

  /// ln ∫ₗᵘ exp(f(u)) du for a smooth log-integrand f, summed in log space.
  /// - Complexity: O(points) evaluations of `logIntegrand`.
  func logIntegral(from lower: Double, to upper: Double, _ logIntegrand: (Double) -> Double) -> Double {
    guard upper > lower else { return -.infinity }
    let half = (upper - lower) / 2
    let mid = (upper + lower) / 2
    var values = [Double](repeating: 0, count: nodes.count)
    var largest = -Double.infinity
    for i in nodes.indices {
      values[i] = logIntegrand(mid + half * nodes[i]) + log(weights[i])
      largest = max(largest, values[i])
    }
    guard largest.isFinite else { return largest }
    var sum = 0.0
    for value in values { sum += exp(value - largest) }
    return largest + log(sum) + log(half)
  }
}
