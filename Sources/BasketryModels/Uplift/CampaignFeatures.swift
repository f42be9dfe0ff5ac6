import BasketryCore
import Foundation

/// Per-customer features for campaign models on a real shop: the propensity features plus the customer's
/// history with the promoted items, and whether they bought a promoted item in the following window.
///
/// Columns: ``PropensityFeatures/names`` then
///
/// | name | definition |
/// |---|---|
/// | `target_orders` | log1p of orders containing a promoted item |
/// | `target_spend_share` | promoted items' share of the customer's spend |
/// | `target_recency_days` | log1p of days since the last promoted purchase (tenure + 1 when none) |
/// | `target_distinct_items` | log1p of distinct promoted items bought |
///
/// Rows are the customers with at least one order before the cut, in dense user id order.
public struct CampaignFeatures: Sendable, Hashable {
  /// Feature names, in column order.
  public static let names =
    PropensityFeatures.names + ["target_orders", "target_spend_share", "target_recency_days", "target_distinct_items"]

  /// Dense user id of each row.
  public var users: [Int32]
  /// Row-major rows × ``names``.count values.
  public var values: [Float]
  /// Whether each customer bought a promoted item in [cutoff, cutoff + horizon).
  public var converted: [Bool]
  /// Mean spend on promoted items per order containing them, per customer; 0 when they never bought one.
  public var targetOrderValue: [Double]

  /// Number of rows.
  public var count: Int { users.count }

  /// Builds the table.
  /// - Parameters:
  ///   - dataset: orders with users and times.
  ///   - cutoff: the cut time (Unix seconds); features use the orders before it.
  ///   - horizon: the label window in seconds.
  ///   - isPromoted: whether a dense item id is promoted, indexed by item (`count` = catalogue size).
  /// - Complexity: O(order lines + users · log users).
  public static func build(
    from dataset: Dataset, cutoff: Int64, horizon: Int64, isPromoted: [Bool]
  ) -> CampaignFeatures {
    let base = PropensityFeatures.build(from: dataset, cutoff: cutoff, horizon: horizon)
    let baskets = dataset.baskets
    let day = 86_400.0
    struct Stats {
      var orders = 0
      var spend = 0.0
      var targetSpend = 0.0
      var first = Int64.max
      var lastTarget = Int64.min
      var items = Set<Int32>()
      var convertedLater = false
    }
    var stats: [Int32: Stats] = [:]
    for b in 0..<baskets.count {
      let user = baskets.users[b]
      let time = baskets.timestamps[b]
      guard user != Baskets.noUser, time != Baskets.noTime, time < cutoff + horizon else { continue }
      var s = stats[user] ?? Stats()
      var hasTarget = false
      var spend = 0.0
      var targetSpend = 0.0
      for line in baskets.lineRange(b) {
        let item = baskets.items[line]
        let price = baskets.unitPrices[line]
        let amount = price.isFinite ? max(0, baskets.quantities[line] * price) : 0
        spend += amount
        if Int(item) < isPromoted.count && isPromoted[Int(item)] {
          hasTarget = true
          targetSpend += amount
          if time < cutoff { s.items.insert(item) }
        }
      }
      if time < cutoff {
        s.first = min(s.first, time)
        s.spend += spend
        if hasTarget {
          s.orders += 1
          s.targetSpend += targetSpend
          s.lastTarget = max(s.lastTarget, time)
        }
      } else if hasTarget {
        s.convertedLater = true
      }
      stats[user] = s
    }
    let width = PropensityFeatures.featureCount
    var values: [Float] = []
    values.reserveCapacity(base.count * names.count)
    var converted: [Bool] = []
    var orderValue: [Double] = []
    for (row, user) in base.users.enumerated() {
      let s = stats[user] ?? Stats()
      values.append(contentsOf: base.values[(row * width)..<((row + 1) * width)])
      let tenure = s.first == .max ? 0 : Double(cutoff - s.first) / day
      let recency = s.lastTarget == .min ? tenure + 1 : Double(cutoff - s.lastTarget) / day
      values.append(contentsOf: [
        Float(log1p(Double(s.orders))), Float(s.spend > 0 ? s.targetSpend / s.spend : 0), Float(log1p(recency)),
        Float(log1p(Double(s.items.count))),
      ])
      converted.append(s.convertedLater)
      orderValue.append(s.orders > 0 ? s.targetSpend / Double(s.orders) : 0)
    }
    return CampaignFeatures(users: base.users, values: values, converted: converted, targetOrderValue: orderValue)
  }

  /// Creates a table from its columns.
  public init(users: [Int32], values: [Float], converted: [Bool], targetOrderValue: [Double]) {
    self.users = users
    self.values = values
    self.converted = converted
    self.targetOrderValue = targetOrderValue
  }
}

/// P(buy | treated) from a purchase propensity when no randomised log exists: the incentive is a price cut
/// and every customer's purchase probability follows one constant price elasticity ε,
///
///     P(buy | treated) = min(1, P(buy) · (1 − cut)^ε),   P(buy | control) = P(buy),
///
/// so the modelled uplift is proportional to the propensity. This is an assumption, not a measurement: it
/// cannot tell persuadable customers from sure things (both get the same relative lift) and never predicts a
/// negative effect. A randomised campaign log replaces it with a fitted ``UpliftLearner``.
public enum ElasticityUplift {
  /// The predictions.
  /// - Parameters:
  ///   - propensities: P(buy) per customer.
  ///   - priceCuts: the incentive as a fraction of each customer's promoted purchase, in [0, 1).
  ///   - elasticity: ε < 0; e.g. −2 (a 10 % cut lifts purchases by 23 %).
  /// - Complexity: O(customers).
  public static func predictions(propensities: [Double], priceCuts: [Double], elasticity: Double) -> [UpliftPrediction]
  {
    zip(propensities, priceCuts).map { p, cut in
      UpliftPrediction(treated: min(1, p * Foundation.pow(max(1 - cut, 1e-6), elasticity)), control: p)
    }
  }
}
