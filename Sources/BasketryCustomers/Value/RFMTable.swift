import BasketryCore

/// Every customer's ``RFM`` summary at a calibration end, in days, with the repeat purchases of an
/// optional holdout period: the input of every model in this module.
///
/// Conventions (those of `lifetimes`' `calibration_and_holdout_data` with `freq="D"`): a day is a
/// UTC calendar day of the order timestamp; every order is a transaction and a customer's orders on
/// one day are one purchase period, whose value is the sum of their lines (quantity × unit price);
/// the calibration period holds every day up to and including the calibration end day, the holdout
/// the days after it up to and including the holdout end day. Customers are the users with an order
/// in the calibration period; orders without a user or a time are ignored.
public struct RFMTable: Sendable, Hashable, Codable {
  /// External customer ids, one per row, in ascending order.
  public var customers: [String]
  /// Calibration summaries, one per row.
  public var rows: [RFM]
  /// Each customer's first purchase day (days since 1970-01-01, UTC).
  public var firstDay: [Int]
  /// The last calibration day (days since 1970-01-01, UTC).
  public var calibrationEndDay: Int
  /// Repeat-purchase days of each customer in the holdout (all holdout purchase days count, since
  /// the first purchase lies in calibration), or nil without a holdout.
  public var holdoutFrequency: [Int]?
  /// The holdout's length in days (holdout end day − calibration end day), or nil.
  public var holdoutLength: Double?

  /// Number of customers.
  public var count: Int { rows.count }

  /// Summarises a dataset.
  /// - Parameters:
  ///   - dataset: orders with users and timestamps.
  ///   - calibrationEnd: any time on the last calibration day (Unix seconds); default the last order.
  ///   - holdoutEnd: any time on the last holdout day (Unix seconds), after `calibrationEnd`; nil for
  ///     no holdout.
  ///   - includeItem: which items count as purchases (a line-level filter; an order without an
  ///     included line is no transaction). Default every item.
  /// - Throws: ``CustomerValueError`` when no customer has a calibration order or the holdout ends
  ///   before the calibration.
  /// - Complexity: O(orders + lines + customers × log).
  public init(
    dataset: Dataset, calibrationEnd: Int64? = nil, holdoutEnd: Int64? = nil,
    includeItem: ((Int32) -> Bool)? = nil
  ) throws {
    let baskets = dataset.baskets
    var lastTime = Int64.min
    for b in 0..<baskets.count where baskets.timestamps[b] != Baskets.noTime && baskets.users[b] >= 0 {
      lastTime = max(lastTime, baskets.timestamps[b])
    }
    guard lastTime != .min else {
      throw CustomerValueError(.noCustomers, "no order has both a customer and a time")
    }
    let calDay = Self.day(calibrationEnd ?? lastTime)
    let holdDay = holdoutEnd.map(Self.day)
    if let holdDay, holdDay <= calDay {
      throw CustomerValueError(
        .invalidArgument, "holdout end day \(holdDay) is not after calibration end day \(calDay)")
    }
    // (user, day) → value, gathered per user.
    var purchases: [Int32: [Int: Double]] = [:]
    for b in 0..<baskets.count {
      let user = baskets.users[b]
      let time = baskets.timestamps[b]
      guard user >= 0, time != Baskets.noTime else { continue }
      let day = Self.day(time)
      if day > (holdDay ?? calDay) { continue }
      var value = 0.0
      var included = false
      for line in baskets.lineRange(b) where includeItem?(baskets.items[line]) ?? true {
        included = true
        let price = baskets.unitPrices[line]
        if price.isFinite { value += price * baskets.quantities[line] }
      }
      guard included else { continue }
      purchases[user, default: [:]][day, default: 0] += value
    }
    var customers: [String] = []
    var rows: [RFM] = []
    var firstDays: [Int] = []
    var holdout: [Int] = []
    for user in purchases.keys.sorted(by: { dataset.users[$0] < dataset.users[$1] }) {
      guard let days = purchases[user] else { continue }
      let calibration = days.filter { $0.key <= calDay }.sorted { $0.key < $1.key }
      guard let first = calibration.first, let last = calibration.last else { continue }
      let repeats = calibration.dropFirst()
      let monetary = repeats.isEmpty ? 0 : repeats.reduce(0) { $0 + $1.value } / Double(repeats.count)
      customers.append(dataset.users[user])
      rows.append(
        RFM(
          frequency: repeats.count, recency: Double(last.key - first.key), age: Double(calDay - first.key),
          monetary: monetary))
      firstDays.append(first.key)
      holdout.append(days.count - calibration.count)
    }
    guard !rows.isEmpty else {
      throw CustomerValueError(.noCustomers, "no customer has an order on or before day \(calDay)")
    }
    self.customers = customers
    self.rows = rows
    self.firstDay = firstDays
    self.calibrationEndDay = calDay
    self.holdoutFrequency = holdDay == nil ? nil : holdout
    self.holdoutLength = holdDay.map { Double($0 - calDay) }
  }

  /// Creates a table from given rows (for tests and tables computed elsewhere).
  public init(
    customers: [String], rows: [RFM], firstDay: [Int]? = nil, calibrationEndDay: Int = 0,
    holdoutFrequency: [Int]? = nil, holdoutLength: Double? = nil
  ) {
    self.customers = customers
    self.rows = rows
    self.firstDay = firstDay ?? rows.map { calibrationEndDay - Int($0.age) }
    self.calibrationEndDay = calibrationEndDay
    self.holdoutFrequency = holdoutFrequency
    self.holdoutLength = holdoutLength
  }

  /// The UTC day number of a Unix time (floor division, so times before 1970 work too).
  public static func day(_ unixSeconds: Int64) -> Int {
    Int(unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400)
  }
}
