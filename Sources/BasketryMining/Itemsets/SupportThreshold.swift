import BasketryCore

/// A minimum support for frequent itemsets: a fraction of all transactions or a transaction count.
///
/// An itemset is frequent when the number of transactions containing it is at least
/// ``minimumCount(transactionCount:)``.
public enum SupportThreshold: Sendable, Hashable {
  /// A fraction of the transactions, in (0, 1]: an itemset is frequent when `count ≥ fraction × n`.
  case relative(Double)
  /// An absolute number of transactions, at least 1.
  case absolute(Int)

  /// The smallest transaction count that meets the threshold for `transactionCount` transactions.
  ///
  /// For ``relative(_:)`` this is `⌈fraction × n⌉`, computed so that a product a hair above an integer
  /// because of floating-point error (`0.1 × 30 = 3.0000000000000004`) still gives that integer, the same
  /// decision as `count / n ≥ fraction` in arules, pyfim and mlxtend. Examples: 0.001 × 9,835 = 9.835 → 10;
  /// 0.001 × 88,162 = 88.162 → 89; 0.0001 × 88,162 = 8.8162 → 9. The result is at least 1.
  /// - Parameter transactionCount: the number of transactions `n`.
  /// - Returns: the minimum count, at least 1.
  public func minimumCount(transactionCount: Int) -> Int {
    switch self {
    case .absolute(let count):
      return max(1, count)
    case .relative(let fraction):
      guard fraction.isFinite, fraction > 0 else { return 1 }
      let product = fraction * Double(transactionCount)
      let nearest = product.rounded()
      // Within a few ulps of an integer: that integer meets the threshold.
      if abs(product - nearest) <= 1e-9 * max(1, product) { return max(1, Int(nearest)) }
      return max(1, Int(product.rounded(.up)))
    }
  }

  /// Checks that the threshold is usable.
  /// - Throws: ``MiningError`` with code `invalidSupport` when a relative support is not in (0, 1]
  ///   or an absolute support is below 1.
  public func validate() throws {
    switch self {
    case .absolute(let count):
      if count < 1 {
        throw MiningError(
          code: .invalidSupport, key: "minSupport", value: "\(count)",
          message: "an absolute minimum support must be a transaction count of at least 1")
      }
    case .relative(let fraction):
      if !(fraction.isFinite && fraction > 0 && fraction <= 1) {
        throw MiningError(
          code: .invalidSupport, key: "minSupport", value: "\(fraction)",
          message: "a relative minimum support must be a fraction in (0, 1], e.g. 0.001 for 0.1 %")
      }
    }
  }
}
