import BasketryCore

/// A marketing campaign: what it promotes, the incentive, and how many customers it may reach.
///
/// Its JSON form is flat, one key of each pair: `{"category": "garden"}` or `{"items": ["a", "b"]}`,
/// `{"discount": 0.1}` or `{"coupon": 5}`, `{"budget": 1000}` or `{"audience_size": 500}`, and optionally
/// `"redemption_rate"` (default 1), e.g. `{"category": "garden", "discount": 0.1, "audience_size": 500}` (the
/// service's request form).
public struct Campaign: Sendable, Hashable, Codable {
  /// What the campaign promotes; a conversion is a purchase of it within the campaign window.
  public enum Target: Sendable, Hashable {
    /// Every item of a catalogue category.
    case category(String)
    /// These items (external ids).
    case items([String])
  }

  /// The incentive a treated customer gets on the promoted purchase.
  public enum Offer: Sendable, Hashable {
    /// A fraction off the promoted purchase, in (0, 1).
    case discount(Double)
    /// A fixed amount off the promoted purchase (at most its value), > 0.
    case coupon(Double)
  }

  /// How far the campaign reaches.
  public enum Limit: Sendable, Hashable {
    /// At most this expected coupon spend, Σ coupon cost × P(redeem) over the audience, > 0.
    case budget(Double)
    /// At most this many customers, ≥ 1.
    case audience(Int)
  }

  /// What the campaign promotes.
  public var target: Target
  /// The incentive.
  public var offer: Offer
  /// The reach.
  public var limit: Limit
  /// Share of treated buyers who use the incentive; P(redeem) = this × P(buy | treated). Default 1.
  public var redemptionRate: Double

  /// Creates a campaign.
  /// - Throws: ``UpliftError`` naming the field when a value is out of range (discount outside (0, 1),
  ///   coupon or budget ≤ 0, audience < 1, redemption rate outside [0, 1], empty category or item list).
  public init(target: Target, offer: Offer, limit: Limit, redemptionRate: Double = 1) throws {
    switch target {
    case .category(let name) where name.isEmpty: throw UpliftError("campaign.category is empty")
    case .items(let items) where items.isEmpty || items.contains(where: \.isEmpty):
      throw UpliftError("campaign.items must list at least one non-empty item id")
    default: break
    }
    switch offer {
    case .discount(let d) where !(d > 0 && d < 1):
      throw UpliftError("campaign.discount must be a fraction in (0, 1); got \(d)")
    case .coupon(let c) where !(c > 0 && c.isFinite):
      throw UpliftError("campaign.coupon must be a positive amount; got \(c)")
    default: break
    }
    switch limit {
    case .budget(let b) where !(b > 0 && b.isFinite):
      throw UpliftError("campaign.budget must be a positive amount; got \(b)")
    case .audience(let n) where n < 1: throw UpliftError("campaign.audience must be at least 1; got \(n)")
    default: break
    }
    guard (0...1).contains(redemptionRate) else {
      throw UpliftError("campaign.redemption_rate must be in [0, 1]; got \(redemptionRate)")
    }
    self.target = target
    self.offer = offer
    self.limit = limit
    self.redemptionRate = redemptionRate
  }

  // MARK: - Codable

  enum CodingKeys: String, CodingKey {
    case category, items, discount, coupon, budget
    case audience = "audience_size"
    case redemptionRate = "redemption_rate"
  }

  /// Decodes the flat form and validates it like ``init(target:offer:limit:redemptionRate:)``.
  /// - Throws: ``UpliftError`` naming the field when a pair has neither or both keys or a value is out of
  ///   range; `DecodingError` when a value has the wrong type.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    func one<T>(_ a: CodingKeys, _ b: CodingKeys, _ make: (KeyedDecodingContainer<CodingKeys>) throws -> T?) throws -> T
    {
      guard c.contains(a) != c.contains(b), let value = try make(c) else {
        throw UpliftError("campaign needs exactly one of \(a.stringValue) and \(b.stringValue)")
      }
      return value
    }
    let target = try one(.category, .items) { c in
      if let name = try c.decodeIfPresent(String.self, forKey: .category) { return Target.category(name) }
      return try c.decodeIfPresent([String].self, forKey: .items).map { Target.items($0) }
    }
    let offer = try one(.discount, .coupon) { c in
      if let d = try c.decodeIfPresent(Double.self, forKey: .discount) { return Offer.discount(d) }
      return try c.decodeIfPresent(Double.self, forKey: .coupon).map { Offer.coupon($0) }
    }
    let limit = try one(.budget, .audience) { c in
      if let b = try c.decodeIfPresent(Double.self, forKey: .budget) { return Limit.budget(b) }
      return try c.decodeIfPresent(Int.self, forKey: .audience).map { Limit.audience($0) }
    }
    try self.init(
      target: target, offer: offer, limit: limit,
      redemptionRate: try c.decodeIfPresent(Double.self, forKey: .redemptionRate) ?? 1)
  }

  /// Encodes the flat form.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch target {
    case .category(let name): try c.encode(name, forKey: .category)
    case .items(let items): try c.encode(items, forKey: .items)
    }
    switch offer {
    case .discount(let d): try c.encode(d, forKey: .discount)
    case .coupon(let v): try c.encode(v, forKey: .coupon)
    }
    switch limit {
    case .budget(let b): try c.encode(b, forKey: .budget)
    case .audience(let n): try c.encode(n, forKey: .audience)
    }
    try c.encode(redemptionRate, forKey: .redemptionRate)
  }

  /// The incentive's cost on a promoted purchase worth `orderValue` at list price: discount × value, or the
  /// coupon capped at the value.
  public func couponCost(orderValue: Double) -> Double {
    switch offer {
    case .discount(let d): d * orderValue
    case .coupon(let c): min(c, orderValue)
    }
  }

  /// The price cut as a fraction of a promoted purchase worth `orderValue` (0 for a non-positive value).
  public func priceCut(orderValue: Double) -> Double {
    orderValue > 0 ? couponCost(orderValue: orderValue) / orderValue : 0
  }
}

/// What a customer's promoted purchase is worth: its value at list price and the margin rate on it.
public struct CustomerValue: Sendable, Hashable, Codable {
  /// Expected value of the promoted purchase at list price.
  public var orderValue: Double
  /// Margin rate (price − cost) / price on it, in [0, 1].
  public var marginRate: Double

  /// Creates a value.
  public init(orderValue: Double, marginRate: Double) {
    self.orderValue = orderValue
    self.marginRate = marginRate
  }

  /// The margin of the purchase at list price, order value × margin rate.
  public var margin: Double { orderValue * marginRate }
}

/// One customer's campaign figures.
public struct CampaignScore: Sendable, Hashable, Codable {
  /// The customer's external id.
  public var customer: String
  /// P(buy | treated) − P(buy | control).
  public var uplift: Double
  /// P(buy | treated).
  public var purchaseIfTreated: Double
  /// P(buy | control).
  public var purchaseIfControl: Double
  /// Margin of the promoted purchase at list price.
  public var margin: Double
  /// The incentive's cost when redeemed.
  public var couponCost: Double
  /// P(redeem) = redemption rate × P(buy | treated).
  public var redeemProbability: Double
  /// uplift × margin − coupon cost × P(redeem).
  public var expectedIncrementalProfit: Double

  enum CodingKeys: String, CodingKey {
    case customer, uplift, margin
    case purchaseIfTreated = "p_buy_treated"
    case purchaseIfControl = "p_buy_control"
    case couponCost = "coupon_cost"
    case redeemProbability = "p_redeem"
    case expectedIncrementalProfit = "expected_incremental_profit"
  }

  /// Creates a score.
  public init(
    customer: String, uplift: Double, purchaseIfTreated: Double, purchaseIfControl: Double, margin: Double,
    couponCost: Double, redeemProbability: Double, expectedIncrementalProfit: Double
  ) {
    self.customer = customer
    self.uplift = uplift
    self.purchaseIfTreated = purchaseIfTreated
    self.purchaseIfControl = purchaseIfControl
    self.margin = margin
    self.couponCost = couponCost
    self.redeemProbability = redeemProbability
    self.expectedIncrementalProfit = expectedIncrementalProfit
  }
}

/// A campaign's chosen audience and its totals.
public struct CampaignAudience: Sendable, Hashable, Codable {
  /// The customers targeted, best first.
  public var customers: [CampaignScore]
  /// Customers scored.
  public var scored: Int
  /// Σ expected incremental profit over the audience.
  public var expectedIncrementalProfit: Double
  /// Σ coupon cost × P(redeem) over the audience.
  public var expectedCouponSpend: Double
  /// Σ uplift over the audience: the expected extra purchases.
  public var expectedIncrementalPurchases: Double

  /// Creates an audience from its customers and totals.
  public init(
    customers: [CampaignScore], scored: Int, expectedIncrementalProfit: Double, expectedCouponSpend: Double,
    expectedIncrementalPurchases: Double
  ) {
    self.customers = customers
    self.scored = scored
    self.expectedIncrementalProfit = expectedIncrementalProfit
    self.expectedCouponSpend = expectedCouponSpend
    self.expectedIncrementalPurchases = expectedIncrementalPurchases
  }

  enum CodingKeys: String, CodingKey {
    case customers, scored
    case expectedIncrementalProfit = "expected_incremental_profit"
    case expectedCouponSpend = "expected_coupon_spend"
    case expectedIncrementalPurchases = "expected_incremental_purchases"
  }
}

/// Ranks customers by the expected incremental profit of a campaign and picks its audience.
///
/// For a customer with P₁ = P(buy | treated), P₀ = P(buy | control), margin m of the promoted purchase at
/// list price and incentive cost c, a treated customer earns P₁(m − c·r) in expectation (r the redemption
/// rate) and an untreated one P₀·m, so
///
///     expected incremental profit = (P₁ − P₀)·m − c·P(redeem),   P(redeem) = r·P₁.
///
/// "Sure things" (P₁ ≈ P₀ high) cost c·P₁ for nothing; "sleeping dogs" (P₁ < P₀) lose margin as well.
public struct CampaignTargeter: Sendable, Hashable {
  /// The campaign.
  public var campaign: Campaign

  /// Creates a targeter.
  public init(campaign: Campaign) { self.campaign = campaign }

  /// Each customer's figures, in input order.
  /// - Parameters:
  ///   - customers: external ids.
  ///   - predictions: P(buy | treated) and P(buy | control) per customer.
  ///   - values: the promoted purchase's value and margin rate per customer.
  /// - Throws: ``UpliftError`` when the arrays differ in length.
  /// - Complexity: O(customers).
  public func score(
    customers: [String], predictions: [UpliftPrediction], values: [CustomerValue]
  ) throws -> [CampaignScore] {
    guard customers.count == predictions.count, customers.count == values.count else {
      throw UpliftError(
        "\(customers.count) customers, \(predictions.count) predictions and \(values.count) values differ")
    }
    return customers.indices.map { i in
      let p = predictions[i]
      let value = values[i]
      let cost = campaign.couponCost(orderValue: value.orderValue)
      let redeem = campaign.redemptionRate * p.treated
      return CampaignScore(
        customer: customers[i], uplift: p.uplift, purchaseIfTreated: p.treated, purchaseIfControl: p.control,
        margin: value.margin, couponCost: cost, redeemProbability: redeem,
        expectedIncrementalProfit: p.uplift * value.margin - cost * redeem)
    }
  }

  /// Scores sorted by expected incremental profit, highest first (ties by customer id).
  /// - Complexity: O(n log n).
  public func rank(_ scores: [CampaignScore]) -> [CampaignScore] {
    scores.sorted {
      $0.expectedIncrementalProfit != $1.expectedIncrementalProfit
        ? $0.expectedIncrementalProfit > $1.expectedIncrementalProfit : $0.customer < $1.customer
    }
  }

  /// The audience: customers with positive expected incremental profit, best first, until the campaign's
  /// limit (audience size, or cumulative expected coupon spend within the budget; a customer who would
  /// overrun the budget is skipped and cheaper ones after them may still fit).
  /// - Parameter scores: every customer's figures (any order).
  /// - Complexity: O(n log n).
  public func audience(from scores: [CampaignScore]) -> CampaignAudience {
    var chosen: [CampaignScore] = []
    var spend = 0.0
    scan: for score in rank(scores) where score.expectedIncrementalProfit > 0 {
      let cost = score.couponCost * score.redeemProbability
      switch campaign.limit {
      case .audience(let n):
        guard chosen.count < n else { break scan }
        chosen.append(score)
        spend += cost
      case .budget(let budget):
        if spend + cost > budget { continue }
        chosen.append(score)
        spend += cost
      }
    }
    return CampaignAudience(
      customers: chosen, scored: scores.count,
      expectedIncrementalProfit: chosen.reduce(0) { $0 + $1.expectedIncrementalProfit },
      expectedCouponSpend: spend, expectedIncrementalPurchases: chosen.reduce(0) { $0 + $1.uplift })
  }
}
