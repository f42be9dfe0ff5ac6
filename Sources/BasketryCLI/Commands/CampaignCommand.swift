import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryIngest
import BasketryModels
import Foundation

extension UpliftLearnerKind: ExpressibleByArgument {}

/// `basketry campaign`: whom to give a coupon or discount, ranked by expected incremental profit.
struct CampaignCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "campaign",
    abstract: "Choose a campaign's audience by expected incremental profit, or compare targeting strategies.",
    discussion: """
      Ranks customers by expected incremental profit = (P(buy | treated) − P(buy | control)) × margin − \
      coupon cost × P(redeem), with P(redeem) = redemption rate × P(buy | treated), and picks the audience \
      within --budget (expected coupon spend) or --audience (customers); only customers with positive \
      expected profit are chosen.

      With --campaign-log (CSV: customer, treated 0/1, converted 0/1, from a randomised campaign), the \
      effect is fitted: an uplift model (--learner t-learner or class-transformation) on the customers' \
      features at --campaign-start. Without one, an order export holds no evidence of who the offer moves: \
      the command then says so and falls back to a purchase-propensity model (MLP, trained on the \
      previous --window) times an assumed constant price elasticity, which ranks by propensity and cannot \
      find persuadable customers or those the offer puts off.

      --simulate runs the comparison on synthetic customers with known individual effects: random, \
      propensity, CLV and uplift targeting (T-learner, class transformation) and the oracle, with Qini, \
      AUUC and uplift@k (scikit-uplift's definitions) and the true profit at a budget of the top 20 %.

      Examples:
        basketry campaign --items 85123A,22423 --discount 0.1 --audience 500 online_retail.csv.gz
        basketry campaign --category garden --coupon 5 --budget 1000 --campaign-log log.csv \
      --campaign-start 2011-09-01 --format orders orders.csv
        basketry campaign --simulate --seed 1 2 3 4 5
      """)

  @OptionGroup var input: InputOptions

  @Option(help: ArgumentHelp("Promote every item of this catalogue category.", valueName: "name"))
  var category: String?

  @Option(help: ArgumentHelp("Promote these items (comma-separated ids).", valueName: "a,b"))
  var items: String?

  @Option(help: ArgumentHelp("Discount on the promoted purchase, a fraction in (0, 1).", valueName: "fraction"))
  var discount: Double?

  @Option(help: ArgumentHelp("Fixed coupon value off the promoted purchase.", valueName: "amount"))
  var coupon: Double?

  @Option(help: ArgumentHelp("Largest expected coupon spend, Σ coupon cost × P(redeem).", valueName: "amount"))
  var budget: Double?

  @Option(help: ArgumentHelp("Largest number of customers to target.", valueName: "n"))
  var audience: Int?

  @Option(
    help: ArgumentHelp(
      "Randomised campaign log (CSV with customer, treated, converted) to fit the uplift model on.",
      valueName: "file"))
  var campaignLog: String?

  @Option(
    help: ArgumentHelp(
      "Start of the logged campaign (YYYY-MM-DD): the log's customers are described by their orders before it. Default: the end of the data.",
      valueName: "date"))
  var campaignStart: String?

  @Option(
    help: ArgumentHelp("Uplift learner for --campaign-log: t-learner or class-transformation.", valueName: "name"))
  var learner: UpliftLearnerKind = .twoModel

  @Option(help: ArgumentHelp("Campaign window in days (the propensity label window).", valueName: "days"))
  var window: Int = 30

  @Option(
    help: ArgumentHelp(
      "Without a campaign log: the assumed price elasticity of purchase probability. Default: estimated from the promoted items' price variation.",
      valueName: "e"))
  var elasticity: Double?

  @Option(help: ArgumentHelp("Margin rate where costs are unknown.", valueName: "fraction"))
  var marginRate: Double = 0.35

  @Option(help: ArgumentHelp("Share of treated buyers who use the coupon.", valueName: "fraction"))
  var redemptionRate: Double = 1

  @Flag(help: "Compare targeting strategies on simulated customers with known effects (no input files).")
  var simulate = false

  @Option(
    parsing: .upToNextOption,
    help: ArgumentHelp("Seeds of --simulate (one or more). Default: 1.", valueName: "seed"))
  var seed: [UInt64] = []

  @Option(help: ArgumentHelp("--simulate: customers in the log and in the targeted population.", valueName: "n"))
  var customers: Int = 20_000

  @Option(
    help: ArgumentHelp(
      "Write the audience (or the simulation results) to this file: .csv or .json (`-` for JSON on standard output).",
      valueName: "file"))
  var output: String?

  @Option(help: ArgumentHelp("Audience rows printed.", valueName: "n"))
  var top: Int = 10

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print timings.")
  var verbose = false

  func validate() throws {
    if simulate {
      if !input.paths.isEmpty { throw ValidationError("--simulate takes no input files.") }
      if customers < 500 { throw ValidationError("--customers must be at least 500.") }
      return
    }
    if (category == nil) == (items == nil) { throw ValidationError("Give exactly one of --category and --items.") }
    if (discount == nil) == (coupon == nil) { throw ValidationError("Give exactly one of --discount and --coupon.") }
    if (budget == nil) == (audience == nil) { throw ValidationError("Give exactly one of --budget and --audience.") }
    if let discount, !(discount > 0 && discount < 1) {
      throw ValidationError("--discount must be a fraction in (0, 1); got \(discount).")
    }
    if let coupon, !(coupon > 0 && coupon.isFinite) {
      throw ValidationError("--coupon must be positive; got \(coupon).")
    }
    if let budget, !(budget > 0 && budget.isFinite) {
      throw ValidationError("--budget must be positive; got \(budget).")
    }
    if let audience, audience < 1 { throw ValidationError("--audience must be at least 1; got \(audience).") }
    if window < 1 { throw ValidationError("--window must be at least 1 day.") }
    if let elasticity, !(elasticity < 0) { throw ValidationError("--elasticity must be negative; got \(elasticity).") }
    if !(0...1).contains(marginRate) || !(0...1).contains(redemptionRate) {
      throw ValidationError("--margin-rate and --redemption-rate must be in [0, 1].")
    }
    if campaignStart != nil && campaignLog == nil {
      throw ValidationError("--campaign-start describes the --campaign-log; give both.")
    }
    if let output, output != "-", !output.hasSuffix(".csv"), !output.hasSuffix(".json") {
      throw ValidationError("--output must end in .csv or .json (or be -); got '\(output)'.")
    }
  }

  func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      if simulate {
        try runSimulation(console: console)
      } else {
        try runOnOrders(console: console)
      }
    }
  }
}

// MARK: - Simulation

extension CampaignCommand {
  func runSimulation(console: Console) throws {
    let seeds = seed.isEmpty ? [1] : seed
    let options = CampaignSimulationOptions(seeds: seeds, logCustomers: customers, populationCustomers: customers)
    console.note(
      "simulating \(seeds.count) seed(s): \(formatCount(customers)) customers in a randomised log (half treated) "
        + "and \(formatCount(customers)) fresh ones; campaign \(Int(options.world.discount * 100)) % off one category; "
        + "budget the top \(Int(options.budgetShare * 100)) %")
    let results = try CampaignSimulator.run(options: options, valueEstimator: LifetimeValueEstimator())
    if output != "-" {
      for result in results {
        console.out("seed \(result.seed)  (segments: " + Self.segmentText(result.segments) + ")")
        console.out(Self.table(result.strategies, k: options.k))
        console.out("")
      }
      if results.count > 1 {
        console.out("mean over \(results.count) seeds")
        console.out(Self.table(CampaignSimulator.means(results), k: options.k))
      }
      console.out(
        "CLV is the BG/NBD + Gamma-Gamma 12-month lifetime value, fitted on the targeted customers' histories.")
    }
    if let output {
      try FileHandleOutput.write(try FileHandleOutput.json(results), to: output)
      if output != "-" { console.note("wrote \(output)") }
    }
  }

  static func segmentText(_ segments: [String: Int]) -> String {
    CampaignCustomer.Segment.allCases.map { "\($0.rawValue) \(segments[$0.rawValue] ?? 0)" }.joined(separator: ", ")
  }

  static func table(_ strategies: [CampaignStrategyResult], k: Double) -> String {
    var table = TextTable(
      ["strategy", "Qini", "AUUC", String(format: "uplift@%.0f%%", k * 100), "profit at budget", "targeted"],
      alignments: [.left, .right, .right, .right, .right, .right])
    for s in strategies {
      table.add([
        s.name, String(format: "%.4f", s.qini), String(format: "%.4f", s.auuc), String(format: "%.4f", s.upliftAtK),
        String(format: "%.1f", s.profitAtBudget), formatCount(s.targeted),
      ])
    }
    return table.render()
  }
}

// MARK: - Real orders

extension CampaignCommand {
  func campaign() throws -> Campaign {
    let target: Campaign.Target =
      if let category { .category(category) } else {
        .items((items ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
      }
    let offer: Campaign.Offer = if let discount { .discount(discount) } else { .coupon(coupon ?? 0) }
    let limit: Campaign.Limit = if let budget { .budget(budget) } else { .audience(audience ?? 1) }
    return try Campaign(target: target, offer: offer, limit: limit, redemptionRate: redemptionRate)
  }

  func runOnOrders(console: Console) throws {
    let campaign = try campaign()
    let files = input.paths.joined(separator: ", ")
    let dataset = try input.load(console: console).dataset
    let log = try campaignLog.map { try CampaignLogFile.read($0) }
    let options = CampaignPlanOptions(
      windowDays: window, learner: learner, elasticity: elasticity, assumedMarginRate: marginRate,
      campaignStart: try campaignStart.map { try Self.parseDate($0) })
    let plan: CampaignPlan
    do {
      plan = try CampaignPlanner.plan(dataset: dataset, campaign: campaign, log: log, options: options)
    } catch let error as CampaignError {
      throw CommandError("\(files): \(error.description)", category: error.category)
    }
    switch plan.method {
    case .upliftModel:
      if plan.logUnmatched > 0, let campaignLog {
        console.warn(
          "\(formatCount(plan.logUnmatched)) customers in \(campaignLog) have no orders before the campaign start "
            + "in \(files); they are left out of the fit")
      }
      console.out(
        "method: uplift model (\(learner.rawValue)) fitted on the randomised log \(campaignLog ?? ""): "
          + "\(formatCount(plan.logTreated)) treated, \(formatCount(plan.logControl)) control, "
          + "features at \(campaignStart ?? "the end of the data")")
    case .elasticityFallback:
      let e = plan.elasticity ?? 0
      console.out(
        "method: fallback — no randomised campaign log, so the orders cannot show who the offer moves. "
          + "P(buy) from a propensity MLP (trained on the \(window) days before the last order, "
          + "\(formatCount(plan.propensityPositives)) of \(formatCount(plan.propensityRows)) customers bought a "
          + "promoted item), P(buy | treated) = P(buy) × (1 − cut)^ε with ε = \(String(format: "%.2f", e))"
          + (plan.elasticityEstimated ? " (estimated from the promoted items' prices)" : " (--elasticity)")
          + ": the same relative lift for everyone, so the ranking is by propensity; it cannot tell persuadable "
          + "customers from sure things or find those the offer puts off. Pass --campaign-log for a real uplift fit.")
    }
    let chosen = plan.audience
    console.out(
      "audience: \(formatCount(chosen.customers.count)) of \(formatCount(chosen.scored)) customers; expected "
        + String(
          format: "incremental profit %.2f, coupon spend %.2f, extra purchases %.1f", chosen.expectedIncrementalProfit,
          chosen.expectedCouponSpend, chosen.expectedIncrementalPurchases))
    if chosen.customers.isEmpty {
      console.out(
        "no customer has a positive expected incremental profit: under this model the offer costs more than "
          + "the margin it adds for everyone")
    }
    if top > 0 && !chosen.customers.isEmpty {
      var table = TextTable(
        ["customer", "P(buy|treated)", "P(buy|control)", "uplift", "margin", "coupon", "expected profit"],
        alignments: [.left, .right, .right, .right, .right, .right, .right])
      for s in chosen.customers.prefix(top) {
        table.add([
          s.customer, String(format: "%.3f", s.purchaseIfTreated), String(format: "%.3f", s.purchaseIfControl),
          String(format: "%+.3f", s.uplift), String(format: "%.2f", s.margin), String(format: "%.2f", s.couponCost),
          String(format: "%.3f", s.expectedIncrementalProfit),
        ])
      }
      console.out(table.render())
    }
    if let output {
      let data = output.hasSuffix(".csv") ? Self.csv(chosen.customers) : try FileHandleOutput.json(plan)
      try FileHandleOutput.write(data, to: output)
      if output != "-" { console.note("wrote \(output)") }
    }
    console.phaseDone("campaign scored")
  }

  static func parseDate(_ text: String) throws -> Int64 {
    let parts = text.split(separator: "-").compactMap { Int($0) }
    var components = DateComponents()
    components.timeZone = TimeZone(identifier: "UTC")
    if parts.count == 3 {
      components.year = parts[0]
      components.month = parts[1]
      components.day = parts[2]
    }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]),
      let date = calendar.date(from: components)
    else {
      throw CommandError("--campaign-start must be a date YYYY-MM-DD; got '\(text)'")
    }
    return Int64(date.timeIntervalSince1970)
  }

  static func csv(_ scores: [CampaignScore]) -> Data {
    var text = "customer,uplift,p_buy_treated,p_buy_control,margin,coupon_cost,p_redeem,expected_incremental_profit\n"
    for s in scores {
      let id =
        s.customer.contains(",") || s.customer.contains("\"")
        ? "\"" + s.customer.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s.customer
      text +=
        "\(id),\(s.uplift),\(s.purchaseIfTreated),\(s.purchaseIfControl),\(s.margin),\(s.couponCost),"
        + "\(s.redeemProbability),\(s.expectedIncrementalProfit)\n"
    }
    return Data(text.utf8)
  }
}
