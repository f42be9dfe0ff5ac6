/// The kind of a behaviour event: `view`, `cart`, `purchase`, `return`, or a shop-defined type.
public struct EventType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
  ExpressibleByStringLiteral
{
  /// The type's name as it appears in data and configuration.
  public let rawValue: String
  /// Creates an event type from its name (lower-cased).
  public init(rawValue: String) { self.rawValue = rawValue.lowercased() }
  /// Creates an event type from a string literal.
  public init(stringLiteral value: String) { self.init(rawValue: value) }

  /// A product page view.
  public static let view: EventType = "view"
  /// An add-to-cart.
  public static let cart: EventType = "cart"
  /// A purchase.
  public static let purchase: EventType = "purchase"
  /// A return or cancellation (negative feedback).
  public static let `return`: EventType = "return"

  public var description: String { rawValue }
}

/// One behaviour event: a user did something with an item at a time.
public struct Event: Sendable, Hashable, Codable {
  /// Marks an event without a session.
  public static let noSession: Int32 = -1

  /// Dense user id, or ``Baskets/noUser``.
  public var user: Int32
  /// Dense item id.
  public var item: Int32
  /// What happened.
  public var type: EventType
  /// Strength or amount (quantity for purchases, rating, dwell time); 1 by default.
  public var value: Double
  /// Unit price at the time of the event, when known.
  public var price: Double?
  /// Unix seconds.
  public var timestamp: Int64
  /// Dense session id, or ``noSession``.
  public var session: Int32

  /// Creates an event.
  public init(
    user: Int32, item: Int32, type: EventType, value: Double = 1, price: Double? = nil, timestamp: Int64,
    session: Int32 = Event.noSession
  ) {
    self.user = user
    self.item = item
    self.type = type
    self.value = value
    self.price = price
    self.timestamp = timestamp
    self.session = session
  }
}
