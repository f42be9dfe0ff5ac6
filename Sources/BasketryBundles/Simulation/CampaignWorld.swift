import BasketryCore
import BasketryModels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Settings of ``CampaignWorld``.
///
/// Defaults: 6 categories of 5 items; the campaign gives 20 % off category 0 for a 2-week window; customers
/// have 26 weeks of history, 8 % are "sleeping dogs" whom a campaign contact puts off (their purchase
/// probability × 0.4 when treated); half of a log is treated.
public struct CampaignWorldOptions: Sendable, Hashable, Codable {
  /// Catalogue categories. Default 6.
  public var categories: Int
  /// Items per category. Default 5.
  public var itemsPerCategory: Int
  /// The promoted category's index. Default 0.
  public var targetCategory: Int
  /// The campaign's discount on the promoted category. Default 0.2.
  public var discount: Double
  /// Weeks of observed history per customer. Default 26.
  public var historyWeeks: Int
  /// Weeks the campaign runs. Default 2.
  public var campaignWeeks: Double
  /// Share of customers a campaign contact puts off. Default 0.08.
  public var sleepingDogShare: Double
  /// Factor on a sleeping dog's purchase probability when treated. Default 0.4.
  public var sleepingDogFactor: Double
  /// Share of a randomised log that is treated. Default 0.5.
  public var treatedShare: Double

  /// Creates options with the documented defaults.
  public init(
    categories: Int = 6, itemsPerCategory: Int = 5, targetCategory: Int = 0, discount: Double = 0.2,
    historyWeeks: Int = 26, campaignWeeks: Double = 2, sleepingDogShare: Double = 0.08,
    sleepingDogFactor: Double = 0.4, treatedShare: Double = 0.5
  ) {
    self.categories = categories
    self.itemsPerCategory = itemsPerCategory
    self.targetCategory = targetCategory
    self.discount = discount
    self.historyWeeks = historyWeeks
    self.campaignWeeks = campaignWeeks
    self.sleepingDogShare = sleepingDogShare
    self.sleepingDogFactor = sleepingDogFactor
    self.treatedShare = treatedShare
  }
}

/// One simulated customer: observable features and history, and the true effect of the campaign on them.
public struct CampaignCustomer: Sendable, Hashable, Codable {
  /// How the campaign truly acts on a customer.
  public enum Segment: String, Sendable, Hashable, Codable, CaseIterable {
    /// Buys anyway (P₀ ≥ 0.3, uplift < 0.05): the coupon only costs margin.
    case sureThing = "sure-thing"
    /// Uplift ≥ 0.05.
    case persuadable
    /// Neither: little chance to buy either way.
    case lostCause = "lost-cause"
    /// Buys less when contacted (uplift < 0).
    case sleepingDog = "sleeping-dog"
  }

  /// What a customer's past shows, for value models (RFM-style).
  public struct History: Sendable, Hashable, Codable {
    /// Orders in the history window.
    public var orders: Int
    /// Total spend.
    public var spend: Double
    /// Days since the last order (the window length when none).
    public var recencyDays: Double
    /// Days since the first order.
    public var tenureDays: Double
  }

  /// Customer id.
  public var id: String
  /// Feature values, in ``CampaignWorld/featureNames`` order.
  public var features: [Float]
  /// The history behind the features.
  public var history: History
  /// True P(buy a promoted item in the window | not contacted).
  public var purchaseIfControl: Double
  /// True P(buy a promoted item in the window | given the campaign).
  public var purchaseIfTreated: Double
  /// Value of the promoted purchase at list price and its margin rate.
  public var value: CustomerValue
  /// The true segment.
  public var segment: Segment

  /// True uplift P₁ − P₀.
  public var trueUplift: Double { purchaseIfTreated - purchaseIfControl }
}

/// A seeded world of customers with a known individual effect of a category discount, on a market
/// simulator's items (``MarketWorld``: list prices, costs, log-normal valuations).
///
/// Each customer has a shop-wide activity λ (orders a week, e^N(−1, 0.7)), interests θ over categories
/// (softmax of N(0, 1) logits), a favourite promoted item j with its own willingness to pay w (a draw from
/// the item's valuation distribution, log-normal μⱼ, σⱼ), a responsiveness ρ to being contacted
/// (e^N(−1, 0.7)), a typical basket value, and, with probability ``CampaignWorldOptions/sleepingDogShare``,
/// an aversion to contact (such customers are also more loyal: their w is shifted up by σⱼ).
///
/// Campaign window of W weeks, promoted-category visit rate r = 3·λ·θ_target per week, list price p,
/// discount d, a per-occasion valuation noise of 0.15 in log:
///
///     q(price) = 1 − Φ((log price − log w) / 0.15)
///     P₀ = (1 − e^(−r·W)) · q(p)
///     P₁ = (1 − e^(−r·W·(1 + ρ))) · q(p·(1 − d)) · (sleeping dog ? factor : 1)
///
/// so "sure things" have w well above p, "persuadables" w between p(1 − d) and p or a strong reminder
/// effect, "lost causes" rarely visit or value the item far below its price.
///
/// Observed features (log1p of counts and amounts) come from a simulated history of H weeks in which 25 % of
/// the weeks had a 20 % promotion on the category: orders, spend, days since the last order, tenure,
/// promoted-category orders at full price and on promotion, promoted-category page views (2 per visit),
/// email opens (Poisson 4ρ) and complaints about contact (Poisson 1.2 for sleeping dogs, 0.1 otherwise).
public struct CampaignWorld: Sendable, Hashable {
  /// Feature names of ``CampaignCustomer/features``.
  public static let featureNames = [
    "orders", "spend", "recency_days", "tenure_days", "category_full_price_orders", "category_promo_orders",
    "category_views", "email_opens", "complaints",
  ]

  /// The items (prices, costs, valuations).
  public var world: MarketWorld
  /// Category of each item of ``world``.
  public var categoryOfItem: [Int]
  /// Settings.
  public var options: CampaignWorldOptions

  /// A world on given items, assigned to categories round-robin (item i in category i mod categories).
  /// - Throws: ``SimulationError`` when the target category has no item or the options are out of range.
  public init(world: MarketWorld, options: CampaignWorldOptions = .init()) throws {
    guard options.categories >= 1, (0..<options.categories).contains(options.targetCategory),
      world.items.count > options.targetCategory
    else {
      throw SimulationError(
        message: "the promoted category \(options.targetCategory) has no item among \(world.items.count) items "
          + "in \(options.categories) categories")
    }
    guard options.discount > 0 && options.discount < 1, options.treatedShare > 0 && options.treatedShare < 1,
      options.historyWeeks >= 1, options.campaignWeeks > 0, (0...1).contains(options.sleepingDogShare)
    else {
      throw SimulationError(message: "campaign world options out of range: \(options)")
    }
    self.world = world
    self.categoryOfItem = world.items.indices.map { $0 % options.categories }
    self.options = options
  }

  /// A synthetic world: each category has a price level e^N(log 12, 0.6), items ±e^N(0, 0.3) around it,
  /// margin rates uniform in [0.3, 0.55], per-visit incidence 0.3 and Lerner elasticities
  /// −1/margin × e^(0.3·N(0, 1)) (as ``MarketSimulationOptions/TrueElasticity/lerner(spread:)``).
  /// - Parameters:
  ///   - seed: the seed of the items.
  ///   - options: categories, items per category and the campaign.
  /// - Throws: ``SimulationError`` when the options are out of range.
  public static func synthetic(seed: UInt64, options: CampaignWorldOptions = .init()) throws -> CampaignWorld {
    var rng = SplitMix64(seed: seed ^ 0xCA4B_A16E)
    let levels = (0..<max(options.categories, 1)).map { _ in exp(log(12) + 0.6 * rng.nextGaussian()) }
    var items: [MarketWorld.Item] = []
    for index in 0..<(max(options.categories, 1) * max(options.itemsPerCategory, 1)) {
      let category = index % max(options.categories, 1)
      let price = (levels[category] * exp(0.3 * rng.nextGaussian()) * 100).rounded() / 100
      let marginRate = 0.3 + 0.25 * rng.nextUnit()
      let elasticity = -exp(0.3 * rng.nextGaussian()) / marginRate
      let valuation = ItemValuation.calibrated(
        price: price, cost: price * (1 - marginRate), incidence: 0.3, elasticity: elasticity)
      items.append(
        MarketWorld.Item(
          id: "C\(category)-\(index / max(options.categories, 1))", title: "category \(category) item \(index)",
          valuation: valuation, priceRatios: [1], elasticity: elasticity, estimatedElasticity: elasticity))
    }
    return try CampaignWorld(world: MarketWorld(items: items, blocks: []), options: options)
  }

  /// Items of the promoted category.
  public var targetItems: [Int] { categoryOfItem.indices.filter { categoryOfItem[$0] == options.targetCategory } }

  // MARK: - Customers

  /// Draws customers with their features and true effects.
  /// - Parameters:
  ///   - count: customers.
  ///   - seed: the seed; a different seed gives different customers.
  ///   - idPrefix: prefix of the ids (`c` → c0, c1, …).
  /// - Complexity: O(count · (features + categories)).
  public func customers(count: Int, seed: UInt64, idPrefix: String = "c") -> [CampaignCustomer] {
    var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ 0x5EED)
    let promoted = targetItems
    let weeks = Double(options.historyWeeks)
    let noise = 0.15
    var result: [CampaignCustomer] = []
    result.reserveCapacity(count)
    for index in 0..<count {
      let activity = exp(-1 + 0.7 * rng.nextGaussian())
      var logits = (0..<options.categories).map { _ in rng.nextGaussian() }
      let top = logits.max() ?? 0
      logits = logits.map { exp($0 - top) }
      let interest = logits[options.targetCategory] / logits.reduce(0, +)
      let item = world.items[promoted[Int(rng.next() % UInt64(promoted.count))]].valuation
      let isDog = rng.nextUnit() < options.sleepingDogShare
      let logWTP = item.logMean + item.logSD * (rng.nextGaussian() + (isDog ? 1 : 0))
      let responsiveness = exp(-2.5 + rng.nextGaussian())
      let basketValue = exp(log(25) + 0.5 * rng.nextGaussian())
      let q = { (price: Double) in 1 - Gaussian.cdf((log(price) - logWTP) / noise) }
      let visitRate = 6 * activity * interest
      let w = options.campaignWeeks
      let control = (1 - exp(-visitRate * w)) * q(item.price)
      var treated = (1 - exp(-visitRate * w * (1 + responsiveness))) * q(item.price * (1 - options.discount))
      if isDog { treated *= options.sleepingDogFactor }
      // History: 25 % of weeks had a 20 % promotion on the category.
      let orders = poisson(activity * weeks, &rng)
      let spend = Double(orders) * basketValue * exp(0.1 * rng.nextGaussian())
      let tenure = 7 * (weeks + 78 * rng.nextUnit())
      let recency =
        orders > 0 ? min(-log(max(rng.nextUnit(), 1e-12)) * 7 / activity, 7 * weeks) : 7 * weeks
      let fullPrice = poisson(visitRate * weeks * 0.75 * q(item.price), &rng)
      let promo = poisson(visitRate * weeks * 0.25 * q(item.price * 0.8), &rng)
      let views = poisson(2 * visitRate * weeks, &rng)
      let opens = poisson(20 * responsiveness, &rng)
      let complaints = poisson(isDog ? 1.2 : 0.1, &rng)
      let raw: [Double] = [
        Double(orders), spend, recency, tenure, Double(fullPrice), Double(promo), Double(views), Double(opens),
        Double(complaints),
      ]
      let uplift = treated - control
      let segment: CampaignCustomer.Segment =
        uplift < 0 ? .sleepingDog : uplift >= 0.05 ? .persuadable : control >= 0.3 ? .sureThing : .lostCause
      result.append(
        CampaignCustomer(
          id: "\(idPrefix)\(index)", features: raw.map { Float(log1p($0)) },
          history: .init(orders: orders, spend: spend, recencyDays: recency, tenureDays: tenure),
          purchaseIfControl: control, purchaseIfTreated: treated,
          value: CustomerValue(orderValue: item.price, marginRate: 1 - item.cost / item.price), segment: segment))
    }
    return result
  }

  /// A randomised campaign: each customer treated with probability ``CampaignWorldOptions/treatedShare``, and
  /// their purchase drawn from their true P₁ or P₀.
  /// - Parameters:
  ///   - customers: who is in the experiment.
  ///   - seed: the seed of the assignment and outcomes.
  /// - Returns: the log as an ``UpliftSample`` (one row per customer, in order).
  /// - Complexity: O(customers · features).
  public func randomisedLog(_ customers: [CampaignCustomer], seed: UInt64) -> UpliftSample {
    var rng = SplitMix64(seed: seed ^ 0x10C0_FFEE)
    var treated: [Bool] = []
    var converted: [Bool] = []
    var features: [Float] = []
    for customer in customers {
      let t = rng.nextUnit() < options.treatedShare
      let p = t ? customer.purchaseIfTreated : customer.purchaseIfControl
      treated.append(t)
      converted.append(rng.nextUnit() < p)
      features.append(contentsOf: customer.features)
    }
    return UpliftSample(
      uncheckedFeatureNames: Self.featureNames, features: features, treated: treated, converted: converted)
  }
}

/// A Poisson draw: Knuth's product method below a mean of 30, a rounded normal approximation above.
func poisson(_ mean: Double, _ rng: inout SplitMix64) -> Int {
  guard mean > 0 else { return 0 }
  if mean > 30 { return max(0, Int((mean + mean.squareRoot() * rng.nextGaussian()).rounded())) }
  let limit = exp(-mean)
  var product = rng.nextUnit()
  var count = 0
  while product > limit {
    product *= rng.nextUnit()
    count += 1
  }
  return count
}
