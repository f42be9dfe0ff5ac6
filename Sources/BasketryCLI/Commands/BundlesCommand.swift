import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryIngest
import BasketryMining
import Foundation

/// `basketry bundles`: priced, explained bundles from a shop's orders.
struct BundlesCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bundles",
    abstract: "Design priced, explained bundles from a shop's orders.",
    discussion: """
      Reads and cleans the orders, mines frequent itemsets, drops variants of one product, prices
      each candidate at the discount that maximises expected incremental profit without breaking
      the margin floor, and prints the best bundles. With --output, writes them as JSON.

      Example: basketry bundles --k 10 --max-discount 0.15 --margin-floor 0.25 online_retail.csv.gz
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var design: BundleArguments

  @Option(help: ArgumentHelp("Write the bundles as JSON to this file (`-` for standard output).", valueName: "file"))
  var output: String?

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print phase timings and extra detail on standard error.")
  var verbose = false

  func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      let loaded = try input.load(console: console)
      let result = try designBundles(dataset: loaded.dataset, arguments: design, console: console)
      if output != "-" {
        console.out(bundleTable(result.bundles, currency: design.currency))
        if verbose {
          for bundle in result.bundles { console.out("\n\(bundle.rank). \(bundle.explanation)") }
        }
      }
      if let output {
        let document = BundlesDocument(
          orders: result.transactions.count, minSupport: design.minSupport, options: design.bundleOptions(),
          report: result.report, bundles: result.bundles)
        try FileHandleOutput.write(FileHandleOutput.json(document), to: output)
        if output != "-" { console.note("wrote \(output)") }
      }
    }
  }
}
