import Foundation

/// A parsed JSON value, used to validate request bodies field by field (unknown fields, wrong
/// types) so errors can name the bad field.
public enum JSONValue: Sendable, Hashable, Decodable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  /// Parses JSON bytes.
  /// - Throws: ``APIError`` (400, `malformed_json`) when the bytes are not JSON.
  public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
    guard !bytes.isEmpty else { throw APIError.badRequest("malformed_json", "request body is empty") }
    do {
      return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    } catch {
      throw APIError.badRequest("malformed_json", "request body is not valid JSON")
    }
  }

  /// The JSON type name, for error messages.
  public var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "boolean"
    case .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }
}

/// Reads typed fields from a JSON object, rejecting unknown fields and wrong types with errors
/// that name the field (as a path such as `events[2].price`).
public struct JSONObjectReader {
  /// The object's fields.
  public let fields: [String: JSONValue]
  /// The path prefix for error messages (empty at the top level).
  public let path: String

  /// Wraps a value that must be an object.
  /// - Throws: ``APIError`` when it is not an object or has a field outside `allowed`.
  public init(_ value: JSONValue, path: String, allowed: Set<String>) throws {
    guard case .object(let fields) = value else {
      throw APIError.badRequest(
        "wrong_type", "expected an object, got \(value.typeName)", field: path.isEmpty ? nil : path)
    }
    for key in fields.keys.sorted() where !allowed.contains(key) {
      throw APIError.badRequest("unknown_field", "unknown field '\(key)'", field: Self.join(path, key))
    }
    self.fields = fields
    self.path = path
  }

  static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

  private func wrongType(_ key: String, _ expected: String, _ value: JSONValue) -> APIError {
    APIError.badRequest(
      "wrong_type", "field '\(key)' must be \(expected), got \(value.typeName)", field: Self.join(path, key))
  }

  /// A required string.
  public func string(_ key: String) throws -> String {
    guard let value = try optionalString(key) else {
      throw APIError.badRequest("missing_field", "field '\(key)' is required", field: Self.join(path, key))
    }
    return value
  }

  /// An optional string (absent or null → nil); must be non-empty and at most 256 characters.
  public func optionalString(_ key: String, maxLength: Int = 256) throws -> String? {
    guard let value = fields[key] else { return nil }
    switch value {
    case .null: return nil
    case .string(let text):
      if text.isEmpty || text.count > maxLength {
        throw APIError.badRequest(
          "invalid_value", "field '\(key)' must be 1–\(maxLength) characters", field: Self.join(path, key))
      }
      return text
    default: throw wrongType(key, "a string", value)
    }
  }

  /// An optional number (finite).
  public func optionalNumber(_ key: String) throws -> Double? {
    guard let value = fields[key] else { return nil }
    switch value {
    case .null: return nil
    case .number(let number):
      guard number.isFinite else {
        throw APIError.badRequest("invalid_value", "field '\(key)' must be finite", field: Self.join(path, key))
      }
      return number
    default: throw wrongType(key, "a number", value)
    }
  }

  /// An optional integer.
  public func optionalInteger(_ key: String) throws -> Int64? {
    guard let number = try optionalNumber(key) else { return nil }
    guard number == number.rounded(), abs(number) < 9e15 else {
      throw APIError.badRequest("wrong_type", "field '\(key)' must be an integer", field: Self.join(path, key))
    }
    return Int64(number)
  }

  /// An optional boolean.
  public func optionalBool(_ key: String) throws -> Bool? {
    guard let value = fields[key] else { return nil }
    switch value {
    case .null: return nil
    case .bool(let flag): return flag
    default: throw wrongType(key, "a boolean", value)
    }
  }

  /// An optional array of strings.
  public func optionalStrings(_ key: String) throws -> [String]? {
    guard let value = fields[key] else { return nil }
    switch value {
    case .null: return nil
    case .array(let elements):
      return try elements.enumerated().map { index, element in
        guard case .string(let text) = element else {
          throw APIError.badRequest(
            "wrong_type", "field '\(key)[\(index)]' must be a string, got \(element.typeName)",
            field: Self.join(path, "\(key)[\(index)]"))
        }
        return text
      }
    default: throw wrongType(key, "an array of strings", value)
    }
  }

  /// An optional array (elements unchecked).
  public func optionalArray(_ key: String) throws -> [JSONValue]? {
    guard let value = fields[key] else { return nil }
    switch value {
    case .null: return nil
    case .array(let elements): return elements
    default: throw wrongType(key, "an array", value)
    }
  }
}
