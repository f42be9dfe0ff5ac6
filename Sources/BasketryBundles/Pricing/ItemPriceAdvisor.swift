import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Guardrails and assumptions of ``ItemPriceAdvisor``.
///
/// Defaults: a price moves by at most 10 % per step, never below cost / (1 − 20 %), any price ending,
/// a 35 % margin where the cost is unknown, 95 % intervals, cross-effects on the 3 strongest related items,
/// stock counted as excess beyond 26 weeks of sales and as scarce below 4, unsold stock after the
/// horizon worth half its cost, and item elasticities estimated with the trend control on and at least 8 weeks
/// with a sale (5 residual degrees of freedom after intercept, price and trend).
public struct PriceAdviceOptions: Sendable, Hashable, Codable {
  /// Endings an advised price may have.
  public enum PriceEnding: String, Sendable, Hashable, Codable, CaseIterable {
    /// Any price to the cent.
    case any
    /// x.99.
    case ninetyNine = "99"
    /// x.49 or x.99.
    case fortyNineOrNinetyNine = "49-99"
  }

  /// Largest relative change of a price in one step, as a fraction. Default 0.10.
  public var maxStep: Double
  /// Smallest margin rate (price − cost) / price an advised price may have: the floor is
  /// cost / (1 − minMargin). Default 0.20.
  public var minMargin: Double
  /// Margin rate assumed where an item's cost is unknown. Default 0.35.
  public var assumedMarginRate: Double
  /// Allowed price endings. Default ``PriceEnding/any``.
  public var priceEnding: PriceEnding
  /// Normal quantile of the reported intervals. Default 1.96 (95 %).
  public var intervalZ: Double
  /// Related items (complements and substitutes from ``PairScorer``) whose margin change counts in an
  /// item's profit; 0 turns cross-effects off. Default 3.
  public var maxRelatedItems: Int
  /// Stock covering more than this many weeks of current sales is excess: the advice then maximises the
  /// value of selling it over this horizon (``ItemPriceAdvisor``). Default 26.
  public var excessCoverWeeks: Double
  /// Stock covering fewer than this many weeks of current sales is scarce: the price is never lowered.
  /// Default 4.
  public var scarceCoverWeeks: Double
  /// Value of stock still unsold after the excess horizon, as a share of its cost. Default 0.5.
  public var salvageShare: Double
  /// How item price responses (and cross-price responses) are estimated. Default ``PriceResponseOptions`` with
  /// `detrend` on and `minObservations` 8.
  public var response: PriceResponseOptions

  /// Creates options with the documented defaults.
  public init(
    maxStep: Double = 0.10, minMargin: Double = 0.20, assumedMarginRate: Double = 0.35,
    priceEnding: PriceEnding = .any, intervalZ: Double = 1.96, maxRelatedItems: Int = 3,
    excessCoverWeeks: Double = 26, scarceCoverWeeks: Double = 4, salvageShare: Double = 0.5,
    response: PriceResponseOptions = PriceResponseOptions(minObservations: 8, detrend: true)
  ) {
    self.maxStep = maxStep
    self.minMargin = minMargin
    self.assumedMarginRate = assumedMarginRate
    self.priceEnding = priceEnding
    self.intervalZ = intervalZ
    self.maxRelatedItems = maxRelatedItems
    self.excessCoverWeeks = excessCoverWeeks
    self.scarceCoverWeeks = scarceCoverWeeks
    self.salvageShare = salvageShare
    self.response = response
  }

  /// Checks ranges.
  /// - Throws: ``PriceAdviceError`` naming the bad option.
  public func validate() throws {
    func fail(_ key: String, _ value: Double, _ rule: String) -> PriceAdviceError {
      PriceAdviceError(key: key, value: fixed(value, 4), message: rule)
    }
    if !(maxStep > 0 && maxStep < 1) { throw fail("max-step", maxStep, "must be in (0, 1)") }
    if !(minMargin >= 0 && minMargin < 1) { throw fail("min-margin", minMargin, "must be in [0, 1)") }
    if !(assumedMarginRate > 0 && assumedMarginRate < 1) {
      throw fail("assumed-margin", assumedMarginRate, "must be in (0, 1)")
    }
    if !(intervalZ > 0 && intervalZ.isFinite) { throw fail("interval-z", intervalZ, "must be positive") }
    if maxRelatedItems < 0 { throw fail("max-related", Double(maxRelatedItems), "must be ≥ 0") }
    if !(scarceCoverWeeks >= 0 && excessCoverWeeks > scarceCoverWeeks) {
      throw fail("excess-cover-weeks", excessCoverWeeks, "must exceed the scarce cover (\(fixed(scarceCoverWeeks, 1)))")
    }
    if !(salvageShare >= 0 && salvageShare <= 1) { throw fail("salvage-share", salvageShare, "must be in [0, 1]") }
  }
}

/// A price-advice setting out of range.
public struct PriceAdviceError: BasketryError {
  /// The option (as the command line spells it).
  public var key: String
  /// Its value.
  public var value: String
  /// The rule it breaks.
  public var message: String
  public var category: ErrorCategory { .invalidInput }
  /// Creates an error.
  public init(key: String, value: String, message: String) {
    self.key = key
    self.value = value
    self.message = message
  }
  public var description: String { "price advice: \(key) \(value) \(message)" }
}

/// A value with an interval.
public struct ValueInterval: Sendable, Hashable, Codable {
  /// Point estimate.
  public var estimate: Double
  /// Lower end.
  public var low: Double
  /// Upper end.
  public var high: Double

  /// Creates an interval (ends sorted).
  public init(estimate: Double, low: Double, high: Double) {
    self.estimate = estimate
    self.low = min(low, high)
    self.high = max(low, high)
  }

  /// A value known exactly.
  public static func exactly(_ value: Double) -> ValueInterval {
    ValueInterval(estimate: value, low: value, high: value)
  }
}

/// The advised price of one item and its expected effect.
public struct ItemPriceAdvice: Sendable, Hashable, Codable {
  /// What the advice does.
  public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
    /// Raise the price.
    case raise
    /// Lower the price for demand.
    case lower
    /// Lower the price to sell excess stock.
    case markdown
    /// Keep the price.
    case keep
  }

  /// How far to trust the advice.
  public enum Confidence: String, Sendable, Hashable, Codable {
    /// Identified; the profit interval lies above zero, the elasticity's standard error is ≤ 0.5 and demand
    /// is elastic (ε ≤ −1: an inelastic estimate from passive data is more often confounded).
    case high
    /// Identified; one of the two.
    case medium
    /// Identified; neither.
    case low
    /// Not identifiable: the price is kept.
    case none
  }

  /// The guardrail that stopped the price going further.
  public enum Guardrail: String, Sendable, Hashable, Codable {
    /// The maximum step.
    case maxStep = "max-step"
    /// The margin floor.
    case marginFloor = "margin-floor"
    /// The catalogue's price cap (MSRP or competitor price).
    case priceCap = "price-cap"
    /// Scarce stock: never lowered.
    case scarceStock = "scarce-stock"
  }

  /// External item id.
  public var item: String
  /// Display title.
  public var title: String
  /// The price now (the catalogue's, else the most common observed unit price).
  public var currentPrice: Double
  /// The advised price.
  public var advisedPrice: Double
  /// advisedPrice / currentPrice − 1.
  public var change: Double
  /// Unit cost used.
  public var cost: Double
  /// Whether the cost was assumed from ``PriceAdviceOptions/assumedMarginRate``.
  public var costAssumed: Bool
  /// Lowest admissible price: max(current × (1 − step), cost / (1 − minimum margin)), never above the current
  /// price.
  public var floorPrice: Double
  /// Highest admissible price: min(current × (1 + step), cap), never below the current price.
  public var ceilingPrice: Double
  /// What to do.
  public var action: Action
  /// The item's price response (elasticity, standard error, source, identification).
  public var response: PriceResponse
  /// Units sold per week now.
  public var unitsPerWeek: Double
  /// Expected change in units per week at the advised price.
  public var unitsChange: ValueInterval
  /// Expected change in revenue per week.
  public var revenueChange: ValueInterval
  /// Expected change in profit per week, related items included (with excess stock: the change in the value of
  /// selling the stock over the excess horizon, per week, the stock's cost being already paid).
  public var profitChange: ValueInterval
  /// The part of ``profitChange`` from related items' margins.
  public var relatedProfitChange: Double
  /// Related items counted, with their measured response to this item's price.
  public var related: [RelatedEffect]
  /// Units in stock, when known.
  public var stock: Int?
  /// Weeks the stock lasts at current sales.
  public var weeksOfStock: Double?
  /// When the stock is expected to sell out at the advised price (Unix seconds), when stock is known.
  public var sellThroughTime: Int64?
  /// The guardrail reached, if any.
  public var guardrail: Guardrail?
  /// How far to trust it.
  public var confidence: Confidence
  /// Why, in plain words.
  public var reason: String

  private enum CodingKeys: String, CodingKey {
    case item, title, change, cost, action, response, stock, guardrail, confidence, reason, related
    case currentPrice = "current_price"
    case advisedPrice = "advised_price"
    case costAssumed = "cost_assumed"
    case floorPrice = "floor_price"
    case ceilingPrice = "ceiling_price"
    case unitsPerWeek = "units_per_week"
    case unitsChange = "units_change"
    case revenueChange = "revenue_change"
    case profitChange = "profit_change"
    case relatedProfitChange = "related_profit_change"
    case weeksOfStock = "weeks_of_stock"
    case sellThroughTime = "sell_through_time"
  }
}

/// How an item's price moves a related item's sales.
public struct RelatedEffect: Sendable, Hashable, Codable {
  /// External id of the related item.
  public var item: String
  /// Complement or substitute (``PairScorer``).
  public var relation: PairRelation
  /// The related item's incidence response to this item's price.
  public var crossResponse: CrossPriceResponse
  /// The related item's margin a week now: units a week × (price − cost).
  public var weeklyMargin: Double

  /// Creates an effect.
  public init(item: String, relation: PairRelation, crossResponse: CrossPriceResponse, weeklyMargin: Double) {
    self.item = item
    self.relation = relation
    self.crossResponse = crossResponse
    self.weeklyMargin = weeklyMargin
  }

  /// The cross elasticity used: the shrunk estimate with the sign the relation implies (≤ 0 for a
  /// complement, ≥ 0 for a substitute, 0 when unrelated); an estimate of the other sign counts as noise.
  public var elasticityUsed: Double {
    switch relation {
    case .complement: min(crossResponse.elasticity, 0)
    case .substitute: max(crossResponse.elasticity, 0)
    case .unrelated: 0
    }
  }

  /// The related margin's change a week when this item's price goes from p₀ to p:
  /// weeklyMargin · ((p / p₀)^η − 1), η = ``elasticityUsed``.
  public func marginChange(priceRatio: Double) -> Double {
    weeklyMargin * (pow(priceRatio, elasticityUsed) - 1)
  }

  private enum CodingKeys: String, CodingKey {
    case item, relation
    case crossResponse = "cross_response"
    case weeklyMargin = "weekly_margin"
  }
}

/// Advises a price per item: the profit-maximising price within the shop's guardrails, from each item's
/// measured price response. Prices are the same for every shopper.
///
/// **Demand.** Units per week at price p: q(p) = q₀ · (p / p₀)^ε, with p₀ the current price, q₀ the
/// observed units per week (weeks with orders in the data) and ε the item's elasticity from
/// ``PriceResponseEstimator`` (weekly purchase incidence, trend-controlled, shrunk toward its category):
/// only items whose own history identifies ε get a new price; the others keep theirs with the reason.
///
/// **Objective.** Δπ(p, ε) = (p − c) q(p) − (p₀ − c) q₀ + Σ_j M_j ((p / p₀)^η_j − 1), where j runs over the
/// item's strongest related items (at most ``PriceAdviceOptions/maxRelatedItems`` complements or substitutes
/// by ``PairScorer`` score among its 20 most co-purchased), M_j is j's margin a week and η_j the measured
/// cross-price elasticity of j's weekly incidence to this item's price, with j's own price (and the trend)
/// controlled and the estimate shrunk toward 0 (``IncidenceSeries/crossElasticity(of:toPriceOf:detrend:minPeriods:priorVariance:)``)
/// and held to the sign of the relation (``RelatedEffect/elasticityUsed``).
/// The pair scorer chooses which pairs to measure; the data decide the size and sign of the effect, so
/// co-purchase from shared tastes alone (no causal link) adds nothing. Related items without enough common
/// weeks are left out; η's own uncertainty is not propagated into the intervals.
///
/// The advised price maximises E[Δπ(p, ε)] over ε ~ N(ε̂, SE²) (three-point Gauss–Hermite,
/// ``ElasticityScenarios/nodes``; ε capped at 0) over the cents, or the allowed endings, in [lo, hi]:
///
///     lo = max(p₀ (1 − step), min(p₀, c / (1 − minMargin)))     (= p₀ with scarce stock)
///     hi = min(p₀ (1 + step), max(p₀, cap))
///
/// so no advice moves a price by more than the step, lowers it below the margin floor, or raises it above
/// the catalogue's cap; a price already outside them is only moved toward them. Intervals evaluate the
/// same quantities at ε̂ ± z · SE (monotone in ε, so these are intervals of the same level).
///
/// **Stock.** With weeks of cover W = stock / q₀ above ``PriceAdviceOptions/excessCoverWeeks`` (H), the stock is
/// already paid for and the objective becomes the value of the next H weeks,
/// [p · min(S, H q(p)) + salvage · c · max(0, S − H q(p))] / H, minus the same at p₀ — a markdown when
/// lower prices clear more of it. Below ``PriceAdviceOptions/scarceCoverWeeks`` the price is never lowered.
///
/// **One price for everyone.** The advice is a shelf price, never a price per shopper: personalised
/// prices charge loyal customers more for the same item, break trust once noticed, and in several
/// jurisdictions need consent or disclosure; targeted discounts go through bundles and campaigns instead.
public enum ItemPriceAdvisor {
  /// Advice for every priced, visible item bought at least once.
  /// - Parameters:
  ///   - dataset: orders with unit prices and times; the catalogue's costs, stock and price caps when known.
  ///   - options: guardrails and assumptions.
  /// - Returns: one advice per item, most profit gained first (then by id).
  /// - Throws: ``PriceAdviceError`` for options out of range.
  /// - Complexity: O(lines + Σ over orders of size²) for the estimates and co-purchases, plus
  ///   O(items · candidates) for the search (candidates ≤ 2 · step · p₀ · 100 + 1).
  public static func advise(
    dataset: Dataset, options: PriceAdviceOptions = PriceAdviceOptions()
  ) throws
    -> [ItemPriceAdvice]
  {
    try options.validate()
    let baskets = dataset.baskets
    let catalog = dataset.catalog
    let model = PriceResponseEstimator.estimate(baskets: baskets, catalog: catalog, options: options.response)
    let facts = ItemFacts(dataset: dataset)
    let transactions = dataset.transactions()
    let scorer: PairScorer? =
      options.maxRelatedItems > 0 ? PairScorer(dataset: dataset, transactions: transactions) : nil
    let series: IncidenceSeries? =
      options.maxRelatedItems > 0 ? IncidenceSeries(baskets: baskets, itemCount: catalog.count) : nil
    var margins = [Double](repeating: 0, count: catalog.count)
    for item in 0..<catalog.count {
      if let price = facts.currentPrice(Int32(item), catalog: catalog) {
        margins[item] = price - (catalog[Int32(item)].cost ?? price * (1 - options.assumedMarginRate))
      }
    }
    var advice: [ItemPriceAdvice] = []
    for item in 0..<catalog.count where facts.lines[item] > 0 && !catalog[Int32(item)].hidden {
      let id = Int32(item)
      guard let price = facts.currentPrice(id, catalog: catalog) else { continue }
      var related: [RelatedEffect] = []
      if let scorer, let series, model[id].isIdentified {
        var effects: [(effect: RelatedEffect, strength: Double)] = []
        for (other, _) in scorer.coPurchased(with: id, limit: 20) {
          let score = scorer.score(id, other)
          let strength: Double
          switch score.relation {
          case .complement: strength = score.complementScore
          case .substitute: strength = score.substituteScore
          case .unrelated: continue
          }
          guard
            let cross = series.crossElasticity(
              of: other, toPriceOf: id, detrend: options.response.detrend,
              minPeriods: options.response.minObservations)
          else { continue }
          let weeklyMargin = facts.units[Int(other)] / facts.weeks * margins[Int(other)]
          effects.append(
            (
              RelatedEffect(
                item: catalog.externalID(other), relation: score.relation, crossResponse: cross,
                weeklyMargin: weeklyMargin), strength
            ))
        }
        effects.sort { $0.strength != $1.strength ? $0.strength > $1.strength : $0.effect.item < $1.effect.item }
        related = effects.prefix(options.maxRelatedItems).map(\.effect)
      }
      advice.append(
        adviseItem(
          id: catalog.externalID(id), title: catalog.displayName(id), price: price, catalogCost: catalog[id].cost,
          stock: catalog[id].stock, cap: catalog[id].priceCap, unitsPerWeek: facts.units[item] / facts.weeks,
          response: model[id], related: related, lastTime: facts.lastTime, options: options))
    }
    advice.sort {
      $0.profitChange.estimate != $1.profitChange.estimate
        ? $0.profitChange.estimate > $1.profitChange.estimate : $0.item < $1.item
    }
    return advice
  }

  /// The advice for one item from its facts (the search and the words; no data access).
  /// - Parameters:
  ///   - price: current price p₀ (> 0).
  ///   - catalogCost: the known unit cost, or nil to assume ``PriceAdviceOptions/assumedMarginRate``.
  ///   - stock: units in stock, when known.
  ///   - cap: the catalogue's price cap, when known.
  ///   - unitsPerWeek: q₀.
  ///   - response: the item's price response.
  ///   - related: related items whose margin change counts in the profit.
  ///   - lastTime: time of the last order (Unix seconds), the start of the sell-through clock.
  /// - Complexity: O(candidates).
  public static func adviseItem(
    id: String, title: String, price: Double, catalogCost: Double?, stock: Int?, cap: Double?,
    unitsPerWeek: Double, response: PriceResponse, related: [RelatedEffect] = [],
    lastTime: Int64? = nil, options: PriceAdviceOptions
  ) -> ItemPriceAdvice {
    let p0 = price
    let cost = catalogCost ?? p0 * (1 - options.assumedMarginRate)
    let q0 = max(unitsPerWeek, 0)
    let weeksOfStock = stock.map { q0 > 0 ? Double(max($0, 0)) / q0 : .infinity }
    let scarce = weeksOfStock.map { $0 < options.scarceCoverWeeks } ?? false
    let excess = weeksOfStock.map { $0 > options.excessCoverWeeks } ?? false
    let floor = cost / (1 - options.minMargin)
    let stepLow = p0 * (1 - options.maxStep)
    let stepHigh = p0 * (1 + options.maxStep)
    var lo = max(stepLow, min(p0, floor))
    if scarce { lo = p0 }
    let hi = min(stepHigh, max(p0, cap ?? .infinity))

    func units(_ p: Double, _ e: Double) -> Double { q0 * pow(p / p0, min(e, 0)) }
    func cross(_ p: Double) -> Double { related.reduce(0) { $0 + $1.marginChange(priceRatio: p / p0) } }
    let horizon = options.excessCoverWeeks
    let stockUnits = Double(max(stock ?? 0, 0))
    func value(_ p: Double, _ e: Double) -> Double {
      let q = units(p, e)
      if excess {
        let sold = min(stockUnits, horizon * q)
        return (p * sold + options.salvageShare * cost * (stockUnits - sold)) / horizon + cross(p)
      }
      return (p - cost) * q + cross(p)
    }
    func change(_ p: Double, _ e: Double) -> Double { value(p, e) - value(p0, e) }

    var advised = p0
    if response.isIdentified && q0 > 0 {
      var best = 0.0
      for candidate in candidates(lo: lo, hi: hi, current: p0, ending: options.priceEnding) {
        var expected = 0.0
        for node in ElasticityScenarios.nodes {
          expected += node.weight * change(candidate, response.elasticity + node.offset * response.standardError)
        }
        if expected > best + 1e-9 * max(1, abs(best)) {
          best = expected
          advised = candidate
        }
      }
    }
    let e = response.elasticity
    let eLow = e - options.intervalZ * response.standardError
    let eHigh = e + options.intervalZ * response.standardError
    func interval(_ f: (Double) -> Double) -> ValueInterval {
      let values = [f(eLow), f(eHigh)]
      return ValueInterval(estimate: f(e), low: values.min() ?? 0, high: values.max() ?? 0)
    }
    let unitsChange = interval { units(advised, $0) - q0 }
    let revenueChange = interval { advised * units(advised, $0) - p0 * q0 }
    let profitChange = interval { change(advised, $0) }
    let relatedChange = cross(advised)

    let action: ItemPriceAdvice.Action
    if advised > p0 + 1e-9 {
      action = .raise
    } else if advised < p0 - 1e-9 {
      action = excess ? .markdown : .lower
    } else {
      action = .keep
    }
    var guardrail: ItemPriceAdvice.Guardrail?
    if action == .keep && scarce && response.isIdentified {
      // Would a cut have paid without the stock rule?
      if change(max(stepLow, min(p0, floor)), e) > 0 { guardrail = .scarceStock }
    } else if action == .raise && advised >= hi - 0.005 {
      guardrail = hi < stepHigh - 1e-9 ? .priceCap : .maxStep
    } else if action == .lower || action == .markdown, advised <= lo + 0.005 {
      guardrail = lo > stepLow + 1e-9 ? .marginFloor : .maxStep
    }
    let confidence: ItemPriceAdvice.Confidence
    if !response.isIdentified {
      confidence = .none
    } else if action == .keep {
      confidence = response.standardError <= 0.5 ? .medium : .low
    } else {
      let positive = profitChange.low > 0
      let precise = response.standardError <= 0.5
      let both: ItemPriceAdvice.Confidence = e > -1 ? .medium : .high
      confidence = positive && precise ? both : (positive || precise ? .medium : .low)
    }
    let advisedUnits = units(advised, e)
    let sellThrough: Int64? =
      stock.flatMap { s -> Int64? in
        guard advisedUnits > 0, s > 0, let lastTime else { return nil }
        let seconds = Double(s) / advisedUnits * 604_800
        return seconds < 1e11 ? lastTime + Int64(seconds) : nil
      }
    var advice = ItemPriceAdvice(
      item: id, title: title, currentPrice: p0, advisedPrice: advised, change: advised / p0 - 1, cost: cost,
      costAssumed: catalogCost == nil, floorPrice: lo, ceilingPrice: hi, action: action, response: response,
      unitsPerWeek: q0, unitsChange: unitsChange, revenueChange: revenueChange, profitChange: profitChange,
      relatedProfitChange: relatedChange, related: related, stock: stock, weeksOfStock: weeksOfStock,
      sellThroughTime: sellThrough, guardrail: guardrail, confidence: confidence, reason: "")
    advice.reason = reason(advice, scarce: scarce, excess: excess, options: options)
    return advice
  }

  // MARK: - Candidates

  /// Prices to try: the current price and every cent (or allowed ending) in [lo, hi].
  /// - Complexity: O((hi − lo) · 100).
  static func candidates(lo: Double, hi: Double, current: Double, ending: PriceAdviceOptions.PriceEnding) -> [Double] {
    var result = [current]
    let first = Int((lo * 100 - 1e-6).rounded(.up))
    let last = Int((hi * 100 + 1e-6).rounded(.down))
    guard first <= last else { return result }
    // Cents in range; at most 2,001 evenly spaced ones for very dear items.
    let stride = max(1, (last - first) / 2000)
    var cents = first
    while cents <= last {
      let remainder = cents % 100
      let allowed: Bool
      switch ending {
      case .any: allowed = true
      case .ninetyNine: allowed = remainder == 99
      case .fortyNineOrNinetyNine: allowed = remainder == 99 || remainder == 49
      }
      if allowed { result.append(Double(cents) / 100) }
      cents += ending == .any ? stride : 1
    }
    return result
  }

  // MARK: - Words

  static func reason(
    _ advice: ItemPriceAdvice, scarce: Bool, excess: Bool, options: PriceAdviceOptions
  ) -> String {
    let response = advice.response
    var text: String
    if let why = response.notIdentifiable, !response.isIdentified {
      text = "not identifiable: \(why.description); the price is kept"
    } else if advice.unitsPerWeek <= 0 {
      text = "no recent sales to measure; the price is kept"
    } else {
      let e = response.elasticity
      text = "a 1 % higher price changes units by \(fixed(e, 1)) % (±\(fixed(response.standardError, 1)), "
      text += "own prices over \(response.observations) weeks"
      if response.ownWeight < 0.999 {
        text += ", \(fixed((1 - response.ownWeight) * 100, 0)) % pooled with its category"
      }
      text += ")"
      if e > -1 {
        text += ", inelastic, which passive data often overstate (prices cut when demand is weak)"
      }
      switch advice.action {
      case .keep: text += "; the current price is the most profitable within the guardrails"
      case .raise, .lower, .markdown:
        let verb = advice.action == .raise ? "raising" : (advice.action == .markdown ? "marking down" : "lowering")
        text += "; \(verb) it \(fixed(abs(advice.change) * 100, 1)) % to \(fixed(advice.advisedPrice, 2)) "
        text += "changes profit by \(signed(advice.profitChange.estimate)) a week "
        text += "(\(signed(advice.profitChange.low)) to \(signed(advice.profitChange.high)))"
        if abs(advice.relatedProfitChange) >= 0.005 {
          text += ", of which \(signed(advice.relatedProfitChange)) on related items"
        }
      }
      if let guardrail = advice.guardrail {
        switch guardrail {
        case .maxStep: text += "; held to the \(fixed(options.maxStep * 100, 0)) % step"
        case .marginFloor: text += "; held at the \(fixed(options.minMargin * 100, 0)) % margin floor"
        case .priceCap: text += "; held at the catalogue's price cap"
        case .scarceStock: text += "; a cut would pay, but stock is scarce"
        }
      }
    }
    if let weeks = advice.weeksOfStock {
      if excess {
        text += "; \(weeks.isFinite ? fixed(weeks, 0) : "∞") weeks of stock at current sales (excess)"
      } else if scarce {
        text += "; only \(fixed(weeks, 1)) weeks of stock: never discounted"
      }
    }
    return text
  }

  private static func signed(_ value: Double) -> String { (value >= 0 ? "+" : "") + fixed(value, 2) }
}

/// Per-item sales facts the advisor needs: units, order lines, the most common price, weeks of data.
struct ItemFacts {
  var units: [Double]
  var lines: [Int]
  var quantitySum: [Double]
  var modePrice: [Double?]
  var weeks: Double
  var lastTime: Int64?

  init(dataset: Dataset) {
    let baskets = dataset.baskets
    let n = dataset.catalog.count
    units = [Double](repeating: 0, count: n)
    lines = [Int](repeating: 0, count: n)
    quantitySum = [Double](repeating: 0, count: n)
    var priceCounts = [[Int: Int]](repeating: [:], count: n)
    var weekKeys: Set<Int64> = []
    var last: Int64?
    for b in 0..<baskets.count {
      let time = baskets.timestamps[b]
      if time != Baskets.noTime {
        weekKeys.insert(time >= 0 ? time / 604_800 : (time - 604_799) / 604_800)
        last = max(last ?? time, time)
      }
      for line in baskets.lineRange(b) {
        let item = Int(baskets.items[line])
        let quantity = max(baskets.quantities[line], 0)
        units[item] += quantity
        quantitySum[item] += quantity
        lines[item] += 1
        let price = baskets.unitPrices[line]
        if price > 0 && price.isFinite { priceCounts[item][Int((price * 100).rounded()), default: 0] += 1 }
      }
    }
    modePrice = priceCounts.map { counts in
      counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }.map { Double($0.key) / 100 }
    }
    weeks = Double(max(weekKeys.count, 1))
    lastTime = last
  }

  /// Mean units per order line (1 when unknown).
  func meanQuantity(_ item: Int32) -> Double {
    let i = Int(item)
    return lines[i] > 0 && quantitySum[i] > 0 ? quantitySum[i] / Double(lines[i]) : 1
  }

  /// The catalogue's price, else the most common observed unit price.
  func currentPrice(_ item: Int32, catalog: Catalog) -> Double? {
    if let price = catalog[item].price, price > 0, price.isFinite { return price }
    return modePrice[Int(item)]
  }
}
