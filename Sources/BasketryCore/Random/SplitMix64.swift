/// SplitMix64, a small, fast, seedable pseudo-random generator (Steele, Lea & Flood, 2014).
///
/// Every stochastic step in Basketry takes one of these with an explicit seed, so runs repeat.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
  private var state: UInt64

  /// Creates a generator from a seed.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform `Double` in [0, 1).
  public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// A standard normal deviate (Box–Muller).
  public mutating func nextGaussian() -> Double {
    let u1 = max(nextUnit(), 1e-300)
    let u2 = nextUnit()
    return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
  }
}

#if canImport(Glibc)
  import Glibc
  @usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
  @usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
  import Darwin
  @usableFromInline func _log(_ x: Double) -> Double { Darwin.log(x) }
  @usableFromInline func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
