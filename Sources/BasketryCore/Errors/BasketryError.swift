/// The broad class of a Basketry error, which the CLI maps to an exit code and the
/// server to an HTTP status.
public enum ErrorCategory: String, Sendable, Hashable, Codable {
  /// The input (file, flag, request body) is malformed or inconsistent. CLI 65, HTTP 400/422.
  case invalidInput
  /// A named thing (file, item, user, model) does not exist. CLI 66, HTTP 404.
  case notFound
  /// A valid request that this build or configuration cannot serve. CLI 69, HTTP 501/503.
  case unavailable
  /// Reading or writing failed. CLI 74, HTTP 500.
  case io
  /// A state the code believed impossible. CLI 70, HTTP 500.
  case `internal`

  /// The sysexits(3) code the CLI exits with.
  public var exitCode: Int32 {
    switch self {
    case .invalidInput: 65
    case .notFound: 66
    case .unavailable: 69
    case .io: 74
    case .internal: 70
    }
  }
}

/// An error Basketry reports to a person: it carries its category and a message with
/// context (file, line and field; or key and value).
public protocol BasketryError: Error, CustomStringConvertible, Sendable {
  /// The class of the error.
  var category: ErrorCategory { get }
}

/// Where in an input file something is: file, 1-based line, and field (column name or number).
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
  /// File path (or a label such as `<stdin>`).
  public var file: String
  /// 1-based physical line number, or nil when not applicable.
  public var line: Int?
  /// Column name or 1-based column number, when known.
  public var field: String?

  /// Creates a location.
  public init(file: String, line: Int? = nil, field: String? = nil) {
    self.file = file
    self.line = line
    self.field = field
  }

  public var description: String {
    var text = file
    if let line { text += ":\(line)" }
    if let field { text += " (field \(field))" }
    return text
  }
}
