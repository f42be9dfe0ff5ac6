import BasketryCore
import Foundation

/// Reads behaviour events as JSON Lines, one object per line:
///
/// ```json
/// {"user": "u1", "item": "sku-9", "type": "purchase", "value": 2, "price": 9.99,
///  "timestamp": 1700000000, "session": "s1"}
/// ```
///
/// Accepted keys (first present wins): user `user`, `userId`, `user_id`; item `item`, `itemId`,
/// `item_id`; type `type`, `eventType`, `event_type`; value `value`, `eventValue`, `event_value`,
/// `quantity`; price `price`; time `timestamp`, `sentAt`, `sent_at`, `time` (Unix seconds — or
/// milliseconds when ≥ 10¹¹ — or a date string in ``IngestOptions/dateFormat``, see ``DateParser``;
/// in `auto` mode each string is read on its own, `a/b/YYYY` as month/day unless `a > 12`); session `session`,
/// `sessionId`, `session_id`; order `order`, `orderId`, `order_id`. Ids may be strings or
/// numbers. Unknown keys are ignored; blank lines are skipped.
///
/// Purchases become order lines (quantity = value, default 1): grouped by the explicit order id if
/// given, else by (user, session), else by (user, timestamp). Byte-identical purchase lines count
/// as exact duplicates for the `duplicate` rule. Every other type (view, cart, return,
/// custom) becomes a ``Dataset/events`` entry. A missing user, item or type, a value or price that
/// is not a number, or a bad timestamp is a bad row naming the line and the key.
enum EventsFormat {
  private static let userKeys = ["user", "userId", "user_id"]
  private static let itemKeys = ["item", "itemId", "item_id"]
  private static let typeKeys = ["type", "eventType", "event_type"]
  private static let valueKeys = ["value", "eventValue", "event_value", "quantity"]
  private static let timeKeys = ["timestamp", "sentAt", "sent_at", "time"]
  private static let sessionKeys = ["session", "sessionId", "session_id"]
  private static let orderKeys = ["order", "orderId", "order_id"]

  static func read(_ paths: [String], into input: inout ParsedInput) throws {
    for path in paths { try readFile(path, into: &input) }
  }

  private static func readFile(_ path: String, into input: inout ParsedInput) throws {
    var reader = try LineReader(path: path)
    let file = reader.file
    let bytesBefore = input.bytesRead
    while let line = try reader.next() {
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
      input.rowsRead += 1
      do {
        try parse(line, at: SourceLocation(file: file, line: reader.lineNumber), into: &input)
      } catch let error as IngestError {
        try input.badRows.record(error)
      }
      if input.rowsRead & 0xFFFF == 0 {
        input.bytesRead = bytesBefore + reader.bytesRead
        input.reportProgress(phase: "read")
      }
    }
    input.bytesRead = bytesBefore + reader.bytesRead
  }

  private static func parse(
    _ line: ArraySlice<UInt8>, at location: SourceLocation, into input: inout ParsedInput
  )
    throws
  {
    func fail(_ field: String?, _ message: String) -> IngestError {
      var where_ = location
      where_.field = field
      return IngestError(where_, message)
    }
    guard line.withUnsafeBufferPointer({ UTF8Validation.isValid($0) }) else { throw fail(nil, "invalid UTF-8") }
    let dictionary: [String: JSONScalar]
    do {
      dictionary = try JSONDecoder().decode([String: JSONScalar].self, from: Data(line))
    } catch {
      throw fail(nil, "not a JSON object")
    }

    func lookup(_ keys: [String]) -> (key: String, value: JSONScalar)? {
      for key in keys {
        if let value = dictionary[key], value != .null { return (key, value) }
      }
      return nil
    }
    func identifier(_ keys: [String], required: Bool) throws -> String? {
      guard let (key, value) = lookup(keys) else {
        if required { throw fail(keys[0], "missing '\(keys[0])'") }
        return nil
      }
      switch value {
      case .string(let text):
        if text.isEmpty && required { throw fail(key, "empty '\(key)'") }
        return text.isEmpty ? nil : text
      case .integer(let integer): return String(integer)
      case .number(let double): return String(double)
      case .bool, .null, .other: throw fail(key, "'\(key)' must be a string or a number")
      }
    }
    func number(_ keys: [String]) throws -> Double? {
      guard let (key, value) = lookup(keys) else { return nil }
      switch value {
      case .integer(let integer): return Double(integer)
      case .number(let double): return double
      default: throw fail(key, "'\(key)' must be a number")
      }
    }

    guard let user = try identifier(userKeys, required: true), let item = try identifier(itemKeys, required: true),
      let typeName = try identifier(typeKeys, required: true)
    else { throw fail(nil, "missing user, item or type") }
    let value = try number(valueKeys) ?? 1
    let price = try number(["price"])
    var time = Baskets.noTime
    if let (key, raw) = lookup(timeKeys) {
      switch raw {
      case .string(let text):
        let format = input.options.dateFormat
        guard let parsed = DateParser.parse(text, format: format) else {
          let expected = format == .auto ? "a date" : "\(format.label) (--date-format \(format.rawValue))"
          throw fail(key, "not \(expected): '\(text.prefix(40))'")
        }
        time = parsed
      case .integer, .number:
        let seconds = try number([key]) ?? 0
        let scaled = abs(seconds) >= 1e11 ? seconds / 1000 : seconds
        guard scaled.isFinite, abs(scaled) < 1e13 else { throw fail(key, "timestamp out of range") }
        time = Int64(scaled.rounded(.down))
      case .bool, .null, .other:
        throw fail(key, "'\(key)' must be a number or a date string")
      }
    }
    let session = try identifier(sessionKeys, required: false)
    let explicitOrder = try identifier(orderKeys, required: false)

    let userID = input.table.userIDs.intern(user)
    let itemID = input.table.itemIDs.intern(item)
    let type = EventType(rawValue: typeName)
    if type == .purchase {
      let orderKey: String
      if let explicitOrder {
        orderKey = explicitOrder
      } else if let session {
        orderKey = "\(user)/session:\(session)"
      } else {
        orderKey = time == Baskets.noTime ? "\(user)" : "\(user)@\(time)"
      }
      let order = input.table.orderIDs.intern(orderKey)
      // The line's bytes identify the row for the `duplicate` rule (a re-sent purchase event).
      let hash = line.withUnsafeBufferPointer { ContentHash($0) }
      input.table.append(
        order: order, user: userID, item: itemID, time: time, quantity: value, price: price ?? .nan, hash: hash)
    } else {
      let sessionID = session.map { input.sessions.intern($0) } ?? Event.noSession
      input.events.append(
        RawEvent(user: userID, item: itemID, type: type, value: value, price: price, time: time, session: sessionID))
    }
  }
}

/// A JSON value as far as event lines need it.
enum JSONScalar: Decodable, Equatable {
  case string(String)
  case integer(Int64)
  case number(Double)
  case bool(Bool)
  case null
  /// An object or array (ignored unless its key is one we read).
  case other

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int64.self) {
      self = .integer(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else {
      self = .other
    }
  }
}
