import BasketryCore

/// A behaviour event as stored: the user is already pseudonymised and ids are external strings.
public struct StoredEvent: Sendable, Hashable, Codable {
  /// Client-chosen unique id; appending an id twice stores it once.
  public var eventID: String
  /// HMAC pseudonym of the user (see ``Pseudonymizer``); never the raw id.
  public var user: String
  /// External item id.
  public var item: String
  /// What happened.
  public var type: EventType
  /// Quantity, rating or strength; 1 by default.
  public var value: Double
  /// Unit price paid or shown.
  public var price: Double?
  /// Unix seconds.
  public var timestamp: Int64
  /// Client session id.
  public var session: String?
  /// The recommendation id this event is attributed to.
  public var recommendationID: String?

  /// Creates an event.
  public init(
    eventID: String, user: String, item: String, type: EventType, value: Double = 1, price: Double? = nil,
    timestamp: Int64, session: String? = nil, recommendationID: String? = nil
  ) {
    self.eventID = eventID
    self.user = user
    self.item = item
    self.type = type
    self.value = value
    self.price = price
    self.timestamp = timestamp
    self.session = session
    self.recommendationID = recommendationID
  }

  /// The basket a purchase belongs to: the user's session, or the user's purchases at one timestamp.
  public var basketKey: String { user + "|" + (session.map { "s:" + $0 } ?? "t:\(timestamp)") }
}

/// The effect of one appended purchase on co-occurrence: `item` joined a basket holding `partners`.
public struct BasketDelta: Sendable, Hashable, Codable {
  /// The item that joined.
  public var item: String
  /// The basket's other distinct items before it.
  public var partners: [String]
  /// Whether the basket is new.
  public var newBasket: Bool
  /// The change-feed sequence number the store gave this delta (see ``Store/changes(after:limit:)``);
  /// 0 when unknown.
  public var sequence: Int64

  /// Creates a delta.
  public init(item: String, partners: [String], newBasket: Bool, sequence: Int64 = 0) {
    self.item = item
    self.partners = partners
    self.newBasket = newBasket
    self.sequence = sequence
  }
}

/// What an append did.
public struct AppendOutcome: Sendable, Hashable, Codable {
  /// Events newly stored.
  public var inserted: Int
  /// Events whose id was already stored (not stored again).
  public var duplicates: Int
  /// The ids of the newly stored events, in input order.
  public var insertedIDs: [String]
  /// Co-occurrence changes caused by newly stored purchases, in order.
  public var deltas: [BasketDelta]

  /// Creates an outcome.
  public init(inserted: Int = 0, duplicates: Int = 0, insertedIDs: [String] = [], deltas: [BasketDelta] = []) {
    self.inserted = inserted
    self.duplicates = duplicates
    self.insertedIDs = insertedIDs
    self.deltas = deltas
  }
}

/// A purchase basket read back for training.
public struct PurchaseBasket: Sendable, Hashable {
  /// The basket key.
  public var key: String
  /// The user's pseudonym.
  public var user: String
  /// Earliest timestamp.
  public var timestamp: Int64
  /// Lines: item, quantity, unit price (nan when unknown).
  public var lines: [(item: String, quantity: Double, price: Double)]

  /// Creates a basket.
  public init(key: String, user: String, timestamp: Int64, lines: [(item: String, quantity: Double, price: Double)]) {
    self.key = key
    self.user = user
    self.timestamp = timestamp
    self.lines = lines
  }

  public static func == (lhs: PurchaseBasket, rhs: PurchaseBasket) -> Bool {
    lhs.key == rhs.key && lhs.user == rhs.user && lhs.timestamp == rhs.timestamp
      && lhs.lines.map(\.item) == rhs.lines.map(\.item)
  }

  public func hash(into hasher: inout Hasher) { hasher.combine(key) }
}

/// The receipt for erasing a user: what was removed.
public struct DeletionReceipt: Sendable, Hashable, Codable {
  /// The pseudonym erased (the raw id is never stored).
  public var user: String
  /// Events removed.
  public var eventsRemoved: Int
  /// Purchase baskets removed from co-occurrence.
  public var basketsRemoved: Int
  /// Item-pair co-occurrence contributions removed (one per pair per basket).
  public var pairContributionsRemoved: Int
  /// Impressions logged for the user that were removed.
  public var impressionsRemoved: Int
  /// The removed baskets' items (so in-memory models can subtract them); not part of the JSON receipt.
  public var removedBaskets: [[String]]
  /// The removed purchases' co-occurrence deltas with their change sequence numbers (so a replica
  /// subtracts exactly the ones it had applied); not part of the JSON receipt.
  public var removedDeltas: [BasketDelta]
  /// The change-feed sequence number of the erasure (0 when nothing was recorded); not part of the JSON receipt.
  public var changeSequence: Int64
  /// Unix seconds of the erasure.
  public var erasedAt: Int64

  /// Creates a receipt.
  public init(
    user: String, eventsRemoved: Int = 0, basketsRemoved: Int = 0, pairContributionsRemoved: Int = 0,
    impressionsRemoved: Int = 0, removedBaskets: [[String]] = [], removedDeltas: [BasketDelta] = [],
    changeSequence: Int64 = 0, erasedAt: Int64 = 0
  ) {
    self.user = user
    self.eventsRemoved = eventsRemoved
    self.basketsRemoved = basketsRemoved
    self.pairContributionsRemoved = pairContributionsRemoved
    self.impressionsRemoved = impressionsRemoved
    self.removedBaskets = removedBaskets
    self.removedDeltas = removedDeltas
    self.changeSequence = changeSequence
    self.erasedAt = erasedAt
  }

  private enum CodingKeys: String, CodingKey {
    case user
    case eventsRemoved = "events_removed"
    case basketsRemoved = "baskets_removed"
    case pairContributionsRemoved = "pair_contributions_removed"
    case impressionsRemoved = "impressions_removed"
    case erasedAt = "erased_at"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    user = try c.decode(String.self, forKey: .user)
    eventsRemoved = try c.decode(Int.self, forKey: .eventsRemoved)
    basketsRemoved = try c.decode(Int.self, forKey: .basketsRemoved)
    pairContributionsRemoved = try c.decode(Int.self, forKey: .pairContributionsRemoved)
    impressionsRemoved = try c.decode(Int.self, forKey: .impressionsRemoved)
    erasedAt = try c.decode(Int64.self, forKey: .erasedAt)
    removedBaskets = []
    removedDeltas = []
    changeSequence = 0
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(user, forKey: .user)
    try c.encode(eventsRemoved, forKey: .eventsRemoved)
    try c.encode(basketsRemoved, forKey: .basketsRemoved)
    try c.encode(pairContributionsRemoved, forKey: .pairContributionsRemoved)
    try c.encode(impressionsRemoved, forKey: .impressionsRemoved)
    try c.encode(erasedAt, forKey: .erasedAt)
  }
}

/// Co-occurrence counts as stored.
public struct CooccurrenceSnapshot: Sendable, Hashable {
  /// Number of purchase baskets.
  public var baskets: Int
  /// Baskets per item.
  public var itemCounts: [String: Int]
  /// Baskets per unordered pair (a < b).
  public var pairs: [PairCount]

  /// Creates a snapshot.
  public init(baskets: Int = 0, itemCounts: [String: Int] = [:], pairs: [PairCount] = []) {
    self.baskets = baskets
    self.itemCounts = itemCounts
    self.pairs = pairs
  }
}

/// One pair's co-occurrence count.
public struct PairCount: Sendable, Hashable, Codable {
  /// The smaller item id.
  public var a: String
  /// The larger item id.
  public var b: String
  /// Baskets with both.
  public var count: Int

  /// Creates a pair count.
  public init(a: String, b: String, count: Int) {
    self.a = a
    self.b = b
    self.count = count
  }
}
