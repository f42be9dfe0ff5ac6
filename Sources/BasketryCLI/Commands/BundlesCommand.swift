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

      With --item, --cart or --user, generates bundles for that anchor item, cart or user instead: partners
      are the anchor's complements by co-purchase and item embeddings (never substitutes or owned items),
      priced by the willingness-to-pay model and diversified.

      Example: basketry bundles --k 10 --max-discount 0.15 --margin-floor 0.25 online_retail.csv.gz
      Example: basketry bundles --cart 22720,22666 --k 5 online_retail.csv.gz
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var design: BundleArguments

  @Option(help: ArgumentHelp("Bundles for this item (external id).", valueName: "item"))
  var item: String?

  @Option(help: ArgumentHelp("Bundles completing this cart: comma-separated external item ids.", valueName: "items"))
  var cart: String?

  @Option(help: ArgumentHelp("Bundles for this user (external id), from their purchase history.", valueName: "user"))
  var user: String?

  @Option(help: ArgumentHelp("Write the bundles as JSON to this file (`-` for standard output).", valueName: "file"))
  var output: String?

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print phase timings and extra detail on standard error.")
  var verbose = false

  func validate() throws {
    if [item, cart, user].compactMap({ $0 }).count > 1 {
      throw ValidationError("Give at most one of --item, --cart and --user.")
    }
  }

  func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      let loaded = try input.load(console: console)
      if item != nil || cart != nil || user != nil {
        try runGenerator(dataset: loaded.dataset, console: console)
        return
      }
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

// MARK: - Personal bundles

extension BundlesCommand {
  func runGenerator(dataset: Dataset, console: Console) throws {
    let catalog = dataset.catalog
    func itemID(_ external: String) throws -> Int32 {
      guard let id = catalog.id(of: external.trimmingCharacters(in: .whitespaces)) else {
        throw CommandError("unknown item '\(external)'", category: .notFound)
      }
      return id
    }
    console.progress("training item embeddings", force: true)
    let transactions = dataset.transactions()
    let embeddings = ItemEmbeddings.train(transactions)
    console.phaseDone("trained item embeddings")
    let scorer = PairScorer(dataset: dataset, transactions: transactions, embeddings: embeddings)
    var options = GeneratorOptions(bundle: design.bundleOptions())
    options.bundle.minLift = min(options.bundle.minLift, 1.5)
    let generator = try BundleGenerator(dataset: dataset, scorer: scorer, options: options)
    let bundles: [GeneratedBundle]
    let request: String
    if let item {
      bundles = generator.bundles(forItem: try itemID(item))
      request = "item \(item)"
    } else if let cart {
      let ids = try cart.split(separator: ",").map { try itemID(String($0)) }
      bundles = generator.bundles(forCart: ids)
      request = "cart \(cart)"
    } else if let user {
      guard let id = dataset.users.id(of: user) else {
        throw CommandError("unknown user '\(user)'", category: .notFound)
      }
      bundles = generator.bundles(forUser: id)
      request = "user \(user)"
    } else {
      return
    }
    if output != "-" {
      console.out("Bundles for \(request)")
      console.out(bundleTable(bundles.map(\.bundle), currency: design.currency))
      if verbose {
        for generated in bundles { console.out("\n\(generated.bundle.rank). \(generated.bundle.explanation)") }
      }
    }
    if let output {
      let document = PersonalBundlesDocument(request: request, bundles: bundles)
      try FileHandleOutput.write(FileHandleOutput.json(document), to: output)
      if output != "-" { console.note("wrote \(output)") }
    }
  }
}

/// The JSON document written for --item, --cart and --user.
struct PersonalBundlesDocument: Encodable {
  struct Entry: Encodable {
    var rank: Int
    var items: [BundleItem]
    var listPrice: Double
    var price: Double
    var discount: Double
    var expectedAttachRate: Double
    var expectedProfit: Double
    var score: Double
    var source: String
    var explanation: String
    var why: BundleWhy?
    var pairs: [PairScore]

    enum CodingKeys: String, CodingKey {
      case rank, items, price, discount, score, source, explanation, why, pairs
      case listPrice = "list_price"
      case expectedAttachRate = "expected_attach_rate"
      case expectedProfit = "expected_profit"
    }
  }

  var request: String
  var bundles: [Entry]

  init(request: String, bundles: [GeneratedBundle]) {
    self.request = request
    self.bundles = bundles.map { g in
      Entry(
        rank: g.bundle.rank, items: g.bundle.items, listPrice: g.bundle.listPrice, price: g.bundle.bundlePrice,
        discount: g.bundle.discount, expectedAttachRate: g.bundle.expectedCompletionRate,
        expectedProfit: g.bundle.expectedIncrementalProfit, score: g.score, source: g.source,
        explanation: g.bundle.explanation, why: g.bundle.why, pairs: g.pairs)
    }
  }
}
