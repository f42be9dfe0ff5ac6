import BasketryCore
import BasketryModels

/// Settings of ``CampaignPlanner``.
///
/// Defaults: a 30-day campaign window, the T-learner, the elasticity estimated from the promoted items'
/// prices, a 35 % margin where costs are unknown, features of a logged campaign taken at the end of the data,
/// classifiers with the propensity MLP's defaults.
public struct CampaignPlanOptions: Sendable, Hashable {
  /// The campaign window in days: the propensity label window of the fallback. Default 30.
  public var windowDays: Int
  /// The uplift learner fitted on a campaign log. Default `.twoModel`.
  public var learner: UpliftLearnerKind
  /// Without a log: the assumed price elasticity ε < 0; `nil` estimates it. Default nil.
  public var elasticity: Double?
  /// Margin rate where the catalogue has no costs. Default 0.35.
  public var assumedMarginRate: Double
  /// Start of the logged campaign (Unix seconds): the log's customers are described by their orders before
  /// it; `nil` takes the end of the data. Default nil.
  public var campaignStart: Int64?
  /// Classifier settings. Default the propensity MLP's.
  public var model: PropensityModel.Configuration

  /// Creates options with the documented defaults.
  public init(
    windowDays: Int = 30, learner: UpliftLearnerKind = .twoModel, elasticity: Double? = nil,
    assumedMarginRate: Double = 0.35, campaignStart: Int64? = nil, model: PropensityModel.Configuration = .init()
  ) {
    self.windowDays = windowDays
    self.learner = learner
    self.elasticity = elasticity
    self.assumedMarginRate = assumedMarginRate
    self.campaignStart = campaignStart
    self.model = model
  }
}

/// A campaign's audience on a real shop and how its effect was estimated.
public struct CampaignPlan: Sendable, Hashable, Encodable {
  /// How the effect of the campaign was estimated.
  public enum Method: String, Sendable, Hashable, Codable {
    /// An ``UpliftLearner`` fitted on a randomised campaign log.
    case upliftModel = "uplift-model"
    /// No log: a propensity model times an assumed constant price elasticity (``ElasticityUplift``).
    case elasticityFallback = "propensity-elasticity-fallback"
  }

  /// How the effect was estimated.
  public var method: Method
  /// The uplift learner, with a log.
  public var learner: UpliftLearnerKind?
  /// The elasticity assumed, without a log.
  public var elasticity: Double?
  /// Whether ``elasticity`` was estimated from the data (false: given).
  public var elasticityEstimated: Bool
  /// The campaign.
  public var campaign: Campaign
  /// With a log: its treated and control customers used, and those without orders before the campaign.
  public var logTreated: Int
  /// Control customers of the log used.
  public var logControl: Int
  /// Log customers left out (no orders before the campaign start).
  public var logUnmatched: Int
  /// Without a log: customers in the propensity training table and how many of them bought a promoted item.
  public var propensityRows: Int
  /// Of ``propensityRows``, those who bought a promoted item in the window.
  public var propensityPositives: Int
  /// Every customer's figures, in dense user order.
  public var scores: [CampaignScore]
  /// The chosen audience.
  public var audience: CampaignAudience

  enum CodingKeys: String, CodingKey {
    case method, learner, elasticity, campaign, audience
    case elasticityEstimated = "elasticity_estimated"
    case logTreated = "log_treated"
    case logControl = "log_control"
    case logUnmatched = "log_unmatched"
    case propensityRows = "propensity_rows"
    case propensityPositives = "propensity_positives"
  }
}

/// Plans a campaign on a shop's orders: who is promoted, what each customer's promoted purchase is worth,
/// P(buy | treated) and P(buy | control) per customer, and the audience by expected incremental profit
/// (``CampaignTargeter``).
///
/// With a randomised log, the effect is fitted by ``CampaignPlanOptions/learner`` on the log customers'
/// ``CampaignFeatures`` before the campaign start and applied to every customer's full history. Without one,
/// P(buy) comes from a ``ProbabilityClassifier`` trained on the window before the last order and the effect
/// is ``ElasticityUplift``'s assumption, with ε estimated as the mean ``PriceResponseEstimator`` elasticity of
/// the promoted items, clamped to [−4, −0.5] (−2 when none).
///
/// A customer's promoted purchase is worth their own mean promoted spend per order, or the mean over customers
/// who bought one (else the promoted items' mean catalogue price); its margin rate is the promoted items' mean
/// catalogue margin, else ``CampaignPlanOptions/assumedMarginRate``.
public enum CampaignPlanner {
  /// The promoted items of a campaign, indexed by dense item id.
  /// - Throws: ``CampaignError`` when the category is unknown (naming the known ones) or the data has no
  ///   categories, or an item is not in the catalogue.
  /// - Complexity: O(catalogue).
  public static func promotedItems(_ campaign: Campaign, catalog: Catalog) throws -> [Bool] {
    var promoted = [Bool](repeating: false, count: catalog.count)
    switch campaign.target {
    case .category(let name):
      let wanted = name.lowercased()
      var known = Set<String>()
      for item in 0..<catalog.count {
        let path = catalog[Int32(item)].categoryPath
        known.formUnion(path)
        if path.contains(where: { $0.lowercased() == wanted }) { promoted[item] = true }
      }
      if !promoted.contains(true) {
        if known.isEmpty {
          throw CampaignError(field: "category", "the orders have no item categories; name the items instead")
        }
        let sample = known.sorted().prefix(12).joined(separator: ", ")
        throw CampaignError(
          field: "category",
          "unknown category '\(name)' (\(known.count) categories: \(sample)\(known.count > 12 ? ", …" : ""))",
          category: .notFound)
      }
    case .items(let ids):
      for id in ids {
        guard let item = catalog.id(of: id) else {
          throw CampaignError(field: "items", "item '\(id)' is not in the catalogue", category: .notFound)
        }
        promoted[Int(item)] = true
      }
    }
    return promoted
  }

  /// Plans the campaign.
  /// - Parameters:
  ///   - dataset: the shop's orders (with users and times).
  ///   - campaign: what is promoted, the incentive and the limit.
  ///   - log: a randomised campaign log, or nil.
  ///   - options: window, learner, elasticity, margin, campaign start, classifier settings.
  /// - Returns: every customer's figures and the audience.
  /// - Throws: ``CampaignError`` for unknown targets or too little data; ``UpliftError`` when a model cannot
  ///   be fitted (e.g. a log with one arm).
  /// - Complexity: O(order lines + customers · epochs · parameters).
  public static func plan(
    dataset: Dataset, campaign: Campaign, log: [CampaignLogEntry]?, options: CampaignPlanOptions = .init()
  ) throws -> CampaignPlan {
    guard options.windowDays >= 1 else { throw CampaignError(field: "window", "must be at least 1 day") }
    let promoted = try promotedItems(campaign, catalog: dataset.catalog)
    let baskets = dataset.baskets
    var start = Int64.max
    var end = Int64.min
    for b in 0..<baskets.count where baskets.timestamps[b] != Baskets.noTime && baskets.users[b] != Baskets.noUser {
      start = min(start, baskets.timestamps[b])
      end = max(end, baskets.timestamps[b])
    }
    guard end >= start else { throw CampaignError(field: "orders", "no dated orders with customers to learn from") }
    let horizon = Int64(options.windowDays) * 86_400
    let now = CampaignFeatures.build(from: dataset, cutoff: end + 1, horizon: horizon, isPromoted: promoted)
    let ids = now.users.map { dataset.users[$0] }
    let values = customerValues(now, catalog: dataset.catalog, promoted: promoted, options: options)
    let width = CampaignFeatures.names.count
    var plan = CampaignPlan(
      method: .elasticityFallback, learner: nil, elasticity: nil, elasticityEstimated: false, campaign: campaign,
      logTreated: 0, logControl: 0, logUnmatched: 0, propensityRows: 0, propensityPositives: 0, scores: [],
      audience: CampaignAudience(
        customers: [], scored: 0, expectedIncrementalProfit: 0, expectedCouponSpend: 0,
        expectedIncrementalPurchases: 0))
    let predictions: [UpliftPrediction]
    if let log {
      plan.method = .upliftModel
      plan.learner = options.learner
      let cutoff = options.campaignStart ?? (end + 1)
      let before = CampaignFeatures.build(from: dataset, cutoff: cutoff, horizon: horizon, isPromoted: promoted)
      var row: [Int32: Int] = [:]
      for (index, user) in before.users.enumerated() { row[user] = index }
      var features: [Float] = []
      var treated: [Bool] = []
      var converted: [Bool] = []
      for entry in log {
        guard let user = dataset.users.id(of: entry.customer), let r = row[user] else {
          plan.logUnmatched += 1
          continue
        }
        features.append(contentsOf: before.values[(r * width)..<((r + 1) * width)])
        treated.append(entry.treated)
        converted.append(entry.converted)
      }
      plan.logTreated = treated.filter { $0 }.count
      plan.logControl = treated.count - plan.logTreated
      let sample = try UpliftSample(
        featureNames: CampaignFeatures.names, features: features, treated: treated, converted: converted)
      var model = options.learner.make(configuration: options.model)
      try model.fit(sample)
      predictions = try model.predict(now.values)
    } else {
      let train = CampaignFeatures.build(
        from: dataset, cutoff: end + 1 - horizon, horizon: horizon, isPromoted: promoted)
      guard end - start > horizon, train.count > 0 else {
        throw CampaignError(
          field: "window", "the data spans less than the \(options.windowDays)-day window before its last order")
      }
      plan.propensityRows = train.count
      plan.propensityPositives = train.converted.filter { $0 }.count
      var classifier = ProbabilityClassifier(configuration: options.model)
      try classifier.fit(
        features: train.values, width: width, labels: train.converted, name: "propensity of the promoted items")
      let propensity = try classifier.predict(now.values)
      let elasticity = options.elasticity ?? estimatedElasticity(dataset: dataset, promoted: promoted)
      plan.elasticity = elasticity
      plan.elasticityEstimated = options.elasticity == nil
      predictions = ElasticityUplift.predictions(
        propensities: propensity, priceCuts: values.map { campaign.priceCut(orderValue: $0.orderValue) },
        elasticity: elasticity)
    }
    let targeter = CampaignTargeter(campaign: campaign)
    plan.scores = try targeter.score(customers: ids, predictions: predictions, values: values)
    plan.audience = targeter.audience(from: plan.scores)
    return plan
  }

  static func customerValues(
    _ features: CampaignFeatures, catalog: Catalog, promoted: [Bool], options: CampaignPlanOptions
  ) -> [CustomerValue] {
    let known = features.targetOrderValue.filter { $0 > 0 }
    var fallback = known.isEmpty ? 0 : known.reduce(0, +) / Double(known.count)
    if fallback <= 0 {
      let prices = promoted.indices.compactMap { promoted[$0] ? catalog[Int32($0)].price : nil }
      fallback = prices.isEmpty ? 0 : prices.reduce(0, +) / Double(prices.count)
    }
    var rates: [Double] = []
    for item in promoted.indices where promoted[item] {
      let attributes = catalog[Int32(item)]
      if let cost = attributes.cost, let price = attributes.price, price > 0 { rates.append(1 - cost / price) }
    }
    let rate = rates.isEmpty ? options.assumedMarginRate : min(max(rates.reduce(0, +) / Double(rates.count), 0), 1)
    return features.targetOrderValue.map { CustomerValue(orderValue: $0 > 0 ? $0 : fallback, marginRate: rate) }
  }

  static func estimatedElasticity(dataset: Dataset, promoted: [Bool]) -> Double {
    let model = PriceResponseEstimator.estimate(baskets: dataset.baskets, catalog: dataset.catalog)
    let values = promoted.indices.filter { promoted[$0] }.map { model[Int32($0)].elasticity }.filter(\.isFinite)
    let mean = values.isEmpty ? -2 : values.reduce(0, +) / Double(values.count)
    return min(max(mean, -4), -0.5)
  }
}

/// A campaign that cannot be planned on the given data, naming the field at fault.
public struct CampaignError: BasketryError {
  /// The campaign field or input at fault (`category`, `items`, `window`, `orders`).
  public var field: String
  /// What is wrong.
  public var message: String
  public var category: ErrorCategory

  /// Creates an error.
  public init(field: String, _ message: String, category: ErrorCategory = .invalidInput) {
    self.field = field
    self.message = message
    self.category = category
  }

  public var description: String { "campaign \(field): \(message)" }
}
