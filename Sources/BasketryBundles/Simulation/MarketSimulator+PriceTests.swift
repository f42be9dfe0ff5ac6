import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Settings of ``MarketSimulator/simulatePriceTests(seed:adviceOptions:options:)``.
///
/// Defaults: 2,000,000 sessions, the posterior refreshed after batches of max(1,000, 5 % of the sessions
/// so far) (a shop refreshing hourly, then daily), each batch's sessions allocated by up to 256 posterior
/// draws, and ``PriceTestOptions``'s defaults.
public struct PriceTestSimulationOptions: Sendable, Hashable {
  /// Sessions simulated; every session sees every item of the world. Default 2,000,000.
  public var sessions: Int
  /// Smallest batch between posterior refreshes. Default 1,000.
  public var firstBatch: Int
  /// Batch size as a share of the sessions so far, when larger than ``firstBatch``. Default 0.05.
  public var batchGrowth: Double
  /// Largest number of posterior draws that allocate one batch's sessions. Default 256.
  public var drawsPerBatch: Int
  /// The tests' settings.
  public var test: PriceTestOptions

  /// Creates options with the documented defaults.
  public init(
    sessions: Int = 2_000_000, firstBatch: Int = 1000, batchGrowth: Double = 0.05, drawsPerBatch: Int = 256,
    test: PriceTestOptions = PriceTestOptions()
  ) {
    self.sessions = sessions
    self.firstBatch = firstBatch
    self.batchGrowth = batchGrowth
    self.drawsPerBatch = drawsPerBatch
    self.test = test
  }
}

/// The state of simulated price tests after a number of sessions, summed over items.
public struct PriceTestCheckpoint: Sendable, Hashable, Codable {
  /// Sessions so far.
  public var sessions: Int
  /// True expected profit change per 1,000 sessions of the levels shown in the last batch, against the
  /// current prices.
  public var policyUplift: Double
  /// policyUplift / the oracle's uplift.
  public var oracleShare: Double
  /// Cumulative expected regret against each item's best level: Σ sessions · (π(best level) − π(shown)).
  public var regret: Double
  /// Cumulative expected profit change against the current prices.
  public var cumulativeUplift: Double

  private enum CodingKeys: String, CodingKey {
    case sessions, regret
    case policyUplift = "policy_uplift"
    case oracleShare = "oracle_share"
    case cumulativeUplift = "cumulative_uplift"
  }
}

/// What online price tests earned in the simulated world against the oracle.
public struct PriceTestSimulation: Sendable, Hashable {
  /// The oracle's uplift per 1,000 sessions: each item's true profit-maximising price to the cent within the
  /// guardrails (the same oracle as ``PriceAdviceEvaluation``).
  public var oracleUplift: Double
  /// The uplift per 1,000 sessions of each item's best tested level.
  public var bestLevelUplift: Double
  /// The uplift per 1,000 sessions of the passive advice (the tests' starting point).
  public var adviceUplift: Double
  /// Checkpoints after every batch.
  public var checkpoints: [PriceTestCheckpoint]
  /// The first checkpoint's sessions whose policy uplift reaches 90 % of the oracle's and stays there, if any.
  public var sessionsTo90: Int?
  /// Slope of log regret on log sessions over the checkpoints from 1 % of the horizon on (1 is linear).
  public var regretExponent: Double
  /// Posterior draws that chose a level (each checked against the guardrails).
  public var draws: Int
  /// Draws that chose a price below the margin floor or beyond the maximum step (must be 0).
  public var guardrailViolations: Int
  /// The tests at the end, by world item.
  public var tests: [ItemPriceTest]

  /// Regret at the horizon over regret at a quarter of it (4 for linear growth).
  public var regretRatio: Double {
    guard let last = checkpoints.last,
      let quarter = checkpoints.last(where: { $0.sessions <= last.sessions / 4 }), quarter.regret > 0
    else { return .nan }
    return last.regret / quarter.regret
  }
}

extension MarketSimulator {
  /// Runs an online price test for every item of the world, starting from the advice on one seed's history.
  ///
  /// Each item's prior comes from the advice (``ItemPriceAdvisor``) on the simulated history: the estimated
  /// elasticity and its standard error, and the base rate (units per visit in the history). Its levels are
  /// ``ItemPriceTest/automaticLevels(currentPrice:advisedPrice:lowest:highest:count:)`` within the advice's
  /// guardrails, so the tests start from the passive advice. Every session sees every item, each priced by
  /// its own test; a visitor buys item i at price p with the world's true probability P(vᵢ > p), so the
  /// expected profit per session is πᵢ(p) = (p − c) P(vᵢ > p). Batches are simulated by allocating their
  /// sessions multinomially in proportion to the levels chosen by the posterior draws and drawing each
  /// level's units as Binomial(sessions, P(vᵢ > p)).
  /// - Parameters:
  ///   - seed: seeds the history and the tests.
  ///   - adviceOptions: the guardrails (step and margin floor) and the passive estimates' settings.
  ///   - options: the simulation's settings.
  /// - Throws: ``PriceAdviceError`` or ``PriceTestError`` for settings out of range.
  /// - Complexity: O(history) + O(items · batches · (Newton steps · d³ + draws · d²)), d = levels + 2.
  public func simulatePriceTests(
    seed: UInt64, adviceOptions: PriceAdviceOptions = PriceAdviceOptions(),
    options: PriceTestSimulationOptions = PriceTestSimulationOptions()
  ) throws -> PriceTestSimulation {
    try options.test.validate()
    let history = simulateHistory(seed: seed)
    let advice = try ItemPriceAdvisor.advise(dataset: history.dataset, options: adviceOptions)
    var byID: [String: ItemPriceAdvice] = [:]
    for entry in advice { byID[entry.item] = entry }
    let facts = ItemFacts(dataset: history.dataset)
    let visits = Double(max(history.visitsPerPeriod.reduce(0, +), 1))

    var schedule: [Int] = []
    var done = 0
    while done < options.sessions {
      let batch = min(max(options.firstBatch, Int(options.batchGrowth * Double(done))), options.sessions - done)
      schedule.append(batch)
      done += batch
    }
    var uplift = [Double](repeating: 0, count: schedule.count)
    var regret = [Double](repeating: 0, count: schedule.count)
    var cumulativeUplift = [Double](repeating: 0, count: schedule.count)
    var oracle = 0.0
    var bestLevels = 0.0
    var advised = 0.0
    var draws = 0
    var violations = 0
    var tests: [ItemPriceTest] = []

    for (index, item) in world.items.enumerated() {
      let valuation = item.valuation
      let list = valuation.price
      func profit(_ p: Double) -> Double { (p - valuation.cost) * valuation.purchaseProbability(at: p) }
      let base = profit(list)
      let range = ItemPriceTest.admissibleRange(
        currentPrice: list, cost: valuation.cost, guardrails: adviceOptions, priceCap: nil)
      var best = 0.0
      for candidate in ItemPriceAdvisor.candidates(lo: range.lowest, hi: range.highest, current: list, ending: .any) {
        best = max(best, profit(candidate) - base)
      }
      oracle += best * 1000
      let entry = byID[item.id]
      if let entry { advised += (profit(entry.advisedPrice) - base) * 1000 }
      let response =
        entry?.response ?? PriceResponse(elasticity: -1.5, standardError: 1, source: .prior)
      let rate = max(facts.units.indices.contains(index) ? facts.units[index] / visits : 0, 0.5 / visits)
      var test = try ItemPriceTest(
        currentPrice: list, cost: valuation.cost,
        levels: ItemPriceTest.automaticLevels(
          currentPrice: list, advisedPrice: entry?.advisedPrice, lowest: range.lowest, highest: range.highest,
          count: options.test.levelCount),
        prior: PriceTestPrior(response: response, baseRate: rate), guardrails: adviceOptions,
        options: options.test)
      let truth = test.levels.map(profit)
      let bestLevel = truth.max() ?? base
      bestLevels += (bestLevel - base) * 1000
      let floor = min(list, valuation.cost / (1 - adviceOptions.minMargin))
      var rng = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ 7)
      var total = 0.0
      var totalRegret = 0.0
      for (b, batch) in schedule.enumerated() {
        let posterior = test.refresh(using: &rng)
        let m = min(batch, max(options.drawsPerBatch, 1))
        var chosen = [Int](repeating: 0, count: test.levels.count)
        for _ in 0..<m {
          let k = test.choose(from: posterior, using: &rng)
          let price = test.levels[k]
          draws += 1
          if price < floor - 0.005 || abs(price / list - 1) > adviceOptions.maxStep + 1e-9 { violations += 1 }
          chosen[k] += 1
        }
        var remaining = batch
        var remainingDraws = m
        for k in test.levels.indices where chosen[k] > 0 {
          let n =
            remainingDraws == chosen[k]
            ? remaining : Self.binomial(remaining, Double(chosen[k]) / Double(remainingDraws), using: &rng)
          remaining -= n
          remainingDraws -= chosen[k]
          guard n > 0 else { continue }
          let p = valuation.purchaseProbability(at: test.levels[k])
          test.record(level: k, sessions: Double(n), units: Double(Self.binomial(n, p, using: &rng)))
          total += Double(n) * (truth[k] - base)
          totalRegret += Double(n) * (bestLevel - truth[k])
          uplift[b] += Double(n) * (truth[k] - base) / Double(batch) * 1000
        }
        regret[b] += totalRegret
        cumulativeUplift[b] += total
      }
      tests.append(test)
    }

    var checkpoints: [PriceTestCheckpoint] = []
    var sessions = 0
    for (b, batch) in schedule.enumerated() {
      sessions += batch
      checkpoints.append(
        PriceTestCheckpoint(
          sessions: sessions, policyUplift: uplift[b], oracleShare: oracle > 0 ? uplift[b] / oracle : 0,
          regret: regret[b], cumulativeUplift: cumulativeUplift[b]))
    }
    var sessionsTo90: Int?
    for checkpoint in checkpoints.reversed() {
      guard checkpoint.oracleShare >= 0.9 else { break }
      sessionsTo90 = checkpoint.sessions
    }
    let fitted = checkpoints.filter { $0.sessions * 100 >= options.sessions && $0.regret > 0 }
    return PriceTestSimulation(
      oracleUplift: oracle, bestLevelUplift: bestLevels, adviceUplift: advised, checkpoints: checkpoints,
      sessionsTo90: sessionsTo90,
      regretExponent: Self.slope(fitted.map { (log(Double($0.sessions)), log($0.regret)) }), draws: draws,
      guardrailViolations: violations, tests: tests)
  }

  /// Least-squares slope of y on x (NaN with fewer than two distinct x).
  static func slope(_ points: [(Double, Double)]) -> Double {
    guard points.count >= 2 else { return .nan }
    let mx = points.reduce(0) { $0 + $1.0 } / Double(points.count)
    let my = points.reduce(0) { $0 + $1.1 } / Double(points.count)
    var sxx = 0.0
    var sxy = 0.0
    for (x, y) in points {
      sxx += (x - mx) * (x - mx)
      sxy += (x - mx) * (y - my)
    }
    return sxx > 0 ? sxy / sxx : .nan
  }

  /// A Binomial(n, p) draw: inversion when n p < 30 (expected O(n p) steps), else the normal approximation
  /// rounded and clamped to [0, n].
  static func binomial(_ n: Int, _ p: Double, using rng: inout SplitMix64) -> Int {
    guard n > 0, p > 0 else { return 0 }
    guard p < 1 else { return n }
    let mean = Double(n) * p
    if mean < 30 {
      let u = rng.nextUnit()
      var k = 0
      var pmf = exp(Double(n) * log1p(-p))
      var cdf = pmf
      let odds = p / (1 - p)
      while u > cdf && k < n {
        pmf *= Double(n - k) / Double(k + 1) * odds
        k += 1
        cdf += pmf
        if pmf < 1e-300 && Double(k) > mean { break }
      }
      return k
    }
    let draw = (mean + (mean * (1 - p)).squareRoot() * rng.nextGaussian()).rounded()
    return Int(min(max(draw, 0), Double(n)))
  }
}
