import BasketryCore

/// One item inside a bundle, with the price and cost the bundle was priced on.
public struct BundleItem: Sendable, Hashable, Codable {
  /// Dense item id.
  public var item: Int32
  /// External item id (SKU, stock code).
  public var id: String
  /// Title, when known.
  public var title: String
  /// Unit price used.
  public var price: Double
  /// Unit cost used: the catalog's, or price × (1 − assumed margin rate).
  public var cost: Double
  /// Whether ``cost`` was assumed rather than known.
  public var costAssumed: Bool

  /// Creates a bundle item.
  public init(item: Int32, id: String, title: String, price: Double, cost: Double, costAssumed: Bool) {
    self.item = item
    self.id = id
    self.title = title
    self.price = price
    self.cost = cost
    self.costAssumed = costAssumed
  }

  private enum CodingKeys: String, CodingKey {
    case id, title, price, cost
    case costAssumed = "cost_assumed"
    case item = "item_index"
  }
}

/// The evidence a bundle rests on, as counts over the analysed orders.
public struct BundleEvidence: Sendable, Hashable, Codable {
  /// Orders analysed.
  public var orders: Int
  /// Orders containing every item of the bundle.
  public var ordersTogether: Int
  /// Orders containing some but not all of the bundle's items.
  public var ordersPartial: Int
  /// Orders expected to contain every item if items were bought independently: orders · Π support(i).
  public var expectedTogether: Double
  /// The weakest item's lift against the rest of the bundle,
  /// min over items i of n · count(all) / (count(i) · count(rest)); for a pair, the usual lift.
  public var lift: Double
  /// The strongest single rule inside the bundle: P(rest | one item), best over items.
  public var confidence: Double
  /// The item whose presence best predicts the rest (the rule's antecedent).
  public var anchor: String
  /// Observed completion rate: ordersTogether / (ordersTogether + ordersPartial).
  public var completionRate: Double

  private enum CodingKeys: String, CodingKey {
    case orders, lift, confidence, anchor
    case ordersTogether = "orders_together"
    case ordersPartial = "orders_partial"
    case expectedTogether = "expected_together"
    case completionRate = "completion_rate"
  }
}

/// A priced bundle with its expected effect and a plain-language explanation.
public struct ProductBundle: Sendable, Hashable, Codable {
  /// 1-based rank among the returned bundles.
  public var rank: Int
  /// The items.
  public var items: [BundleItem]
  /// Sum of item prices.
  public var listPrice: Double
  /// Price of the bundle: listPrice × (1 − discount), rounded to cents.
  public var bundlePrice: Double
  /// Discount as a fraction of the list price.
  public var discount: Double
  /// ProductBundle price minus the items' costs.
  public var margin: Double
  /// margin / bundlePrice; never below the margin floor.
  public var marginRate: Double
  /// Expected completion rate among shoppers who have some of the items, at this price.
  public var expectedCompletionRate: Double
  /// Expected profit gained over the analysed period by offering the bundle at this price,
  /// compared with not offering it (new completions' extra margin minus the discount given to
  /// shoppers who would have bought everything anyway).
  public var expectedIncrementalProfit: Double
  /// The statistics behind the bundle.
  public var evidence: BundleEvidence
  /// Why these items and why this price, in plain language.
  public var explanation: String
  /// The willingness-to-pay pricing behind the price (nil with the completion-elasticity model).
  public var pricing: BundlePricingDetail?
  /// Why these items and why this price, as structured fields.
  public var why: BundleWhy?

  private enum CodingKeys: String, CodingKey {
    case rank, items, discount, margin, evidence, explanation, pricing, why
    case listPrice = "list_price"
    case bundlePrice = "bundle_price"
    case marginRate = "margin_rate"
    case expectedCompletionRate = "expected_completion_rate"
    case expectedIncrementalProfit = "expected_incremental_profit"
  }
}

/// What bundle design considered and why candidates were dropped.
public struct BundleDesignReport: Sendable, Hashable, Codable {
  /// Frequent itemsets of an eligible size considered.
  public var candidates: Int = 0
  /// Dropped: two items are variants of one product.
  public var droppedVariants: Int = 0
  /// Dropped: two items are substitutes (``PairScorer``).
  public var droppedSubstitutes: Int = 0
  /// Dropped: an item has no known price.
  public var droppedUnpriced: Int = 0
  /// Dropped: an item is hidden, or out of stock.
  public var droppedUnavailable: Int = 0
  /// Dropped: some item is not associated with the rest (lift below the minimum).
  public var droppedWeak: Int = 0
  /// Dropped: no discount keeps the margin floor and earns more than no offer.
  public var droppedUnprofitable: Int = 0
  /// Dropped: an item already appears in the maximum number of returned bundles, or the bundle
  /// is a subset of a better one.
  public var droppedRedundant: Int = 0

  /// Creates an empty report.
  public init() {}

  /// Why no bundle came out, in plain words: every drop reason with its count, largest first, and what to do
  /// about the largest (nil when nothing was dropped).
  public var noBundleReason: String? {
    let reasons: [(count: Int, text: String, advice: String)] = [
      (
        droppedUnpriced, "had an item without a price",
        "give prices (a price column, or --catalog with item,title,category,price,cost)"
      ),
      (droppedUnprofitable, "earned nothing at a discount within the margin floor", "lower --margin-floor"),
      (droppedWeak, "had an item not associated with the rest", "lower --min-lift"),
      (droppedVariants, "were variants of one product", "nothing: variants are not bundles"),
      (droppedSubstitutes, "had substitutes in them", "nothing: substitutes are not bundles"),
      (droppedUnavailable, "had a hidden or out-of-stock item", "restock or unhide the items"),
      (droppedRedundant, "repeated items of better bundles", "raise the bundle count"),
    ].filter { $0.count > 0 }.sorted { $0.count > $1.count }
    guard let first = reasons.first else {
      return candidates == 0 ? "no frequent itemset of a bundle's size: lower --min-support" : nil
    }
    let parts = reasons.map { "\($0.count) \($0.text)" }.joined(separator: ", ")
    return "of \(candidates) candidate itemsets, \(parts). Most often: \(first.advice)."
  }

  private enum CodingKeys: String, CodingKey {
    case candidates
    case droppedVariants = "dropped_variants"
    case droppedSubstitutes = "dropped_substitutes"
    case droppedUnpriced = "dropped_unpriced"
    case droppedUnavailable = "dropped_unavailable"
    case droppedWeak = "dropped_weak"
    case droppedUnprofitable = "dropped_unprofitable"
    case droppedRedundant = "dropped_redundant"
  }
}

/// Item-level inputs and bundle-level outputs of willingness-to-pay pricing.
public struct BundlePricingDetail: Sendable, Hashable, Codable {
  /// Price response of each item (same order as the bundle's items), with its uncertainty.
  public var responses: [PriceResponse]
  /// Elasticity actually used per item (after the Lerner bound).
  public var elasticitiesUsed: [Double]
  /// Purchase incidence per shopper (order) of each item.
  public var incidences: [Double]
  /// Correlation of log valuations per item pair, row-major.
  public var correlations: [Double]
  /// The quote at the chosen price.
  public var quote: WillingnessToPayQuote
  /// Best discounts when every elasticity is one standard error lower and higher (how sensitive the
  /// price is to the elasticity's uncertainty).
  public var discountRange: [Double]

  private enum CodingKeys: String, CodingKey {
    case responses, incidences, correlations, quote
    case elasticitiesUsed = "elasticities_used"
    case discountRange = "discount_range"
  }
}

/// The structured explanation of a bundle.
public struct BundleWhy: Sendable, Hashable, Codable {
  /// Orders with all items.
  public var ordersTogether: Int
  /// Orders with some but not all.
  public var ordersPartial: Int
  /// Weakest item-vs-rest lift.
  public var lift: Double
  /// Mean complement score of the item pairs (``PairScorer``), when scored.
  public var complementScore: Double?
  /// Mean title similarity of the item pairs, when scored.
  public var titleSimilarity: Double?
  /// Mean embedding similarity of the item pairs, when scored.
  public var embeddingSimilarity: Double?
  /// Expected incremental profit over the analysed period.
  public var expectedUplift: Double
  /// Expected share of the items' buyers who take the bundle.
  public var expectedAttachRate: Double
  /// Why this price, in one sentence.
  public var priceReason: String

  private enum CodingKeys: String, CodingKey {
    case lift
    case ordersTogether = "orders_together"
    case ordersPartial = "orders_partial"
    case complementScore = "complement_score"
    case titleSimilarity = "title_similarity"
    case embeddingSimilarity = "embedding_similarity"
    case expectedUplift = "expected_uplift"
    case expectedAttachRate = "expected_attach_rate"
    case priceReason = "price_reason"
  }
}
