import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryCustomers
import BasketryEval
import BasketryIngest
import BasketryModels
import BasketryReport
import BasketryTraining
import Foundation

/// Options of the HTML report shared by `report` and `demo`: which costly parts run.
struct ReportArguments: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Recommenders for the models section, evaluated on the last --test-days (popularity always included); `none` skips the section.",
      valueName: "names"))
  var models: String = "pop,freq,itemknn,ease"

  @Option(help: ArgumentHelp("Days held out at the end of the data to evaluate the models on.", valueName: "days"))
  var testDays: Int = 30

  @Flag(
    help:
      "Also run the market simulator (3 seeds, 60 items, 50,000 visits each way) for the pricing section; off by default (about 10 s more on the full Online Retail file)."
  )
  var simulate = false

  func validate() throws {
    if testDays <= 0 { throw ValidationError("--test-days must be positive.") }
    for name in modelNames where !ModelRegistry.names.contains(name) {
      throw ValidationError(
        "--models: '\(name)' is not one of \(ModelRegistry.names.joined(separator: ", ")), or none.")
    }
  }

  /// The model names, empty for `none`.
  var modelNames: [String] {
    models == "none"
      ? [] : models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }
}

/// `basketry report`: one self-contained HTML page of a shop's analysis.
struct ReportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write one self-contained HTML report of a shop's analysis.",
    discussion: """
      Reads and cleans the orders, mines associations, designs bundles, evaluates recommenders (--models) and \
      optionally runs the market simulator (--simulate), then writes one HTML file with inline charts: data and \
      cleaning, associations, bundles, models, pricing and customers. The file needs no network to open; print \
      it or open it on a phone.

      Example: basketry report --output report.html online_retail.csv.gz
      Example: basketry report --format instacart --models none --output instacart.html instacart/
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var design: BundleArguments
  @OptionGroup var report: ReportArguments

  @Option(name: .shortAndLong, help: ArgumentHelp("The HTML file to write.", valueName: "file"))
  var output: String = "report.html"

  @Option(help: ArgumentHelp("Page title (default: Basketry report: FILE).", valueName: "text"))
  var title: String?

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print phase timings and extra detail on standard error.")
  var verbose = false

  func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      let loaded = try input.load(console: console)
      let result = try designBundles(dataset: loaded.dataset, arguments: design, console: console)
      let page = try buildReport(
        loaded: loaded, design: result, arguments: design, report: report, sources: input.paths, title: title,
        console: console)
      try writeReport(page, to: output, console: console)
      console.out("Wrote \(output)")
    }
  }
}

// MARK: - Building the report

/// Assembles the report from a loaded dataset and its designed bundles: profile, rules, refused partners,
/// optional model evaluation and simulation, each reported as a phase.
func buildReport(
  loaded: IngestResult, design result: BundleDesignResult, arguments: BundleArguments, report: ReportArguments,
  sources: [String], title: String?, console: Console
) throws -> ShopReport {
  let dataset = loaded.dataset
  let profile = DatasetProfile(dataset: dataset)
  let associations = AssociationSummary(itemsets: result.itemsets, catalog: dataset.catalog)
  let bundles = BundleSummary(
    bundles: result.bundles, design: result.report, options: arguments.bundleOptions(), dataset: dataset,
    transactions: result.transactions, itemsets: result.itemsets)
  console.phaseDone("profiled the data, \(associations.ruleCount) rules, refused partners")
  let models = evaluateModels(dataset, report: report, format: loaded.report.format, console: console)
  let simulation = simulate(dataset, report: report, console: console)
  let customers: ReportSection
  do {
    let profiles = try CustomerProfiles.build(dataset: dataset)
    customers = CustomersSection.render(profiles, kit: ChartKit(style: NumberStyle(currency: arguments.currency)))
    console.phaseDone("customer value of \(profiles.profiles.count) customers")
  } catch {
    customers = .notComputed(id: "customers", title: "Customers", message: "Customer value: not computed (\(error)).")
  }
  let names = sources.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
  return ShopReport(
    title: title ?? "Basketry report: \(names)", sources: sources, currency: arguments.currency,
    cleaning: loaded.report, profile: profile, associations: associations, bundles: bundles, models: models,
    simulation: simulation, customers: customers,
    footer:
      "Made by Basketry \(BasketryVersion.current) from \(names) (\(loaded.report.format) format). "
      + "One file: no network needed to open it.")
}

/// Renders the page and writes it, reporting the size and render time.
func writeReport(_ report: ShopReport, to path: String, console: Console) throws {
  let start = DispatchTime.now()
  let html = try report.render()
  try FileHandleOutput.write(Data(html.utf8), to: path)
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  console.phaseDone(
    "rendered the report: \(formatBytes(html.utf8.count)) in \(String(format: "%.2f", seconds)) s")
}

/// The leaderboard on the last `testDays`, or why it was skipped (no model asked for, no dates, too few test
/// shoppers, a model error): the report is written either way.
func evaluateModels(
  _ dataset: Dataset, report: ReportArguments, format: String, console: Console
) -> ShopReport.ModelsOutcome {
  let names = report.modelNames
  if names.isEmpty {
    return .skipped("Models: not evaluated (--models none). Run with --models pop,freq,itemknn,ease to compare them.")
  }
  let times = dataset.baskets.timestamps.filter { $0 != Baskets.noTime }
  guard let latest = times.max(), times.count == dataset.baskets.count else {
    return .skipped("Models: not evaluated, because the orders have no dates to hold out the last days by.")
  }
  console.progress("evaluating \(names.joined(separator: ", "))", force: true)
  do {
    let cutoff = latest - Int64(report.testDays) * 86_400
    let task = Splitter.temporal(dataset, cutoff: cutoff).task(dataset, name: format, builder: InteractionBuilder())
    guard !task.users.isEmpty else {
      return .skipped(
        "Models: not evaluated, because no shopper seen before the last \(report.testDays) days bought in them.")
    }
    let entries = try names.map { name in
      EvaluationEntry(
        label: name, model: try ModelRegistry.make(name: name, parameters: ModelParameters([:], seed: 42)))
    }
    let board = try Evaluator(ks: [10, 20]).run(entries, task: task).leaderboard
    console.phaseDone("evaluated \(board.results.count) models on \(task.users.count) shoppers")
    return .leaderboard(
      board, k: 20,
      split: "trained on the orders before the last \(report.testDays) days, tested on what was bought in them")
  } catch {
    console.warn("models not evaluated: \(error)")
    return .skipped("Models: not evaluated: \(error).")
  }
}

/// The market simulation when `--simulate` is given, else the sentence saying how to get it.
func simulate(_ dataset: Dataset, report: ReportArguments, console: Console) -> ShopReport.SimulationOutcome {
  guard report.simulate else {
    return .skipped(
      "Market simulation: not run. Add --simulate to compare no bundles, a fixed discount, Basketry's bundles and "
        + "an oracle on simulated shoppers (or run `basketry simulate`).")
  }
  console.progress("simulating the market", force: true)
  let options = MarketSimulationOptions(seeds: [1, 2, 3], historyVisits: 50_000, evaluationVisits: 50_000)
  do {
    let world = try MarketWorld.calibrated(from: dataset, options: options)
    let result = MarketSimulator(world: world, options: options).run()
    console.phaseDone("simulated \(world.items.count) items over 3 seeds")
    return .result(result, visits: options.evaluationVisits)
  } catch {
    console.warn("market simulation not run: \(error)")
    return .skipped("Market simulation: not run: \(error).")
  }
}
