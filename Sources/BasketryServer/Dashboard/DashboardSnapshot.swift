import BasketryEval
import Foundation

/// GET /v1/admin/dashboard's answer: everything the live dashboard shows, in one poll.
public struct DashboardSnapshot: Sendable, Codable {
  /// When the snapshot was taken (Unix seconds).
  public var generatedAt: Int64
  /// When this replica started (Unix seconds); event rates, latencies and bundle tallies are since then.
  public var replicaStartedAt: Int64
  /// Store totals (shared by all replicas).
  public var store: StoreStats
  /// The model served.
  public var model: DashboardModel?
  /// Events stored by this replica per second, by type.
  public var events: DashboardEvents
  /// Request latency percentiles by route, recent and since start.
  public var latency: [RouteLatency]
  /// Experiments, running ones first, with per-variant results.
  public var experiments: [ExperimentReport]
  /// Running price tests: per level sessions, units and profit, the posterior-best level and the profit at
  /// risk against its budget.
  public var priceTests: [PriceTestReport]
  /// The bandit's discount levels and, for the bundles it has priced most, each level's posterior.
  public var bandit: DashboardBandit
  /// Bundles shown most by this replica and how often shoppers took them.
  public var topBundles: [DashboardBundle]
  /// Bundle offers not tallied because the tally was full.
  public var untrackedBundleOffers: Int
}

/// The served model, as the dashboard describes it.
public struct DashboardModel: Sendable, Codable {
  /// Version in the store.
  public var version: Int64
  /// Training time (Unix seconds).
  public var trainedAt: Int64
  /// The recommender served and its settings.
  public var recommender: String
  /// Its hyper-parameters.
  public var recommenderParameters: [String: String]
  /// Orders, users and items it was trained on.
  public var orders: Int
  /// Users in the training data.
  public var users: Int
  /// Items in the training data.
  public var items: Int
  /// Designed bundles.
  public var bundles: Int
  /// The validation table the recommender was chosen by (nil when selection did not run).
  public var selection: ModelSelectionResult?
}

/// Events per second by type over a window.
public struct DashboardEvents: Sendable, Codable {
  /// First second of the window (Unix seconds).
  public var windowStart: Int64
  /// Seconds in the window.
  public var windowSeconds: Int
  /// One series per event type.
  public var types: [DashboardEventType]
}

/// One event type's counts.
public struct DashboardEventType: Sendable, Codable {
  /// `view`, `cart`, `purchase` or `return`.
  public var type: String
  /// Events stored in each second of the window, oldest first.
  public var perSecond: [Int]
  /// Events stored by this replica since it started.
  public var sinceStart: Int
  /// Events in the last 60 seconds of the window.
  public var lastMinute: Int
}

/// Latency percentiles of one route (milliseconds).
public struct RouteLatency: Sendable, Codable {
  /// The route pattern, e.g. `/v1/bundles`.
  public var route: String
  /// The HTTP method.
  public var method: String
  /// Requests in the recent window (the last one to two minutes).
  public var recentCount: Int
  /// Recent median, 90th and 99th percentile and maximum (nil with no recent requests).
  public var p50: Double?
  /// Recent 90th percentile.
  public var p90: Double?
  /// Recent 99th percentile.
  public var p99: Double?
  /// Recent maximum.
  public var max: Double?
  /// Requests since start.
  public var totalCount: Int
  /// 99th percentile since start.
  public var totalP99: Double?
}

/// The discount bandit's state.
public struct DashboardBandit: Sendable, Codable {
  /// Discount levels (fractions of list price).
  public var levels: [Double]
  /// Prior Beta(α, β) of each level's purchase probability.
  public var priorAlpha: Double
  /// Prior β.
  public var priorBeta: Double
  /// The bundles with the most priced impressions.
  public var bundles: [DashboardBanditBundle]
}

/// One bundle's arms.
public struct DashboardBanditBundle: Sendable, Codable {
  /// Bundle key.
  public var key: String
  /// Item titles (ids when the catalog has no title).
  public var titles: [String]
  /// One entry per discount level.
  public var arms: [DashboardArm]
}

/// One discount level's posterior.
public struct DashboardArm: Sendable, Codable {
  /// Discount (fraction of list price).
  public var discount: Double
  /// Impressions priced at this level.
  public var trials: Int
  /// Purchases credited to them.
  public var successes: Int
  /// Margin earned.
  public var rewardSum: Double
  /// Posterior mean of P(purchase): (α + s) / (α + β + n).
  public var posteriorMean: Double
  /// Central 95 % posterior interval, low end (Beta quantile 0.025).
  public var low: Double
  /// High end (Beta quantile 0.975).
  public var high: Double
}

/// A bundle's offers on this replica.
public struct DashboardBundle: Sendable, Codable {
  /// Bundle key.
  public var key: String
  /// Item titles (ids when the catalog has no title).
  public var titles: [String]
  /// Times offered.
  public var shown: Int
  /// Offers that led to a purchase of one of their items (each offer counted once).
  public var taken: Int
  /// taken / shown.
  public var attachRate: Double
  /// Revenue of purchases credited to the offers.
  public var revenue: Double
}
