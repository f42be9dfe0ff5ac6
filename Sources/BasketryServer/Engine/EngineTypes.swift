import BasketryCore
import BasketryOnline
import BasketryStore
import BasketryTraining

/// One event as posted by a client (raw user id; pseudonymised before storage).
public struct EventInput: Sendable, Hashable {
  /// Client event id (idempotency key); generated when absent.
  public var eventID: String?
  /// Raw user id.
  public var user: String
  /// Item id.
  public var item: String
  /// Event type.
  public var type: EventType
  /// Value (quantity for purchases); default 1.
  public var value: Double
  /// Unit price.
  public var price: Double?
  /// Unix seconds; default now.
  public var timestamp: Int64?
  /// Session id.
  public var session: String?
  /// Recommendation id for attribution.
  public var recommendationID: String?

  /// Creates an input.
  public init(
    eventID: String? = nil, user: String, item: String, type: EventType, value: Double = 1, price: Double? = nil,
    timestamp: Int64? = nil, session: String? = nil, recommendationID: String? = nil
  ) {
    self.eventID = eventID
    self.user = user
    self.item = item
    self.type = type
    self.value = value
    self.price = price
    self.timestamp = timestamp
    self.session = session
    self.recommendationID = recommendationID
  }
}

/// The answer to an ingest.
public struct IngestResponse: Sendable, Hashable, Codable {
  /// Events newly stored.
  public var accepted: Int
  /// Events already stored under the same id.
  public var duplicates: Int
  /// The id of every posted event, in order (generated ids included).
  public var eventIds: [String]
  /// Bundle purchases credited to the bandit.
  public var attributed: Int
}

/// A bundle as answered by GET /v1/bundles.
public struct BundleOffer: Sendable, Hashable, Codable {
  /// Send this with events that follow from the offer.
  public var recommendationId: String
  /// Experiment the request was assigned in, if any.
  public var experiment: String?
  /// Variant name (`default` outside experiments).
  public var variant: String
  /// Pricing policy used: bandit, model or fixed.
  public var policy: String
  /// `model` (trained bundles), `cooccurrence` (live co-occurrence of an anchor) or `title` (an item without sales
  /// paired with the complements of the items whose titles are nearest).
  public var source: String
  /// The items.
  public var items: [OfferItem]
  /// Sum of the items' prices.
  public var listPrice: Double
  /// The offered price.
  public var price: Double
  /// Discount as a fraction of the list price.
  public var discount: Double
  /// (price − cost) / price; never below the margin floor.
  public var marginRate: Double
  /// Why this bundle and this price.
  public var explanation: String
  /// For a shopper's own bundles (`?user=` without item or cart) when the model is calibrated: what the offer is
  /// expected to earn from this shopper, by which the bundles were ranked.
  public var personal: PersonalBundleFit?
  /// `items` already encoded as JSON by the serving cache (not part of the Codable form).
  var encodedItems: [UInt8]? = nil
  /// `explanation` already encoded as a JSON string (not part of the Codable form).
  var encodedExplanation: [UInt8]? = nil
  /// `personal` already encoded as a JSON object (not part of the Codable form).
  var encodedPersonal: [UInt8]? = nil

  private enum CodingKeys: String, CodingKey {
    case recommendationId, experiment, variant, policy, source, items, listPrice, price, discount, marginRate
    case explanation, personal
  }
}

/// What a bundle offer is expected to earn from one shopper (``PersonalOffer``, at the designer's price).
public struct PersonalBundleFit: Sendable, Hashable, Codable {
  /// P(the shopper takes the bundle | offered), within the horizon.
  public var takeProbability: Double
  /// The same for an average shopper with history.
  public var averageTakeProbability: Double
  /// Expected margin of items the shopper would have bought anyway at full price, lost to the bundle.
  public var cannibalisedMargin: Double
  /// P(take) · bundle margin − cannibalised margin: the ranking key.
  public var expectedProfit: Double
  /// The horizon of the probabilities, in days.
  public var horizonDays: Double

  /// Creates a fit.
  public init(
    takeProbability: Double, averageTakeProbability: Double, cannibalisedMargin: Double, expectedProfit: Double,
    horizonDays: Double
  ) {
    self.takeProbability = takeProbability
    self.averageTakeProbability = averageTakeProbability
    self.cannibalisedMargin = cannibalisedMargin
    self.expectedProfit = expectedProfit
    self.horizonDays = horizonDays
  }
}

/// An item inside an offer.
public struct OfferItem: Sendable, Hashable, Codable {
  /// Item id.
  public var id: String
  /// Title (the id when unknown).
  public var title: String
  /// Unit price.
  public var price: Double
}

/// GET /v1/bundles's answer.
public struct BundlesResponse: Sendable, Hashable, Codable {
  /// Model version in use (nil before the first `basketry train`).
  public var modelVersion: Int64?
  /// The offers, best first.
  public var bundles: [BundleOffer]
}

/// One recommended item.
public struct ItemRecommendation: Sendable, Hashable, Codable {
  /// Send this with events that follow.
  public var recommendationId: String
  /// Item id.
  public var item: String
  /// Title.
  public var title: String
  /// Ranking score.
  public var score: Double
  /// Experiment, if any.
  public var experiment: String?
  /// Variant (`default` outside experiments).
  public var variant: String
  /// Why it is recommended.
  public var explanation: String
}

/// GET /v1/users/{id}/recommendations's answer.
public struct RecommendationsResponse: Sendable, Hashable, Codable {
  /// Model version in use.
  public var modelVersion: Int64?
  /// Recommendations, best first.
  public var recommendations: [ItemRecommendation]
}

/// GET /v1/items/{id}/neighbors's answer.
public struct NeighborsResponse: Sendable, Hashable, Codable {
  /// The anchor item.
  public var item: String
  /// Items bought with it.
  public var complements: [Neighbor]
  /// Items bought instead of it.
  public var substitutes: [Neighbor]
  /// For an item without sales: the items with sales whose titles are nearest, whose complements stand in as
  /// its own (with `together` 0).
  public var similarTitles: [TitleNeighbors.Entry]?

  /// Creates a response.
  public init(item: String, complements: [Neighbor], substitutes: [Neighbor], similarTitles: [TitleNeighbors.Entry]?) {
    self.item = item
    self.complements = complements
    self.substitutes = substitutes
    self.similarTitles = similarTitles
  }
}

/// Per-variant experiment results.
public struct VariantReport: Sendable, Hashable, Codable {
  /// Variant name.
  public var variant: String
  /// Impressions.
  public var impressions: Int
  /// Distinct sessions exposed.
  public var sessions: Int
  /// Impressions followed by a view or cart event.
  public var clicks: Int
  /// clicks / impressions.
  public var ctr: Double
  /// Impressions followed by a purchase.
  public var conversions: Int
  /// conversions / impressions.
  public var conversionRate: Double
  /// Mean revenue per converted impression.
  public var aov: Double
  /// Total attributed revenue.
  public var revenue: Double
  /// revenue / sessions.
  public var revenuePerSession: Double
  /// 95 % Wilson score interval of the conversion rate: [low, high] ([0, 1] with no impressions).
  public var conversionInterval: [Double]
  /// 95 % interval of the conversion rate minus the control's (normal approximation with unpooled variances);
  /// nil for the control and while either side has no impressions.
  public var differenceInterval: [Double]?
  /// Two-proportion z-test of the conversion rate against the control (nil for the control).
  public var conversionPValue: Double?
  /// Welch t-test of AOV against the control.
  public var aovPValue: Double?
  /// Whether the conversion difference is significant at α = 0.05.
  public var significant: Bool
  /// Impressions still needed in this variant to detect a 10 % relative change in conversion
  /// (α = 0.05, power 0.8); nil while the control has no conversions.
  public var sampleSizeStillNeeded: Int?
}

/// GET /v1/experiments/{id}'s answer.
public struct ExperimentReport: Sendable, Hashable, Codable {
  /// The experiment.
  public var experiment: Experiment
  /// Whether it is running now.
  public var active: Bool
  /// Results per variant, control first.
  public var variants: [VariantReport]
}

/// GET /v1/admin/stats's answer.
public struct StoreStats: Sendable, Hashable, Codable {
  /// Events in the store.
  public var events: Int
  /// Purchase baskets in the live co-occurrence model.
  public var baskets: Int
  /// Catalog entries (including hidden ones).
  public var catalogItems: Int
  /// Model version served.
  public var modelVersion: Int64?
  /// Impressions waiting to be written.
  public var pendingImpressions: Int
}
