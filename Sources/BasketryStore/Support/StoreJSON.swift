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
    var bytes: [UInt8] = [UInt8(ascii: "[")]
    bytes.reserveCapacity(strings.reduce(2) { $0 + $1.utf8.count + 3 })
    for (index, value) in strings.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      appendString(value, to: &bytes)
    }
    bytes.append(UInt8(ascii: "]"))
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends `value` as a JSON string literal in UTF-8: quote, backslash and control characters escaped, the rest
  /// as is.
  public static func appendString(_ value: String, to bytes: inout [UInt8]) {
    bytes.append(UInt8(ascii: "\""))
    for byte in value.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(byte)
      case 0..<0x20:
        let hex: StaticString = "0123456789abcdef"
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
        bytes.append(hex.utf8Start[Int(byte >> 4)])
        bytes.append(hex.utf8Start[Int(byte & 0xF)])
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Appends a number's shortest round-trip text (non-finite numbers, which stored values never are, as 0).
  public static func appendNumber(_ value: Double, to bytes: inout [UInt8]) {
    guard value.isFinite else {
      bytes.append(UInt8(ascii: "0"))
      return
    }
    var text = value.description
    text.withUTF8 { bytes.append(contentsOf: $0) }
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
