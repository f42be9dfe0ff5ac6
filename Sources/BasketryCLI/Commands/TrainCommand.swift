import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryEval
import BasketryIngest
import BasketryModels
import BasketrySemantic
import BasketryServer
import BasketryTraining
import Foundation

/// `basketry train`: the training pipeline (bundles, neighbours, per-item bundles, recommender selection and
/// fit), published to the store as a new model version.
struct TrainCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train the engine (bundles and the selected recommender) and publish it to the store.",
    discussion: """
      Trains on order files given as arguments (any --format that ingest reads; their customers' histories
      then reach the service), or on the store's purchase events when no file is given. Mines and designs
      bundles with the same options and defaults as `basketry bundles`, generates each best-selling item's
      own bundles for product pages, and picks the recommender: every candidate (pop, freq, tifuknn,
      repeat-explore, itemknn, ease, als) is tuned on a small grid over the --validation-days before the end of the data, the best by
      --metric is refitted on all the data, and the validation leaderboard is printed and stored with the
      model (--model NAME forces one). Every running `basketry serve` on the same store switches to the new
      version without a restart (PostgreSQL NOTIFY; polling for SQLite). User ids from files are
      pseudonymised with the service's key (BASKETRY_PSEUDONYM_KEY or --config).

      Examples:
        basketry train --store shop.sqlite --format online-retail online_retail.csv.gz
        basketry train --store shop.sqlite --model ease --cutoff 2011-11-09 online_retail.csv.gz
        basketry train --store postgres://basketry:basketry@127.0.0.1/basketry
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var design: BundleArguments

  @Option(
    help: ArgumentHelp(
      "SQLite file path or postgres:// URL (default: the configuration's store, else basketry.sqlite).",
      valueName: "location"))
  var store: String?

  @Option(
    help: ArgumentHelp("Configuration file (`key = value` lines), for the store and pseudonym key.", valueName: "file"))
  var config: String?

  @Option(
    help: ArgumentHelp(
      "Serve this recommender instead of selecting one (\(ModelRegistry.names.joined(separator: ", "))).",
      valueName: "name"))
  var model: String?

  @Option(
    name: .customLong("param"),
    help: ArgumentHelp("Hyper-parameter KEY=VALUE of --model (repeatable).", valueName: "key=value"))
  var parameters: [String] = []

  @Option(help: ArgumentHelp("Selection metric (ndcg@20, recall@20, …).", valueName: "metric"))
  var metric = "ndcg@20"

  @Option(help: ArgumentHelp("Days before the end of the data that validate the candidates.", valueName: "days"))
  var validationDays = 30

  @Option(help: ArgumentHelp("Train only on orders before this date (YYYY-MM-DD, UTC).", valueName: "date"))
  var cutoff: String?

  @Option(help: ArgumentHelp("Best-selling items whose own bundles are stored for product pages.", valueName: "n"))
  var anchorItems = TrainingOptions().anchorItems

  @Flag(
    help: ArgumentHelp(
      "Skip title neighbours for items without sales (by default they are found with the all-MiniLM-L6-v2 sentence encoder when its weights are in $BASKETRY_MODEL_DIR or the model cache; see `basketry model fetch`)."
    ))
  var noTitles = false

  @Flag(name: .shortAndLong, help: "Print nothing but errors.")
  var quiet = false

  func validate() throws {
    if let model, !ModelRegistry.names.contains(model) {
      throw ValidationError("--model '\(model)' is not one of \(ModelRegistry.names.joined(separator: ", ")).")
    }
    if let cutoff, EvaluateCommand.parseDate(cutoff) == nil {
      throw ValidationError("--cutoff '\(cutoff)' is not a YYYY-MM-DD date.")
    }
    if validationDays <= 0 { throw ValidationError("--validation-days must be positive.") }
    if anchorItems < 0 { throw ValidationError("--anchor-items must not be negative.") }
    for text in parameters where !text.contains("=") {
      throw ValidationError("--param '\(text)' must look like KEY=VALUE.")
    }
  }

  func run() async throws {
    let console = Console(quiet: quiet, verbose: false)
    var settings = ServerConfiguration()
    do {
      if let config { try settings.apply(file: config) }
      try settings.apply(environment: ProcessInfo.processInfo.environment)
      if let store { try settings.set("store", store, source: "--store") }
    } catch let error as ConfigurationError {
      throw ValidationError(error.description)
    }
    try await reportingErrors {
      var dataset: Dataset?
      if !input.paths.isEmpty { dataset = try input.load(console: console).dataset }
      var options = design.trainingOptions()
      options.model = model
      options.anchorItems = anchorItems
      for text in parameters {
        let pair = text.split(separator: "=", maxSplits: 1).map(String.init)
        options.modelParameters[pair[0]] = pair.count > 1 ? pair[1] : ""
      }
      options.selection.metric = metric
      options.selection.validationDays = validationDays
      options.cutoff = cutoff.flatMap(EvaluateCommand.parseDate)
      let files = dataset == nil ? nil : (paths: input.paths, format: input.format.rawValue)
      var encoder: SentenceEncoder?
      if !noTitles {
        switch SentenceEncoder.loadIfAvailable() {
        case .success(let loaded): encoder = loaded
        case .failure(let reason): console.note("no title neighbours for items without sales: \(reason)")
        }
      }
      let (version, model, report) = try await withMiningAdvice(lengthFlag: "--max-size") {
        try await ServerMain.train(
          location: settings.store, dataset: dataset, files: files, options: options,
          pseudonymKey: settings.effectivePseudonymKey, titleEncoder: encoder
        ) { line in console.note(line) }
      }
      if let skipped = report.selectionSkipped {
        console.warn("no model selection: \(skipped); serving \(model.metadata.recommender)")
      }
      if let selection = report.selection, console.verbosity != .quiet {
        console.out(EvaluateCommand.selectionTable(selection))
        console.out("")
      }
      if model.bundles.isEmpty, let reason = report.design?.noBundleReason { console.warn("no bundles: \(reason)") }
      if let skipped = report.personalSkipped {
        console.note("bundles for a shopper are ranked shop-wide: \(skipped)")
      }
      console.out(
        "published model version \(version): \(model.metadata.recommender) for \(formatCount(model.metadata.users)) "
          + "users, \(model.bundles.count) bundles, bundles for \(model.anchorBundles.count) items, neighbours for "
          + "\(model.neighbors.count) items, title neighbours for \(model.titleNeighbors.count) items without sales, "
          + "from \(formatCount(model.metadata.orders)) orders")
    }
  }
}
