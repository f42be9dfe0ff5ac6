import Foundation

/// JSON helpers the drivers share for the columns stored as JSON (catalog items, experiments).
public enum StoreJSON {
  /// Encodes a value as a compact JSON string with sorted keys.
  public static func encode<T: Encodable>(_ value: T, operation: String) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
      return String(decoding: try encoder.encode(value), as: UTF8.self)
    } catch {
      throw StoreError(.corrupt, operation: operation, message: "\(error)")
    }
  }

  /// An array of strings as compact JSON text, written by hand (JSONEncoder cost more than the insert it feeds on
  /// the serving path); reads back with ``decode(_:from:operation:)``.
  /// - Complexity: O(total length).
  public static func encode(strings: [String]) -> String {
    var text = "["
    for (index, value) in strings.enumerated() {
      if index > 0 { text += "," }
      appendString(value, to: &text)
    }
    return text + "]"
  }

  /// Appends `value` as a JSON string literal: quote, backslash and control characters escaped, the rest as is.
  public static func appendString(_ value: String, to text: inout String) {
    text += "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: text.unicodeScalars.append(scalar)
      }
    }
    text += "\""
  }

  /// Decodes a JSON string.
  public static func decode<T: Decodable>(_ type: T.Type, from text: String, operation: String) throws -> T {
    do {
      return try JSONDecoder().decode(type, from: Data(text.utf8))
    } catch {
      throw StoreError(.corrupt, operation: operation, message: "\(error)")
    }
  }

  /// Groups purchase rows (ordered by basket key) into baskets.
  public static func groupBaskets(
    _ rows: [(key: String, user: String, timestamp: Int64, item: String, quantity: Double, price: Double)]
  ) -> [PurchaseBasket] {
    var result: [PurchaseBasket] = []
    for row in rows {
      if let last = result.last, last.key == row.key {
        result[result.count - 1].lines.append((row.item, row.quantity, row.price))
        result[result.count - 1].timestamp = min(last.timestamp, row.timestamp)
      } else {
        result.append(
          PurchaseBasket(
            key: row.key, user: row.user, timestamp: row.timestamp, lines: [(row.item, row.quantity, row.price)]))
      }
    }
    return result
  }

  /// Unix seconds now.
  public static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
