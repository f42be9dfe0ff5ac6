import BasketryCore

/// An evaluation input problem: a bad file, split or option, with its context.
public struct EvaluationError: BasketryError {
  /// What went wrong.
  public var message: String
  /// Where, when it comes from a file.
  public var location: SourceLocation?
  public var category: ErrorCategory
  /// True when the data is too small or short for the requested evaluation (not a bad option): callers such as
  /// training can fall back to a default instead of failing.
  public var insufficientData: Bool

  /// Creates an error.
  public init(
    _ message: String, location: SourceLocation? = nil, category: ErrorCategory = .invalidInput,
    insufficientData: Bool = false
  ) {
    self.message = message
    self.location = location
    self.category = category
    self.insufficientData = insufficientData
  }

  public var description: String {
    if let location { return "\(location): \(message)" }
    return message
  }
}
