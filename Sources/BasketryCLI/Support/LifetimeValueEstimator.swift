import BasketryBundles
import BasketryCustomers

/// The campaign simulator's CLV strategy on the BG/NBD and Gamma-Gamma lifetime value
/// (``CustomerValueModel``), fitted on the histories it is asked to value.
///
/// A history becomes the `lifetimes` summary in days: x = orders − 1 repeat purchases, T = tenure (days since
/// the first order), tₓ = T − days since the last order, and the mean order value as the repeat value (the
/// history keeps only the total spend). Customers without an order are worth 0 and are left out of the fit.
struct LifetimeValueEstimator: CustomerValueEstimator {
  var name: String { "clv-bgnbd-gamma-gamma" }
  /// Fit and valuation settings (default BG/NBD, 12 months, 1 % a month).
  var options = CustomerValueModel.Options()

  /// Each customer's discounted lifetime value.
  /// - Throws: ``CustomerValueError`` when no history has an order or the purchase model does not converge.
  /// - Complexity: the BG/NBD fit's, plus O(histories · months) predictions.
  func expectedValues(_ histories: [CampaignCustomer.History]) throws -> [Double] {
    let rows: [RFM?] = histories.map { history in
      guard history.orders > 0, history.tenureDays.isFinite, history.tenureDays >= 0 else { return nil }
      let age = history.tenureDays
      let recency = min(max(age - history.recencyDays, 0), age)
      let frequency = history.orders - 1
      return RFM(
        frequency: frequency, recency: frequency > 0 ? recency : 0, age: age,
        monetary: frequency > 0 ? history.spend / Double(history.orders) : 0)
    }
    let known = rows.compactMap { $0 }
    let table = RFMTable(customers: known.indices.map(String.init), rows: known)
    let model = try CustomerValueModel.fit(table, options: options)
    return rows.map { row in row.map(model.lifetimeValue) ?? 0 }
  }
}
