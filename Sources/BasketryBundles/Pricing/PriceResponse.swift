import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How one item's demand responds to its price: a log-log elasticity with its uncertainty and
/// where it came from.
public struct PriceResponse: Sendable, Hashable, Codable {
  /// Where an estimate comes from.
  public enum Source: String, Sendable, Hashable, Codable {
    /// The item's own price variation (shrunk toward its category or the global estimate).
    case item
    /// Too little own variation: the pooled estimate of the item's category.
    case category
    /// Too little own variation and no usable category: the pooled estimate over all items.
    case global
    /// No usable variation anywhere: the configured prior.
    case prior
  }

  /// The elasticity used: d log(response) / d log(price), after shrinkage.
  public var elasticity: Double
  /// Its standard error (for fallbacks, the predictive spread of a new item's elasticity).
  public var standardError: Double
  /// The item's own least-squares estimate, when it had enough variation.
  public var rawElasticity: Double?
  /// Standard error of ``rawElasticity``.
  public var rawStandardError: Double?
  /// Observations (periods or order lines) with a price.
  public var observations: Int
  /// Standard deviation of log price over the observations.
  public var logPriceSpread: Double
  /// Where the estimate comes from.
  public var source: Source
  /// Weight of the item's own estimate in ``elasticity`` (0 for fallbacks).
  public var ownWeight: Double
  /// Weighted mean log price of the item's observations (the point the fitted line passes through).
  public var centreLogPrice: Double?
  /// Weighted mean log response there.
  public var centreLogResponse: Double?
  /// Why the item's own history cannot identify its price response, when it cannot (``source`` is then
  /// not ``Source/item``: the elasticity is a fallback, not a measurement of this item).
  public var notIdentifiable: NotIdentifiableReason?

  /// Whether the elasticity was measured on the item's own price variation.
  public var isIdentified: Bool { source == .item }

  /// Creates a response.
  public init(
    elasticity: Double, standardError: Double, rawElasticity: Double? = nil, rawStandardError: Double? = nil,
    observations: Int = 0, logPriceSpread: Double = 0, source: Source, ownWeight: Double = 0,
    centreLogPrice: Double? = nil, centreLogResponse: Double? = nil, notIdentifiable: NotIdentifiableReason? = nil
  ) {
    self.notIdentifiable = notIdentifiable
    self.centreLogPrice = centreLogPrice
    self.centreLogResponse = centreLogResponse
    self.elasticity = elasticity
    self.standardError = standardError
    self.rawElasticity = rawElasticity
    self.rawStandardError = rawStandardError
    self.observations = observations
    self.logPriceSpread = logPriceSpread
    self.source = source
    self.ownWeight = ownWeight
  }

  private enum CodingKeys: String, CodingKey {
    case elasticity, observations, source
    case standardError = "standard_error"
    case rawElasticity = "raw_elasticity"
    case rawStandardError = "raw_standard_error"
    case logPriceSpread = "log_price_spread"
    case ownWeight = "own_weight"
    case centreLogPrice = "centre_log_price"
    case centreLogResponse = "centre_log_response"
    case notIdentifiable = "not_identifiable"
  }
}

/// Why an item's history cannot identify its price response: which requirement it misses, by how much.
public struct NotIdentifiableReason: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The requirement missed.
  public enum Kind: String, Sendable, Hashable, Codable {
    /// No sale with a positive price.
    case noPricedSales = "no-priced-sales"
    /// Fewer observations (periods with a sale, or order lines) than ``PriceResponseOptions/minObservations``.
    case tooFewObservations = "too-few-observations"
    /// Fewer distinct prices (to the cent) than ``PriceResponseOptions/minDistinctPrices``.
    case tooFewDistinctPrices = "too-few-distinct-prices"
    /// Price spread below ``PriceResponseOptions/minLogPriceSpread``.
    case tooLittlePriceVariation = "too-little-price-variation"
    /// The regression has no residual degrees of freedom or no variation left after the trend control.
    case undefinedStandardError = "undefined-standard-error"

    /// A few words for explanations that name the kind once for several items.
    public var summary: String {
      switch self {
      case .noPricedSales: "no priced sales"
      case .tooFewObservations: "too few periods with a sale"
      case .tooFewDistinctPrices: "too few distinct prices"
      case .tooLittlePriceVariation: "too little price variation"
      case .undefinedStandardError: "no precision left after the trend control"
      }
    }
  }

  /// The requirement missed.
  public var kind: Kind
  /// The item's value (observations, distinct prices or log-price standard deviation).
  public var observed: Double
  /// The value required.
  public var required: Double

  /// Creates a reason.
  public init(kind: Kind, observed: Double, required: Double) {
    self.kind = kind
    self.observed = observed
    self.required = required
  }

  /// E.g. "too little price variation: prices vary by 0.4 % (2 % needed)".
  public var description: String {
    switch kind {
    case .noPricedSales: return "no sales with a price"
    case .tooFewObservations:
      return "too few periods with a sale: \(Int(observed)) (\(Int(required)) needed)"
    case .tooFewDistinctPrices:
      return "too few distinct prices: \(Int(observed)) (\(Int(required)) needed)"
    case .tooLittlePriceVariation:
      return
        "too little price variation: prices vary by \(fixed(observed * 100, 1)) % (\(fixed(required * 100, 1)) % needed)"
    case .undefinedStandardError: return "the price variation leaves no precision after the trend control"
    }
  }
}

/// One observation for the price-response regression: log price, log response and a weight
/// proportional to the observation's precision.
public struct PricePoint: Sendable, Hashable {
  /// log(unit price).
  public var logPrice: Double
  /// log(quantity) or log(purchase incidence).
  public var logResponse: Double
  /// Precision weight (e.g. the number of purchases behind an incidence rate).
  public var weight: Double
  /// When the observation was made, in periods (for the trend control). Default 0.
  public var period: Double

  /// Creates a point.
  public init(logPrice: Double, logResponse: Double, weight: Double = 1, period: Double = 0) {
    self.logPrice = logPrice
    self.logResponse = logResponse
    self.weight = weight
    self.period = period
  }
}

/// Settings of ``PriceResponseEstimator``.
///
/// Defaults: incidence per 7-day period, at least 6 observations, 2 distinct prices and a log-price
/// standard deviation of 0.02 (prices varying by about 2 %) for an item's own estimate, no trend control,
/// a prior of −1.5 ± 1.0, and a floor of 0.05 on the between-item variance τ².
///
/// An item that misses any of these requirements is *not identifiable*: its response carries a
/// ``NotIdentifiableReason`` and falls back to the pooled estimate of its category, all items or the prior.
public struct PriceResponseOptions: Sendable, Hashable, Codable {
  /// What responds to price.
  public enum Response: Sendable, Hashable, Codable {
    /// Purchase incidence per period: (orders with the item) / (orders) in each period of this many
    /// seconds, against the item's mean unit price in that period. Periods without a sale carry no
    /// price and are skipped.
    case incidence(periodSeconds: Int64)
    /// Quantity per order line against the line's unit price.
    case quantity
  }

  /// What responds to price. Default `.incidence(periodSeconds: 604_800)`.
  public var response: Response
  /// Fewest observations for an item's own estimate. Default 6.
  public var minObservations: Int
  /// Smallest standard deviation of log price for an item's own estimate (for small spreads, the
  /// coefficient of variation of price). Default 0.02.
  public var minLogPriceSpread: Double
  /// Fewest distinct prices (to the cent) for an item's own estimate. Default 2.
  public var minDistinctPrices: Int
  /// Controls for a linear time trend in each item's series: the elasticity is the partial slope of log
  /// response on log price after removing each item's own trend in both (Frisch–Waugh), so a price cut
  /// that coincides with a seasonal rise is not read as price response. The per-period incidence already
  /// divides by the period's orders, which removes shop-wide traffic swings. Default false (bundle
  /// pricing); item price advice turns it on.
  public var detrend: Bool
  /// Elasticity used when nothing can be estimated. Default −1.5.
  public var priorElasticity: Double
  /// Uncertainty of the prior. Default 1.0.
  public var priorStandardError: Double
  /// Smallest between-item variance of elasticities used for shrinkage. Default 0.05.
  public var minBetweenVariance: Double

  /// Creates options with the documented defaults.
  public init(
    response: Response = .incidence(periodSeconds: 604_800), minObservations: Int = 6,
    minLogPriceSpread: Double = 0.02, priorElasticity: Double = -1.5, priorStandardError: Double = 1.0,
    minBetweenVariance: Double = 0.05, minDistinctPrices: Int = 2, detrend: Bool = false
  ) {
    self.minDistinctPrices = minDistinctPrices
    self.detrend = detrend
    self.response = response
    self.minObservations = minObservations
    self.minLogPriceSpread = minLogPriceSpread
    self.priorElasticity = priorElasticity
    self.priorStandardError = priorStandardError
    self.minBetweenVariance = minBetweenVariance
  }

  /// Decodes options; keys missing from older encodings take their defaults.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = PriceResponseOptions()
    response = try container.decodeIfPresent(Response.self, forKey: .response) ?? defaults.response
    minObservations = try container.decodeIfPresent(Int.self, forKey: .minObservations) ?? defaults.minObservations
    minLogPriceSpread =
      try container.decodeIfPresent(Double.self, forKey: .minLogPriceSpread) ?? defaults.minLogPriceSpread
    priorElasticity = try container.decodeIfPresent(Double.self, forKey: .priorElasticity) ?? defaults.priorElasticity
    priorStandardError =
      try container.decodeIfPresent(Double.self, forKey: .priorStandardError) ?? defaults.priorStandardError
    minBetweenVariance =
      try container.decodeIfPresent(Double.self, forKey: .minBetweenVariance) ?? defaults.minBetweenVariance
    minDistinctPrices =
      try container.decodeIfPresent(Int.self, forKey: .minDistinctPrices) ?? defaults.minDistinctPrices
    detrend = try container.decodeIfPresent(Bool.self, forKey: .detrend) ?? defaults.detrend
  }
}

/// Per-item price responses with the pooled estimates they fall back to.
public struct PriceResponseModel: Sendable, Hashable {
  /// The response of each item, by dense id.
  public var items: [PriceResponse]
  /// Pooled within-item estimate over all items.
  public var global: PriceResponse
  /// Pooled within-item estimates by leaf category.
  public var categories: [String: PriceResponse]
  /// Between-item variance τ² of elasticities used for shrinkage.
  public var betweenVariance: Double

  /// The response of an item (the global one for unknown ids).
  public subscript(item: Int32) -> PriceResponse {
    Int(item) < items.count && item >= 0 ? items[Int(item)] : global
  }
}

/// Estimates each item's price elasticity from the data's own price variation.
///
/// For each item, weighted least squares of log response on log price,
///
///     log y = a + ε · log p,   SE(ε) = √(s² / Σ w (x − x̄)²),   s² = Σ w e² / (n − 2) · n / Σ w,
///
/// then empirical-Bayes shrinkage toward the pooled within-item (fixed-effects) estimate of the
/// item's category, or of all items: ε* = λ ε + (1 − λ) ε_pool with λ = τ² / (τ² + SE²) and τ² the
/// between-item variance (variance of the item estimates minus their mean squared error, at least
/// `minBetweenVariance`). Items with too few observations or too little price spread take the pooled
/// estimate with standard error √(τ² + SE_pool²). Observational price variation is not an experiment:
/// Online Retail's wholesale price breaks make quantity elasticities look larger than incidence ones.
public enum PriceResponseEstimator {
  /// Estimates responses from orders with unit prices and timestamps.
  /// - Complexity: O(lines + items · periods).
  public static func estimate(
    baskets: Baskets, catalog: Catalog, options: PriceResponseOptions = PriceResponseOptions()
  ) -> PriceResponseModel {
    var points = [[PricePoint]](repeating: [], count: catalog.count)
    switch options.response {
    case .quantity:
      for b in 0..<baskets.count {
        let time = baskets.timestamps[b]
        let period = time == Baskets.noTime ? 0 : Double(time) / 604_800
        for line in baskets.lineRange(b) {
          let price = baskets.unitPrices[line]
          let quantity = baskets.quantities[line]
          guard price > 0, quantity > 0, price.isFinite else { continue }
          points[Int(baskets.items[line])].append(
            PricePoint(logPrice: log(price), logResponse: log(quantity), period: period))
        }
      }
    case .incidence(let periodSeconds):
      let grouped = OrderPeriods(baskets, periodSeconds: periodSeconds)
      let periodOf = grouped.periodOf
      let periodKeys = grouped.keys
      let ordersPerPeriod = grouped.orders
      // (item, period) → (orders with the item, sum of unit prices, priced lines)
      var cells: [Int: (orders: Int, priceSum: Double, priced: Int)] = [:]
      let periods = max(ordersPerPeriod.count, 1)
      for b in 0..<baskets.count {
        var last: Int32 = -1
        for line in baskets.lineRange(b) {
          let item = baskets.items[line]
          let key = Int(item) * periods + periodOf[b]
          var cell = cells[key] ?? (0, 0, 0)
          if item != last { cell.orders += 1 }
          last = item
          let price = baskets.unitPrices[line]
          if price > 0 && price.isFinite {
            cell.priceSum += price
            cell.priced += 1
          }
          cells[key] = cell
        }
      }
      for (key, cell) in cells where cell.priced > 0 && cell.orders > 0 {
        let item = key / periods
        let period = key % periods
        let rate = Double(cell.orders) / Double(max(ordersPerPeriod[period], 1))
        points[item].append(
          PricePoint(
            logPrice: log(cell.priceSum / Double(cell.priced)), logResponse: log(rate), weight: Double(cell.orders),
            period: Double(periodKeys[period])))
      }
    }
    let groups = (0..<catalog.count).map { catalog[Int32($0)].category }
    return estimate(points: points, categories: groups, options: options)
  }

  /// Estimates responses from prepared observations.
  /// - Parameters:
  ///   - points: observations per item (by dense id).
  ///   - categories: each item's leaf category, or nil.
  /// - Complexity: O(total points).
  public static func estimate(
    points rawPoints: [[PricePoint]], categories: [String?], options: PriceResponseOptions = PriceResponseOptions()
  ) -> PriceResponseModel {
    let prior = PriceResponse(
      elasticity: options.priorElasticity, standardError: options.priorStandardError, source: .prior)
    let points = options.detrend ? rawPoints.map(detrended) : rawPoints
    let extra = options.detrend ? 1 : 0
    var own: [Fit?] = []
    var reasons: [NotIdentifiableReason?] = []
    own.reserveCapacity(points.count)
    reasons.reserveCapacity(points.count)
    for (item, itemPoints) in points.enumerated() {
      let fit = Fit(itemPoints, extraParameters: extra)
      let reason = verdict(fit: fit, points: rawPoints[item], options: options)
      own.append(reason == nil ? fit : nil)
      reasons.append(reason)
    }
    // Between-item variance τ².
    let estimates = own.compactMap { $0 }
    var tau2 = options.minBetweenVariance
    if estimates.count >= 3 {
      let mean = estimates.reduce(0) { $0 + $1.slope } / Double(estimates.count)
      let variance = estimates.reduce(0) { $0 + ($1.slope - mean) * ($1.slope - mean) } / Double(estimates.count - 1)
      let noise = estimates.reduce(0) { $0 + $1.se * $1.se } / Double(estimates.count)
      tau2 = max(options.minBetweenVariance, variance - noise)
    }
    // Pooled (fixed-effects) estimates: global and per category.
    let usable = points.indices.filter { own[$0] != nil || points[$0].count >= 2 }
    let global =
      pooled(usable.map { points[$0] }, source: .global, minObservations: options.minObservations) ?? prior
    var byCategory: [String: [Int]] = [:]
    for item in usable { if let category = categories[item] { byCategory[category, default: []].append(item) } }
    var categoryResponses: [String: PriceResponse] = [:]
    for (category, members) in byCategory where members.filter({ own[$0] != nil }).count >= 3 {
      if let response = pooled(
        members.map { points[$0] }, source: .category, minObservations: options.minObservations)
      {
        categoryResponses[category] = response
      }
    }

    var items: [PriceResponse] = []
    items.reserveCapacity(points.count)
    for item in points.indices {
      let parent = categories[item].flatMap { categoryResponses[$0] } ?? global
      let anyFit = Fit(points[item], extraParameters: extra)
      let spread = anyFit?.spread ?? 0
      let centre = anyFit.map { ($0.meanX, $0.meanY) } ?? points[item].first.map { ($0.logPrice, $0.logResponse) }
      if let fit = own[item] {
        let se2 = fit.se * fit.se
        let lambda = tau2 / (tau2 + se2)
        let elasticity = lambda * fit.slope + (1 - lambda) * parent.elasticity
        let variance =
          1 / (1 / se2 + 1 / tau2) + (1 - lambda) * (1 - lambda) * parent.standardError
          * parent.standardError
        items.append(
          PriceResponse(
            elasticity: elasticity, standardError: variance.squareRoot(), rawElasticity: fit.slope,
            rawStandardError: fit.se, observations: fit.n, logPriceSpread: fit.spread, source: .item,
            ownWeight: lambda, centreLogPrice: centre?.0, centreLogResponse: centre?.1))
      } else {
        items.append(
          PriceResponse(
            elasticity: parent.elasticity,
            standardError: (tau2 + parent.standardError * parent.standardError).squareRoot(),
            observations: points[item].count, logPriceSpread: spread, source: parent.source,
            centreLogPrice: centre?.0, centreLogResponse: centre?.1, notIdentifiable: reasons[item]))
      }
    }
    return PriceResponseModel(items: items, global: global, categories: categoryResponses, betweenVariance: tau2)
  }

  // MARK: - Identification

  /// Why an item's own fit cannot be used, or nil when it can. Checked in order: priced sales,
  /// observations, distinct prices (to the cent), log-price spread, a finite standard error.
  /// - Complexity: O(points).
  static func verdict(fit: Fit?, points: [PricePoint], options: PriceResponseOptions) -> NotIdentifiableReason? {
    guard !points.isEmpty else { return NotIdentifiableReason(kind: .noPricedSales, observed: 0, required: 1) }
    if points.count < options.minObservations {
      return NotIdentifiableReason(
        kind: .tooFewObservations, observed: Double(points.count), required: Double(options.minObservations))
    }
    let distinct = Set(points.map { (exp($0.logPrice) * 100).rounded() }).count
    if distinct < options.minDistinctPrices {
      return NotIdentifiableReason(
        kind: .tooFewDistinctPrices, observed: Double(distinct), required: Double(options.minDistinctPrices))
    }
    guard let fit else {
      return NotIdentifiableReason(kind: .tooFewObservations, observed: Double(points.count), required: 2)
    }
    if fit.spread < options.minLogPriceSpread {
      return NotIdentifiableReason(
        kind: .tooLittlePriceVariation, observed: fit.spread, required: options.minLogPriceSpread)
    }
    if !fit.se.isFinite || fit.se <= 0 {
      return NotIdentifiableReason(kind: .undefinedStandardError, observed: 0, required: 0)
    }
    return nil
  }

  /// The points with the item's own linear time trend removed from log price and log response
  /// (weighted; the weighted means are kept), so that the slope fitted on them is the partial elasticity
  /// given the trend. Points without time variation are returned unchanged.
  /// - Complexity: O(points).
  static func detrended(_ points: [PricePoint]) -> [PricePoint] {
    guard points.count >= 3 else { return points }
    var sw = 0.0
    var st = 0.0
    var sx = 0.0
    var sy = 0.0
    for p in points {
      sw += p.weight
      st += p.weight * p.period
      sx += p.weight * p.logPrice
      sy += p.weight * p.logResponse
    }
    guard sw > 0 else { return points }
    let mt = st / sw
    let mx = sx / sw
    let my = sy / sw
    var stt = 0.0
    var stx = 0.0
    var sty = 0.0
    for p in points {
      let dt = p.period - mt
      stt += p.weight * dt * dt
      stx += p.weight * dt * (p.logPrice - mx)
      sty += p.weight * dt * (p.logResponse - my)
    }
    guard stt > 1e-12 else { return points }
    let bx = stx / stt
    let by = sty / stt
    return points.map { p in
      var q = p
      q.logPrice -= bx * (p.period - mt)
      q.logResponse -= by * (p.period - mt)
      return q
    }
  }

  // MARK: - Regression

  /// Weighted least squares of y on x.
  struct Fit {
    var n: Int
    var slope: Double
    var se: Double
    var spread: Double
    var meanX: Double
    var meanY: Double

    /// - Parameter extraParameters: parameters already removed from the points (1 after detrending),
    ///   subtracted from the residual degrees of freedom.
    init?(_ points: [PricePoint], extraParameters: Int = 0) {
      let n = points.count
      guard n >= 2 else { return nil }
      var sw = 0.0
      var sx = 0.0
      var sy = 0.0
      for p in points {
        sw += p.weight
        sx += p.weight * p.logPrice
        sy += p.weight * p.logResponse
      }
      guard sw > 0 else { return nil }
      let mx = sx / sw
      let my = sy / sw
      var sxx = 0.0
      var sxy = 0.0
      for p in points {
        sxx += p.weight * (p.logPrice - mx) * (p.logPrice - mx)
        sxy += p.weight * (p.logPrice - mx) * (p.logResponse - my)
      }
      spread = (sxx / sw).squareRoot()
      meanX = mx
      meanY = my
      self.n = n
      guard sxx > 1e-12 else {
        slope = 0
        se = .infinity
        return
      }
      slope = sxy / sxx
      var sse = 0.0
      for p in points {
        let e = p.logResponse - my - slope * (p.logPrice - mx)
        sse += p.weight * e * e
      }
      let dof = n - 2 - extraParameters
      let s2 = dof > 0 ? sse / Double(dof) * Double(n) / sw : .infinity
      se = (s2 / (sxx / sw * Double(n))).squareRoot()
    }
  }

  /// The within-item slope pooled over groups of observations (item fixed effects).
  static func pooled(_ groups: [[PricePoint]], source: PriceResponse.Source, minObservations: Int) -> PriceResponse? {
    var sxx = 0.0
    var sxy = 0.0
    var total = 0
    var wsum = 0.0
    var centred: [(x: Double, y: Double, w: Double)] = []
    for points in groups where points.count >= 2 {
      var sw = 0.0
      var sx = 0.0
      var sy = 0.0
      for p in points {
        sw += p.weight
        sx += p.weight * p.logPrice
        sy += p.weight * p.logResponse
      }
      guard sw > 0 else { continue }
      for p in points {
        let x = p.logPrice - sx / sw
        let y = p.logResponse - sy / sw
        sxx += p.weight * x * x
        sxy += p.weight * x * y
        centred.append((x, y, p.weight))
      }
      total += points.count
      wsum += sw
    }
    guard sxx > 1e-9, total >= minObservations else { return nil }
    let slope = sxy / sxx
    var sse = 0.0
    for c in centred { sse += c.w * (c.y - slope * c.x) * (c.y - slope * c.x) }
    let dof = max(total - groups.count - 1, 1)
    let s2 = sse / Double(dof)
    let se = (s2 / sxx).squareRoot()
    return PriceResponse(
      elasticity: slope, standardError: se, observations: total, logPriceSpread: (sxx / wsum).squareRoot(),
      source: source)
  }
}
