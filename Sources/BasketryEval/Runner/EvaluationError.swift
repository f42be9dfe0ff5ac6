import BasketryCore

/// An evaluation input problem: a bad file, split or option, with its context.
public struct EvaluationError: BasketryError {
  /// What went wrong.
  public var message: String
  /// Where, when it comes from a file.
  public var location: SourceLocation?
  public var category: ErrorCategory

  /// Creates an error.
  public init(_ message: String, location: SourceLocation? = nil, category: ErrorCategory = .invalidInput) {
    self.message = message
    self.location = location
    self.category = category
  }

  public var description: String {
    if let location { return "\(location): \(message)" }
    return message
  }
}
