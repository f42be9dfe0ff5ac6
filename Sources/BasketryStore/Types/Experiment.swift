import BasketryModels

/// An A/B experiment over recommendation and bundle policies.
public struct Experiment: Sendable, Hashable, Codable {
  /// Unique id.
  public var id: String
  /// Name shown in reports.
  public var name: String
  /// The variants; the first is the control.
  public var variants: [ExperimentVariant]
  /// Unix seconds when it starts.
  public var start: Int64
  /// Unix seconds when it ends (nil: open-ended).
  public var end: Int64?
  /// Unix seconds of creation.
  public var createdAt: Int64
  /// The item whose price it tests, when it is a price test (each variant then carries a
  /// ``ExperimentVariant/price``; its sessions are assigned only when they ask for the item's price).
  public var priceTest: PriceTestSettings?

  /// Creates an experiment.
  public init(
    id: String, name: String, variants: [ExperimentVariant], start: Int64, end: Int64? = nil, createdAt: Int64,
    priceTest: PriceTestSettings? = nil
  ) {
    self.priceTest = priceTest
    self.id = id
    self.name = name
    self.variants = variants
    self.start = start
    self.end = end
    self.createdAt = createdAt
  }

  /// Whether the experiment is running at `now`.
  public func isActive(at now: Int64) -> Bool { now >= start && (end.map { now < $0 } ?? true) }

  /// Whether it randomises a campaign against a hold-out (some variant carries a ``ExperimentVariant/campaign``):
  /// its users are assigned when a campaign audience names it, never when bundles or recommendations are served.
  public var isCampaign: Bool { variants.contains { $0.campaign != nil } }

  /// Whether it tests an item's price (``priceTest``): never assigned when bundles or recommendations are served.
  public var isPriceTest: Bool { priceTest != nil }

  /// The campaign its treated variants carry (the first one's), when it is a campaign experiment.
  public var campaign: Campaign? { variants.lazy.compactMap(\.campaign).first }

  private enum CodingKeys: String, CodingKey {
    case id, name, variants, start, end
    case createdAt = "created_at"
    case priceTest = "price_test"
  }
}

/// What a price test tests: the item, its price and cost when the test started, and the demand model's prior
/// and budget.
public struct PriceTestSettings: Sendable, Hashable, Codable {
  /// External item id.
  public var item: String
  /// The price when the test started (the control variant's price).
  public var currentPrice: Double
  /// Unit cost used for profit.
  public var cost: Double
  /// The most expected profit the test may give up against the current price (nil: no budget).
  public var profitAtRiskBudget: Double?
  /// Prior elasticity (the price advice's estimate).
  public var elasticity: Double
  /// Its standard error.
  public var elasticityStandardError: Double
  /// How sessions are assigned to levels: `"thompson"` (drawn from the test's posterior, the default; nil
  /// means the same) or `"uniform"` (split evenly by a hash of the session id).
  public var policy: String?

  /// Creates settings.
  public init(
    item: String, currentPrice: Double, cost: Double, profitAtRiskBudget: Double?, elasticity: Double,
    elasticityStandardError: Double, policy: String? = nil
  ) {
    self.policy = policy
    self.item = item
    self.currentPrice = currentPrice
    self.cost = cost
    self.profitAtRiskBudget = profitAtRiskBudget
    self.elasticity = elasticity
    self.elasticityStandardError = elasticityStandardError
  }

  private enum CodingKeys: String, CodingKey {
    case item, cost, elasticity, policy
    case currentPrice = "current_price"
    case profitAtRiskBudget = "profit_at_risk_budget"
    case elasticityStandardError = "elasticity_standard_error"
  }
}

/// One arm of an experiment: a share of traffic and the policy it gets.
public struct ExperimentVariant: Sendable, Hashable, Codable {
  /// Name (unique within the experiment).
  public var name: String
  /// Traffic share (relative weight > 0).
  public var weight: Double
  /// Bundle pricing policy: `bandit` (Thompson sampling), `model` (the trained bundle price), or `fixed`.
  public var policy: String
  /// Discount for the `fixed` policy.
  public var discount: Double?
  /// The published model version this variant's recommendations and bundles come from (nil: the newest).
  public var modelVersion: Int64?
  /// The campaign this variant's users are treated with (nil: not treated; in a campaign experiment such a
  /// variant is the hold-out). Its limit is the audience of one randomised send.
  public var campaign: Campaign?
  /// The item price this variant's sessions see, in a price test (one variant per price level).
  public var price: Double?

  /// Creates a variant.
  public init(
    name: String, weight: Double, policy: String = "bandit", discount: Double? = nil, modelVersion: Int64? = nil,
    campaign: Campaign? = nil, price: Double? = nil
  ) {
    self.price = price
    self.name = name
    self.weight = weight
    self.policy = policy
    self.discount = discount
    self.modelVersion = modelVersion
    self.campaign = campaign
  }

  private enum CodingKeys: String, CodingKey {
    case name, weight, policy, discount, campaign, price
    case modelVersion = "model_version"
  }
}

/// A logged impression: one served recommendation or bundle.
public struct Impression: Sendable, Hashable, Codable {
  /// The recommendation id handed to the client.
  public var recommendationID: String
  /// Experiment, if the user was in one.
  public var experimentID: String?
  /// Variant name, if in an experiment.
  public var variant: String?
  /// User pseudonym.
  public var user: String
  /// Session (or the user pseudonym when none was given): the unit for revenue per session.
  public var session: String
  /// `bundle`, `recommendation`, or `campaign` (one member of a randomised campaign audience; ``key`` is then
  /// the experiment id and ``variant`` says whether they were treated).
  public var kind: String
  /// Bundle key (sorted item ids joined by `+`) or the recommended item.
  public var key: String
  /// Discount level index chosen by the bandit (−1 if none).
  public var arm: Int
  /// Discount offered.
  public var discount: Double
  /// Offered price.
  public var price: Double
  /// Margin at the offered price.
  public var margin: Double
  /// Probability the logging policy chose this arm.
  public var propensity: Double
  /// Unix seconds.
  public var timestamp: Int64

  /// Creates an impression.
  public init(
    recommendationID: String, experimentID: String?, variant: String?, user: String, session: String, kind: String,
    key: String, arm: Int, discount: Double, price: Double, margin: Double, propensity: Double, timestamp: Int64
  ) {
    self.recommendationID = recommendationID
    self.experimentID = experimentID
    self.variant = variant
    self.user = user
    self.session = session
    self.kind = kind
    self.key = key
    self.arm = arm
    self.discount = discount
    self.price = price
    self.margin = margin
    self.propensity = propensity
    self.timestamp = timestamp
  }
}

/// Raw per-variant counts from the store, from which the report's statistics are computed.
public struct VariantTally: Sendable, Hashable {
  /// Variant name.
  public var variant: String
  /// Impressions served.
  public var impressions: Int
  /// Distinct sessions exposed.
  public var sessions: Int
  /// Impressions followed by a view or cart event carrying their recommendation id.
  public var clicks: Int
  /// Revenue of each converted impression (purchases carrying its recommendation id).
  public var orderValues: [Double]

  /// Creates a tally.
  public init(variant: String, impressions: Int = 0, sessions: Int = 0, clicks: Int = 0, orderValues: [Double] = []) {
    self.variant = variant
    self.impressions = impressions
    self.sessions = sessions
    self.clicks = clicks
    self.orderValues = orderValues
  }
}

/// A versioned trained-model artifact.
public struct ModelArtifact: Sendable, Hashable {
  /// Monotonic version number (1, 2, …).
  public var version: Int64
  /// Unix seconds of publication.
  public var createdAt: Int64
  /// Payload (JSON of the serving model).
  public var payload: [UInt8]

  /// Creates an artifact.
  public init(version: Int64, createdAt: Int64, payload: [UInt8]) {
    self.version = version
    self.createdAt = createdAt
    self.payload = payload
  }
}

/// Persisted bandit counts for one arm of one bundle.
public struct BanditArmRecord: Sendable, Hashable, Codable {
  /// Bundle key.
  public var key: String
  /// Level index.
  public var arm: Int
  /// Impressions.
  public var trials: Int
  /// Attributed purchases.
  public var successes: Int
  /// Attributed margin.
  public var rewardSum: Double

  /// Creates a record.
  public init(key: String, arm: Int, trials: Int, successes: Int, rewardSum: Double) {
    self.key = key
    self.arm = arm
    self.trials = trials
    self.successes = successes
    self.rewardSum = rewardSum
  }
}
