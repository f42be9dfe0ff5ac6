/// Deterministic assignment of units (users, sessions) to experiment variants.
///
/// A unit goes to the variant whose cumulative weight interval contains
/// u = FNV-1a-64(experiment ‖ 0x1F ‖ unit) / 2⁶⁴, so a unit always sees the same variant and
/// the split follows the weights.
public enum VariantAssigner {
  /// The index of the variant for a unit, or nil when the weights are empty or not positive.
  /// - Parameters:
  ///   - unit: the pseudonymised user (or session) id.
  ///   - experiment: the experiment id.
  ///   - weights: traffic share per variant (any positive scale).
  public static func assign(unit: String, experiment: String, weights: [Double]) -> Int? {
    let total = weights.reduce(0) { $0 + max($1, 0) }
    guard total > 0 else { return nil }
    let u = unitInterval(unit: unit, salt: experiment) * total
    var cumulative = 0.0
    for (index, weight) in weights.enumerated() where weight > 0 {
      cumulative += weight
      if u < cumulative { return index }
    }
    return weights.lastIndex { $0 > 0 }
  }

  /// A uniform value in [0, 1) from the FNV-1a-64 hash of salt and unit.
  public static func unitInterval(unit: String, salt: String) -> Double {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in salt.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01B3
    }
    hash ^= 0x1F
    hash &*= 0x0000_0100_0000_01B3
    for byte in unit.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01B3
    }
    // Final avalanche (SplitMix64 finaliser) so nearby strings spread evenly.
    hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
    hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
    hash ^= hash >> 31
    return Double(hash >> 11) * 0x1.0p-53
  }
}
