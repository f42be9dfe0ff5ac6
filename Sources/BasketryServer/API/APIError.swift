import BasketryCore
import BasketryStore
import HTTPTypes

/// An error answered as JSON: `{"error": {"code": …, "message": …, "field": …}}` with a status.
public struct APIError: Error, CustomStringConvertible, Sendable {
  /// HTTP status.
  public var status: HTTPResponse.Status
  /// Machine-readable code (e.g. `unknown_field`, `wrong_type`, `not_found`).
  public var code: String
  /// Human-readable message.
  public var message: String
  /// The offending field or parameter, when one is to blame.
  public var field: String?
  /// Seconds after which a retry may succeed (sent as `Retry-After`), for 503 and 429 answers.
  public var retryAfter: Int?

  /// Creates an error.
  public init(
    status: HTTPResponse.Status, code: String, message: String, field: String? = nil, retryAfter: Int? = nil
  ) {
    self.status = status
    self.code = code
    self.message = message
    self.field = field
    self.retryAfter = retryAfter
  }

  public var description: String { "\(status.code) \(code): \(message)" + (field.map { " (field \($0))" } ?? "") }

  /// 400 with a code, message and field.
  public static func badRequest(_ code: String, _ message: String, field: String? = nil) -> APIError {
    APIError(status: .badRequest, code: code, message: message, field: field)
  }

  /// 404.
  public static func notFound(_ message: String, field: String? = nil) -> APIError {
    APIError(status: .notFound, code: "not_found", message: message, field: field)
  }

  /// Maps any error to an API error: API errors as they are, Basketry errors by category, others as 500.
  public static func from(_ error: any Error) -> APIError {
    if let error = error as? APIError { return error }
    if let error = error as? StoreError, error.kind == .conflict {
      return APIError(status: .conflict, code: "conflict", message: error.message)
    }
    if let error = error as? any BasketryError {
      switch error.category {
      case .invalidInput: return APIError(status: .unprocessableContent, code: "invalid", message: error.description)
      case .notFound: return APIError(status: .notFound, code: "not_found", message: error.description)
      case .unavailable:
        // The store is away: nothing was committed, so nothing was acknowledged; a retry may succeed.
        return APIError(
          status: .serviceUnavailable, code: "unavailable", message: "the store is unavailable; retry later",
          retryAfter: 1)
      case .io, .internal: return APIError(status: .internalServerError, code: "internal", message: "internal error")
      }
    }
    return APIError(status: .internalServerError, code: "internal", message: "internal error")
  }
}
