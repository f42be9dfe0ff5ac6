/// Everything Basketry knows about one shop after ingest: catalog, users, orders and
/// behaviour events, all keyed by dense ids.
public struct Dataset: Sendable, Hashable {
  /// Items and their attributes.
  public var catalog: Catalog
  /// External user ids ↔ dense ids.
  public var users: Interner
  /// Orders (purchases), one basket each.
  public var baskets: Baskets
  /// Behaviour events other than order lines (views, carts, …), in input order.
  public var events: [Event]
  /// External session ids ↔ dense ids (for events).
  public var sessions: Interner

  /// Creates a dataset.
  public init(
    catalog: Catalog = Catalog(), users: Interner = Interner(), baskets: Baskets = Baskets(), events: [Event] = [],
    sessions: Interner = Interner()
  ) {
    self.catalog = catalog
    self.users = users
    self.baskets = baskets
    self.events = events
    self.sessions = sessions
  }

  /// The orders as market-basket transactions (distinct items per order).
  public func transactions() -> TransactionSet { TransactionSet(baskets, itemCount: catalog.count) }
}
