import BasketryBundles
import BasketryModels
import BasketryTesting
import Testing

/// Targeting strategies on simulated customers whose individual campaign effects are known.
@Suite("Campaign world")
struct CampaignWorldTests {
  /// Five seeds of 6,000 logged and 6,000 fresh customers, models with 8 epochs (fast in debug builds);
  /// `BASKETRY_SLOW_TESTS=1` runs the command's default 20,000 and 10 epochs.
  static let results: Result<[CampaignSeedResult], any Error> = Result {
    var options =
      TestSupport.slowTestsEnabled
      ? CampaignSimulationOptions() : CampaignSimulationOptions(logCustomers: 6_000, populationCustomers: 6_000)
    if !TestSupport.slowTestsEnabled { options.model.training.epochs = 8 }
    return try CampaignSimulator.run(options: options)
  }

  static func strategy(_ name: String, in result: CampaignSeedResult) throws -> CampaignStrategyResult {
    try #require(result.strategies.first { $0.name == name })
  }

  /// Whether `a` ranks better than `b` by the Qini coefficient.
  static func beats(_ a: String, _ b: String, in result: CampaignSeedResult) throws -> Bool {
    try strategy(a, in: result).qini > strategy(b, in: result).qini
  }

  @Test func upliftTargetingBeatsPropensityAndRandomOnEverySeed() throws {
    let results = try Self.results.get()
    #expect(results.count == 5)
    for result in results {
      for uplift in ["t-learner", "class-transformation"] {
        let overPropensity = try Self.beats(uplift, "propensity", in: result)
        let overRandom = try Self.beats(uplift, "random", in: result)
        #expect(overPropensity, "seed \(result.seed): \(uplift) vs propensity")
        #expect(overRandom, "seed \(result.seed): \(uplift) vs random")
      }
      // Profit at the budget: the uplift targeter earns, propensity targeting pays sure things and wakes
      // sleeping dogs, and no strategy beats the oracle.
      let oracle = try Self.strategy("oracle", in: result).profitAtBudget
      let tLearner = try Self.strategy("t-learner", in: result).profitAtBudget
      let propensity = try Self.strategy("propensity", in: result).profitAtBudget
      #expect(tLearner > 0 && tLearner > propensity, "seed \(result.seed): \(tLearner) vs \(propensity)")
      for s in result.strategies { #expect(s.profitAtBudget <= oracle + 1e-9, "seed \(result.seed): \(s.name)") }
      #expect(result.segments.count == CampaignCustomer.Segment.allCases.count)
    }
  }

  /// The comparison can fail: with the roles swapped it must not hold.
  @Test func propensityDoesNotBeatUplift() throws {
    for result in try Self.results.get() {
      let propensityWins = try Self.beats("propensity", "t-learner", in: result)
      #expect(!propensityWins, "seed \(result.seed)")
    }
  }

  @Test func customersAreSeededAndEffectsMatchSegments() throws {
    let world = try CampaignWorld.synthetic(seed: 3)
    let a = world.customers(count: 500, seed: 9)
    #expect(a == world.customers(count: 500, seed: 9))
    #expect(a != world.customers(count: 500, seed: 10))
    for customer in a {
      #expect(customer.features.count == CampaignWorld.featureNames.count)
      #expect((0...1).contains(customer.purchaseIfControl) && (0...1).contains(customer.purchaseIfTreated))
      switch customer.segment {
      case .sleepingDog: #expect(customer.trueUplift < 0)
      case .persuadable: #expect(customer.trueUplift >= 0.05)
      case .sureThing: #expect(customer.purchaseIfControl >= 0.3 && customer.trueUplift < 0.05)
      case .lostCause: #expect(customer.purchaseIfControl < 0.3 && customer.trueUplift < 0.05)
      }
    }
    let log = world.randomisedLog(a, seed: 1)
    let share = Double(log.treated.filter { $0 }.count) / Double(log.count)
    #expect(abs(share - 0.5) < 0.1)
  }

  @Test func worldRejectsAMissingTargetCategory() {
    #expect(throws: SimulationError.self) {
      try CampaignWorld.synthetic(seed: 1, options: CampaignWorldOptions(categories: 3, targetCategory: 5))
    }
  }
}
