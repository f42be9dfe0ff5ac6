import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A cross-price elasticity: how one item's purchase incidence responds to another item's price.
public struct CrossPriceResponse: Sendable, Hashable, Codable {
  /// The least-squares estimate η̂ = ∂ log y_j / ∂ log p_i.
  public var rawElasticity: Double
  /// Its standard error.
  public var standardError: Double
  /// The estimate shrunk toward 0: η = η̂ · τ² / (τ² + SE²).
  public var elasticity: Double
  /// Periods in which both items sold (the regression's observations).
  public var periods: Int

  private enum CodingKeys: String, CodingKey {
    case elasticity, periods
    case rawElasticity = "raw_elasticity"
    case standardError = "standard_error"
  }
}

/// Every item's purchase incidence and mean unit price per period, for cross-price regressions.
///
/// Incidence is (orders with the item) / (orders) in the period, as in
/// ``PriceResponseOptions/Response/incidence(periodSeconds:)``.
public struct IncidenceSeries: Sendable {
  /// One item in one period.
  struct Cell: Sendable {
    var logPrice: Double
    var logRate: Double
    var orders: Double
  }

  /// Per item: period index → cell (only periods with a priced sale).
  let cells: [[Int: Cell]]
  /// Each period's start (in periods since the epoch), for the trend control.
  let periodKeys: [Int64]

  /// Builds the series.
  /// - Complexity: O(lines).
  public init(baskets: Baskets, itemCount: Int, periodSeconds: Int64 = 604_800) {
    let grouped = OrderPeriods(baskets, periodSeconds: periodSeconds)
    let ordersPerPeriod = grouped.orders
    var raw = [[Int: (orders: Int, priceSum: Double, priced: Int)]](repeating: [:], count: itemCount)
    for b in 0..<baskets.count {
      let period = grouped.periodOf[b]
      var last: Int32 = -1
      for line in baskets.lineRange(b) {
        let item = baskets.items[line]
        guard Int(item) < itemCount, item >= 0 else { continue }
        var cell = raw[Int(item)][period] ?? (0, 0, 0)
        if item != last { cell.orders += 1 }
        last = item
        let price = baskets.unitPrices[line]
        if price > 0 && price.isFinite {
          cell.priceSum += price
          cell.priced += 1
        }
        raw[Int(item)][period] = cell
      }
    }
    cells = raw.map { itemCells in
      var result: [Int: Cell] = [:]
      for (period, cell) in itemCells where cell.priced > 0 && cell.orders > 0 {
        result[period] = Cell(
          logPrice: log(cell.priceSum / Double(cell.priced)),
          logRate: log(Double(cell.orders) / Double(max(ordersPerPeriod[period], 1))), orders: Double(cell.orders))
      }
      return result
    }
    periodKeys = grouped.keys
  }

  /// The cross-price elasticity of item `j`'s incidence with respect to item `i`'s price, controlling for
  /// `j`'s own price (and, with `detrend`, a linear trend), over the periods in which both sold:
  ///
  ///     log y_j = a + η · log p_i + ε_j · log p_j (+ β t),   weighted by j's orders,
  ///
  /// solved through Frisch–Waugh (both prices and the response residualised on the intercept and trend),
  /// with SE(η) = √(s² · (XᵀWX)⁻¹₁₁ · n / Σw). η is then shrunk toward 0 with prior variance
  /// `priorVariance` (cross-effects are usually small).
  /// - Returns: nil with fewer than `minPeriods` common periods or no independent variation in i's price.
  /// - Complexity: O(periods).
  public func crossElasticity(
    of j: Int32, toPriceOf i: Int32, detrend: Bool, minPeriods: Int = 8, priorVariance: Double = 0.1
  ) -> CrossPriceResponse? {
    guard Int(i) < cells.count, Int(j) < cells.count, i >= 0, j >= 0, i != j else { return nil }
    var rows: [(t: Double, x1: Double, x2: Double, y: Double, w: Double)] = []
    for (period, cj) in cells[Int(j)] {
      guard let ci = cells[Int(i)][period] else { continue }
      rows.append((Double(periodKeys[period]), ci.logPrice, cj.logPrice, cj.logRate, cj.orders))
    }
    let parameters = detrend ? 4 : 3
    guard rows.count >= max(minPeriods, parameters + 1) else { return nil }
    let sw = rows.reduce(0) { $0 + $1.w }
    guard sw > 0 else { return nil }
    func mean(_ f: (Double, Double, Double, Double) -> Double) -> Double {
      rows.reduce(0) { $0 + $1.w * f($1.t, $1.x1, $1.x2, $1.y) } / sw
    }
    let mt = mean { t, _, _, _ in t }
    let m1 = mean { _, x, _, _ in x }
    let m2 = mean { _, _, x, _ in x }
    let my = mean { _, _, _, y in y }
    var stt = 0.0
    var st1 = 0.0
    var st2 = 0.0
    var sty = 0.0
    for r in rows {
      let dt = r.t - mt
      stt += r.w * dt * dt
      st1 += r.w * dt * (r.x1 - m1)
      st2 += r.w * dt * (r.x2 - m2)
      sty += r.w * dt * (r.y - my)
    }
    let trend = detrend && stt > 1e-12
    let b1 = trend ? st1 / stt : 0
    let b2 = trend ? st2 / stt : 0
    let by = trend ? sty / stt : 0
    var a11 = 0.0
    var a12 = 0.0
    var a22 = 0.0
    var c1 = 0.0
    var c2 = 0.0
    var residuals: [(x1: Double, x2: Double, y: Double, w: Double)] = []
    for r in rows {
      let dt = r.t - mt
      let x1 = r.x1 - m1 - b1 * dt
      let x2 = r.x2 - m2 - b2 * dt
      let y = r.y - my - by * dt
      a11 += r.w * x1 * x1
      a12 += r.w * x1 * x2
      a22 += r.w * x2 * x2
      c1 += r.w * x1 * y
      c2 += r.w * x2 * y
      residuals.append((x1, x2, y, r.w))
    }
    let determinant = a11 * a22 - a12 * a12
    guard determinant > 1e-12 * max(a11 * a22, 1e-300), a11 > 1e-12 else { return nil }
    let eta = (a22 * c1 - a12 * c2) / determinant
    let own = (a11 * c2 - a12 * c1) / determinant
    var sse = 0.0
    for r in residuals {
      let e = r.y - eta * r.x1 - own * r.x2
      sse += r.w * e * e
    }
    let dof = rows.count - parameters
    guard dof > 0 else { return nil }
    let n = Double(rows.count)
    let s2 = sse / Double(dof) * n / sw
    let variance = s2 * (a22 / determinant) * sw / n
    guard variance.isFinite, variance > 0 else { return nil }
    let shrink = priorVariance / (priorVariance + variance)
    return CrossPriceResponse(
      rawElasticity: eta, standardError: variance.squareRoot(), elasticity: eta * shrink, periods: rows.count)
  }
}
