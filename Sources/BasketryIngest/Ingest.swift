import BasketryCore

// MARK: - Formats and options

/// The input formats Basketry reads.
public enum InputFormat: String, CaseIterable, Sendable {
  /// UCI Online Retail I or II order lines (invoice, stock code, description, quantity, date, price,
  /// customer, country).
  case onlineRetail = "online-retail"
  /// One basket per line: comma-separated item names (groceries.csv) or whitespace-separated ids
  /// (FIMI `.dat`); no header.
  case baskets
  /// The Instacart tables (orders, order_products, products, aisles, departments) or the joined
  /// sample with the catalog tables beside it.
  case instacart
  /// Generic order-line CSV with a ``ColumnMapping``.
  case orders
  /// JSON Lines behaviour events (view, cart, purchase, return, …).
  case events
}

/// Progress of a running ingest, reported every 64 Ki rows and at phase changes.
public struct IngestProgress: Sendable {
  /// `read`, `clean` or `build`.
  public var phase: String
  /// Data rows read so far.
  public var rowsRead: Int
  /// Bytes read from files so far (compressed bytes for gzip input).
  public var bytesRead: Int

  /// Creates a progress report.
  public init(phase: String, rowsRead: Int, bytesRead: Int) {
    self.phase = phase
    self.rowsRead = rowsRead
    self.bytesRead = bytesRead
  }
}

/// How to read and clean an input.
public struct IngestOptions: Sendable {
  /// The input format.
  public var format: InputFormat
  /// Throw the first malformed row instead of skipping and counting it. Default false.
  public var strict: Bool = false
  /// Cleaning rules; ``CleaningOptions/default(for:)`` of the format unless given.
  public var cleaning: CleaningOptions = .init()
  /// Column names for the `orders` format (defaults try common names).
  public var columns: ColumnMapping = .init()
  /// Field delimiter byte; `nil` picks the format's default (comma; for `baskets` auto-detected).
  public var delimiter: UInt8? = nil
  /// An optional catalog file (item, title, category, price, cost, stock columns). Its prices and
  /// costs win over those of the order lines.
  public var catalogPath: String? = nil
  /// How baskets are made in the `orders` format: from the order id column (default), or from a
  /// user's lines per day or per session.
  public var basketBy: BasketGrouping = .orderColumn
  /// Whether the `orders` format's price and cost columns hold line totals (quantity × unit price),
  /// divided by the quantity on reading. Default false.
  public var priceIsLineTotal = false
  /// Which written forms date fields hold; default ``DateFormat/auto``.
  public var dateFormat: DateFormat = .auto
  /// Called with progress reports from the ingesting thread.
  public var progress: (@Sendable (IngestProgress) -> Void)? = nil

  /// Creates options.
  /// - Parameters:
  ///   - format: the input format.
  ///   - strict: throw on the first bad row (default false: skip and count).
  ///   - cleaning: cleaning rules; `nil` (default) means ``CleaningOptions/default(for:)``.
  ///   - columns: column mapping for `orders`.
  ///   - delimiter: field delimiter override.
  ///   - catalogPath: optional catalog file.
  ///   - progress: optional progress callback.
  public init(
    format: InputFormat, strict: Bool = false, cleaning: CleaningOptions? = nil, columns: ColumnMapping = .init(),
    delimiter: UInt8? = nil, catalogPath: String? = nil, progress: (@Sendable (IngestProgress) -> Void)? = nil
  ) {
    self.format = format
    self.strict = strict
    self.cleaning = cleaning ?? .default(for: format)
    self.columns = columns
    self.delimiter = delimiter
    self.catalogPath = catalogPath
    self.progress = progress
  }
}

/// The outcome of an ingest: the cleaned dataset and the report of what cleaning did.
public struct IngestResult: Sendable {
  /// Catalog, users, orders (sorted by time when times exist) and events.
  public var dataset: Dataset
  /// Counts per cleaning rule, bad rows, and totals.
  public var report: CleaningReport

  /// Creates a result.
  public init(dataset: Dataset, report: CleaningReport) {
    self.dataset = dataset
    self.report = report
  }
}

// MARK: - Entry point

/// Reads order data in one of the ``InputFormat``s, cleans it and builds a ``Dataset``.
public enum Ingest {
  /// Reads, cleans and builds a dataset from `paths`.
  ///
  /// Rows that cannot be parsed are skipped and counted in ``CleaningReport/badRows`` (the first
  /// 20 with their location), unless ``IngestOptions/strict`` is set. Orders in the result are
  /// sorted by timestamp (stable) when timestamps exist. Slash dates are read as
  /// ``IngestOptions/dateFormat`` says; in `auto` mode their order is decided for the whole input.
  /// - Parameters:
  ///   - paths: input files (`"-"` for standard input); for `instacart` a folder or the tables.
  ///   - options: format, strictness, cleaning rules, column mapping.
  /// - Returns: the dataset and the cleaning report.
  /// - Throws: ``IngestError`` when a file cannot be read, a required column is missing, the options
  ///   do not fit the format (`basketBy` or `priceIsLineTotal` outside `orders`), slash dates fit both
  ///   orders in `auto` mode, or (in strict mode) a row is malformed.
  /// - Complexity: O(n log n) in the number of rows (one stable sort by time); reading is O(bytes).
  public static func load(_ paths: [String], options: IngestOptions) throws -> IngestResult {
    guard !paths.isEmpty else {
      throw IngestError(SourceLocation(file: "<arguments>"), "no input files given", category: .invalidInput)
    }
    if options.format != .orders && (options.basketBy != .orderColumn || options.priceIsLineTotal) {
      let option =
        options.basketBy != .orderColumn ? "basketBy (--basket-by)" : "priceIsLineTotal (--price-is-line-total)"
      throw IngestError(
        SourceLocation(file: "<options>", field: option), "only the orders format takes \(option)",
        category: .invalidInput)
    }
    var input = ParsedInput(options: options)
    switch options.format {
    case .onlineRetail: try OnlineRetailFormat.read(paths, into: &input)
    case .baskets: try BasketsFormat.read(paths, into: &input)
    case .instacart: try InstacartFormat.read(paths, into: &input)
    case .orders: try OrdersFormat.read(paths, into: &input)
    case .events: try EventsFormat.read(paths, into: &input)
    }
    try input.dates.finish(inputFormat: options.format, table: &input.table, notes: &input.notes)
    if options.basketBy != .orderColumn {
      options.basketBy.assign(&input.table)
      input.notes.append(
        "Baskets made by --basket-by \(options.basketBy): \(options.basketBy.summary); \(input.table.orderIDs.count) "
          + "baskets before cleaning.")
    }
    if let catalogPath = options.catalogPath {
      try CatalogFile.read(catalogPath, into: &input)
    }
    input.reportProgress(phase: "clean", force: true)
    var cleaner = try Cleaner(input: input)
    return try cleaner.run()
  }
}
