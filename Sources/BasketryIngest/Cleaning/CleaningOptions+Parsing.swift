import BasketryCore

// MARK: - Parsing from command-line text

extension CleaningOptions.BasketCap: CustomStringConvertible {
  /// Parses a cap as written on a command line: `none`, a percentile `p99.9` or `99.9%`, or an
  /// absolute number of distinct items `150`. Returns `nil` for anything else.
  public init?(parsing text: String) {
    let value = Substring(text).trimmingBlanks().lowercased()
    if value == "none" || value == "off" {
      self = .none
    } else if value.hasPrefix("p"), let p = Double(value.dropFirst()), (0...100).contains(p) {
      self = .percentile(p)
    } else if value.hasSuffix("%"), let p = Double(value.dropLast()), (0...100).contains(p) {
      self = .percentile(p)
    } else if let n = Int(value), n >= 1 {
      self = .absolute(n)
    } else {
      return nil
    }
  }

  /// The cap as ``init(parsing:)`` reads it back (`none`, `p99.9`, `150`).
  public var description: String {
    switch self {
    case .none: "none"
    case .percentile(let p): "p\(p.formatted())"
    case .absolute(let n): String(n)
    }
  }
}

extension Double {
  /// `99.9` → "99.9", `50.0` → "50".
  fileprivate func formatted() -> String {
    self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
  }
}

extension ColumnMapping {
  /// Parses `role=Column` pairs separated by commas, e.g. `order=Basket,user=Client,item=Article`.
  ///
  /// Roles: order, user, item, time, price, quantity, title, category, cost.
  /// - Throws: ``IngestError`` naming the unknown role or malformed pair.
  public init(parsing text: String) throws {
    self.init()
    for pair in text.split(separator: ",") {
      let parts = pair.split(separator: "=", maxSplits: 1)
      let location = SourceLocation(file: "<columns>", field: String(pair))
      guard parts.count == 2 else { throw IngestError(location, "expected role=Column, got '\(pair)'") }
      let role = parts[0].trimmingBlanks().lowercased()
      let column = parts[1].trimmingBlanks()
      guard !column.isEmpty else { throw IngestError(location, "empty column name for '\(role)'") }
      switch role {
      case "order": order = column
      case "user": user = column
      case "item": item = column
      case "time": time = column
      case "price": price = column
      case "quantity": quantity = column
      case "title": title = column
      case "category": category = column
      case "cost": cost = column
      default:
        throw IngestError(
          location, "unknown role '\(role)' (order, user, item, time, price, quantity, title, category, cost)")
      }
    }
  }
}
