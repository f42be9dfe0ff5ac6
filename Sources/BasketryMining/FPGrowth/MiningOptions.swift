import BasketryCore
import Foundation

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
  /// Bytes mining may allocate before it stops with ``MiningError`` (code `memoryBudgetExceeded`);
  /// nil (the default) means ``defaultMemoryBudget``, a sixteenth of physical memory. Must be at least 1.
  ///
  /// Charged against it, before each allocation: the global FP-tree and its projection, every worker's
  /// conditional trees and scratch buffers, the sort's bucket table, and for each itemset the peak of
  /// what its flat output, the collect phase and the final ``FrequentItemsets`` need
  /// (``FPGrowth/bytesPerItemset(length:)``). The input transactions are
  /// not charged. Mining stops before the charged total would pass the budget (up to about
  /// threads × 16 MB early, the size of the workers' reservations).
  public var memoryBudget: Int? = nil

  /// The budget used when ``memoryBudget`` is nil: physical memory / 16 (1.5 GB on a 24 GB machine),
  /// at least 64 MB.
  ///
  /// A sixteenth leaves room for the input, the caller's own structures and other processes: itemsets
  /// that fill the budget in the worst case (the collect phase's peak) still keep the process well under
  /// a tenth of the machine plus its input.
  public static var defaultMemoryBudget: Int {
    max(64 << 20, Int(clamping: ProcessInfo.processInfo.physicalMemory / 16))
  }

  /// ``memoryBudget``, or ``defaultMemoryBudget`` when it is nil.
  public var effectiveMemoryBudget: Int { memoryBudget ?? Self.defaultMemoryBudget }

  /// Creates options.
  /// - Parameters:
  ///   - minSupport: minimum support.
  ///   - maxLength: largest itemset size, or nil for no limit.
  ///   - threads: worker threads, or nil for all cores.
  ///   - maxItemsets: largest acceptable result size, or nil for no limit.
  ///   - memoryBudget: bytes mining may allocate, or nil for ``defaultMemoryBudget``.
  public init(
    minSupport: SupportThreshold, maxLength: Int? = nil, threads: Int? = nil, maxItemsets: Int? = nil,
    memoryBudget: Int? = nil
  ) {
    self.minSupport = minSupport
    self.maxLength = maxLength
    self.threads = threads
    self.maxItemsets = maxItemsets
    self.memoryBudget = memoryBudget
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
    if let memoryBudget, memoryBudget < 1 {
      throw MiningError(
        code: .invalidMemoryBudget, key: "memoryBudget", value: "\(memoryBudget)",
        message: "the memory budget must be at least 1 byte (or unset for the default)")
    }
  }
}
