import BasketryCore

/// How a parsed order line was marked by its format.
enum LineKind: UInt8 {
  /// An ordinary line (which may still be a return if its quantity is negative).
  case purchase
  /// A line of a cancellation invoice (Online Retail `C…`).
  case cancellation
  /// A line of an adjustment invoice (Online Retail `A…`, "Adjust bad debt").
  case adjustment
}

/// Parsed order lines, column by column, with interned strings; input to the ``Cleaner``.
struct LineTable {
  var orderIDs = ByteInterner()
  var userIDs = ByteInterner()
  var itemIDs = ByteInterner()
  var titles = ByteInterner()
  var categories = ByteInterner()

  var order: [Int32] = []
  var user: [Int32] = []
  var item: [Int32] = []
  var time: [Int64] = []
  var quantity: [Double] = []
  var price: [Double] = []
  var title: [Int32] = []
  var category: [Int32] = []
  var cost: [Double] = []
  var kind: [LineKind] = []
  /// Content hash per line for the duplicate rule; empty when the format has no row identity.
  var rowHash: [ContentHash] = []

  var count: Int { item.count }

  mutating func append(
    order: Int32, user: Int32, item: Int32, time: Int64, quantity: Double, price: Double, title: Int32 = -1,
    category: Int32 = -1, cost: Double = .nan, kind: LineKind = .purchase, hash: ContentHash? = nil
  ) {
    self.order.append(order)
    self.user.append(user)
    self.item.append(item)
    self.time.append(time)
    self.quantity.append(quantity)
    self.price.append(price)
    self.title.append(title)
    self.category.append(category)
    self.cost.append(cost)
    self.kind.append(kind)
    if let hash { rowHash.append(hash) }
  }

  /// Removes the last appended line (used to undo a partly read row).
  mutating func removeLast() {
    order.removeLast()
    user.removeLast()
    item.removeLast()
    time.removeLast()
    quantity.removeLast()
    price.removeLast()
    title.removeLast()
    category.removeLast()
    cost.removeLast()
    kind.removeLast()
    if rowHash.count > item.count { rowHash.removeLast() }
  }
}

/// A non-purchase behaviour event before dense ids are assigned.
struct RawEvent {
  var user: Int32
  var item: Int32
  var type: EventType
  var value: Double
  var price: Double?
  var time: Int64
  var session: Int32
}

/// Bad rows seen while reading: counted, the first 20 kept, or thrown in strict mode.
struct BadRowLog {
  static let keep = 20
  let strict: Bool
  var count = 0
  var first: [CleaningReport.BadRow] = []

  mutating func record(_ error: IngestError) throws {
    if strict { throw error }
    count += 1
    if first.count < BadRowLog.keep {
      first.append(CleaningReport.BadRow(location: error.location, message: error.message))
    }
  }
}

/// Everything the format readers produce.
struct ParsedInput {
  let options: IngestOptions
  var table = LineTable()
  var events: [RawEvent] = []
  var sessions = ByteInterner()
  /// Items of a supplied catalog (products.csv, `--catalog`) by external id, in file order.
  var catalog: [String: ItemAttributes]? = nil
  var catalogOrder: [String] = []
  var rowsRead = 0
  var bytesRead = 0
  var badRows: BadRowLog
  /// Reads date fields and decides the order of slash dates for the whole input.
  var dates: DateReader
  /// Rules counted while reading (e.g. empty baskets), placed before the cleaning rules.
  var readRules: [CleaningReport.Rule] = []
  /// Extra numbers for the cancellation rule counted while reading (e.g. rows of `C` invoices).
  var cancellationInvoiceRows = 0
  /// Notes for the report (e.g. how Instacart times were synthesised).
  var notes: [String] = []
  private var lastProgressRows = 0

  init(options: IngestOptions) {
    self.options = options
    badRows = BadRowLog(strict: options.strict)
    dates = DateReader(format: options.dateFormat)
  }

  mutating func reportProgress(phase: String, force: Bool = false) {
    guard let progress = options.progress else { return }
    if force || rowsRead - lastProgressRows >= 65_536 {
      lastProgressRows = rowsRead
      progress(IngestProgress(phase: phase, rowsRead: rowsRead, bytesRead: bytesRead))
    }
  }

  /// Adds a catalog entry (later entries for the same id update known fields).
  mutating func addCatalogItem(_ id: String, _ attributes: ItemAttributes) {
    if catalog == nil { catalog = [:] }
    if var existing = catalog?[id] {
      if let title = attributes.title { existing.title = title }
      if !attributes.categoryPath.isEmpty { existing.categoryPath = attributes.categoryPath }
      if let price = attributes.price { existing.price = price }
      if let cost = attributes.cost { existing.cost = cost }
      if let stock = attributes.stock { existing.stock = stock }
      if let cap = attributes.priceCap { existing.priceCap = cap }
      catalog?[id] = existing
    } else {
      catalog?[id] = attributes
      catalogOrder.append(id)
    }
  }
}

// MARK: - Shared field helpers for the readers

extension CSVRecord {
  /// Interns field `index` (trimmed of surrounding blanks when `trim`), or throws a bad-row error for
  /// invalid UTF-8. Empty fields give -1.
  func intern(
    _ index: Int, into interner: inout ByteInterner, file: String, field: String, trim: Bool = true
  ) throws -> Int32 {
    try withField(index) { raw in
      let bytes = trim ? NumberParser.trimmed(raw) : raw
      if bytes.isEmpty { return -1 }
      guard let id = interner.intern(bytes) else {
        throw IngestError(SourceLocation(file: file, line: line, field: field), "invalid UTF-8")
      }
      return id
    }
  }

  /// Parses field `index` as a number; empty gives `.nan`; malformed throws a bad-row error.
  func number(_ index: Int, file: String, field: String) throws -> Double {
    try withField(index) { raw in
      if NumberParser.trimmed(raw).isEmpty { return .nan }
      guard let value = NumberParser.double(raw) else {
        throw IngestError(
          SourceLocation(file: file, line: line, field: field),
          "not a number: '\(String(decoding: raw.prefix(40), as: UTF8.self))'")
      }
      return value
    }
  }

  /// Parses field `index` as a date through `reader`; empty gives ``Baskets/noTime``.
  /// - Returns: the time and, while the order of slash dates is undecided, the day/month reading to
  ///   pass to ``DateReader/remember(row:dayFirst:location:raw:)`` after appending the line.
  /// - Throws: a bad-row ``IngestError`` naming file, line and field when the value is not a date in
  ///   the reader's format.
  func date(_ index: Int, reader: inout DateReader, file: String, field: String) throws -> (Int64, Int64?) {
    try withField(index) { raw in
      if NumberParser.trimmed(raw).isEmpty { return (Baskets.noTime, nil) }
      return try reader.read(raw, location: SourceLocation(file: file, line: line, field: field))
    }
  }

  /// Throws a bad-row error unless the record has `expected` fields.
  func requireFieldCount(_ expected: Int, file: String) throws {
    if count != expected {
      throw IngestError(
        SourceLocation(file: file, line: line), "expected \(expected) fields (as in the header), found \(count)")
    }
  }
}

/// Splits a category path written `A > B > C` or `A/B/C` (or `A|B|C`) into trimmed parts.
func splitCategoryPath(_ text: String) -> [String] {
  let separators: [String] = [">", "/", "|"]
  for separator in separators where text.contains(separator) {
    return text.split(separator: Character(separator)).map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
  }
  let trimmed = Substring(text).trimmingBlanks()
  return trimmed.isEmpty ? [] : [trimmed]
}

extension Substring {
  func trimmingBlanks() -> String {
    var s = self
    while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
    while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
    return String(s)
  }
}
