/// What Basketry knows about one customer: value, lifecycle, interests and price sensitivity.
public struct CustomerProfile: Sendable, Hashable, Codable {
  /// The customer's value tier among the shop's customers.
  public enum Segment: String, Sendable, Hashable, Codable, CaseIterable {
    /// Top ``ProfileOptions/topShare`` of lifetime value among live customers.
    case top
    /// The next ``ProfileOptions/highShare``.
    case high
    /// The next ``ProfileOptions/mediumShare``.
    case medium
    /// The rest of the live customers.
    case low
    /// P(alive) below ``ProfileOptions/dormantBelow``: not ranked by value.
    case dormant
  }

  /// Where the customer is in their relationship with the shop.
  public enum Lifecycle: String, Sendable, Hashable, Codable, CaseIterable {
    /// First purchase within ``ProfileOptions/newWithinDays`` of the reference day.
    case new
    /// Buying at their usual pace.
    case active
    /// Overdue: see ``ProfileOptions/atRiskGaps``.
    case atRisk = "at-risk"
    /// Long overdue or probably gone: see ``ProfileOptions/lapsedGaps``.
    case lapsed
  }

  /// One interest: a category (or, without categories, an item) and its share of the customer's
  /// time-decayed spend.
  public struct Interest: Sendable, Hashable, Codable {
    /// Category name, or item title when the catalog has no categories.
    public var label: String
    /// Whether `label` is a category (else an item).
    public var isCategory: Bool
    /// Share of the decayed weight, 0…1; a customer's shares sum to 1.
    public var share: Double
  }

  /// How much of the customer's spend is on lines cheaper than the item's usual price.
  public struct PriceSensitivity: Sendable, Hashable, Codable {
    /// The customer's share of spend on discounted lines.
    public var discountedShare: Double
    /// The same share over all customers.
    public var shopShare: Double
    /// discountedShare / shopShare: above 1, more price-driven than the average customer.
    public var index: Double
  }

  /// External customer id.
  public var customer: String
  /// The calibration summary the predictions come from.
  public var rfm: RFM
  /// P(alive) at the reference day.
  public var probabilityAlive: Double
  /// Expected orders (purchase days) in the horizon.
  public var expectedOrders: Double
  /// Expected value per order.
  public var expectedSpend: Double
  /// Discounted lifetime value.
  public var lifetimeValue: Double
  /// Value tier.
  public var segment: Segment
  /// Lifecycle state.
  public var lifecycle: Lifecycle
  /// Days since the last purchase at the reference day.
  public var daysSinceLastPurchase: Int
  /// Strongest interests first, at most ``ProfileOptions/interests``.
  public var interests: [Interest]
  /// Price sensitivity, or nil when it is not measurable (the shop's prices do not vary, or the
  /// customer has too few lines of items whose price varies).
  public var priceSensitivity: PriceSensitivity?

  /// Creates a profile from its parts (``CustomerProfiles`` scores them; this is for profiles kept elsewhere).
  public init(
    customer: String, rfm: RFM, probabilityAlive: Double, expectedOrders: Double, expectedSpend: Double,
    lifetimeValue: Double, segment: Segment, lifecycle: Lifecycle, daysSinceLastPurchase: Int,
    interests: [Interest] = [], priceSensitivity: PriceSensitivity? = nil
  ) {
    self.customer = customer
    self.rfm = rfm
    self.probabilityAlive = probabilityAlive
    self.expectedOrders = expectedOrders
    self.expectedSpend = expectedSpend
    self.lifetimeValue = lifetimeValue
    self.segment = segment
    self.lifecycle = lifecycle
    self.daysSinceLastPurchase = daysSinceLastPurchase
    self.interests = interests
    self.priceSensitivity = priceSensitivity
  }
}

/// Thresholds and windows of ``CustomerProfiles``; every default is stated.
public struct ProfileOptions: Sendable, Hashable, Codable {
  /// The horizon of ``CustomerProfile/expectedOrders``, in days. Default 90.
  public var horizonDays: Double = 90
  /// Customers with P(alive) below this are ``CustomerProfile/Segment/dormant``. Default 0.3.
  public var dormantBelow: Double = 0.3
  /// Share of live customers in the top tier, by lifetime value. Default 0.1.
  public var topShare: Double = 0.1
  /// Share in the high tier. Default 0.2.
  public var highShare: Double = 0.2
  /// Share in the medium tier. Default 0.3.
  public var mediumShare: Double = 0.3
  /// A customer whose first purchase is at most this many days old is new. Default 30.
  public var newWithinDays: Int = 30
  /// At risk: days since the last purchase exceed this many of the customer's usual gaps (tₓ / x;
  /// for one-time buyers the shop's median gap), or P(alive) < ``atRiskBelow``. Default 2.
  public var atRiskGaps: Double = 2
  /// At risk when P(alive) is below this. Default 0.6.
  public var atRiskBelow: Double = 0.6
  /// Lapsed: days since the last purchase exceed this many usual gaps, or P(alive) <
  /// ``dormantBelow``. Default 4.
  public var lapsedGaps: Double = 4
  /// Half-life of interest weights, in days: a purchase `h` days old weighs 2^(−h/half-life).
  /// Default 90.
  public var interestHalfLifeDays: Double = 90
  /// Interests kept per customer. Default 5.
  public var interests: Int = 5
  /// A line is discounted when its unit price is below this fraction of the item's median unit
  /// price. Default 0.95.
  public var discountedBelow: Double = 0.95
  /// Price sensitivity needs at least this many of the customer's lines on items whose price varies.
  /// Default 5.
  public var minimumPricedLines: Int = 5

  /// Creates the defaults.
  public init() {}
}
