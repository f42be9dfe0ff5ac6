import BasketryCore

/// A problem with an input file: where it is (file, line, field) and what is wrong.
///
/// In lenient mode (the default) the ingest skips the offending row and lists the error in
/// ``CleaningReport/badRows``; with ``IngestOptions/strict`` the first one is thrown.
public struct IngestError: BasketryError, Hashable {
  /// Where in the input the problem is.
  public var location: SourceLocation
  /// What is wrong, for a person.
  public var message: String
  /// The class of the error (`invalidInput` for malformed data, `io` or `notFound` for files).
  public var category: ErrorCategory

  /// Creates an error.
  /// - Parameters:
  ///   - location: file, line and field.
  ///   - message: what is wrong.
  ///   - category: the error class; `invalidInput` by default.
  public init(_ location: SourceLocation, _ message: String, category: ErrorCategory = .invalidInput) {
    self.location = location
    self.message = message
    self.category = category
  }

  public var description: String { "\(location): \(message)" }
}
