import BasketryCore

/// A customer-value or profile computation that cannot proceed, with what was wrong and the values
/// involved.
public struct CustomerValueError: BasketryError, Hashable {
  /// What went wrong.
  public struct Kind: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Base: String, Sendable, Hashable {
      case noCustomers = "no customers"
      case invalidArgument = "invalid argument"
      case notConverged = "fit did not converge"
    }
    fileprivate let base: Base
    /// No customer has a purchase in the calibration period (or too few to fit a model).
    public static let noCustomers = Kind(base: .noCustomers)
    /// A date, horizon or option is out of range.
    public static let invalidArgument = Kind(base: .invalidArgument)
    /// Maximum likelihood did not converge.
    public static let notConverged = Kind(base: .notConverged)
    public var description: String { base.rawValue }
  }

  /// What went wrong.
  public let kind: Kind
  /// A message naming the values involved.
  public let message: String

  /// Creates an error.
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var category: ErrorCategory {
    kind == .notConverged ? .internal : .invalidInput
  }

  public var description: String { "\(kind): \(message)" }
}
