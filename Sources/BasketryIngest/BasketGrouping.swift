import BasketryCore

/// How the lines of an `orders` file are grouped into baskets (`--basket-by`).
///
/// Exports without an order id (till rolls, loyalty-card lines) still carry a customer and a time;
/// a basket is then made from them. Lines without a user or a time cannot be grouped that way and
/// are bad rows naming the missing field.
public enum BasketGrouping: Sendable, Hashable, CustomStringConvertible {
  /// One basket per value of the order id column (the default).
  case orderColumn
  /// One basket per user and calendar day (UTC); its id is `USER@YYYY-MM-DD`.
  case userDay
  /// A user's lines in time order, with a new basket after a gap of more than `minutes` minutes
  /// between consecutive lines; its id is `USER@` followed by the Unix time of its first line.
  case session(minutes: Int)

  /// Parses `order`, `user-day` or `session:MINUTES` (MINUTES a whole number ≥ 0); `nil` otherwise.
  /// - Parameter text: the value as written on a command line.
  public init?(parsing text: String) {
    let value = Substring(text).trimmingBlanks().lowercased()
    switch value {
    case "order", "order-id", "order-column": self = .orderColumn
    case "user-day", "userday", "day": self = .userDay
    default:
      guard value.hasPrefix("session:"), let minutes = Int(value.dropFirst("session:".count)), minutes >= 0 else {
        return nil
      }
      self = .session(minutes: minutes)
    }
  }

  /// The grouping as ``init(parsing:)`` reads it back.
  public var description: String {
    switch self {
    case .orderColumn: "order"
    case .userDay: "user-day"
    case .session(let minutes): "session:\(minutes)"
    }
  }
}

// MARK: - Assigning baskets

extension BasketGrouping {
  /// Gives every line of `table` its basket (``LineTable/order``) from its user and time, and fills
  /// ``LineTable/orderIDs`` with the basket ids.
  ///
  /// Every line must have a user and a time (the reader turns lines without them into bad rows).
  /// Baskets are numbered in order of their first line in the input.
  /// - Parameter table: the lines read; their `order` column is overwritten.
  /// - Complexity: O(n log n) in the number of lines (one sort by user and time).
  func assign(_ table: inout LineTable) {
    let n = table.count
    guard self != .orderColumn, n > 0 else { return }
    let users = table.user
    let times = table.time
    let rows = (0..<n).sorted { a, b in
      if users[a] != users[b] { return users[a] < users[b] }
      if times[a] != times[b] { return times[a] < times[b] }
      return a < b
    }
    // Group consecutive rows into baskets, then number the baskets by their first input row.
    var basketOfRow = [Int32](repeating: -1, count: n)
    var firstRow: [Int] = []
    var startTime: [Int64] = []
    var previous = -1
    for row in rows {
      var newBasket = previous < 0 || users[row] != users[previous]
      if !newBasket {
        switch self {
        case .orderColumn: break
        case .userDay: newBasket = Self.day(times[row]) != Self.day(times[previous])
        case .session(let minutes): newBasket = times[row] - times[previous] > Int64(minutes) * 60
        }
      }
      if newBasket {
        firstRow.append(row)
        startTime.append(times[row])
      } else {
        firstRow[firstRow.count - 1] = min(firstRow[firstRow.count - 1], row)
      }
      basketOfRow[row] = Int32(firstRow.count - 1)
      previous = row
    }
    let byAppearance = firstRow.indices.sorted { firstRow[$0] < firstRow[$1] }
    var number = [Int32](repeating: 0, count: firstRow.count)
    var ids = ByteInterner()
    for basket in byAppearance {
      let user = table.userIDs[users[firstRow[basket]]]
      let suffix: String
      switch self {
      case .userDay: suffix = DateParser.isoDay(startTime[basket])
      case .orderColumn, .session: suffix = String(startTime[basket])
      }
      var id = user + "@" + suffix
      number[basket] = id.withUTF8 { ids.intern($0) } ?? Int32(ids.count)
    }
    for row in 0..<n { table.order[row] = number[Int(basketOfRow[row])] }
    table.orderIDs = ids
  }

  /// What the grouping does, for the cleaning report's notes.
  var summary: String {
    switch self {
    case .orderColumn: "one basket per order id"
    case .userDay: "one basket per user and calendar day (UTC)"
    case .session(let minutes): "a user's lines form one basket until a gap of more than \(minutes) minutes"
    }
  }

  private static func day(_ time: Int64) -> Int64 { time >= 0 ? time / 86_400 : (time - 86_399) / 86_400 }
}
