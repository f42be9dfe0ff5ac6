import BasketryBundles
import BasketryCore
import BasketryOnline
import BasketryStore
import BasketryTraining
import Foundation
import HTTPTypes

/// A request to start a price test (POST /v1/price-tests).
public struct PriceTestRequest: Sendable, Hashable {
  /// Experiment id (generated when nil).
  public var id: String?
  /// The item whose price is tested.
  public var item: String
  /// Prices to test, or nil for levels from the guardrails (``ItemPriceTest/automaticLevels(currentPrice:advisedPrice:lowest:highest:count:)``).
  public var levels: [Double]?
  /// Levels generated when ``levels`` is nil. Default 5.
  public var levelCount: Int
  /// The most expected profit the test may give up against the current price (nil: no budget).
  public var profitAtRiskBudget: Double?
  /// Unix seconds when it starts.
  public var start: Int64
  /// Unix seconds when it ends (nil: open-ended).
  public var end: Int64?
  /// How new sessions are assigned to levels. Default ``Policy/thompson``.
  public var policy: Policy = .thompson

  /// How a price test assigns sessions to levels.
  public enum Policy: String, Sendable, Hashable, Codable {
    /// Each new session's level is drawn by Thompson sampling from the test's posterior, among the levels
    /// still explored (``ItemPriceTest/choose(from:using:)``).
    case thompson
    /// Sessions are split evenly across levels by a hash of the session id.
    case uniform
  }
}

/// One level of a price test with what its sessions did.
public struct PriceTestLevelReport: Sendable, Hashable, Codable {
  /// The variant serving it.
  public var variant: String
  /// The price.
  public var price: Double
  /// Whether it is the price the test started from.
  public var isCurrent: Bool
  /// Distinct sessions shown it.
  public var sessions: Int
  /// Units bought with its recommendation ids (attributed revenue / price).
  public var units: Double
  /// Attributed revenue.
  public var revenue: Double
  /// units × (price − cost).
  public var profit: Double
  /// Posterior-mean profit per session.
  public var expectedProfitPerSession: Double
  /// Posterior probability that it earns the most per session.
  public var probabilityBest: Double
  /// Posterior probability that it earns less per session than the current price.
  public var probabilityBelowCurrent: Double
  /// Whether the profit-at-risk rule still lets it be explored.
  public var active: Bool
}

/// GET /v1/price-tests/{id}: a price test's levels and the posterior-best one.
public struct PriceTestReport: Sendable, Hashable, Codable {
  /// The experiment id.
  public var id: String
  /// The item.
  public var item: String
  /// Whether it is running.
  public var running: Bool
  /// The price it started from.
  public var currentPrice: Double
  /// Unit cost used.
  public var cost: Double
  /// Per level, ascending by price.
  public var levels: [PriceTestLevelReport]
  /// The level with the highest posterior-mean profit per session.
  public var posteriorBestPrice: Double
  /// Expected profit given up so far against the current price.
  public var profitAtRisk: Double
  /// The budget on it (nil: none).
  public var profitAtRiskBudget: Double?
  /// Whether the budget is used up (exploration of losing levels has stopped).
  public var budgetExhausted: Bool
  /// The elasticity with the test's observations folded in (``PriceResponse/updated(with:referencePrice:minDistinctPrices:)``).
  public var elasticity: Double
  /// Its standard error.
  public var elasticityStandardError: Double
  /// How sessions are assigned: `thompson` (drawn from the posterior) or `uniform` (by a hash).
  public var policy: String
  /// The pricing rule the test follows.
  public var note: String
}

/// GET /v1/price-tests/{id}/price: the price one session sees.
public struct PriceAssignment: Sendable, Hashable, Codable {
  /// The experiment id.
  public var test: String
  /// The item.
  public var item: String
  /// The variant the session falls in.
  public var variant: String
  /// The price to show; the same for every session in the variant.
  public var price: Double
  /// Id to send back with the purchase event, which attributes it to the level.
  public var recommendationId: String
  /// The probability that the assignment gave this level to a new session (1 for a session that keeps the
  /// level it got before); the same value is logged with the impression.
  public var propensity: Double
}

extension Engine {
  /// The note every price-test answer carries.
  static let samePriceNote =
    "Prices are the same for every shopper: a session is randomised to a level (drawn from the test's posterior, or by a hash of its id under the uniform policy) and keeps it, never priced by who the shopper is."

  // MARK: - Advice

  /// The price advice for an item: the served model's (trained on the order history), else the advisor's
  /// answer from the live catalogue's price and cost alone (no sales: not identifiable, the price kept).
  /// - Returns: nil for an item neither the model nor the catalogue knows, or without a price.
  /// - Complexity: O(1) for the model's advice; O(price · step · 100) from the catalogue.
  public func priceAdvice(item: String) -> ItemPriceAdvice? {
    let (model, entry) = state.withLock { ($0.model, $0.catalog[item]) }
    if var advice = model?.priceAdvice[item] {
      if let entry, let price = entry.price, price > 0, abs(price - advice.currentPrice) > 0.005 {
        // The catalogue's price moved since training: advise from it with the same estimate.
        advice = Self.adviseFromCatalogue(entry, price: price, response: advice.response, units: advice.unitsPerWeek)
      }
      return advice
    }
    guard let entry, !entry.hidden, let price = entry.price, price > 0, price.isFinite else { return nil }
    let response = PriceResponse(
      elasticity: PriceResponseOptions().priorElasticity, standardError: PriceResponseOptions().priorStandardError,
      source: .prior, notIdentifiable: NotIdentifiableReason(kind: .noPricedSales, observed: 0, required: 1))
    return Self.adviseFromCatalogue(entry, price: price, response: response, units: 0)
  }

  static func adviseFromCatalogue(
    _ entry: CatalogItem, price: Double, response: PriceResponse, units: Double
  ) -> ItemPriceAdvice {
    ItemPriceAdvisor.adviseItem(
      id: entry.id, title: entry.title ?? entry.id, price: price, catalogCost: entry.cost, stock: entry.stock,
      cap: nil, unitsPerWeek: units, response: response, options: PriceAdviceOptions())
  }

  // MARK: - Tests

  /// Starts a price test: an experiment with one variant per price level (the current price first, as the
  /// control); new sessions draw their level from the posterior (or by hash under the uniform policy).
  /// - Throws: ``APIError`` 400 naming the field: `item` (unknown or unpriced), `levels` / `levels[i]` (below the
  ///   floor, beyond the step, too many), `level_count`, `profit_at_risk_budget`, `policy`; 409 when the id exists.
  public func createPriceTest(_ request: PriceTestRequest) async throws -> Experiment {
    guard let advice = priceAdvice(item: request.item) else {
      throw APIError.badRequest(
        "unknown_item", "unknown item '\(request.item)', or it has no price in the model or catalogue", field: "item")
    }
    let guardrails = PriceAdviceOptions()
    let range = ItemPriceTest.admissibleRange(
      currentPrice: advice.currentPrice, cost: advice.cost, guardrails: guardrails, priceCap: advice.ceilingPrice)
    let levels =
      request.levels
      ?? ItemPriceTest.automaticLevels(
        currentPrice: advice.currentPrice, advisedPrice: advice.advisedPrice,
        lowest: max(range.lowest, advice.floorPrice),
        highest: range.highest, count: request.levelCount)
    let test: ItemPriceTest
    do {
      test = try ItemPriceTest(
        currentPrice: advice.currentPrice, cost: advice.cost, levels: levels,
        prior: PriceTestPrior(response: advice.response, baseRate: 0.01), guardrails: guardrails,
        priceCap: advice.ceilingPrice,
        options: PriceTestOptions(levelCount: request.levelCount, profitAtRiskBudget: request.profitAtRiskBudget))
    } catch let error as PriceTestError {
      throw APIError.badRequest("invalid_value", "\(error.field) \(error.value) \(error.message)", field: error.field)
    }
    // Scarce stock: the advisor never lowers the price, and neither does a test.
    if let index = levels.firstIndex(where: { $0 < advice.floorPrice - 0.005 }) {
      throw APIError.badRequest(
        "invalid_value", "levels[\(index)] \(levels[index]) is below \(advice.floorPrice): stock is scarce",
        field: "levels[\(index)]")
    }
    let current = test.currentIndex
    let order = [current] + test.levels.indices.filter { $0 != current }
    let variants = order.map { k in
      ExperimentVariant(
        name: String(format: "price-%.2f", test.levels[k]), weight: 1, policy: "price", price: test.levels[k])
    }
    let settings = PriceTestSettings(
      item: request.item, currentPrice: advice.currentPrice, cost: advice.cost,
      profitAtRiskBudget: request.profitAtRiskBudget, elasticity: advice.response.elasticity,
      elasticityStandardError: advice.response.standardError, policy: request.policy.rawValue)
    let id = request.id ?? "pt-" + UUID().uuidString.lowercased().prefix(8)
    let experiment = Experiment(
      id: id, name: "price of \(request.item)", variants: variants, start: request.start, end: request.end,
      createdAt: Self.now(), priceTest: settings)
    try await createExperiment(experiment)
    return experiment
  }

  /// The price a session sees for a running price test, logged as an impression (with the assignment's
  /// propensity) so that purchases carrying its recommendation id are attributed to the level.
  ///
  /// A session keeps the level it first got (``PriceTestAssignments``: at least the newest 50,000 and at most
  /// 100,000 sessions per test on this replica; an older session draws again). A new session's level is drawn by Thompson sampling from
  /// the test's posterior (``ItemPriceTest/choose(from:using:)``) among the levels still explored: levels the
  /// posterior retired or the spent profit-at-risk budget stopped are never served, and a session that had
  /// one draws again. The posterior is refitted from the store's tallies at most every
  /// ``priceTestRefreshSeconds`` seconds, and whenever the report is read. Under the uniform policy the level
  /// is a hash of the session id.
  /// - Parameters:
  ///   - id: the experiment id.
  ///   - session: the session id.
  /// - Returns: nil for an unknown experiment or one that is not a price test.
  /// - Throws: ``APIError`` 409 when the test is not running; store errors.
  /// - Complexity: O(1) for a known session; O(levels²) for a draw; a refit adds the store's tallies and
  ///   O(levels³ + draws · levels²).
  public func priceAssignment(test id: String, session: String) async throws -> PriceAssignment? {
    let experiments = state.withLock { $0.experiments }
    guard let experiment = try await experimentNamed(id, among: experiments), let settings = experiment.priceTest
    else { return nil }
    let now = Self.now()
    guard experiment.isActive(at: now) else {
      throw APIError(
        status: .conflict, code: "experiment_not_running", message: "price test '\(id)' is not running", field: "id")
    }
    let prices = experiment.variants.map { $0.price ?? settings.currentPrice }
    let index: Int
    let propensity: Double
    if settings.policy == PriceTestRequest.Policy.uniform.rawValue {
      index =
        VariantAssigner.assign(unit: session, experiment: experiment.id, weights: experiment.variants.map(\.weight))
        ?? 0
      propensity = 1 / Double(experiment.variants.count)
    } else {
      let stamp = Date().timeIntervalSince1970
      let fresh = state.withLock { state in
        state.priceTests[experiment.id].map { stamp - $0.refreshedAt < Self.priceTestRefreshSeconds } ?? false
      }
      if !fresh { _ = try await refreshPriceTest(experiment, settings: settings) }
      let choice = state.withLock { state -> (Int, Double)? in
        // Mutated in place: the sessions' map is never copied.
        var rng = state.rng
        defer { state.rng = rng }
        return state.priceTests[experiment.id]?.assign(session: session, prices: prices, rng: &rng)
      }
      (index, propensity) = choice ?? (0, 1)
    }
    let variant = experiment.variants[index]
    let price = prices[index]
    let recommendationID = state.withLock { state -> String in
      let sequence = state.reserveRecent(1)
      var ids = RecommendationIDs(seed: state.idSeeds.next())
      let id = ids.next(sequence: sequence)
      state.remember(
        Impression(
          recommendationID: id, experimentID: experiment.id, variant: variant.name, user: session, session: session,
          kind: "price", key: settings.item, arm: index, discount: 1 - price / settings.currentPrice, price: price,
          margin: price - settings.cost, propensity: propensity, timestamp: now),
        sequence: sequence)
      return id
    }
    return PriceAssignment(
      test: experiment.id, item: settings.item, variant: variant.name, price: price, recommendationId: recommendationID,
      propensity: propensity)
  }

  /// Seconds a price test's posterior is reused by ``priceAssignment(test:session:)`` before it is refitted
  /// from the store's tallies.
  static let priceTestRefreshSeconds = 10.0

  /// Refits a price test from the store's tallies: per-variant sessions, units (attributed revenue / price)
  /// and revenue, the posterior, and which levels are still explored; the result replaces the served state
  /// (keeping the sessions' assignments).
  /// - Returns: the observations per variant (in the experiment's order), the test and its posterior.
  /// - Throws: store errors; ``APIError`` 500 when the stored settings no longer make a test.
  /// - Complexity: the store's tallies, plus O(Newton steps · d³ + draws · d²), d = levels + 2.
  func refreshPriceTest(
    _ experiment: Experiment, settings: PriceTestSettings
  ) async throws -> (observed: [PriceTestObservedLevel], test: ItemPriceTest, posterior: PriceTestPosterior) {
    let id = experiment.id
    await flush()
    let tallies = Dictionary(
      try await store.tallies(experiment: id).map { ($0.variant, $0) }, uniquingKeysWith: { first, _ in first })
    let prices = experiment.variants.map { $0.price ?? settings.currentPrice }
    var observed: [PriceTestObservedLevel] = []
    for (variant, price) in zip(experiment.variants, prices) {
      let tally = tallies[variant.name] ?? VariantTally(variant: variant.name)
      let revenue = tally.orderValues.reduce(0, +)
      observed.append(
        PriceTestObservedLevel(
          variant: variant.name, price: price, sessions: tally.sessions, units: price > 0 ? revenue / price : 0,
          revenue: revenue))
    }
    let totalSessions = observed.reduce(0) { $0 + $1.sessions }
    let totalUnits = observed.reduce(0) { $0 + $1.units }
    let baseRate = totalSessions > 0 && totalUnits > 0 ? totalUnits / Double(totalSessions) : 0.01
    var test: ItemPriceTest
    do {
      test = try ItemPriceTest(
        currentPrice: settings.currentPrice, cost: settings.cost, levels: prices,
        prior: PriceTestPrior(
          baseRate: baseRate, elasticity: settings.elasticity, elasticitySE: max(settings.elasticityStandardError, 1e-3)
        ),
        guardrails: PriceAdviceOptions(maxStep: 0.99, minMargin: 0),
        options: PriceTestOptions(levelCount: 2, profitAtRiskBudget: settings.profitAtRiskBudget))
    } catch let error as PriceTestError {
      throw APIError(status: .internalServerError, code: "internal", message: "stored price test: \(error)")
    }
    for entry in observed {
      if let k = test.levels.firstIndex(where: { abs($0 - entry.price) < 0.005 }) {
        test.record(level: k, sessions: Double(entry.sessions), units: entry.units)
      }
    }
    var rng = SplitMix64(seed: UInt64(VariantAssigner.unitInterval(unit: id, salt: "price-test") * 0x1p53))
    let posterior = test.refresh(using: &rng)
    let serving = PriceTestServing(test: test, posterior: posterior, refreshedAt: Date().timeIntervalSince1970)
    state.withLock { state in
      if state.priceTests[id] == nil {
        state.priceTests[id] = serving
      } else {
        state.priceTests[id]?.replaceModel(with: serving)
      }
    }
    return (observed, test, posterior)
  }

  /// A price test's levels, the posterior-best level and the profit at risk. Reading it refits the posterior
  /// that assigns new sessions.
  /// - Returns: nil for an unknown experiment or one that is not a price test.
  /// - Complexity: the store's tallies, plus O(levels³ + draws · levels²) for the posterior.
  public func priceTestReport(id: String) async throws -> PriceTestReport? {
    guard let experiment = try await store.experiment(id: id), let settings = experiment.priceTest else { return nil }
    let (observed, test, posterior) = try await refreshPriceTest(experiment, settings: settings)
    var rng = SplitMix64(seed: UInt64(VariantAssigner.unitInterval(unit: id, salt: "price-report") * 0x1p53))
    let means = posterior.meanProfits
    let best = posterior.probabilityBest(draws: 2000, using: &rng)
    let below = posterior.probabilityBelow(level: test.currentIndex, draws: 2000, using: &rng)
    var levels: [PriceTestLevelReport] = []
    for entry in observed {
      guard let k = test.levels.firstIndex(where: { abs($0 - entry.price) < 0.005 }) else { continue }
      levels.append(
        PriceTestLevelReport(
          variant: entry.variant, price: entry.price, isCurrent: k == test.currentIndex, sessions: entry.sessions,
          units: entry.units, revenue: entry.revenue, profit: entry.units * (entry.price - settings.cost),
          expectedProfitPerSession: means[k], probabilityBest: best[k],
          probabilityBelowCurrent: k == test.currentIndex ? 0 : below[k], active: test.active[k]))
    }
    levels.sort { $0.price < $1.price }
    let bestIndex = means.indices.max { means[$0] < means[$1] } ?? test.currentIndex
    let response = PriceResponse(
      elasticity: settings.elasticity, standardError: max(settings.elasticityStandardError, 1e-3), source: .item
    ).updated(with: test.observations, referencePrice: settings.currentPrice)
    return PriceTestReport(
      id: experiment.id, item: settings.item, running: experiment.isActive(at: Self.now()),
      currentPrice: settings.currentPrice, cost: settings.cost, levels: levels,
      posteriorBestPrice: test.levels[bestIndex], profitAtRisk: test.profitAtRisk(),
      profitAtRiskBudget: settings.profitAtRiskBudget, budgetExhausted: test.budgetExhausted,
      elasticity: response.elasticity, elasticityStandardError: response.standardError,
      policy: settings.policy ?? PriceTestRequest.Policy.thompson.rawValue, note: Self.samePriceNote)
  }
}

/// What one level of a price test saw, from the store's tallies.
struct PriceTestObservedLevel: Sendable {
  var variant: String
  var price: Double
  var sessions: Int
  var units: Double
  var revenue: Double
}

/// The served state of one adaptive price test on this replica: the test as last refitted, its posterior, the
/// probability each level is drawn, and the sessions' levels.
struct PriceTestServing: Sendable {
  /// Sessions remembered per generation; at most 2 × this are kept.
  static let sessionsPerGeneration = 50_000
  /// Posterior draws behind the propensities.
  static let propensityDraws = 512

  var test: ItemPriceTest
  var posterior: PriceTestPosterior
  /// Unix seconds of the refit.
  var refreshedAt: Double
  /// P(level k is drawn) under Thompson sampling among the active levels, by Monte Carlo.
  var propensities: [Double]
  /// The sessions' levels: the newest generation and the one before (bounded, see ``sessionsPerGeneration``).
  var assignments = PriceTestAssignments(capacity: sessionsPerGeneration)

  /// Creates the state from a refitted test.
  /// - Complexity: O(``propensityDraws`` · d²).
  init(test: ItemPriceTest, posterior: PriceTestPosterior, refreshedAt: Double) {
    self.test = test
    self.posterior = posterior
    self.refreshedAt = refreshedAt
    var rng = SplitMix64(seed: UInt64(bitPattern: Int64(refreshedAt * 1000)) ^ 0x5052_4943_4554_4553)
    var counts = [Double](repeating: 0, count: test.levels.count)
    for _ in 0..<Self.propensityDraws { counts[test.choose(from: posterior, using: &rng)] += 1 }
    // Every active level keeps a chance of at least one draw in the estimate, so no logged propensity is 0.
    let floor = 1 / Double(Self.propensityDraws + test.levels.count)
    propensities = counts.indices.map { k in
      test.active[k] ? max(counts[k] / Double(Self.propensityDraws), floor) : 0
    }
  }

  /// Takes a refitted model, keeping the sessions' assignments.
  mutating func replaceModel(with fresh: PriceTestServing) {
    let kept = assignments
    self = fresh
    assignments = kept
  }

  /// The variant a session sees and the probability it was drawn: its remembered level while that level is
  /// still explored, else a Thompson draw among the active levels (remembered).
  /// - Parameters:
  ///   - session: the session id.
  ///   - prices: the variants' prices, in the experiment's order.
  ///   - rng: the random source.
  /// - Returns: the variant index and its propensity (1 for a remembered level).
  /// - Complexity: O(1) for a remembered session, else O(d²).
  mutating func assign(session: String, prices: [Double], rng: inout SplitMix64) -> (Int, Double) {
    if let variant = assignments[session], prices.indices.contains(variant),
      let k = level(of: prices[variant]), test.active[k]
    {
      return (variant, 1)
    }
    let k = test.choose(from: posterior, using: &rng)
    let variant = prices.firstIndex { abs($0 - test.levels[k]) < 0.005 } ?? 0
    assignments[session] = variant
    return (variant, propensities.indices.contains(k) ? propensities[k] : 1)
  }

  /// The index into the test's levels of a price.
  func level(of price: Double) -> Int? { test.levels.firstIndex { abs($0 - price) < 0.005 } }
}

/// A bounded session → variant map: two generations of at most `capacity` sessions each; when the newest is
/// full it becomes the older one and the previous older one is forgotten.
struct PriceTestAssignments: Sendable {
  let capacity: Int
  private var newest: [String: Int] = [:]
  private var older: [String: Int] = [:]

  /// Creates an empty map.
  init(capacity: Int) { self.capacity = max(capacity, 1) }

  /// Sessions remembered (at most 2 × capacity).
  var count: Int { newest.count + older.count }

  /// A session's variant.
  /// - Complexity: O(1) amortised.
  subscript(session: String) -> Int? {
    get { newest[session] ?? older[session] }
    set {
      if newest.count >= capacity && newest[session] == nil {
        older = newest
        newest = [:]
      }
      newest[session] = newValue
    }
  }
}

/// GET /v1/items/{id}/price-advice: the advice with the one-price note.
public struct PriceAdviceResponse: Sendable, Hashable, Codable {
  /// The advisor's output (current and advised price, floor, ceiling, expected changes with intervals,
  /// confidence, and the reason, which starts "not identifiable" when the history cannot measure the response).
  public var advice: ItemPriceAdvice
  /// Prices are the same for every shopper.
  public var note: String
}
