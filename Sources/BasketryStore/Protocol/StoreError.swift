import BasketryCore

/// A store failure: what was being done and why.
public struct StoreError: BasketryError {
  /// What kind of failure.
  public enum Kind: String, Sendable, Hashable {
    /// The store location is malformed.
    case invalidLocation
    /// A row with this key exists.
    case conflict
    /// The database failed.
    case database
    /// Stored data could not be decoded.
    case corrupt
    /// The database cannot be reached or cannot write now (connection lost or refused, busy, disk full,
    /// read-only): retrying later may succeed, and nothing was committed.
    case unavailable
  }

  /// The kind.
  public var kind: Kind
  /// The operation, e.g. "append events".
  public var operation: String
  /// Details (driver message).
  public var message: String

  /// Creates an error.
  public init(_ kind: Kind, operation: String, message: String) {
    self.kind = kind
    self.operation = operation
    self.message = message
  }

  public var category: ErrorCategory {
    switch kind {
    case .invalidLocation, .conflict: .invalidInput
    case .database: .io
    case .corrupt: .internal
    case .unavailable: .unavailable
    }
  }

  public var description: String { "store: \(operation) failed (\(kind.rawValue)): \(message)" }
}
