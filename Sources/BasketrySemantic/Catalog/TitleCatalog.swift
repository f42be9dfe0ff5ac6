import BasketryCore
import Foundation

/// Items and their titles, read from a CSV with a header (an id column and a title column) or from a text file with
/// one title per line (ids are then the 1-based line numbers).
///
/// Recognised columns (case-insensitive): ids — `item`, `item_id`, `item id`, `id`, `product_id`, `stockcode`, `sku`;
/// titles — `title`, `titles`, `name`, `product_name`, `description`.
public struct TitleCatalog: Sendable, Hashable {
  /// External item ids, in file order.
  public var ids: [String]
  /// Titles, parallel to ``ids``.
  public var titles: [String]

  /// Creates a catalog from parallel arrays (truncated to the shorter).
  public init(ids: [String], titles: [String]) {
    let n = min(ids.count, titles.count)
    self.ids = Array(ids.prefix(n))
    self.titles = Array(titles.prefix(n))
  }

  /// Number of items.
  public var count: Int { ids.count }

  /// Row of an external id, if present.
  public func row(of id: String) -> Int? { ids.firstIndex(of: id) }

  static let idColumns = ["item", "item_id", "item id", "itemid", "id", "product_id", "stockcode", "sku"]
  static let titleColumns = ["title", "titles", "name", "product_name", "description"]

  /// Reads a catalog file: `.csv` (header with id and title columns) or anything else as one title per line.
  /// - Parameters:
  ///   - url: the file.
  ///   - everyRow: keep every line (text) or record (CSV) in input order, empty titles and repeated ids included,
  ///     so that row `r` of anything computed from the catalog belongs to line `r` (what `basketry embed`
  ///     promises). By default rows with an empty title are skipped and a repeated id keeps its first title
  ///     (a catalog to search).
  /// - Throws: `SemanticError` when the file is missing or a CSV lacks the columns.
  public static func load(from url: URL, everyRow: Bool = false) throws -> TitleCatalog {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw SemanticError(.notFound, "cannot read catalog: \(error.localizedDescription)", file: url.path)
    }
    guard url.pathExtension.lowercased() == "csv" else {
      var ids: [String] = []
      var titles: [String] = []
      var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
      // The newline that ends the last line does not start another one.
      if lines.last?.isEmpty == true { lines.removeLast() }
      for (index, line) in lines.enumerated() {
        let title = String(line)
        if !everyRow && title.trimmingCharacters(in: .whitespaces).isEmpty { continue }
        ids.append(String(index + 1))
        titles.append(title)
      }
      return TitleCatalog(ids: ids, titles: titles)
    }
    let records = CSVReader.parse(text)
    guard let header = records.first else { throw SemanticError(.invalidInput, "empty CSV", file: url.path) }
    let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    guard let titleColumn = titleColumns.lazy.compactMap({ names.firstIndex(of: $0) }).first else {
      throw SemanticError(
        .invalidInput, "no title column (one of \(titleColumns.joined(separator: ", "))) in header \(header)",
        file: url.path)
    }
    let idColumn = idColumns.lazy.compactMap { names.firstIndex(of: $0) }.first
    var seen = Set<String>()
    var ids: [String] = []
    var titles: [String] = []
    for (index, record) in records.dropFirst().enumerated() {
      let title = titleColumn < record.count ? record[titleColumn] : ""
      let id = idColumn.flatMap { $0 < record.count ? record[$0] : nil } ?? String(index + 1)
      if !everyRow {
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty, seen.insert(id).inserted else { continue }
      }
      ids.append(id)
      titles.append(title)
    }
    return TitleCatalog(ids: ids, titles: titles)
  }
}

/// A small RFC 4180 CSV parser: comma-separated, double-quoted fields may hold commas, quotes (`""`) and newlines.
public enum CSVReader {
  /// Parses CSV text into records of fields.
  /// - Complexity: O(n) in the text length.
  public static func parse(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = String.UnicodeScalarView()
    var inQuotes = false
    var iterator = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar? = nil
    var fieldStarted = false
    while let scalar = pending ?? iterator.next() {
      pending = nil
      if inQuotes {
        if scalar == "\"" {
          if let next = iterator.next() {
            if next == "\"" {
              field.append("\"")
            } else {
              inQuotes = false
              pending = next
            }
          } else {
            inQuotes = false
          }
        } else {
          field.append(scalar)
        }
        continue
      }
      switch scalar {
      case "\"" where field.isEmpty:
        inQuotes = true
        fieldStarted = true
      case ",":
        record.append(String(field))
        field = String.UnicodeScalarView()
        fieldStarted = true
      case "\n":
        record.append(String(field))
        if !(record.count == 1 && record[0].isEmpty && !fieldStarted) { records.append(record) }
        record = []
        field = String.UnicodeScalarView()
        fieldStarted = false
      case "\r":
        continue
      default:
        field.append(scalar)
        fieldStarted = true
      }
    }
    if !field.isEmpty || !record.isEmpty || fieldStarted {
      record.append(String(field))
      records.append(record)
    }
    return records
  }
}
