import BasketryCore
import Foundation

/// Every customer's ``CustomerProfile``, built once from a shop's orders, with the fitted
/// ``CustomerValueModel`` and the cut points needed to profile a customer again later (e.g. after
/// new purchases) with the same thresholds.
public struct CustomerProfiles: Sendable, Hashable, Codable {
  /// The fitted value model.
  public var model: CustomerValueModel
  /// The thresholds used.
  public var options: ProfileOptions
  /// One profile per customer, in ascending order of external id.
  public var profiles: [CustomerProfile]
  /// Lifetime-value lower bounds of the top, high and medium tiers.
  public var segmentCuts: [Double]
  /// The shop's median gap between purchases (tₓ / x over repeat customers), in days.
  public var medianGapDays: Double
  /// The reference day (days since 1970-01-01, UTC).
  public var referenceDay: Int
  private var index: [String: Int]

  /// Builds profiles from a shop's orders.
  /// - Parameters:
  ///   - dataset: orders with users and timestamps (and a catalog with categories and titles).
  ///   - referenceTime: the "now" of the profiles (Unix seconds); later orders are ignored. Default
  ///     the last order.
  ///   - valueOptions: the value model's options.
  ///   - options: thresholds and windows.
  /// - Throws: ``CustomerValueError`` when no customer has an order or the purchase model does not
  ///   converge.
  /// - Complexity: O(orders + lines + customers × 12 predictions) plus the model fit.
  public static func build(
    dataset: Dataset, referenceTime: Int64? = nil, valueOptions: CustomerValueModel.Options = .init(),
    options: ProfileOptions = .init()
  ) throws -> CustomerProfiles {
    let table = try RFMTable(dataset: dataset, calibrationEnd: referenceTime)
    let model = try CustomerValueModel.fit(table, options: valueOptions)
    let signals = ProfileSignals(dataset: dataset, table: table, options: options)
    let alive = table.rows.map(model.probabilityAlive)
    let values = table.rows.map(model.lifetimeValue)
    let live = values.indices.filter { alive[$0] >= options.dormantBelow }.map { values[$0] }.sorted(by: >)
    var cuts: [Double] = []
    var share = 0.0
    for tier in [options.topShare, options.highShare, options.mediumShare] {
      share += tier
      let rank = Int((share * Double(live.count)).rounded(.up)) - 1
      cuts.append(live.isEmpty ? .infinity : live[min(max(rank, 0), live.count - 1)])
    }
    let gaps = table.rows.filter { $0.frequency > 0 }.map { $0.recency / Double($0.frequency) }.sorted()
    var result = CustomerProfiles(
      model: model, options: options, profiles: [], segmentCuts: cuts,
      medianGapDays: gaps.isEmpty ? 30 : gaps[gaps.count / 2], referenceDay: table.calibrationEndDay, index: [:])
    result.profiles = table.rows.indices.map { i in
      result.profile(
        customer: table.customers[i], rfm: table.rows[i], interests: signals.interests[i],
        priceSensitivity: signals.priceSensitivity[i])
    }
    result.index = Dictionary(uniqueKeysWithValues: result.profiles.enumerated().map { ($1.customer, $0) })
    return result
  }

  /// The profile of a customer, or nil when they had no order by the reference day.
  /// - Complexity: O(1).
  public func profile(for customer: String) -> CustomerProfile? {
    index[customer].map { profiles[$0] }
  }

  /// Profiles a customer from a (possibly updated) summary with this model and these thresholds.
  /// - Parameters:
  ///   - customer: external id.
  ///   - rfm: their summary, ages in days at the profile's reference day.
  ///   - interests: their interests (see ``CustomerProfile/interests``).
  ///   - priceSensitivity: their price sensitivity, if measurable.
  /// - Complexity: O(``CustomerValueModel/Options/months``) predictions.
  public func profile(
    customer: String, rfm: RFM, interests: [CustomerProfile.Interest] = [],
    priceSensitivity: CustomerProfile.PriceSensitivity? = nil
  ) -> CustomerProfile {
    let alive = model.probabilityAlive(rfm)
    let value = model.lifetimeValue(rfm)
    let segment: CustomerProfile.Segment =
      if alive < options.dormantBelow {
        .dormant
      } else if value >= segmentCuts[0] {
        .top
      } else if value >= segmentCuts[1] {
        .high
      } else if value >= segmentCuts[2] {
        .medium
      } else {
        .low
      }
    let idle = rfm.age - rfm.recency
    let gap = rfm.frequency > 0 ? max(rfm.recency / Double(rfm.frequency), 1) : max(medianGapDays, 1)
    let lifecycle: CustomerProfile.Lifecycle =
      if alive < options.dormantBelow || idle > options.lapsedGaps * gap {
        .lapsed
      } else if rfm.age <= Double(options.newWithinDays) {
        .new
      } else if alive < options.atRiskBelow || idle > options.atRiskGaps * gap {
        .atRisk
      } else {
        .active
      }
    return CustomerProfile(
      customer: customer, rfm: rfm, probabilityAlive: alive,
      expectedOrders: model.expectedPurchases(in: options.horizonDays, given: rfm),
      expectedSpend: model.expectedSpend(rfm), lifetimeValue: value, segment: segment, lifecycle: lifecycle,
      daysSinceLastPurchase: Int(idle), interests: interests, priceSensitivity: priceSensitivity)
  }
}

/// Interests and price sensitivity of every customer of an RFM table, from their order lines.
struct ProfileSignals {
  var interests: [[CustomerProfile.Interest]]
  var priceSensitivity: [CustomerProfile.PriceSensitivity?]

  /// - Complexity: O(orders + lines + items × log).
  init(dataset: Dataset, table: RFMTable, options: ProfileOptions) {
    let baskets = dataset.baskets
    let catalog = dataset.catalog
    var row: [Int32: Int] = [:]
    for (i, customer) in table.customers.enumerated() {
      if let id = dataset.users.id(of: customer) { row[id] = i }
    }
    // Labels: the leaf category when the catalog has one, else the item.
    var labelOf = [Int32](repeating: -1, count: catalog.count)
    var labels: [String] = []
    var isCategory: [Bool] = []
    var labelIDs: [String: Int32] = [:]
    for item in 0..<catalog.count {
      let category = catalog[Int32(item)].category
      let key = category.map { "c:" + $0 } ?? "i:\(item)"
      if let id = labelIDs[key] {
        labelOf[item] = id
      } else {
        let id = Int32(labels.count)
        labelIDs[key] = id
        labels.append(category ?? catalog.displayName(Int32(item)))
        isCategory.append(category != nil)
        labelOf[item] = id
      }
    }
    // Each item's median unit price, and whether its price varies.
    var prices = [[Double]](repeating: [], count: catalog.count)
    for line in 0..<baskets.lineCount where baskets.unitPrices[line] > 0 {
      prices[Int(baskets.items[line])].append(baskets.unitPrices[line])
    }
    var median = [Double](repeating: .nan, count: catalog.count)
    var varies = [Bool](repeating: false, count: catalog.count)
    for item in 0..<catalog.count where !prices[item].isEmpty {
      let sorted = prices[item].sorted()
      median[item] = sorted[sorted.count / 2]
      varies[item] = sorted[0] < options.discountedBelow * median[item]
    }
    let endDay = table.calibrationEndDay
    let decay = log(2) / max(options.interestHalfLifeDays, 1e-9)
    var weights = [[Int32: Double]](repeating: [:], count: table.count)
    var spend = [Double](repeating: 0, count: table.count)
    var discounted = [Double](repeating: 0, count: table.count)
    var pricedLines = [Int](repeating: 0, count: table.count)
    var shopSpend = 0.0
    var shopDiscounted = 0.0
    for b in 0..<baskets.count {
      guard let i = row[baskets.users[b]], baskets.timestamps[b] != Baskets.noTime else { continue }
      let day = RFMTable.day(baskets.timestamps[b])
      guard day <= endDay else { continue }
      let factor = exp(-decay * Double(endDay - day))
      for line in baskets.lineRange(b) {
        let item = Int(baskets.items[line])
        let price = baskets.unitPrices[line]
        let value = price.isFinite && price > 0 ? price * baskets.quantities[line] : 1
        weights[i][labelOf[item], default: 0] += value * factor
        if varies[item], price > 0 {
          spend[i] += value
          pricedLines[i] += 1
          shopSpend += value
          if price < options.discountedBelow * median[item] {
            discounted[i] += value
            shopDiscounted += value
          }
        }
      }
    }
    let shopShare = shopSpend > 0 ? shopDiscounted / shopSpend : 0
    interests = weights.map { counts in
      let total = counts.values.reduce(0, +)
      guard total > 0 else { return [] }
      return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        .prefix(options.interests)
        .map {
          CustomerProfile.Interest(
            label: labels[Int($0.key)], isCategory: isCategory[Int($0.key)], share: $0.value / total)
        }
    }
    priceSensitivity = table.customers.indices.map { i in
      guard shopShare > 0, pricedLines[i] >= options.minimumPricedLines, spend[i] > 0 else { return nil }
      let share = discounted[i] / spend[i]
      return CustomerProfile.PriceSensitivity(discountedShare: share, shopShare: shopShare, index: share / shopShare)
    }
  }
}
