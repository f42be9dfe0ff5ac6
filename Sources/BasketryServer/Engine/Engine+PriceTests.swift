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
}

extension Engine {
  /// The note every price-test answer carries.
  static let samePriceNote =
    "Prices are the same for every shopper: a session is randomised to a level by a hash of its id, never priced by who the shopper is."

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
  /// control), randomised by session.
  /// - Throws: ``APIError`` 400 naming the field: `item` (unknown or unpriced), `levels` / `levels[i]` (below the
  ///   floor, beyond the step, too many), `level_count`, `profit_at_risk_budget`; 409 when the id exists.
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
      elasticityStandardError: advice.response.standardError)
    let id = request.id ?? "pt-" + UUID().uuidString.lowercased().prefix(8)
    let experiment = Experiment(
      id: id, name: "price of \(request.item)", variants: variants, start: request.start, end: request.end,
      createdAt: Self.now(), priceTest: settings)
    try await createExperiment(experiment)
    return experiment
  }

  /// The price a session sees for a running price test, logged as an impression so that purchases carrying
  /// its recommendation id are attributed to the level.
  /// - Returns: nil for an unknown experiment or one that is not a price test.
  /// - Throws: ``APIError`` 409 when the test is not running; store errors.
  public func priceAssignment(test id: String, session: String) async throws -> PriceAssignment? {
    let experiments = state.withLock { $0.experiments }
    guard let experiment = try await experimentNamed(id, among: experiments), let settings = experiment.priceTest
    else { return nil }
    let now = Self.now()
    guard experiment.isActive(at: now) else {
      throw APIError(
        status: .conflict, code: "experiment_not_running", message: "price test '\(id)' is not running", field: "id")
    }
    let index =
      VariantAssigner.assign(unit: session, experiment: experiment.id, weights: experiment.variants.map(\.weight)) ?? 0
    let variant = experiment.variants[index]
    let price = variant.price ?? settings.currentPrice
    let recommendationID = state.withLock { state -> String in
      let sequence = state.reserveRecent(1)
      var ids = RecommendationIDs(seed: state.idSeeds.next())
      let id = ids.next(sequence: sequence)
      state.remember(
        Impression(
          recommendationID: id, experimentID: experiment.id, variant: variant.name, user: session, session: session,
          kind: "price", key: settings.item, arm: index, discount: 1 - price / settings.currentPrice, price: price,
          margin: price - settings.cost, propensity: 1 / Double(experiment.variants.count), timestamp: now),
        sequence: sequence)
      return id
    }
    return PriceAssignment(
      test: experiment.id, item: settings.item, variant: variant.name, price: price, recommendationId: recommendationID)
  }

  /// A price test's levels, the posterior-best level and the profit at risk.
  /// - Returns: nil for an unknown experiment or one that is not a price test.
  /// - Complexity: the store's tallies, plus O(levels³ + draws · levels²) for the posterior.
  public func priceTestReport(id: String) async throws -> PriceTestReport? {
    guard let experiment = try await store.experiment(id: id), let settings = experiment.priceTest else { return nil }
    await flush()
    let tallies = Dictionary(
      try await store.tallies(experiment: id).map { ($0.variant, $0) }, uniquingKeysWith: { first, _ in first })
    let prices = experiment.variants.map { $0.price ?? settings.currentPrice }
    var observed: [(variant: String, sessions: Int, units: Double, revenue: Double)] = []
    for (variant, price) in zip(experiment.variants, prices) {
      let tally = tallies[variant.name] ?? VariantTally(variant: variant.name)
      let revenue = tally.orderValues.reduce(0, +)
      observed.append((variant.name, tally.sessions, price > 0 ? revenue / price : 0, revenue))
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
    for (entry, price) in zip(observed, prices) {
      if let k = test.levels.firstIndex(where: { abs($0 - price) < 0.005 }) {
        test.record(level: k, sessions: Double(entry.sessions), units: entry.units)
      }
    }
    var rng = SplitMix64(seed: UInt64(VariantAssigner.unitInterval(unit: id, salt: "price-test") * 0x1p53))
    let posterior = test.refresh(using: &rng)
    let means = posterior.meanProfits
    let best = posterior.probabilityBest(draws: 2000, using: &rng)
    let below = posterior.probabilityBelow(level: test.currentIndex, draws: 2000, using: &rng)
    var levels: [PriceTestLevelReport] = []
    for (entry, price) in zip(observed, prices) {
      guard let k = test.levels.firstIndex(where: { abs($0 - price) < 0.005 }) else { continue }
      levels.append(
        PriceTestLevelReport(
          variant: entry.variant, price: price, isCurrent: k == test.currentIndex, sessions: entry.sessions,
          units: entry.units, revenue: entry.revenue, profit: entry.units * (price - settings.cost),
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
      elasticity: response.elasticity, elasticityStandardError: response.standardError, note: Self.samePriceNote)
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
