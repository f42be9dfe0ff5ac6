import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryIngest
import BasketryMining
import BasketryOnline
import BasketryServer
import Foundation

/// `basketry train`: trains bundles and neighbours and publishes them as a new model version.
struct TrainCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train bundles and neighbours and publish a new model version to the store.",
    discussion: """
      Trains on the store's purchase events, or on order files given as arguments (any --format that
      ingest reads). Every running `basketry serve` on the same store switches to the new version
      without a restart (PostgreSQL NOTIFY; polling for SQLite).

      Examples:
        basketry train --store shop.sqlite
        basketry train --store postgres://basketry:basketry@127.0.0.1/basketry --format online-retail online_retail.csv.gz
      """)

  @Option(
    help: ArgumentHelp(
      "SQLite file path or postgres:// URL (default: $BASKETRY_STORE, else basketry.sqlite).", valueName: "location"))
  var store: String?

  @Option(name: .shortAndLong, help: ArgumentHelp("Input format of the order files.", valueName: "format"))
  var format: InputFormat = .onlineRetail

  @Argument(help: ArgumentHelp("Order files; none to train on the store's events.", valueName: "file"))
  var paths: [String] = []

  @Option(
    help: ArgumentHelp(
      "Minimum support of bundle items bought together: a fraction of orders, or a count if 1 or more.",
      valueName: "support"))
  var minSupport: Double = 2

  @Option(name: .customLong("k"), help: ArgumentHelp("Bundles to keep in the model.", valueName: "n"))
  var count: Int = 200

  @Option(help: ArgumentHelp("Smallest margin rate a bundle price keeps.", valueName: "fraction"))
  var marginFloor: Double = 0.20

  @Option(help: ArgumentHelp("Minimum lift of every item against the rest of its bundle.", valueName: "lift"))
  var minLift: Double = 1.0

  @OptionGroup var budget: MemoryBudgetArguments

  @Flag(name: .shortAndLong, help: "Print nothing but errors.")
  var quiet = false

  func validate() throws {
    if !(minSupport > 0) { throw ValidationError("--min-support must be positive; got \(minSupport).") }
  }

  func run() async throws {
    let console = Console(quiet: quiet, verbose: false)
    try await reportingErrors {
      var dataset: Dataset?
      if !paths.isEmpty {
        var options = IngestOptions(format: format)
        options.cleaning = CleaningOptions.default(for: format)
        let loaded = try Ingest.load(paths, options: options)
        console.phaseDone("read \(formatCount(loaded.report.rowsRead)) rows")
        dataset = loaded.dataset
      }
      let threshold = SupportThreshold(commandLine: minSupport)
      let options = TrainingOptions(
        minSupport: threshold, bundles: BundleOptions(count: count, marginFloor: marginFloor, minLift: minLift),
        memoryBudget: budget.bytes)
      let location = store ?? ProcessInfo.processInfo.environment["BASKETRY_STORE"] ?? "basketry.sqlite"
      let version: Int64
      let model: TrainedModel
      do {
        (version, model) = try await ServerMain.train(
          location: location, dataset: dataset, source: paths.isEmpty ? nil : "file:" + paths.joined(separator: ","),
          options: options)
      } catch let error as MiningError where error.code == .memoryBudgetExceeded {
        guard let stop = error.stop else { throw error }
        throw CommandError(miningAdvice(stop, lengthFlag: nil))
      }
      console.out(
        "published model version \(version): \(model.bundles.count) bundles, neighbours for "
          + "\(model.neighbors.count) items, from \(formatCount(model.orders)) orders")
    }
  }
}
