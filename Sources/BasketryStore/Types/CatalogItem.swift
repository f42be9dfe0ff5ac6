/// A catalog entry as the service stores it.
public struct CatalogItem: Sendable, Hashable, Codable {
  /// External item id.
  public var id: String
  /// Title.
  public var title: String?
  /// Category path from the root.
  public var category: [String]
  /// Unit price.
  public var price: Double?
  /// Unit cost.
  public var cost: Double?
  /// Units in stock.
  public var stock: Int?
  /// Hidden items are never served.
  public var hidden: Bool
  /// Unix seconds after which the item is never served.
  public var expiresAt: Int64?

  /// Creates an item.
  public init(
    id: String, title: String? = nil, category: [String] = [], price: Double? = nil, cost: Double? = nil,
    stock: Int? = nil, hidden: Bool = false, expiresAt: Int64? = nil
  ) {
    self.id = id
    self.title = title
    self.category = category
    self.price = price
    self.cost = cost
    self.stock = stock
    self.hidden = hidden
    self.expiresAt = expiresAt
  }

  /// Whether the item may be served at `now` (not hidden, not expired, not out of stock).
  public func isServable(at now: Int64) -> Bool {
    if hidden { return false }
    if let expiresAt, expiresAt <= now { return false }
    if let stock, stock <= 0 { return false }
    return true
  }

  private enum CodingKeys: String, CodingKey {
    case id, title, category, price, cost, stock, hidden
    case expiresAt = "expires_at"
  }
}
