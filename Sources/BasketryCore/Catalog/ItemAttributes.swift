/// What a shop knows about one item: title, category path, price, cost, stock and price cap.
///
/// Every field but the id is optional in real exports; `nil` means "unknown", never zero.
public struct ItemAttributes: Sendable, Hashable, Codable {
  /// Human-readable title (product name, description).
  public var title: String?
  /// Category path from the root, e.g. `["Home", "Kitchen", "Mugs"]`.
  public var categoryPath: [String]
  /// Current (or most common observed) unit price in the shop's currency.
  public var price: Double?
  /// Unit cost, when the shop provides it; margins fall back to an assumed rate without it.
  public var cost: Double?
  /// Units in stock, when known.
  public var stock: Int?
  /// The highest price the shop wants to charge: a manufacturer's suggested retail price or a
  /// competitor's price, when known. Price advice never goes above it.
  public var priceCap: Double?
  /// Hidden or expired items are never recommended or bundled.
  public var hidden: Bool

  /// Creates item attributes; every field defaults to "unknown".
  public init(
    title: String? = nil, categoryPath: [String] = [], price: Double? = nil, cost: Double? = nil,
    stock: Int? = nil, hidden: Bool = false, priceCap: Double? = nil
  ) {
    self.priceCap = priceCap
    self.title = title
    self.categoryPath = categoryPath
    self.price = price
    self.cost = cost
    self.stock = stock
    self.hidden = hidden
  }

  /// The leaf category, if any.
  public var category: String? { categoryPath.last }
}
