/// One customer's purchase history summarised the way BG/NBD, Pareto/NBD and Gamma-Gamma read it
/// (the `lifetimes` convention).
///
/// Time is counted in periods (days for ``RFMTable``): purchases on the same period count once;
/// the first purchase period is the customer's birth and is not counted.
public struct RFM: Sendable, Hashable, Codable {
  /// x: the number of repeat purchase periods (purchase periods after the first).
  public var frequency: Int
  /// tₓ: the age at the last purchase, in periods from the first (0 without repeats).
  public var recency: Double
  /// T: the age at the end of the observation, in periods from the first purchase.
  public var age: Double
  /// The mean value of the repeat purchase periods (the first is excluded), 0 without repeats.
  public var monetary: Double

  /// Creates a summary.
  /// - Parameters:
  ///   - frequency: repeat purchase periods, ≥ 0.
  ///   - recency: age at the last purchase, 0 ≤ recency ≤ age.
  ///   - age: age at the end of the observation.
  ///   - monetary: mean repeat purchase value (default 0).
  public init(frequency: Int, recency: Double, age: Double, monetary: Double = 0) {
    self.frequency = frequency
    self.recency = recency
    self.age = age
    self.monetary = monetary
  }
}

/// Identical (x, tₓ, T) rows merged with weights: a million customers observed in days collapse to
/// tens of thousands of rows, so a likelihood evaluation costs little.
struct WeightedRFM: Sendable {
  private struct Key: Hashable {
    var x: Int
    var t: UInt64
    var a: UInt64
  }

  var frequency: [Double] = []
  var recency: [Double] = []
  var age: [Double] = []
  var weight: [Double] = []

  /// Groups `rows`.
  /// - Complexity: O(n) expected.
  init(_ rows: some Collection<RFM>) {
    var index: [Key: Int] = [:]
    index.reserveCapacity(min(rows.count, 1 << 16))
    for row in rows {
      let key = Key(x: row.frequency, t: row.recency.bitPattern, a: row.age.bitPattern)
      if let i = index[key] {
        weight[i] += 1
      } else {
        index[key] = weight.count
        frequency.append(Double(row.frequency))
        recency.append(row.recency)
        age.append(row.age)
        weight.append(1)
      }
    }
  }

  var count: Int { weight.count }
  var totalWeight: Double { weight.reduce(0, +) }
  var maxAge: Double { age.max() ?? 0 }
}
