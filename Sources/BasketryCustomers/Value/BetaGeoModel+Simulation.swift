import BasketryCore
import Foundation

extension BetaGeoModel {
  /// Simulates customers from the model, for parameter-recovery tests and benchmarks.
  ///
  /// Each customer draws λ ~ Gamma(r, α) and p ~ Beta(a, b), an age T uniform on
  /// `minimumAge…maximumAge` whole periods, then buys at exponential gaps of mean 1/λ from their
  /// first purchase at time 0 until T, dropping out after each repeat purchase with probability p.
  /// - Parameters:
  ///   - customers: how many customers.
  ///   - minimumAge: the smallest age T, ≥ 1 period. Default 1.
  ///   - maximumAge: the largest age T. Default 365.
  ///   - wholePeriods: report tₓ as whole periods (floor), as daily data records them; repeat
  ///     purchases are still counted individually. Default false.
  ///   - seed: the SplitMix64 seed.
  /// - Returns: one ``RFM`` per customer (monetary 0).
  /// - Complexity: O(customers + purchases).
  public func simulate(
    customers: Int, minimumAge: Int = 1, maximumAge: Int = 365, wholePeriods: Bool = false, seed: UInt64
  ) -> [RFM] {
    var random = SplitMix64(seed: seed)
    let (r, alpha, a, b) = (parameters.r, parameters.alpha, parameters.a, parameters.b)
    let span = max(maximumAge - minimumAge + 1, 1)
    var rows: [RFM] = []
    rows.reserveCapacity(customers)
    for _ in 0..<customers {
      let age = Double(minimumAge + Int(random.next() % UInt64(span)))
      let rate = Self.gamma(shape: r, using: &random) / alpha
      let ga = Self.gamma(shape: a, using: &random)
      let dropout = ga / (ga + Self.gamma(shape: b, using: &random))
      var time = 0.0
      var count = 0
      var last = 0.0
      while true {
        time += -log(1 - random.nextUnit()) / rate
        if !(time <= age) { break }
        count += 1
        last = time
        if random.nextUnit() < dropout { break }
      }
      rows.append(RFM(frequency: count, recency: wholePeriods ? floor(last) : last, age: age))
    }
    return rows
  }

  /// A Gamma(shape, 1) draw: Marsaglia & Tsang (2000) for shape ≥ 1, boosted by U^{1/shape} below 1.
  static func gamma(shape: Double, using random: inout SplitMix64) -> Double {
    if shape < 1 {
      let u = max(random.nextUnit(), .leastNonzeroMagnitude)
      return gamma(shape: shape + 1, using: &random) * pow(u, 1 / shape)
    }
    let d = shape - 1.0 / 3
    let c = 1 / (9 * d).squareRoot()
    while true {
      var x: Double
      var v: Double
      repeat {
        x = random.nextGaussian()
        v = 1 + c * x
      } while v <= 0
      v = v * v * v
      let u = random.nextUnit()
      if u < 1 - 0.0331 * x * x * x * x { return d * v }
      if log(max(u, .leastNonzeroMagnitude)) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
    }
  }
}
