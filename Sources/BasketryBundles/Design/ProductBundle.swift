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

  private enum CodingKeys: String, CodingKey {
    case rank, items, discount, margin, evidence, explanation
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

  private enum CodingKeys: String, CodingKey {
    case candidates
    case droppedVariants = "dropped_variants"
    case droppedUnpriced = "dropped_unpriced"
    case droppedUnavailable = "dropped_unavailable"
    case droppedWeak = "dropped_weak"
    case droppedUnprofitable = "dropped_unprofitable"
    case droppedRedundant = "dropped_redundant"
  }
}
