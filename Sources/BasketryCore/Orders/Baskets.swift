/// Orders (baskets) in compressed sparse row form: one flat array of order lines and
/// an offset per order.
///
/// Order `b` owns lines `offsets[b] ..< offsets[b + 1]`. A line is an item with a
/// quantity and a unit price. Per-order columns hold the external order id, the user
/// (dense id, or ``Baskets/noUser``) and the timestamp (Unix seconds, or ``Baskets/noTime``).
/// Ten million lines take about 200 MB.
public struct Baskets: Sendable, Hashable, Codable {
  /// Marks an order without a known user.
  public static let noUser: Int32 = -1
  /// Marks an order without a known time.
  public static let noTime: Int64 = .min

  /// `count + 1` offsets into the line columns; `offsets[0] == 0`.
  public private(set) var offsets: [Int]
  /// Dense item id of each line.
  public private(set) var items: [Int32]
  /// Quantity of each line (1 where the source has none).
  public private(set) var quantities: [Double]
  /// Unit price of each line (`.nan` where the source has none).
  public private(set) var unitPrices: [Double]
  /// External order id of each order.
  public private(set) var orderIDs: [String]
  /// Dense user id of each order, or ``noUser``.
  public private(set) var users: [Int32]
  /// Time of each order in Unix seconds, or ``noTime``.
  public private(set) var timestamps: [Int64]

  /// Creates an empty collection.
  public init() {
    offsets = [0]
    items = []
    quantities = []
    unitPrices = []
    orderIDs = []
    users = []
    timestamps = []
  }

  /// Number of orders.
  public var count: Int { orderIDs.count }
  /// Number of order lines over all orders.
  public var lineCount: Int { items.count }
  /// Whether there are no orders.
  public var isEmpty: Bool { orderIDs.isEmpty }

  /// The line range of order `b`.
  @inlinable public func lineRange(_ b: Int) -> Range<Int> { offsets[b]..<offsets[b + 1] }

  /// The item ids of order `b`.
  @inlinable public func items(of b: Int) -> ArraySlice<Int32> { items[lineRange(b)] }

  /// Number of lines in order `b`.
  @inlinable public func size(of b: Int) -> Int { offsets[b + 1] - offsets[b] }

  /// Appends an order.
  /// - Parameters:
  ///   - orderID: external order id.
  ///   - user: dense user id or ``noUser``.
  ///   - timestamp: Unix seconds or ``noTime``.
  ///   - lines: (item, quantity, unit price) per line.
  public mutating func append(
    orderID: String, user: Int32 = Baskets.noUser, timestamp: Int64 = Baskets.noTime,
    lines: some Sequence<(item: Int32, quantity: Double, unitPrice: Double)>
  ) {
    for line in lines {
      items.append(line.item)
      quantities.append(line.quantity)
      unitPrices.append(line.unitPrice)
    }
    offsets.append(items.count)
    orderIDs.append(orderID)
    users.append(user)
    timestamps.append(timestamp)
  }

  /// Appends an order of items with quantity 1 and unknown prices.
  public mutating func append(
    orderID: String, user: Int32 = Baskets.noUser, timestamp: Int64 = Baskets.noTime, items newItems: [Int32]
  ) {
    append(
      orderID: orderID, user: user, timestamp: timestamp,
      lines: newItems.lazy.map { (item: $0, quantity: 1.0, unitPrice: Double.nan) })
  }

  /// Reserves room for `orders` orders and `lines` lines.
  public mutating func reserveCapacity(orders: Int, lines: Int) {
    offsets.reserveCapacity(orders + 1)
    orderIDs.reserveCapacity(orders)
    users.reserveCapacity(orders)
    timestamps.reserveCapacity(orders)
    items.reserveCapacity(lines)
    quantities.reserveCapacity(lines)
    unitPrices.reserveCapacity(lines)
  }

  /// The orders whose indices satisfy `isIncluded`, in their original order.
  /// - Complexity: O(orders + lines).
  public func filter(_ isIncluded: (Int) -> Bool) -> Baskets {
    var result = Baskets()
    for b in 0..<count where isIncluded(b) {
      let range = lineRange(b)
      result.items.append(contentsOf: items[range])
      result.quantities.append(contentsOf: quantities[range])
      result.unitPrices.append(contentsOf: unitPrices[range])
      result.offsets.append(result.items.count)
      result.orderIDs.append(orderIDs[b])
      result.users.append(users[b])
      result.timestamps.append(timestamps[b])
    }
    return result
  }
}
