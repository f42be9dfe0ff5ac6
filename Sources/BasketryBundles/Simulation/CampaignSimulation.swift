import BasketryCore
import BasketryModels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A customer-value estimate from history alone, used by the "CLV" targeting strategy.
///
/// The estimate sees a whole population at once, so a model fitted on it (BG/NBD and Gamma-Gamma lifetime
/// value, in `BasketryCustomers`) can be injected from a layer that depends on both.
public protocol CustomerValueEstimator: Sendable {
  /// Short name.
  var name: String { get }
  /// Each customer's expected value over the coming period (any monotone scale), in input order.
  /// - Throws: when a model cannot be fitted to the histories.
  func expectedValues(_ histories: [CampaignCustomer.History]) throws -> [Double]
}

/// A simple customer-value stand-in: historical spend rate × a recency-based activity probability,
///
///     value = (spend / tenure) × horizon × P(active),   P(active) = e^(−rate · recency),
///     rate = orders / tenure (orders a day),
///
/// the chance that a Poisson buyer with that rate has made no order since their last one. It stands in for a
/// BG/NBD (+ Gamma–Gamma) lifetime value, which replaces it when available. Default horizon 90 days.
public struct SpendActivityValue: CustomerValueEstimator, Hashable {
  public var name: String { "clv-spend-activity" }
  /// The value horizon in days. Default 90.
  public var horizonDays: Double

  /// Creates the estimator.
  public init(horizonDays: Double = 90) { self.horizonDays = horizonDays }

  /// One customer's value.
  public func expectedValue(_ history: CampaignCustomer.History) -> Double {
    guard history.orders > 0, history.tenureDays > 0 else { return 0 }
    let rate = Double(history.orders) / history.tenureDays
    return history.spend / history.tenureDays * horizonDays * exp(-rate * history.recencyDays)
  }

  public func expectedValues(_ histories: [CampaignCustomer.History]) -> [Double] { histories.map(expectedValue) }
}

/// Settings of ``CampaignSimulator``.
///
/// Defaults: seeds 1–5, 20,000 customers in the randomised log and 20,000 fresh customers to target, a budget
/// of the top 20 % of the fresh customers, uplift@k at k = 0.3 (sklift's default, `overall`), every model the
/// propensity MLP 32–16–1 with 10 epochs.
public struct CampaignSimulationOptions: Sendable, Hashable {
  /// Seeds; each gives a new world, log and population. Default 1...5.
  public var seeds: [UInt64]
  /// Customers in the randomised training log. Default 20,000.
  public var logCustomers: Int
  /// Fresh customers to target. Default 20,000.
  public var populationCustomers: Int
  /// Share of the population the budget reaches. Default 0.2.
  public var budgetShare: Double
  /// The k of uplift@k. Default 0.3.
  public var k: Double
  /// The world.
  public var world: CampaignWorldOptions
  /// Classifier settings of every model (propensity, uplift learners).
  public var model: PropensityModel.Configuration

  /// Creates options with the documented defaults.
  public init(
    seeds: [UInt64] = [1, 2, 3, 4, 5], logCustomers: Int = 20_000, populationCustomers: Int = 20_000,
    budgetShare: Double = 0.2, k: Double = 0.3, world: CampaignWorldOptions = .init(),
    model: PropensityModel.Configuration = .init()
  ) {
    self.seeds = seeds
    self.logCustomers = logCustomers
    self.populationCustomers = populationCustomers
    self.budgetShare = budgetShare
    self.k = k
    self.world = world
    self.model = model
  }
}

/// One targeting strategy's results on one seed.
public struct CampaignStrategyResult: Sendable, Hashable, Codable {
  /// Strategy name.
  public var name: String
  /// Qini coefficient (sklift `qini_auc_score`) of its score on the population's randomised outcomes.
  public var qini: Double
  /// Normalised area under the uplift curve (sklift `uplift_auc_score`).
  public var auuc: Double
  /// Uplift at k (sklift `uplift_at_k`, `overall`).
  public var upliftAtK: Double
  /// True expected incremental profit of the customers it targets within the budget.
  public var profitAtBudget: Double
  /// Customers it targets.
  public var targeted: Int

  enum CodingKeys: String, CodingKey {
    case name, qini, auuc, targeted
    case upliftAtK = "uplift_at_k"
    case profitAtBudget = "profit_at_budget"
  }
}

/// One seed of a comparison.
public struct CampaignSeedResult: Sendable, Hashable, Codable {
  /// The seed.
  public var seed: UInt64
  /// Random, propensity, CLV, T-learner, class transformation, then the oracle (true effects).
  public var strategies: [CampaignStrategyResult]
  /// Population customers per true segment.
  public var segments: [String: Int]
}

/// Targeting strategies compared on a ``CampaignWorld`` whose individual effects are known.
///
/// Per seed: a synthetic world, a randomised log (``CampaignSimulationOptions/logCustomers``, half treated)
/// the models learn from, and a fresh population that is also randomised, so that Qini, AUUC and uplift@k
/// (sklift's definitions, ``UpliftMetrics``) are measured on observed outcomes, while profit at the budget is
/// the true expected incremental profit Σ (P₁ − P₀)·m − c·P₁ of the customers each strategy picks.
///
/// Strategies and what they rank by (Qini/AUUC/uplift@k score; targeting rank):
/// - `random`: a seeded uniform score; its top budget.
/// - `propensity`: the propensity MLP's P(buy) fitted on the log ignoring treatment; its top budget.
/// - `clv`: ``CustomerValueEstimator`` (default ``SpendActivityValue``); its top budget.
/// - `t-learner`, `class-transformation`: the predicted uplift; the ``CampaignTargeter``'s audience (expected
///   incremental profit > 0, at most the budget).
/// - `oracle`: the true uplift; the top budget by true expected incremental profit, positive only.
public enum CampaignSimulator {
  /// Names of the strategies, in result order.
  public static let strategyNames = ["random", "propensity", "clv", "t-learner", "class-transformation", "oracle"]

  /// Each strategy's mean over seeds (Qini, AUUC, uplift@k, profit at budget; customers targeted rounded).
  /// - Complexity: O(seeds · strategies).
  public static func means(_ results: [CampaignSeedResult]) -> [CampaignStrategyResult] {
    guard let first = results.first else { return [] }
    let n = Double(results.count)
    return first.strategies.indices.map { i in
      let all = results.map { $0.strategies[i] }
      return CampaignStrategyResult(
        name: first.strategies[i].name, qini: all.reduce(0) { $0 + $1.qini } / n,
        auuc: all.reduce(0) { $0 + $1.auuc } / n, upliftAtK: all.reduce(0) { $0 + $1.upliftAtK } / n,
        profitAtBudget: all.reduce(0) { $0 + $1.profitAtBudget } / n,
        targeted: Int((Double(all.reduce(0) { $0 + $1.targeted }) / n).rounded()))
    }
  }

  /// Runs every seed.
  /// - Parameters:
  ///   - options: seeds, sizes, budget, world and model settings.
  ///   - valueEstimator: the CLV strategy's value model.
  /// - Throws: ``SimulationError`` or ``UpliftError`` when a world or a model cannot be built.
  /// - Complexity: O(seeds · (log + population) · epochs · parameters) for the five model fits per seed.
  public static func run(
    options: CampaignSimulationOptions, valueEstimator: any CustomerValueEstimator = SpendActivityValue()
  ) throws -> [CampaignSeedResult] {
    try options.seeds.map { try runSeed($0, options: options, valueEstimator: valueEstimator) }
  }

  /// One seed.
  static func runSeed(
    _ seed: UInt64, options: CampaignSimulationOptions, valueEstimator: any CustomerValueEstimator
  ) throws -> CampaignSeedResult {
    let world = try CampaignWorld.synthetic(seed: seed, options: options.world)
    let logCustomers = world.customers(count: options.logCustomers, seed: seed, idPrefix: "log")
    let log = world.randomisedLog(logCustomers, seed: seed)
    let population = world.customers(count: options.populationCustomers, seed: seed &+ 1_000_003, idPrefix: "c")
    let test = world.randomisedLog(population, seed: seed &+ 7)
    let features = test.features
    let budget = max(1, Int(Double(population.count) * options.budgetShare))
    let campaign = try Campaign(
      target: .category("\(options.world.targetCategory)"), offer: .discount(options.world.discount),
      limit: .audience(budget))
    let targeter = CampaignTargeter(campaign: campaign)
    let ids = population.map(\.id)
    let values = population.map(\.value)

    // The truth, for profit.
    let truth = try targeter.score(
      customers: ids,
      predictions: population.map { UpliftPrediction(treated: $0.purchaseIfTreated, control: $0.purchaseIfControl) },
      values: values)
    let trueProfit = Dictionary(uniqueKeysWithValues: truth.map { ($0.customer, $0.expectedIncrementalProfit) })

    func evaluate(_ name: String, score: [Double], targeted: [String]) -> CampaignStrategyResult {
      CampaignStrategyResult(
        name: name,
        qini: UpliftMetrics.qiniAUCScore(outcomes: test.converted, scores: score, treatment: test.treated),
        auuc: UpliftMetrics.upliftAUCScore(outcomes: test.converted, scores: score, treatment: test.treated),
        upliftAtK: UpliftMetrics.upliftAtK(
          outcomes: test.converted, scores: score, treatment: test.treated, k: options.k),
        profitAtBudget: targeted.reduce(0) { $0 + (trueProfit[$1] ?? 0) }, targeted: targeted.count)
    }
    func top(_ score: [Double]) -> [String] {
      UpliftMetrics.descendingOrder(score).prefix(budget).map { ids[$0] }
    }

    var results: [CampaignStrategyResult] = []
    var rng = SplitMix64(seed: seed ^ 0x4A4D)
    let random = population.map { _ in rng.nextUnit() }
    results.append(evaluate("random", score: random, targeted: top(random)))

    var propensity = ProbabilityClassifier(configuration: options.model)
    try propensity.fit(features: log.features, width: log.width, labels: log.converted, name: "propensity")
    let buy = try propensity.predict(features)
    results.append(evaluate("propensity", score: buy, targeted: top(buy)))

    let clv = try valueEstimator.expectedValues(population.map(\.history))
    results.append(evaluate("clv", score: clv, targeted: top(clv)))

    for kind in [UpliftLearnerKind.twoModel, .classTransformation] {
      var learner = kind.make(configuration: options.model)
      try learner.fit(log)
      let predictions = try learner.predict(features)
      let audience = targeter.audience(
        from: try targeter.score(customers: ids, predictions: predictions, values: values))
      results.append(
        evaluate(kind.rawValue, score: predictions.map(\.uplift), targeted: audience.customers.map(\.customer)))
    }

    let oracle = targeter.audience(from: truth)
    results.append(
      evaluate("oracle", score: population.map(\.trueUplift), targeted: oracle.customers.map(\.customer)))
    var segments: [String: Int] = [:]
    for customer in population { segments[customer.segment.rawValue, default: 0] += 1 }
    return CampaignSeedResult(seed: seed, strategies: results, segments: segments)
  }
}
