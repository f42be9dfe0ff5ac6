import BasketryCore

/// A failure while reading a model folder, a safetensors file or a vocabulary, or while running the encoder.
public struct SemanticError: BasketryError {
  /// The class of the failure.
  public var category: ErrorCategory
  /// What went wrong, with context (file, tensor name, key and value).
  public var message: String
  /// The file involved, if any.
  public var file: String?

  /// Creates an error.
  /// - Parameters:
  ///   - category: The error class.
  ///   - message: A sentence with context.
  ///   - file: The file involved.
  public init(_ category: ErrorCategory, _ message: String, file: String? = nil) {
    self.category = category
    self.message = message
    self.file = file
  }

  public var description: String {
    if let file { return "\(file): \(message)" }
    return message
  }
}

/// Semantic features cannot run: no model weights were found or could be fetched.
///
/// Callers that treat semantic features as optional report this once ("semantic features unavailable: …") and go on
/// without them.
public struct SemanticUnavailableError: BasketryError {
  /// Always `.unavailable`.
  public var category: ErrorCategory { .unavailable }
  /// Why each source failed, in the order they were tried.
  public var reasons: [String]

  /// Creates the error from the reasons each source failed.
  public init(reasons: [String]) { self.reasons = reasons }

  public var description: String {
    "semantic features unavailable: "
      + (reasons.isEmpty ? "no model source configured" : reasons.joined(separator: "; "))
  }
}
