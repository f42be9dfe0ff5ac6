import ArgumentParser
import BasketryCore
import BasketryIngest

extension InputFormat: ExpressibleByArgument {}

/// Options shared by every command that reads a shop's data.
struct InputOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "Input files (plain or gzip; `-` for standard input). For instacart, the folder or its CSV files.",
      valueName: "file"))
  var paths: [String] = []

  @Option(
    name: .shortAndLong,
    help: ArgumentHelp(
      "Input format: online-retail (UCI Online Retail I/II), baskets (one basket per line), instacart, orders (generic order lines, see the column options), events (JSON Lines).",
      valueName: "format"))
  var format: InputFormat = .onlineRetail

  @Flag(help: "Stop at the first bad row instead of skipping and counting it.")
  var strict = false

  @Option(
    help: ArgumentHelp(
      "Drop orders with more distinct items than this: a count, `pNN.N` for a size percentile, or `none`. Default: p99.9 (none for --format baskets).",
      valueName: "cap"))
  var maxBasketSize: String?

  @Option(
    help: ArgumentHelp(
      "Catalog CSV (item,title,category,price,cost,stock); lines with other items are dropped.", valueName: "file"))
  var catalog: String?

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

  func validate() throws {
    if let cap = maxBasketSize { _ = try Self.parseCap(cap) }
  }

  static func parseCap(_ text: String) throws -> CleaningOptions.BasketCap {
    guard let cap = CleaningOptions.BasketCap(parsing: text) else {
      throw ValidationError("--max-basket-size must be a positive count, pNN.N (a percentile) or none; got '\(text)'.")
    }
    return cap
  }

  /// Ingest options from the flags.
  func ingestOptions(console: Console) throws -> IngestOptions {
    var options = IngestOptions(format: format)
    options.strict = strict
    options.cleaning = CleaningOptions.default(for: format)
    if let cap = maxBasketSize { options.cleaning.basketCap = try Self.parseCap(cap) }
    options.catalogPath = catalog
    var columns = ColumnMapping()
    if let orderColumn { columns.order = orderColumn }
    if let userColumn { columns.user = userColumn }
    if let itemColumn { columns.item = itemColumn }
    if let timeColumn { columns.time = timeColumn }
    if let priceColumn { columns.price = priceColumn }
    if let quantityColumn { columns.quantity = quantityColumn }
    if let titleColumn { columns.title = titleColumn }
    if let categoryColumn { columns.category = categoryColumn }
    options.columns = columns
    options.progress = { progress in
      console.progress("\(progress.phase): \(formatCount(progress.rowsRead)) rows")
    }
    return options
  }

  /// Reads and cleans the input, reporting progress and bad rows.
  /// - Throws: `ValidationError` without input files (commands that can do without them, like `train` on the
  ///   store, check ``paths`` first); ingest errors naming file, line and field.
  func load(console: Console) throws -> IngestResult {
    if paths.isEmpty { throw ValidationError("Give at least one input file.") }
    let result = try Ingest.load(paths, options: ingestOptions(console: console))
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
