import BasketryCore

/// A report or page that could not be rendered: a template that does not parse, or a missing template.
public struct ReportError: BasketryError, CustomStringConvertible {
  /// The template or part of the page concerned (`page`, `bundle-card`).
  public var template: String
  /// What went wrong.
  public var message: String

  /// Creates an error.
  /// - Parameters:
  ///   - template: the template or part concerned.
  ///   - message: what went wrong.
  public init(template: String, message: String) {
    self.template = template
    self.message = message
  }

  /// Rendering fails only on a programming error in the templates.
  public var category: ErrorCategory { .internal }

  /// `template 'page': message`.
  public var description: String { "template '\(template)': \(message)" }
}
