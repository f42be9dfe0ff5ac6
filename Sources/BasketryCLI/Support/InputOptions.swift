import ArgumentParser
import BasketryCore
import BasketryIngest

extension InputFormat: ExpressibleByArgument {}

extension DateFormat: ExpressibleByArgument {}

extension BasketGrouping: ExpressibleByArgument {
  public init?(argument: String) { self.init(parsing: argument) }
}

/// The `--format` values: every ``InputFormat`` and `youshu`, the bundle benchmark only `evaluate` reads.
enum InputFormatChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  case onlineRetail = "online-retail"
  case baskets
  case instacart
  case orders
  case events
  case youshu

  /// The ingest format, or `nil` for `youshu`.
  var inputFormat: InputFormat? { InputFormat(rawValue: rawValue) }
}

/// Options shared by every command that reads a shop's orders: the files, their format, column names,
/// how baskets, prices and dates are written, and the cleaning cap.
struct InputOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "Input files (plain or gzip; `-` for standard input). For instacart, the folder or its CSV files.",
      valueName: "file"))
  var paths: [String] = []

  @Option(
    name: .shortAndLong,
    help: ArgumentHelp(
      "Input format: online-retail (UCI Online Retail I/II), baskets (one basket per line), instacart, orders (generic order lines, see the column options), events (JSON Lines); youshu (the bundle benchmark's folder) for evaluate only.",
      valueName: "format"))
  var format: InputFormatChoice = .onlineRetail

  @Flag(help: "Stop at the first bad row instead of skipping and counting it.")
  var strict = false

  @Option(
    help: ArgumentHelp(
      "Drop orders with more distinct items than this: a count, `pNN.N` for a size percentile, or `none`. Default: p99.9 (none for --format baskets).",
      valueName: "cap"))
  var maxBasketSize: String?

  @Option(
    help: ArgumentHelp(
      "Catalog CSV (item,title,category,price,cost,stock); lines with other items are dropped. Its prices and costs win over the orders'.",
      valueName: "file"))
  var catalog: String?

  @Option(
    help: ArgumentHelp(
      "Dates: auto (ISO, Unix seconds, or slash dates whose order is detected from the data; stops when every slash date fits both orders), iso, mdy (M/D/YYYY [H:MM[:SS]]), dmy (D/M/YYYY [H:MM[:SS]]) or unix.",
      valueName: "format"))
  var dateFormat: DateFormat = .auto

  @Option(
    help: ArgumentHelp(
      "orders format: what makes a basket: order (the order id column), user-day (a customer's lines on one calendar day) or session:MINUTES (a new basket after a gap of more than MINUTES between a customer's lines).",
      valueName: "grouping"))
  var basketBy: BasketGrouping = .orderColumn

  @Flag(
    help:
      "orders format: the price and cost columns hold line totals (quantity × unit price); they are divided by the quantity."
  )
  var priceIsLineTotal = false

  @Option(help: ArgumentHelp("orders format: order id column.", valueName: "name"))
  var orderColumn: String?
  @Option(help: ArgumentHelp("orders format: user id column.", valueName: "name"))
  var userColumn: String?
  @Option(help: ArgumentHelp("orders format: item id column.", valueName: "name"))
  var itemColumn: String?
  @Option(help: ArgumentHelp("orders format: timestamp column.", valueName: "name"))
  var timeColumn: String?
  @Option(help: ArgumentHelp("orders format: unit price column.", valueName: "name"))
  var priceColumn: String?
  @Option(help: ArgumentHelp("orders format: quantity column.", valueName: "name"))
  var quantityColumn: String?
  @Option(help: ArgumentHelp("orders format: item title column.", valueName: "name"))
  var titleColumn: String?
  @Option(help: ArgumentHelp("orders format: category column (`A > B > C` or `A/B/C`).", valueName: "name"))
  var categoryColumn: String?
  @Option(
    help: ArgumentHelp(
      "orders and online-retail formats: unit cost column (default: cost or unit_cost when present); bundle margins use it instead of the assumed margin.",
      valueName: "name"))
  var costColumn: String?

  func validate() throws {
    if let cap = maxBasketSize { _ = try Self.parseCap(cap) }
    if format != .orders && basketBy != .orderColumn {
      throw ValidationError("--basket-by is for --format orders; \(format.rawValue) has its own order ids.")
    }
    if format != .orders && priceIsLineTotal {
      throw ValidationError("--price-is-line-total is for --format orders.")
    }
  }

  static func parseCap(_ text: String) throws -> CleaningOptions.BasketCap {
    guard let cap = CleaningOptions.BasketCap(parsing: text) else {
      throw ValidationError("--max-basket-size must be a positive count, pNN.N (a percentile) or none; got '\(text)'.")
    }
    return cap
  }

  /// The ingest format of `--format`.
  /// - Throws: `ValidationError` for `youshu`, which only `evaluate` reads (through its own loader).
  func inputFormat() throws -> InputFormat {
    guard let inputFormat = format.inputFormat else {
      throw ValidationError("--format \(format.rawValue) is the bundle benchmark, read by `basketry evaluate` only.")
    }
    return inputFormat
  }

  /// Ingest options from the flags.
  /// - Parameter console: where progress goes.
  /// - Throws: `ValidationError` for `--format youshu` or a bad `--max-basket-size`.
  func ingestOptions(console: Console) throws -> IngestOptions {
    let format = try inputFormat()
    var options = IngestOptions(format: format)
    options.strict = strict
    options.cleaning = CleaningOptions.default(for: format)
    if let cap = maxBasketSize { options.cleaning.basketCap = try Self.parseCap(cap) }
    options.catalogPath = catalog
    options.dateFormat = dateFormat
    options.basketBy = basketBy
    options.priceIsLineTotal = priceIsLineTotal
    options.columns = ColumnMapping(
      order: orderColumn, user: userColumn, item: itemColumn, time: timeColumn, price: priceColumn,
      quantity: quantityColumn, title: titleColumn, category: categoryColumn, cost: costColumn)
    options.progress = { progress in
      console.progress("\(progress.phase): \(formatCount(progress.rowsRead)) rows")
    }
    return options
  }

  /// Reads and cleans the input, reporting progress and bad rows.
  /// - Parameters:
  ///   - console: where progress, warnings and the first bad rows go.
  ///   - defaultPaths: files read when none are given (the shipped sample for `demo` and `simulate`).
  /// - Throws: `ValidationError` without input files (commands that can do without them, like `train` on the
  ///   store, check ``paths`` first); ingest errors naming file, line and field.
  func load(console: Console, defaultPaths: [String]? = nil) throws -> IngestResult {
    let files = paths.isEmpty ? (defaultPaths ?? []) : paths
    if files.isEmpty { throw ValidationError("Give at least one input file.") }
    let result = try Ingest.load(files, options: ingestOptions(console: console))
    console.phaseDone("read \(formatCount(result.report.rowsRead)) rows")
    if result.report.badRowCount > 0 {
      console.warn(
        "skipped \(formatCount(result.report.badRowCount)) bad rows (see the cleaning report; --strict stops at the first)"
      )
      for bad in result.report.badRows.prefix(console.verbosity == .verbose ? 20 : 3) {
        console.note("  \(bad.location): \(bad.message)")
      }
    }
    return result
  }
}
