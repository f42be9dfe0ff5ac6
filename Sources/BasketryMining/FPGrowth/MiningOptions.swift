import BasketryCore

/// Settings for frequent-itemset mining.
public struct MiningOptions: Sendable {
  /// Minimum support of an itemset (required).
  public var minSupport: SupportThreshold
  /// Largest itemset size to report; nil (the default) means no limit. Must be at least 1.
  public var maxLength: Int? = nil
  /// Worker threads; nil (the default) uses every active core. Must be at least 1.
  public var threads: Int? = nil
  /// Fail with ``MiningError`` (code `tooManyItemsets`) instead of producing more itemsets than this;
  /// nil (the default) means no limit. A guard against a support threshold that would exhaust memory.
  public var maxItemsets: Int? = nil

  /// Creates options.
  /// - Parameters:
  ///   - minSupport: minimum support.
  ///   - maxLength: largest itemset size, or nil for no limit.
  ///   - threads: worker threads, or nil for all cores.
  ///   - maxItemsets: largest acceptable result size, or nil for no limit.
  public init(
    minSupport: SupportThreshold, maxLength: Int? = nil, threads: Int? = nil, maxItemsets: Int? = nil
  ) {
    self.minSupport = minSupport
    self.maxLength = maxLength
    self.threads = threads
    self.maxItemsets = maxItemsets
  }

  /// Checks every option.
  /// - Throws: ``MiningError`` naming the first invalid option.
  public func validate() throws {
    try minSupport.validate()
    if let maxLength, maxLength < 1 {
      throw MiningError(
        code: .invalidMaxLength, key: "maxLength", value: "\(maxLength)",
        message: "the maximum itemset length must be at least 1 (or unset for no limit)")
    }
    if let threads, threads < 1 {
      throw MiningError(
        code: .invalidThreads, key: "threads", value: "\(threads)",
        message: "the thread count must be at least 1 (or unset for all cores)")
    }
    if let maxItemsets, maxItemsets < 1 {
      throw MiningError(
        code: .invalidLimit, key: "maxItemsets", value: "\(maxItemsets)",
        message: "the itemset limit must be at least 1 (or unset for no limit)")
    }
  }
}
