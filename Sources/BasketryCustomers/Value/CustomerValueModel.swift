import Foundation

/// Customer value fitted once on a shop's history: a purchase model (BG/NBD or Pareto/NBD) and a
/// Gamma-Gamma spend model, giving each customer's P(alive), expected orders over a horizon,
/// expected spend per order and discounted lifetime value.
///
/// Codable, so a fitted model can be stored (e.g. in a serving artifact) and queried per customer
/// from their ``RFM`` summary.
public struct CustomerValueModel: Sendable, Hashable, Codable {
  /// Which purchase model to fit.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    /// ``BetaGeoModel``, the default.
    case betaGeo = "bgnbd"
    /// ``ParetoNBDModel``.
    case paretoNBD = "pareto-nbd"
  }

  /// A fitted purchase model.
  public enum PurchaseModel: Sendable, Hashable, Codable {
    /// BG/NBD.
    case betaGeo(BetaGeoModel)
    /// Pareto/NBD.
    case paretoNBD(ParetoNBDModel)
  }

  /// Fit and valuation settings.
  public struct Options: Sendable, Hashable, Codable {
    /// The purchase model. Default ``Kind/betaGeo``.
    public var kind: Kind = .betaGeo
    /// L2 penaliser of the purchase model. Default 0 (`lifetimes`' default).
    public var penalizer: Double = 0
    /// L2 penaliser of the spend model. Default 0.
    public var spendPenalizer: Double = 0
    /// Months of lifetime value. Default 12 (`lifetimes`' `time`).
    public var months: Int = 12
    /// Monthly discount rate of lifetime value. Default 0.01 (`lifetimes`' `discount_rate`).
    public var monthlyDiscountRate: Double = 0.01
    /// Periods (days) per month for lifetime value. Default 30 (`lifetimes`' factor for `freq="D"`).
    public var periodsPerMonth: Double = 30
    /// Creates the defaults.
    public init() {}
  }

  /// The purchase model.
  public var purchases: PurchaseModel
  /// The spend model, or nil when too few customers have repeat purchases (values are then the
  /// customer's own mean, or 0).
  public var spend: GammaGammaModel?
  /// The settings the model was fitted with.
  public var options: Options
  /// The last calibration day (days since 1970-01-01, UTC) the ages refer to.
  public var calibrationEndDay: Int

  /// Creates a model from fitted parts.
  public init(purchases: PurchaseModel, spend: GammaGammaModel?, options: Options, calibrationEndDay: Int = 0) {
    self.purchases = purchases
    self.spend = spend
    self.options = options
    self.calibrationEndDay = calibrationEndDay
  }

  /// Fits the purchase and spend models to a table.
  /// - Parameters:
  ///   - table: the customers' calibration summaries.
  ///   - options: model choice, penalisers and valuation settings.
  /// - Throws: ``CustomerValueError`` when the purchase model cannot be fitted. A spend model that
  ///   cannot be fitted is left out rather than thrown.
  /// - Complexity: the purchase fit's; see ``BetaGeoModel/fit(_:penalizer:)``.
  public static func fit(_ table: RFMTable, options: Options = Options()) throws -> CustomerValueModel {
    let purchases: PurchaseModel =
      switch options.kind {
      case .betaGeo: .betaGeo(try BetaGeoModel.fit(table.rows, penalizer: options.penalizer))
      case .paretoNBD: .paretoNBD(try ParetoNBDModel.fit(table.rows, penalizer: options.penalizer))
      }
    let spend = try? GammaGammaModel.fit(table.rows, penalizer: options.spendPenalizer)
    return CustomerValueModel(
      purchases: purchases, spend: spend, options: options, calibrationEndDay: table.calibrationEndDay)
  }

  // MARK: - Per customer

  /// P(alive) of a customer with history `rfm`.
  public func probabilityAlive(_ rfm: RFM) -> Double {
    switch purchases {
    case .betaGeo(let model): model.probabilityAlive(rfm)
    case .paretoNBD(let model): model.probabilityAlive(rfm)
    }
  }

  /// Expected repeat purchases in the next `t` periods of a customer with history `rfm`.
  public func expectedPurchases(in t: Double, given rfm: RFM) -> Double {
    switch purchases {
    case .betaGeo(let model): model.expectedPurchases(in: t, given: rfm)
    case .paretoNBD(let model): model.expectedPurchases(in: t, given: rfm)
    }
  }

  /// Expected value per purchase: the Gamma-Gamma conditional mean, or the customer's own mean
  /// without a spend model.
  public func expectedSpend(_ rfm: RFM) -> Double {
    spend?.expectedSpend(rfm) ?? rfm.monetary
  }

  /// Discounted lifetime value over ``Options/months`` months, `lifetimes`' `customer_lifetime_value`:
  /// Σ_{i=1…M} spend · [E(i·P) − E((i−1)·P)] / (1 + d)^i, with E(t) the expected purchases in t
  /// periods, P periods per month and d the monthly discount rate.
  /// - Complexity: O(months) purchase predictions.
  public func lifetimeValue(_ rfm: RFM) -> Double {
    let spend = expectedSpend(rfm)
    var value = 0.0
    var previous = 0.0
    for month in 1...max(options.months, 1) {
      let cumulative = expectedPurchases(in: Double(month) * options.periodsPerMonth, given: rfm)
      value += spend * (cumulative - previous) / pow(1 + options.monthlyDiscountRate, Double(month))
      previous = cumulative
    }
    return value
  }
}
