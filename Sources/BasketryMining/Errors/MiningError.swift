import BasketryCore

/// An error raised by frequent-itemset mining or rule generation: a bad option value, or a
/// result that would exceed the caller's size limit or memory budget.
///
/// The error names the offending option (`key`) and its value, so the CLI and server can show
/// exactly what to change; a size guard that stopped mining also says how far it got (``stop``).
public struct MiningError: BasketryError, Hashable {
  /// What went wrong, as a stable code.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Value: String, Sendable, Hashable {
      case invalidSupport, invalidMaxLength, invalidThreads, invalidLimit, invalidMemoryBudget, tooManyItemsets
      case memoryBudgetExceeded, tooManyTransactions
    }
    private let value: Value
    private init(_ value: Value) { self.value = value }

    /// A minimum support outside (0, 1] (relative) or below 1 (absolute), or not finite.
    public static let invalidSupport = Code(.invalidSupport)
    /// A maximum itemset length below 1.
    public static let invalidMaxLength = Code(.invalidMaxLength)
    /// A thread count below 1.
    public static let invalidThreads = Code(.invalidThreads)
    /// An itemset limit below 1.
    public static let invalidLimit = Code(.invalidLimit)
    /// A memory budget below 1 byte.
    public static let invalidMemoryBudget = Code(.invalidMemoryBudget)
    /// Mining would produce more itemsets than `MiningOptions.maxItemsets` allows.
    public static let tooManyItemsets = Code(.tooManyItemsets)
    /// Mining would allocate more than `MiningOptions.memoryBudget` (or its default) allows; it stopped
    /// before doing so.
    public static let memoryBudgetExceeded = Code(.memoryBudgetExceeded)
    /// More than 2³¹ − 1 transactions (FP-tree node counts are 32-bit).
    public static let tooManyTransactions = Code(.tooManyTransactions)

    public var description: String { value.rawValue }
  }

  /// The kind of failure.
  public var code: Code
  /// The option that was wrong (for example `minSupport`).
  public var key: String
  /// The offending value, as text.
  public var value: String
  /// A sentence explaining the problem and how to fix it.
  public var message: String
  /// How far mining got before a size guard stopped it (codes `tooManyItemsets` and
  /// `memoryBudgetExceeded`); nil for other errors.
  public var stop: Stop?

  /// What mining had done when a size guard stopped it, for callers that phrase their own advice.
  public struct Stop: Sendable, Hashable {
    /// Transactions mined (the support denominator).
    public var transactionCount: Int
    /// The minimum count in force.
    public var minimumCount: Int
    /// The maximum itemset length in force, or nil for none.
    public var maxLength: Int?
    /// The memory budget in force, in bytes.
    public var memoryBudget: Int
    /// Itemsets produced before mining stopped (a lower bound on the full result).
    public var itemsets: Int
    /// A larger minimum count to try: the smallest at which at most a thousandth of the itemsets produced
    /// so far would have been kept. A heuristic (the items not yet mined may add more), never below
    /// `minimumCount + 1`.
    public var suggestedMinimumCount: Int
    /// A maximum itemset length to try when the burst is in long itemsets: the largest length at which at most
    /// a hundredth of the itemsets produced so far are that long or shorter (nil when that is no shorter than
    /// the length in force, or when nothing was produced).
    public var suggestedMaxLength: Int?

    /// Creates the record of a stopped run.
    /// - Parameters:
    ///   - transactionCount: transactions mined.
    ///   - minimumCount: the minimum count in force.
    ///   - maxLength: the maximum itemset length, or nil.
    ///   - memoryBudget: the budget in bytes.
    ///   - itemsets: itemsets produced before stopping.
    ///   - suggestedMinimumCount: a larger minimum count to try.
    ///   - suggestedMaxLength: a maximum length to try, if one would help.
    public init(
      transactionCount: Int, minimumCount: Int, maxLength: Int?, memoryBudget: Int, itemsets: Int,
      suggestedMinimumCount: Int, suggestedMaxLength: Int? = nil
    ) {
      self.transactionCount = transactionCount
      self.minimumCount = minimumCount
      self.maxLength = maxLength
      self.memoryBudget = memoryBudget
      self.itemsets = itemsets
      self.suggestedMinimumCount = suggestedMinimumCount
      self.suggestedMaxLength = suggestedMaxLength
    }
  }

  /// Creates a mining error.
  /// - Parameters:
  ///   - code: the kind of failure.
  ///   - key: the option to change.
  ///   - value: its value, as text.
  ///   - message: the explanation and the fix.
  ///   - stop: how far mining got, for the size guards; nil (the default) otherwise.
  public init(code: Code, key: String, value: String, message: String, stop: Stop? = nil) {
    self.code = code
    self.key = key
    self.value = value
    self.message = message
    self.stop = stop
  }

  public var category: ErrorCategory { .invalidInput }

  public var description: String { "\(key) = \(value): \(message)" }
}
