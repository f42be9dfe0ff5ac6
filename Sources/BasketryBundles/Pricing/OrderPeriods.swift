import BasketryCore

/// Orders grouped into fixed periods of time (e.g. weeks), numbered in order of first appearance: what purchase
/// incidence per period is computed over, in ``PriceResponse`` and ``IncidenceSeries``.
struct OrderPeriods: Sendable {
  /// Each order's period index.
  let periodOf: [Int]
  /// Each period's start, in periods since the epoch (orders without a time fall in period 0).
  let keys: [Int64]
  /// How many orders each period holds.
  let orders: [Int]

  /// Groups the orders.
  /// - Parameters:
  ///   - baskets: the orders.
  ///   - periodSeconds: the period length in seconds (at least 1; default a week).
  /// - Complexity: O(orders).
  init(_ baskets: Baskets, periodSeconds: Int64 = 604_800) {
    let span = max(periodSeconds, 1)
    var periodOf = [Int](repeating: 0, count: baskets.count)
    var index: [Int64: Int] = [:]
    var keys: [Int64] = []
    var orders: [Int] = []
    for b in 0..<baskets.count {
      let time = baskets.timestamps[b]
      // Floor division, so times before the epoch fall in the period that contains them.
      let key = time == Baskets.noTime ? 0 : (time >= 0 ? time / span : (time - span + 1) / span)
      let period: Int
      if let known = index[key] {
        period = known
      } else {
        period = keys.count
        index[key] = period
        keys.append(key)
        orders.append(0)
      }
      periodOf[b] = period
      orders[period] += 1
    }
    self.periodOf = periodOf
    self.keys = keys
    self.orders = orders
  }
}
