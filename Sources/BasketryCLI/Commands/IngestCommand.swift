import ArgumentParser
import BasketryCore
import BasketryIngest
import Foundation

/// `basketry ingest`: read and clean a shop's export, report what was dropped and why.
struct IngestCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ingest",
    abstract: "Read and clean a shop's export; report every dropped row and why.",
    discussion: """
      Cleaning nets cancellations and returns against the purchases they cancel, drops
      non-product codes (postage, fees, adjustments, bank charges), non-positive prices and
      quantities, exact duplicates, oversized (wholesale) baskets and unknown items, and keeps
      orders without a customer for association mining only. Bad rows are skipped and counted
      (or stop the run with --strict).

      Example: basketry ingest --report cleaning-report.json --output clean.csv online_retail.csv.gz
      """)

  @OptionGroup var input: InputOptions

  @Option(help: ArgumentHelp("Write the cleaning report as JSON to this file.", valueName: "file"))
  var report: String?

  @Option(
    help: ArgumentHelp(
      "Write the cleaned order lines as CSV (order,user,item,title,time,quantity,unit_price).", valueName: "file"))
  var output: String?

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print phase timings and extra detail on standard error.")
  var verbose = false

  func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      let loaded = try input.load(console: console)
      console.out(loaded.report.table())
      if let report {
        try FileHandleOutput.write(FileHandleOutput.json(loaded.report), to: report)
        console.note("wrote \(report)")
      }
      if let output {
        try FileHandleOutput.write(Self.csv(loaded.dataset), to: output)
        console.note("wrote \(output)")
      }
    }
  }

  static func csv(_ dataset: Dataset) -> Data {
    var text = "order,user,item,title,time,quantity,unit_price\n"
    let baskets = dataset.baskets
    let formatter = ISO8601DateFormatter()
    for b in 0..<baskets.count {
      let user = baskets.users[b] == Baskets.noUser ? "" : dataset.users[baskets.users[b]]
      let time =
        baskets.timestamps[b] == Baskets.noTime
        ? "" : formatter.string(from: Date(timeIntervalSince1970: TimeInterval(baskets.timestamps[b])))
      for line in baskets.lineRange(b) {
        let item = baskets.items[line]
        let price = baskets.unitPrices[line]
        text += CSVWriter.line([
          baskets.orderIDs[b], user, dataset.catalog.externalID(item), dataset.catalog[item].title ?? "", time,
          "\(baskets.quantities[line])", price.isNaN ? "" : "\(price)",
        ])
      }
    }
    return Data(text.utf8)
  }
}
