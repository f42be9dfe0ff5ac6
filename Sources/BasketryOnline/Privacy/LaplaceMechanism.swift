import BasketryCore
import Foundation

/// The Laplace mechanism for ε-differentially-private counts.
///
/// Adds noise drawn from Laplace(0, Δ/ε) to each released count, where Δ is the sensitivity:
/// how much one person's data can change the count. For co-occurrence or support counts where a
/// person contributes at most `maxBasketsPerUser` baskets, Δ = that cap (default 1: one basket).
/// Released values are rounded and clamped at 0 (post-processing keeps the guarantee).
public struct LaplaceMechanism: Sendable, Hashable {
  /// Privacy budget ε per released statistic (> 0); smaller is more private.
  public let epsilon: Double
  /// Sensitivity Δ of each count.
  public let sensitivity: Double

  /// Creates a mechanism.
  /// - Throws: ``OnlineError`` when ε or Δ is not positive.
  public init(epsilon: Double, sensitivity: Double = 1) throws {
    guard epsilon > 0, epsilon.isFinite else {
      throw OnlineError(key: "dp-epsilon", value: "\(epsilon)", message: "must be a positive number")
    }
    guard sensitivity > 0, sensitivity.isFinite else {
      throw OnlineError(key: "sensitivity", value: "\(sensitivity)", message: "must be a positive number")
    }
    self.epsilon = epsilon
    self.sensitivity = sensitivity
  }

  /// The noise scale b = Δ/ε (standard deviation √2·b).
  public var scale: Double { sensitivity / epsilon }

  /// One Laplace(0, b) draw: −b·sgn(u)·ln(1 − 2|u|), u ~ U(−½, ½).
  public func noise(using rng: inout SplitMix64) -> Double {
    let u = rng.nextUnit() - 0.5
    let magnitude = max(1 - 2 * abs(u), 1e-300)
    return -scale * (u < 0 ? -1 : 1) * log(magnitude)
  }

  /// A count with noise, rounded and clamped at zero.
  public func release(_ count: Int, using rng: inout SplitMix64) -> Int {
    max(0, Int((Double(count) + noise(using: &rng)).rounded()))
  }
}

/// A bad online-learning setting: names the key and the value.
public struct OnlineError: BasketryError {
  /// The setting's name.
  public var key: String
  /// The offending value.
  public var value: String
  /// What the value must be.
  public var message: String
  public var category: ErrorCategory { .invalidInput }

  /// Creates an error.
  public init(key: String, value: String, message: String) {
    self.key = key
    self.value = value
    self.message = message
  }

  public var description: String { "invalid \(key) \(value): \(message)" }
}
