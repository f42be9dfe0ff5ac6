import BasketryCore

/// The shape of a shop's cleaned orders: how big baskets are, how often customers come back, and what was
/// sold over time.
public struct DatasetProfile: Sendable, Hashable {
  /// One period of the time series.
  public struct Period: Sendable, Hashable {
    /// First day of the period, `YYYY-MM-DD` (UTC).
    public var start: String
    /// Orders placed in it.
    public var orders: Int
    /// Revenue: Σ quantity × unit price of its lines.
    public var revenue: Double
  }

  /// Orders.
  public var orders: Int
  /// Order lines.
  public var lines: Int
  /// Distinct items ordered.
  public var items: Int
  /// Customers with at least one order.
  public var customers: Int
  /// Orders without a customer id.
  public var anonymousOrders: Int
  /// Σ quantity × unit price over all lines.
  public var revenue: Double
  /// Whether any line has a price (Instacart and basket files have none).
  public var hasPrices: Bool
  /// Distinct items per order.
  public var basketSizes: [HistogramBin]
  /// Orders per customer (customers only).
  public var ordersPerCustomer: [HistogramBin]
  /// Orders and revenue per period, oldest first (empty without times).
  public var periods: [Period]
  /// `day`, `week` or `month`: the period length chosen from the data's span.
  public var periodName: String
  /// Median distinct items per order.
  public var medianBasketSize: Int

  /// Bin edges used for sizes and counts: 1, 2, 3, 4, 5, 6–7, 8–10, 11–15, 16–20, 21–30, 31–50, 51–100, 101+.
  static let edges = [1, 2, 3, 4, 5, 6, 8, 11, 16, 21, 31, 51, 101]

  /// Profiles a dataset.
  /// - Parameter dataset: the cleaned orders.
  /// - Complexity: O(lines + users).
  public init(dataset: Dataset) {
    let baskets = dataset.baskets
    orders = baskets.count
    lines = baskets.lineCount
    var seen = Set<Int32>()
    seen.reserveCapacity(dataset.catalog.count)
    for item in baskets.items { seen.insert(item) }
    items = seen.count
    var perUser = [Int](repeating: 0, count: dataset.users.count)
    var anonymous = 0
    var sizes: [Int] = []
    sizes.reserveCapacity(baskets.count)
    for order in 0..<baskets.count {
      sizes.append(baskets.size(of: order))
      let user = baskets.users[order]
      if user >= 0 && Int(user) < perUser.count { perUser[Int(user)] += 1 } else { anonymous += 1 }
    }
    anonymousOrders = anonymous
    let active = perUser.filter { $0 > 0 }
    customers = active.count
    basketSizes = Self.bins(sizes)
    ordersPerCustomer = Self.bins(active)
    let sorted = sizes.sorted()
    medianBasketSize = sorted.isEmpty ? 0 : sorted[sorted.count / 2]

    var total = 0.0
    var priced = false
    var orderRevenue = [Double](repeating: 0, count: baskets.count)
    for order in 0..<baskets.count {
      var sum = 0.0
      for line in baskets.lineRange(order) where baskets.unitPrices[line] > 0 {
        sum += baskets.unitPrices[line] * baskets.quantities[line]
        priced = true
      }
      orderRevenue[order] = sum
      total += sum
    }
    revenue = total
    hasPrices = priced

    let times = baskets.timestamps.filter { $0 != Baskets.noTime }
    guard let first = times.min(), let last = times.max() else {
      periods = []
      periodName = "week"
      return
    }
    let firstDay = Self.floorDiv(first, 86_400)
    let spanDays = Self.floorDiv(last, 86_400) - firstDay
    let name = spanDays <= 62 ? "day" : (spanDays <= 730 ? "week" : "month")
    periodName = name
    func key(_ time: Int64) -> Int64 {
      let day = Self.floorDiv(time, 86_400)
      switch name {
      case "day": return day
      // Weeks start on Monday; 1970-01-01 was a Thursday, day 4 = Monday 1970-01-05.
      case "week": return Self.floorDiv(day - 4, 7) * 7 + 4
      default:
        let (year, month, _) = Self.civil(day)
        return Self.days(year: year, month: month, day: 1)
      }
    }
    var buckets: [Int64: (orders: Int, revenue: Double)] = [:]
    for order in 0..<baskets.count where baskets.timestamps[order] != Baskets.noTime {
      let k = key(baskets.timestamps[order])
      buckets[k, default: (0, 0)].orders += 1
      buckets[k, default: (0, 0)].revenue += orderRevenue[order]
    }
    // Every period between the first and the last, so gaps show as zeros.
    var result: [Period] = []
    var cursor = key(first)
    let end = key(last)
    while cursor <= end && result.count < 400 {
      let bucket = buckets[cursor] ?? (0, 0)
      result.append(Period(start: Self.dateText(cursor), orders: bucket.orders, revenue: bucket.revenue))
      switch name {
      case "day": cursor += 1
      case "week": cursor += 7
      default:
        let (year, month, _) = Self.civil(cursor)
        cursor = Self.days(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1)
      }
    }
    periods = result
  }

  /// Counts values into the fixed bins, dropping empty bins at the top end.
  static func bins(_ values: [Int]) -> [HistogramBin] {
    var counts = [Int](repeating: 0, count: edges.count)
    for value in values where value >= 1 {
      var index = edges.count - 1
      while index > 0 && value < edges[index] { index -= 1 }
      counts[index] += 1
    }
    var result: [HistogramBin] = []
    for index in edges.indices {
      let upper = index + 1 < edges.count ? edges[index + 1] - 1 : Int.max
      result.append(HistogramBin(lower: edges[index], upper: upper, count: counts[index]))
    }
    while let last = result.last, last.count == 0, result.count > 1 { result.removeLast() }
    return result
  }

  static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

  /// Year, month and day of a day number since 1970-01-01 (proleptic Gregorian).
  static func civil(_ dayNumber: Int64) -> (Int64, Int64, Int64) {
    let z = dayNumber + 719_468
    let era = floorDiv(z, 146_097)
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// Day number since 1970-01-01 of a date.
  static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = floorDiv(y, 400)
    let yoe = y - era * 400
    let mp = month > 2 ? month - 3 : month + 9
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// `YYYY-MM-DD` of a day number.
  static func dateText(_ dayNumber: Int64) -> String {
    let (year, month, day) = civil(dayNumber)
    func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(year)-\(two(month))-\(two(day))"
  }
}
