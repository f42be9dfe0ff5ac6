import BasketryCore

/// Settings for association-rule generation.
public struct RuleOptions: Sendable {
  /// Minimum confidence `s(A ∪ C) / s(A)` (default 0.5).
  public var minConfidence: Double = 0.5
  /// Minimum lift, or nil (the default) for none.
  public var minLift: Double? = nil
  /// Largest antecedent size, or nil (the default) for no limit.
  public var maxAntecedentLength: Int? = nil

  /// Creates options.
  /// - Parameters:
  ///   - minConfidence: minimum confidence (default 0.5).
  ///   - minLift: minimum lift, or nil.
  ///   - maxAntecedentLength: largest antecedent, or nil.
  public init(minConfidence: Double = 0.5, minLift: Double? = nil, maxAntecedentLength: Int? = nil) {
    self.minConfidence = minConfidence
    self.minLift = minLift
    self.maxAntecedentLength = maxAntecedentLength
  }
}
