import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryIngest
import BasketryMining
import BasketryModels
import BasketryTraining
import Foundation

/// `basketry demo`: the whole pipeline on the real sample shipped in the repository.
struct DemoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run ingest → clean → mine → bundles on the shipped Online Retail sample.",
    discussion: """
      Uses Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz (UCI Online Retail,
      Oct–Nov 2011, CC BY 4.0), found next to the working directory or the executable, or the
      files given (read with the same input options as ingest). Prints the cleaning summary, the top bundles, and the bundles ranked for one
      shopper (the customer with the most orders) by their own expected profit; writes bundles.json,
      shopper-bundles.json, cleaning-report.json and report.html (the HTML report, as `basketry report`
      writes it) to the output folder.
      """)

  static let sampleRelativePath = "Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"

  /// The shop to run on (default: the shipped Online Retail sample).
  @OptionGroup var input: InputOptions

  @Option(
    name: .customLong("input"),
    help: ArgumentHelp(
      "An Online Retail file to use instead of the shipped sample (same as giving it as a file).", visibility: .hidden))
  var legacyInput: String?

  @Option(help: ArgumentHelp("Folder for bundles.json and cleaning-report.json.", valueName: "dir"))
  var outputDir: String = "basketry-demo"

  @OptionGroup var design: BundleArguments
  @OptionGroup var report: ReportArguments

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print phase timings and extra detail on standard error.")
  var verbose = false

  func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      let files = input.paths.isEmpty ? [try legacyInput ?? Self.locateSample()] : input.paths
      console.note("Basketry demo on \(files.joined(separator: ", "))")
      let loaded = try input.load(console: console, defaultPaths: files)
      console.phaseDone("ingest")
      console.out("Cleaning")
      console.out(loaded.report.table())

      var arguments = design
      if arguments.currency.isEmpty { arguments.currency = "£" }
      let result = try designBundles(dataset: loaded.dataset, arguments: arguments, console: console)
      console.out("")
      console.out(
        "Top bundles (\(formatCount(result.transactions.count)) orders, \(formatCount(result.itemsets.itemsets.count)) frequent itemsets, \(formatCount(result.report.candidates)) candidates; dropped \(result.report.droppedVariants) variant sets, \(result.report.droppedWeak) weak, \(result.report.droppedUnprofitable) unprofitable)"
      )
      console.out(bundleTable(result.bundles, currency: arguments.currency))
      for bundle in result.bundles.prefix(verbose ? result.bundles.count : 3) {
        console.out("\n\(bundle.rank). \(bundle.explanation)")
      }

      let folder = URL(fileURLWithPath: outputDir)
      var written = [folder.appendingPathComponent("bundles.json").path]
      if let shopper = try personalBundles(loaded.dataset, arguments: arguments, console: console) {
        let path = folder.appendingPathComponent("shopper-bundles.json").path
        try FileHandleOutput.write(FileHandleOutput.json(shopper), to: path)
        written.append(path)
      }
      written.append(folder.appendingPathComponent("cleaning-report.json").path)
      let document = BundlesDocument(
        orders: result.transactions.count, minSupport: arguments.minSupport, options: arguments.bundleOptions(),
        report: result.report, bundles: result.bundles)
      try FileHandleOutput.write(
        FileHandleOutput.json(document), to: folder.appendingPathComponent("bundles.json").path)
      try FileHandleOutput.write(
        FileHandleOutput.json(loaded.report), to: folder.appendingPathComponent("cleaning-report.json").path)
      let page = try buildReport(
        loaded: loaded, design: result, arguments: arguments, report: report, sources: files, title: nil,
        console: console)
      let reportPath = folder.appendingPathComponent("report.html").path
      try writeReport(page, to: reportPath, console: console)
      written.append(reportPath)
      console.out("")
      console.out(
        "Wrote \(written.joined(separator: ", ")) in \(String(format: "%.1f", console.elapsed)) s."
      )
      console.out("Open the report: \(reportPath)")
    }
  }

  /// Bundles for the customer with the most orders, ranked by their own expected profit; nil when the data has
  /// no customers or too short a history to calibrate purchase probabilities.
  func personalBundles(
    _ dataset: Dataset, arguments: BundleArguments, console: Console
  ) throws -> PersonalBundlesDocument? {
    var orders = [Int](repeating: 0, count: dataset.users.count)
    for user in dataset.baskets.users where user >= 0 { orders[Int(user)] += 1 }
    guard let best = orders.indices.max(by: { orders[$0] < orders[$1] || (orders[$0] == orders[$1] && $0 > $1) }),
      orders[best] > 1
    else { return nil }
    let model: RecommenderPurchaseModel
    do { model = try RecommenderPurchaseModel.fit(dataset: dataset, model: "itemknn") } catch let error as BundleError {
      console.warn("no shopper bundles: \(error)")
      return nil
    }
    console.phaseDone("purchase probabilities")
    var options = arguments.bundleOptions()
    options.count = 3
    let generator = try anchoredGenerator(dataset: dataset, options: options, probabilities: model, console: console)
    let user = Int32(best)
    let bundles = generator.bundles(forUser: user)
    console.phaseDone("shopper bundles")
    let name = dataset.users[user]
    console.out("")
    console.out(
      "Bundles for customer \(name) (\(orders[best]) orders), ranked by their expected profit = "
        + "P(take | offered) × margin − margin they would pay anyway (itemknn, calibrated on the last 30 days)")
    console.out(personalBundleTable(bundles, currency: arguments.currency))
    if let first = bundles.first { console.out("\n1. \(first.bundle.explanation)") }
    return PersonalBundlesDocument(request: "user \(name)", bundles: bundles)
  }

  /// Finds the shipped sample beside the working directory or the executable.
  static func locateSample() throws -> String {
    var candidates: [URL] = []
    if let override = ProcessInfo.processInfo.environment["BASKETRY_DEMO_DATA"] {
      candidates.append(URL(fileURLWithPath: override))
    }
    var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    for _ in 0..<4 {
      candidates.append(folder.appendingPathComponent(sampleRelativePath))
      folder.deleteLastPathComponent()
    }
    var executableFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
      .deletingLastPathComponent()
    for _ in 0..<5 {
      candidates.append(executableFolder.appendingPathComponent(sampleRelativePath))
      executableFolder.deleteLastPathComponent()
    }
    for candidate in candidates where FileManager.default.fileExists(atPath: candidate.path) {
      return candidate.path
    }
    throw CommandError(
      "cannot find the demo sample \(sampleRelativePath); run from the repository root or give the file",
      category: .notFound)
  }
}
