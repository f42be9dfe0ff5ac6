import BasketryCore

/// An error raised by frequent-itemset mining or rule generation: a bad option value, or a
/// result that would exceed the caller's size limit.
///
/// The error names the offending option (`key`) and its value, so the CLI and server can show
/// exactly what to change.
public struct MiningError: BasketryError, Hashable {
  /// What went wrong, as a stable code.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Value: String, Sendable, Hashable {
      case invalidSupport, invalidMaxLength, invalidThreads, invalidLimit, tooManyItemsets, tooManyTransactions
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
    /// Mining would produce more itemsets than `MiningOptions.maxItemsets` allows.
    public static let tooManyItemsets = Code(.tooManyItemsets)
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

  /// Creates a mining error.
  public init(code: Code, key: String, value: String, message: String) {
    self.code = code
    self.key = key
    self.value = value
    self.message = message
  }

  public var category: ErrorCategory { .invalidInput }

  public var description: String { "\(key) = \(value): \(message)" }
}
