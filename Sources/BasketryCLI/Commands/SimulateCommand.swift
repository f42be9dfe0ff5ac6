import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryIngest
import Foundation

/// `basketry simulate`: bundling strategies compared on synthetic shoppers with known valuations.
struct SimulateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Compare bundling strategies on synthetic shoppers calibrated on a real shop.",
    discussion: """
      Calibrates true valuations (prices, purchase rates, price elasticities, complement pairs) on a
      shop's orders (the shipped Online Retail sample unless files are given), simulates an observed
      order history with varying prices, lets Basketry estimate and price bundles from that history alone, and compares on the same fresh shoppers: no bundles,
      every candidate at a fixed discount, Basketry's bundles, and an oracle that knows the true
      valuation distributions. Prints revenue, profit, attach rate and average order value with 95 %
      confidence intervals over seeds.

      --price-tests instead runs an online price test (Thompson sampling over 5 price levels within
      the price advice's guardrails, prior from the passive advice on each seed's history) for every
      item over --test-sessions sessions, and prints per seed the sessions until the levels shown
      hold 90 % of the oracle's profit uplift, the share at 1/4, 1/2 and all of the sessions, and
      the regret exponent (slope of log regret on log sessions; 1 is linear).

      Example: basketry simulate --seeds 5 --output sim.json online_retail.csv.gz
      Example: basketry simulate --price-tests --items 40 --seeds 3
      """)

  /// The shop to calibrate on (default: the shipped Online Retail sample).
  @OptionGroup var input: InputOptions

  @Option(help: ArgumentHelp("Number of seeds (1, 2, …).", valueName: "n"))
  var seeds: Int = 5

  @Option(help: ArgumentHelp("Items taken from the data, most bought first.", valueName: "n"))
  var items: Int = 60

  @Option(help: ArgumentHelp("Visits in the simulated history Basketry learns from.", valueName: "n"))
  var historyVisits: Int = 100_000

  @Option(help: ArgumentHelp("Visits on which the strategies are compared.", valueName: "n"))
  var evaluationVisits: Int = 200_000

  @Option(
    help: ArgumentHelp(
      "Random weekly price tests in the history, ± this fraction (0: only the data's own price points).",
      valueName: "fraction"))
  var priceTest: Double = 0.1

  @Option(
    help: ArgumentHelp(
      "True elasticities: lerner (list prices near-optimal: −1/margin × e^(0.3·N(0,1)) per item) or estimated (the data's own weekly incidence estimates, clamped to [−4, −0.8]).",
      valueName: "source"))
  var trueElasticity: String = "lerner"

  @Option(help: ArgumentHelp("Largest discount off the items' total, as a fraction.", valueName: "fraction"))
  var maxDiscount: Double = 0.20

  @Option(
    help: ArgumentHelp(
      "Smallest margin rate a bundle price may keep, as a fraction of the price.", valueName: "fraction"))
  var marginFloor: Double = 0.20

  @Option(help: ArgumentHelp("Discount of the fixed-discount strategy.", valueName: "fraction"))
  var fixedDiscount: Double = 0.10

  @Flag(help: "Run online price tests for every item instead of comparing bundling strategies.")
  var priceTests = false

  @Option(help: ArgumentHelp("Sessions each price test runs (with --price-tests).", valueName: "n"))
  var testSessions: Int = 4_000_000

  @Option(help: ArgumentHelp("Write the results as JSON to this file (`-` for standard output).", valueName: "file"))
  var output: String?

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print the offers of each strategy.")
  var verbose = false

  func validate() throws {
    if seeds < 1 { throw ValidationError("--seeds must be at least 1.") }
    if items < 4 { throw ValidationError("--items must be at least 4.") }
    if historyVisits < 100 || evaluationVisits < 100 {
      throw ValidationError("--history-visits and --evaluation-visits must be at least 100.")
    }
    if !["lerner", "estimated"].contains(trueElasticity) {
      throw ValidationError("--true-elasticity must be lerner or estimated; got '\(trueElasticity)'.")
    }
    if testSessions < 1000 { throw ValidationError("--test-sessions must be at least 1000.") }
    if priceTests && output != nil { throw ValidationError("--output is not available with --price-tests.") }
    if !(0...0.5).contains(priceTest) { throw ValidationError("--price-test must be in [0, 0.5].") }
    if !(0...0.95).contains(maxDiscount) || !(0..<1).contains(marginFloor) || !(0...0.95).contains(fixedDiscount) {
      throw ValidationError("discounts must be in [0, 0.95] and --margin-floor in [0, 1).")
    }
  }

  func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      let files = input.paths.isEmpty ? [try DemoCommand.locateSample()] : input.paths
      let path = files.joined(separator: ", ")
      let dataset = try input.load(console: console, defaultPaths: files).dataset
      let options = MarketSimulationOptions(
        seeds: (1...seeds).map { UInt64($0) }, items: items, historyVisits: historyVisits,
        evaluationVisits: evaluationVisits, maxDiscount: maxDiscount, marginFloor: marginFloor,
        fixedDiscount: fixedDiscount,
        trueElasticity: trueElasticity == "estimated" ? .estimated : .lerner(spread: 0.3), priceTestSpread: priceTest)
      let world = try MarketWorld.calibrated(from: dataset, options: options)
      console.note(
        "calibrated \(world.items.count) items and \(world.blocks.count) complement pairs on \(path); \(seeds) seeds")
      if priceTests {
        try runPriceTests(MarketSimulator(world: world, options: options), console: console)
        return
      }
      let result = MarketSimulator(world: world, options: options).run()
      if output != "-" {
        console.out(Self.table(result, visits: evaluationVisits))
        if abs(result.summaries[3].profitUplift.mean) < 1e-9 {
          console.out(
            String(
              format: "The oracle finds no profitable bundle here; Basketry's profit uplift is %.1f.",
              result.summaries[2].profitUplift.mean))
        } else {
          console.out(
            String(
              format: "Basketry's profit uplift is %.1f%% of the oracle's (per seed: %@).",
              result.upliftShareOfMeans * 100,
              result.upliftShares.map { String(format: "%.0f%%", $0 * 100) }.joined(separator: ", ")))
        }
        if verbose {
          for item in world.items {
            console.out(
              String(
                format: "%@ %@ price %.2f elasticity %.2f (data %.2f)", item.id, item.title, item.valuation.price,
                item.elasticity, item.estimatedElasticity))
          }
          for block in world.blocks {
            console.out(
              String(
                format: "pair %@ + %@ lift %.1f rho %.2f", world.items[block.items[0]].id,
                world.items[block.items[1]].id, block.lift, block.correlation))
          }
          for (s, outcome) in (result.outcomes.first ?? []).enumerated() where s > 0 {
            let offers = outcome.offers.map { offer in
              offer.items.map { world.items[$0].id }.joined(separator: "+")
                + String(format: " −%.0f%%", offer.discount * 100)
            }
            console.out("\(outcome.name) (seed 1): \(offers.joined(separator: ", "))")
          }
        }
      }
      if let output {
        try FileHandleOutput.write(FileHandleOutput.json(SimulationDocument(result, options: options)), to: output)
        if output != "-" { console.note("wrote \(output)") }
      }
    }
  }

  /// Runs the price-test simulation per seed and prints its table.
  func runPriceTests(_ simulator: MarketSimulator, console: Console) throws {
    var rows: [(UInt64, PriceTestSimulation, Double)] = []
    for seed in simulator.options.seeds {
      let start = Date()
      let result = try simulator.simulatePriceTests(
        seed: seed, options: PriceTestSimulationOptions(sessions: testSessions))
      rows.append((seed, result, Date().timeIntervalSince(start)))
      console.note(String(format: "seed %d: %.1f s", seed, Date().timeIntervalSince(start)))
    }
    console.out(Self.priceTestTable(rows, sessions: testSessions))
  }

  /// The price-test table: per seed, sessions to 90 % of the oracle, shares at a quarter, half and all of the
  /// sessions, the regret exponent and ratio, the draws checked and guardrail violations.
  static func priceTestTable(_ rows: [(UInt64, PriceTestSimulation, Double)], sessions: Int) -> String {
    func share(_ result: PriceTestSimulation, at point: Int) -> String {
      guard let checkpoint = result.checkpoints.last(where: { $0.sessions <= point }) else { return "–" }
      return String(format: "%.3f", checkpoint.oracleShare)
    }
    let quarter = sessions / 4
    let half = sessions / 2
    var table = TextTable(
      [
        "seed", "90 % of oracle from", "share at \(formatCount(quarter))", "at \(formatCount(half))",
        "at \(formatCount(sessions))", "regret exponent", "R(T) / R(T/4)", "draws", "violations", "seconds",
      ],
      alignments: [.left, .right, .right, .right, .right, .right, .right, .right, .right, .right])
    for (seed, result, seconds) in rows {
      table.add([
        "\(seed)", result.sessionsTo90.map { formatCount($0) } ?? "not reached", share(result, at: quarter),
        share(result, at: half), share(result, at: sessions), String(format: "%.2f", result.regretExponent),
        String(format: "%.2f", result.regretRatio), formatCount(result.draws), "\(result.guardrailViolations)",
        String(format: "%.1f", seconds),
      ])
    }
    let first = rows.first?.1
    let header = String(
      format: "Online price tests over %@ sessions; uplift per 1,000 sessions: oracle %.1f, best tested levels %.1f\n",
      formatCount(sessions), first?.oracleUplift ?? 0, first?.bestLevelUplift ?? 0)
    return header + table.render()
  }

  static func table(_ result: MarketSimulationResult, visits: Int) -> String {
    var table = TextTable(
      ["strategy", "revenue", "profit", "profit uplift", "attach rate", "AOV"],
      alignments: [.left, .right, .right, .right, .right, .right])
    func interval(_ s: SeedSummary, _ format: String) -> String {
      String(format: format, s.mean) + " [" + String(format: format, s.low) + ", " + String(format: format, s.high)
        + "]"
    }
    for summary in result.summaries {
      table.add([
        summary.name, interval(summary.revenue, "%.0f"), interval(summary.profit, "%.0f"),
        interval(summary.profitUplift, "%.1f"),
        String(format: "%.2f%%", summary.attachRate.mean * 100), interval(summary.aov, "%.2f"),
      ])
    }
    return "Per \(formatCount(visits)) simulated visits; mean [95% CI] over seeds\n" + table.render()
  }
}

/// The JSON document written by `simulate`.
struct SimulationDocument: Encodable {
  struct Strategy: Encodable {
    var name: String
    var revenue: Double
    var profit: Double
    var attachRate: Double
    var aov: Double
    var profitUplift: Double
    var revenueCI: [Double]
    var profitCI: [Double]
    var attachRateCI: [Double]
    var aovCI: [Double]
    var perSeed: [StrategyOutcome]

    enum CodingKeys: String, CodingKey {
      case name, revenue, profit, aov
      case attachRate = "attach_rate"
      case profitUplift = "profit_uplift"
      case revenueCI = "revenue_ci95"
      case profitCI = "profit_ci95"
      case attachRateCI = "attach_rate_ci95"
      case aovCI = "aov_ci95"
      case perSeed = "per_seed"
    }
  }

  var strategies: [Strategy]
  var upliftShareOfOracle: Double
  var upliftSharePerSeed: [Double]
  var seeds: [UInt64]
  var items: Int
  var complementPairs: Int

  init(_ result: MarketSimulationResult, options: MarketSimulationOptions) {
    strategies = result.summaries.enumerated().map { index, s in
      Strategy(
        name: s.name, revenue: s.revenue.mean, profit: s.profit.mean, attachRate: s.attachRate.mean, aov: s.aov.mean,
        profitUplift: s.profitUplift.mean, revenueCI: [s.revenue.low, s.revenue.high],
        profitCI: [s.profit.low, s.profit.high], attachRateCI: [s.attachRate.low, s.attachRate.high],
        aovCI: [s.aov.low, s.aov.high], perSeed: result.outcomes.map { $0[index] })
    }
    upliftShareOfOracle = result.upliftShareOfMeans
    upliftSharePerSeed = result.upliftShares
    seeds = options.seeds
    items = result.world.items.count
    complementPairs = result.world.blocks.count
  }

  enum CodingKeys: String, CodingKey {
    case strategies, seeds, items
    case upliftShareOfOracle = "uplift_share_of_oracle"
    case upliftSharePerSeed = "uplift_share_per_seed"
    case complementPairs = "complement_pairs"
  }
}
