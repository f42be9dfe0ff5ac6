import BasketryCore
import Foundation

/// What an ingest read and what each cleaning rule did.
///
/// JSON (via `Codable`, or ``jsonData()``) uses these stable snake_case keys:
/// `format`, `rows_read`, `rows_kept` (input rows that survive every dropping rule), `lines_kept`
/// (order lines after merging repeats), `orders_kept`, `items_kept` (distinct items in kept orders),
/// `catalog_items`, `users_kept`, `events_kept`, `basket_cap` (the resolved cap or null),
/// `rules` (array of `{rule, description, action, rows_affected, orders_affected, details}`),
/// `bad_row_count`, `bad_rows` (first 20: `{location: {file, line, field}, message}`), `notes`.
public struct CleaningReport: Codable, Sendable, Hashable {
  /// One rule's effect.
  public struct Rule: Codable, Sendable, Hashable {
    /// Stable rule id (`duplicate`, `cancellation`, `non-product`, …).
    public var rule: String
    /// What the rule does, for a person.
    public var description: String
    /// `dropped` (rows removed), `kept` (rows kept but marked), or `info`.
    public var action: String
    /// Rows (input lines) the rule removed or marked.
    public var rowsAffected: Int
    /// Distinct orders with at least one affected row.
    public var ordersAffected: Int
    /// Rule-specific numbers (e.g. netted purchase lines for `cancellation`).
    public var details: [String: Int]

    /// Creates a rule count.
    public init(
      rule: String, description: String, action: String, rowsAffected: Int, ordersAffected: Int,
      details: [String: Int] = [:]
    ) {
      self.rule = rule
      self.description = description
      self.action = action
      self.rowsAffected = rowsAffected
      self.ordersAffected = ordersAffected
      self.details = details
    }

    enum CodingKeys: String, CodingKey {
      case rule, description, action, details
      case rowsAffected = "rows_affected"
      case ordersAffected = "orders_affected"
    }
  }

  /// A row that could not be read.
  public struct BadRow: Codable, Sendable, Hashable {
    /// File, line and field.
    public var location: SourceLocation
    /// What is wrong.
    public var message: String

    /// Creates a bad-row entry.
    public init(location: SourceLocation, message: String) {
      self.location = location
      self.message = message
    }
  }

  /// The input format's name.
  public var format: String
  /// Data rows read (header excluded; bad rows included).
  public var rowsRead: Int
  /// Rows that survived every dropping rule.
  public var rowsKept: Int
  /// Order lines in the dataset (after merging repeated items).
  public var linesKept: Int
  /// Orders in the dataset.
  public var ordersKept: Int
  /// Distinct items in kept orders.
  public var itemsKept: Int
  /// Items in the dataset's catalog (kept items plus catalog-only and event-only items).
  public var catalogItems: Int
  /// Distinct users with kept orders or events.
  public var usersKept: Int
  /// Events in the dataset (returns, views, carts, …).
  public var eventsKept: Int
  /// The resolved basket cap (distinct items per order), or nil for none.
  public var basketCap: Int?
  /// Each rule's effect, in the order the rules ran.
  public var rules: [Rule]
  /// Number of rows that could not be read.
  public var badRowCount: Int
  /// The first 20 bad rows.
  public var badRows: [BadRow]
  /// Remarks about the input (how times were synthesised, format quirks).
  public var notes: [String]

  /// Creates a report.
  public init(
    format: String, rowsRead: Int = 0, rowsKept: Int = 0, linesKept: Int = 0, ordersKept: Int = 0,
    itemsKept: Int = 0, catalogItems: Int = 0, usersKept: Int = 0, eventsKept: Int = 0, basketCap: Int? = nil,
    rules: [Rule] = [], badRowCount: Int = 0, badRows: [BadRow] = [], notes: [String] = []
  ) {
    self.format = format
    self.rowsRead = rowsRead
    self.rowsKept = rowsKept
    self.linesKept = linesKept
    self.ordersKept = ordersKept
    self.itemsKept = itemsKept
    self.catalogItems = catalogItems
    self.usersKept = usersKept
    self.eventsKept = eventsKept
    self.basketCap = basketCap
    self.rules = rules
    self.badRowCount = badRowCount
    self.badRows = badRows
    self.notes = notes
  }

  /// The count of a rule by id, if it ran.
  public func rule(_ id: String) -> Rule? { rules.first { $0.rule == id } }

  enum CodingKeys: String, CodingKey {
    case format, rules, notes
    case rowsRead = "rows_read"
    case rowsKept = "rows_kept"
    case linesKept = "lines_kept"
    case ordersKept = "orders_kept"
    case itemsKept = "items_kept"
    case catalogItems = "catalog_items"
    case usersKept = "users_kept"
    case eventsKept = "events_kept"
    case basketCap = "basket_cap"
    case badRowCount = "bad_row_count"
    case badRows = "bad_rows"
  }

  /// The report as pretty-printed JSON with sorted keys (stable across runs).
  /// - Throws: an `EncodingError` (not expected for this type).
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }
}

// MARK: - Table

extension CleaningReport {
  /// A human-readable table: totals, one row per rule (rows and orders affected, action,
  /// description, details), and the first bad rows.
  public func table() -> String {
    var lines: [String] = []
    lines.append("Cleaning report (\(format))")
    let totals: [(String, String)] = [
      ("rows read", formatCount(rowsRead)),
      ("rows kept", formatCount(rowsKept)),
      ("bad rows", formatCount(badRowCount)),
      ("order lines kept", formatCount(linesKept)),
      ("orders kept", formatCount(ordersKept)),
      ("items kept", formatCount(itemsKept)),
      ("catalog items", formatCount(catalogItems)),
      ("users kept", formatCount(usersKept)),
      ("events kept", formatCount(eventsKept)),
      ("basket cap", basketCap.map { "\($0) distinct items" } ?? "none"),
    ]
    let labelWidth = totals.map(\.0.count).max() ?? 0
    for (label, value) in totals {
      lines.append("  " + label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + "  " + value)
    }
    lines.append("")
    let header = ["rule", "action", "rows", "orders", "description"]
    var rows: [[String]] = rules.map {
      [$0.rule, $0.action, formatCount($0.rowsAffected), formatCount($0.ordersAffected), $0.description]
    }
    rows.insert(header, at: 0)
    var widths = [Int](repeating: 0, count: header.count)
    for row in rows { for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) } }
    let rightAligned: Set<Int> = [2, 3]
    for (index, row) in rows.enumerated() {
      var cells: [String] = []
      for (column, cell) in row.enumerated() {
        let pad = String(repeating: " ", count: widths[column] - cell.count)
        if column == row.count - 1 {
          cells.append(cell)
        } else {
          cells.append(rightAligned.contains(column) ? pad + cell : cell + pad)
        }
      }
      lines.append("  " + cells.joined(separator: "  "))
      if index == 0 {
        lines.append(
          "  "
            + widths.enumerated().map {
              String(repeating: "-", count: $0.offset == widths.count - 1 ? max($0.element, 11) : $0.element)
            }.joined(separator: "  "))
      } else if index > 0 {
        let rule = rules[index - 1]
        if !rule.details.isEmpty {
          let indent = String(repeating: " ", count: widths[0] + 2)
          let parts = rule.details.sorted { $0.key < $1.key }.map { "\($0.key) \(formatCount($0.value))" }
          // Wrap the details at about 100 columns.
          var current = ""
          for part in parts {
            if !current.isEmpty && current.count + part.count + 2 > 100 - indent.count {
              lines.append("  " + indent + current + ",")
              current = ""
            }
            current += current.isEmpty ? part : ", " + part
          }
          if !current.isEmpty { lines.append("  " + indent + current) }
        }
      }
    }
    if badRowCount > 0 {
      lines.append("")
      lines.append("Bad rows (\(formatCount(badRowCount)); first \(badRows.count)):")
      for bad in badRows { lines.append("  \(bad.location): \(bad.message)") }
    }
    if !notes.isEmpty {
      lines.append("")
      lines.append("Notes:")
      for note in notes { lines.append("  - \(note)") }
    }
    return lines.joined(separator: "\n")
  }
}
