import BasketryCore

/// Which columns of a generic order-line file (``InputFormat/orders``) hold what.
///
/// Each field is a column name, matched case-insensitively ignoring spaces, underscores and
/// hyphens. A `nil` field falls back to common names:
/// - order: `order_id`, `order`, `invoice`, `invoice_no`, `order_number`, `transaction_id`, `basket_id`
/// - user: `user_id`, `customer_id`, `customer`, `user`, `client_id`, `household_id`, `household_key`
/// - item: `item_id`, `product_id`, `sku`, `stock_code`, `item`, `product`
/// - time: `timestamp`, `time`, `date`, `created_at`, `order_date`, `invoice_date`,
///   `transaction_timestamp`, `transaction_date`
/// - price: `price`, `unit_price`
/// - quantity: `quantity`, `qty`
/// - title: `title`, `name`, `description`, `product_name`, `item_name`
/// - category: `category`, `category_path`
/// - cost: `cost`, `unit_cost`
///
/// Item is required, and order unless baskets are made from user and time
/// (``IngestOptions/basketBy``); the others are optional. A line total such as `sales_value` is never
/// taken as a unit price by default: name it with `price` and set ``IngestOptions/priceIsLineTotal``.
/// Category paths may be written `A > B > C` or `A/B/C`. The `online-retail` format uses only
/// ``cost`` (its other columns have fixed names).
public struct ColumnMapping: Sendable, Hashable {
  /// Order id column.
  public var order: String?
  /// User (customer) id column.
  public var user: String?
  /// Item id column.
  public var item: String?
  /// Timestamp column.
  public var time: String?
  /// Unit price column.
  public var price: String?
  /// Quantity column.
  public var quantity: String?
  /// Item title column.
  public var title: String?
  /// Category (path) column.
  public var category: String?
  /// Unit cost column.
  public var cost: String?

  /// Creates a mapping; every `nil` field uses the common names listed on the type.
  public init(
    order: String? = nil, user: String? = nil, item: String? = nil, time: String? = nil, price: String? = nil,
    quantity: String? = nil, title: String? = nil, category: String? = nil, cost: String? = nil
  ) {
    self.order = order
    self.user = user
    self.item = item
    self.time = time
    self.price = price
    self.quantity = quantity
    self.title = title
    self.category = category
    self.cost = cost
  }

  static let defaultOrder = [
    "order_id", "order", "invoice", "invoice_no", "order_number", "transaction_id", "basket_id",
  ]
  static let defaultUser = ["user_id", "customer_id", "customer", "user", "client_id", "household_id", "household_key"]
  static let defaultItem = ["item_id", "product_id", "sku", "stock_code", "item", "product"]
  static let defaultTime = [
    "timestamp", "time", "date", "created_at", "order_date", "invoice_date", "transaction_timestamp",
    "transaction_date",
  ]
  static let defaultPrice = ["price", "unit_price"]
  static let defaultQuantity = ["quantity", "qty"]
  static let defaultTitle = ["title", "name", "description", "product_name", "item_name"]
  static let defaultCategory = ["category", "category_path"]
  static let defaultCost = ["cost", "unit_cost"]
}

/// Column lookup in a header row by normalised name (lower case, no spaces/underscores/hyphens).
struct HeaderIndex {
  let names: [String]
  private let normalized: [String: Int]

  init(_ names: [String]) {
    self.names = names
    var map: [String: Int] = [:]
    for (index, name) in names.enumerated() {
      let key = HeaderIndex.normalize(name)
      if map[key] == nil { map[key] = index }
    }
    normalized = map
  }

  static func normalize(_ name: String) -> String {
    String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" && $0 != "\u{FEFF}" })
  }

  /// The index of the first of `candidates` present.
  func index(_ candidates: [String]) -> Int? {
    for candidate in candidates {
      if let index = normalized[HeaderIndex.normalize(candidate)] { return index }
    }
    return nil
  }

  /// The explicit column if given (must exist), else the first default present.
  func column(_ explicit: String?, defaults: [String], file: String, role: String) throws -> Int? {
    if let explicit {
      guard let index = index([explicit]) else {
        throw IngestError(
          SourceLocation(file: file, line: 1, field: explicit),
          "column '\(explicit)' for \(role) not found in the header (\(names.joined(separator: ", ")))")
      }
      return index
    }
    return index(defaults)
  }

  /// Like ``column(_:defaults:file:role:)`` but the column is required.
  func required(_ explicit: String?, defaults: [String], file: String, role: String) throws -> Int {
    guard let index = try column(explicit, defaults: defaults, file: file, role: role) else {
      throw IngestError(
        SourceLocation(file: file, line: 1),
        "no \(role) column (looked for \(defaults.joined(separator: ", ")); header: \(names.joined(separator: ", ")))")
    }
    return index
  }
}
