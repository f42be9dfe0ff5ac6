import BasketryCore
import Foundation

/// Behaviour features per user at a cut time, and (optionally) whether the user buys in the following period.
///
/// Only orders strictly before `cutoff` with a known user and time feed the features; users with at least one
/// such order get a row. The label is true when the user has an order in [cutoff, cutoff + horizon).
/// Features (heavy-tailed counts and amounts are log1p-transformed; standardise before use, see
/// ``FeatureScaler``):
///
/// | name | definition |
/// |---|---|
/// | `recency_days` | log1p of days since the last order |
/// | `frequency` | log1p of the number of orders |
/// | `monetary` | log1p of total spend Σ quantity × unit price (unknown prices count 0) |
/// | `mean_order_value` | log1p of spend per order |
/// | `mean_basket_size` | log1p of mean lines per order |
/// | `max_basket_size` | log1p of the largest order's lines |
/// | `tenure_days` | log1p of days since the first order |
/// | `mean_interpurchase_days` | log1p of (last − first)/(orders − 1) in days; days since the first order when one order |
/// | `orders_last_30_days` | log1p of orders in the 30 days before the cut |
/// | `orders_last_90_days` | log1p of orders in the 90 days before the cut |
/// | `distinct_items` | log1p of distinct items bought |
/// | `category_entropy` | Shannon entropy (nats) of the spend share per category (the item itself when it has none) |
/// | `top_category_share` | spend share of the user's largest category |
public struct PropensityFeatures: Sendable, Hashable {
  /// Feature names, in column order.
  public static let names = [
    "recency_days", "frequency", "monetary", "mean_order_value", "mean_basket_size", "max_basket_size",
    "tenure_days", "mean_interpurchase_days", "orders_last_30_days", "orders_last_90_days", "distinct_items",
    "category_entropy", "top_category_share",
  ]

  /// Dense user id of each row.
  public var users: [Int32]
  /// Row-major rows × ``names``.count feature values.
  public var values: [Float]
  /// Whether each user bought in [cutoff, cutoff + horizon).
  public var labels: [Bool]

  /// Number of feature columns.
  public static var featureCount: Int { names.count }
  /// Number of rows (users).
  public var count: Int { users.count }

  /// Creates a feature table.
  public init(users: [Int32], values: [Float], labels: [Bool]) {
    self.users = users
    self.values = values
    self.labels = labels
  }

  /// Builds features from orders before `cutoff` and labels from orders in [cutoff, cutoff + horizon).
  /// - Parameters:
  ///   - dataset: orders with users and times.
  ///   - cutoff: the cut time (Unix seconds).
  ///   - horizon: the label window length in seconds (e.g. 90 days = 7,776,000).
  /// - Complexity: O(order lines + users · log users).
  public static func build(from dataset: Dataset, cutoff: Int64, horizon: Int64) -> PropensityFeatures {
    let baskets = dataset.baskets
    let day = 86_400.0
    var ordersOf: [Int32: [Int]] = [:]
    var buysLater = Set<Int32>()
    for b in 0..<baskets.count {
      let user = baskets.users[b]
      let time = baskets.timestamps[b]
      guard user != Baskets.noUser, time != Baskets.noTime else { continue }
      if time < cutoff {
        ordersOf[user, default: []].append(b)
      } else if time < cutoff + horizon {
        buysLater.insert(user)
      }
    }
    var users: [Int32] = []
    var values: [Float] = []
    var labels: [Bool] = []
    for user in ordersOf.keys.sorted() {
      guard let orders = ordersOf[user], !orders.isEmpty else { continue }
      var first = Int64.max
      var last = Int64.min
      var spend = 0.0
      var lines = 0
      var maxLines = 0
      var last30 = 0
      var last90 = 0
      var spendByGroup: [String: Double] = [:]
      var items = Set<Int32>()
      for b in orders {
        let time = baskets.timestamps[b]
        first = min(first, time)
        last = max(last, time)
        let size = baskets.size(of: b)
        lines += size
        maxLines = max(maxLines, size)
        if Double(cutoff - time) <= 30 * day { last30 += 1 }
        if Double(cutoff - time) <= 90 * day { last90 += 1 }
        for line in baskets.lineRange(b) {
          let item = baskets.items[line]
          let price = baskets.unitPrices[line]
          let amount = price.isFinite ? max(0, baskets.quantities[line] * price) : 0
          spend += amount
          items.insert(item)
          let group: String
          if Int(item) < dataset.catalog.count, let category = dataset.catalog[item].category {
            group = "c:" + category
          } else {
            group = "i:\(item)"
          }
          spendByGroup[group, default: 0] += amount
        }
      }
      let n = Double(orders.count)
      var entropy = 0.0
      var topShare = 0.0
      if spend > 0 {
        for amount in spendByGroup.values where amount > 0 {
          let share = amount / spend
          entropy -= share * log(share)
          topShare = max(topShare, share)
        }
      }
      let tenure = Double(cutoff - first) / day
      let gap = orders.count > 1 ? Double(last - first) / day / (n - 1) : tenure
      let row: [Double] = [
        log1p(Double(cutoff - last) / day), log1p(n), log1p(spend), log1p(spend / n), log1p(Double(lines) / n),
        log1p(Double(maxLines)), log1p(tenure), log1p(gap), log1p(Double(last30)), log1p(Double(last90)),
        log1p(Double(items.count)), entropy, topShare,
      ]
      users.append(user)
      values.append(contentsOf: row.map { Float($0) })
      labels.append(buysLater.contains(user))
    }
    return PropensityFeatures(users: users, values: values, labels: labels)
  }
}

// MARK: - Standardisation

/// Per-column standardisation x′ = (x − μ)/σ, with μ and σ from the training rows (σ = 1 for constant columns).
public struct FeatureScaler: Sendable, Hashable {
  /// Column means μ.
  public var means: [Float]
  /// Column standard deviations σ (population).
  public var deviations: [Float]

  /// Creates a scaler from explicit statistics.
  public init(means: [Float], deviations: [Float]) {
    self.means = means
    self.deviations = deviations
  }

  /// Fits μ and σ on row-major `values` with `columns` columns.
  /// - Complexity: O(values).
  public init(fitting values: [Float], columns: Int) {
    let rows = columns > 0 ? values.count / columns : 0
    var mean = [Double](repeating: 0, count: columns)
    var square = [Double](repeating: 0, count: columns)
    for r in 0..<rows {
      for c in 0..<columns {
        let v = Double(values[r * columns + c])
        mean[c] += v
        square[c] += v * v
      }
    }
    let n = Double(max(rows, 1))
    means = mean.map { Float($0 / n) }
    deviations = zip(mean, square).map { sum, squares in
      let variance = max(0, squares / n - (sum / n) * (sum / n))
      return variance > 1e-12 ? Float(variance.squareRoot()) : 1
    }
  }

  /// The standardised copy of row-major `values`.
  public func transform(_ values: [Float]) -> [Float] {
    let columns = means.count
    guard columns > 0 else { return values }
    var result = values
    for k in result.indices {
      let c = k % columns
      result[k] = (result[k] - means[c]) / deviations[c]
    }
    return result
  }
}
