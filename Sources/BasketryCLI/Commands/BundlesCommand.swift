import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryIngest
import BasketryMining
import BasketryModels
import BasketryTraining
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

      With --user (alone, or with --item or --cart), bundles are ranked for that shopper by their
      expected profit: P(they take the bundle | offered) × bundle margin − the margin of items they
      would have bought anyway. Their purchase probabilities come from a recommender (--recommender)
      calibrated on the last --horizon-days of orders; the bundle price stays the shop-wide one.

      Example: basketry bundles --k 10 --max-discount 0.15 --margin-floor 0.25 online_retail.csv.gz
      Example: basketry bundles --cart 22720,22666 --k 5 online_retail.csv.gz
      Example: basketry bundles --user 14911 --recommender ease online_retail.csv.gz
      """)

  @OptionGroup var input: InputOptions
  @OptionGroup var design: BundleArguments

  @Option(help: ArgumentHelp("Bundles for this item (external id).", valueName: "item"))
  var item: String?

  @Option(help: ArgumentHelp("Bundles completing this cart: comma-separated external item ids.", valueName: "items"))
  var cart: String?

  @Option(help: ArgumentHelp("Bundles for this user (external id), from their purchase history.", valueName: "user"))
  var user: String?

  @Option(
    help: ArgumentHelp(
      "Recommender behind a user's purchase probabilities (itemknn, ease, als, freq, pop, …; none: not personalised).",
      valueName: "name"))
  var recommender = "itemknn"

  @Option(
    help: ArgumentHelp(
      "Days of the hold-out window that calibrates the purchase probabilities (and their horizon).",
      valueName: "days"))
  var horizonDays = 30

  @Option(help: ArgumentHelp("Write the bundles as JSON to this file (`-` for standard output).", valueName: "file"))
  var output: String?

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print phase timings and extra detail on standard error.")
  var verbose = false

  func validate() throws {
    if item != nil && cart != nil {
      throw ValidationError("Give at most one of --item and --cart (--user may go with either).")
    }
    if recommender != "none" && !ModelRegistry.names.contains(recommender) {
      throw ValidationError(
        "--recommender '\(recommender)' is not one of none, \(ModelRegistry.names.joined(separator: ", ")).")
    }
    if horizonDays <= 0 { throw ValidationError("--horizon-days must be positive.") }
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
    var userID: Int32?
    if let user {
      guard let id = dataset.users.id(of: user.trimmingCharacters(in: .whitespaces)) else {
        throw CommandError("unknown user '\(user)'", category: .notFound)
      }
      userID = id
    }
    var probabilities: (any PersonalPurchaseModel)?
    if userID != nil, recommender != "none" {
      console.progress("calibrating \(recommender) purchase probabilities", force: true)
      let model = try RecommenderPurchaseModel.fit(dataset: dataset, model: recommender, horizonDays: horizonDays)
      console.phaseDone(
        "calibrated \(recommender) on \(model.calibration.users) users: P(top-ranked item within \(horizonDays) days) "
          + "= \(percentText(model.calibration.probability(rank: 1)))")
      probabilities = model
    }
    let generator = try anchoredGenerator(
      dataset: dataset, options: design.bundleOptions(), probabilities: probabilities, console: console)
    let bundles: [GeneratedBundle]
    var request: String
    if let item {
      bundles = generator.bundles(forItem: try itemID(item), user: userID)
      request = "item \(item)"
    } else if let cart {
      let ids = try cart.split(separator: ",").map { try itemID(String($0)) }
      bundles = generator.bundles(forCart: ids, user: userID)
      request = "cart \(cart)"
    } else if let userID {
      bundles = generator.bundles(forUser: userID)
      request = ""
    } else {
      return
    }
    if let user { request += (request.isEmpty ? "" : ", ") + "user \(user)" }
    if output != "-" {
      console.out("Bundles for \(request)")
      if bundles.contains(where: { $0.personal != nil }) {
        console.out(personalBundleTable(bundles, currency: design.currency))
      } else {
        console.out(bundleTable(bundles.map(\.bundle), currency: design.currency))
      }
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

/// A probability as a whole or one-decimal percentage.
func percentText(_ value: Double) -> String {
  let scaled = (value * (value < 0.1 ? 1000 : 100)).rounded()
  return value < 0.1 ? "\(Int(scaled) / 10).\(Int(scaled) % 10)%" : "\(Int(scaled))%"
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
    var personal: PersonalOffer?
    var pairs: [PairScore]

    enum CodingKeys: String, CodingKey {
      case rank, items, price, discount, score, source, explanation, why, personal, pairs
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
        explanation: g.bundle.explanation, why: g.bundle.why, personal: g.personal, pairs: g.pairs)
    }
  }
}
