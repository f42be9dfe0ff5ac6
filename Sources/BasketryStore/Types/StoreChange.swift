/// One entry of the store's change feed: a write that changes what replicas hold in memory
/// (co-occurrence counts, the catalog), numbered by a sequence that increases with commit order.
///
/// Every replica follows the feed (``Store/changes(after:limit:)``) and applies the entries it did
/// not cause itself, so several `basketry serve` processes on one database converge without a retrain.
public struct StoreChange: Sendable, Hashable {
  /// What changed.
  public enum Kind: Sendable, Hashable {
    /// A purchase added an item to a basket (its co-occurrence delta; `delta.sequence` is the change's).
    case purchase(BasketDelta)
    /// A purchase whose user was later erased by the change `erasedBy`: its contents are gone.
    /// A replica that had not applied it yet must not apply it, nor subtract it at the erasure.
    case erasedPurchase(erasedBy: Int64)
    /// A catalog item was inserted or replaced (`item` set) or deleted (`item` nil).
    case item(id: String, item: CatalogItem?)
    /// A user pseudonym was erased: the deltas of their purchases (with the sequence numbers they
    /// were published under) are to be subtracted by replicas that had applied them, and buffered
    /// impressions of the user dropped.
    case userErased(user: String, deltas: [BasketDelta])
  }

  /// The sequence number (positive, increasing in commit order; numbers may be skipped).
  public var sequence: Int64
  /// What changed.
  public var kind: Kind
  /// The user pseudonym whose purchase this is (``Kind/purchase(_:)``; nil for other kinds and for changes read
  /// from a store that does not record it). Replicas drop that user's cached events on reading it.
  public var user: String?

  /// Creates a change.
  public init(sequence: Int64, kind: Kind, user: String? = nil) {
    self.sequence = sequence
    self.kind = kind
    self.user = user
  }
}

/// A page of the change feed.
public struct ChangeBatch: Sendable, Hashable {
  /// Changes after the cursor, oldest first.
  public var changes: [StoreChange]
  /// False when changes after the cursor were pruned (older than the retention), so the reader
  /// must reload its state (``Store/liveState()``) instead of applying the page.
  public var complete: Bool

  /// Creates a batch.
  public init(changes: [StoreChange] = [], complete: Bool = true) {
    self.changes = changes
    self.complete = complete
  }
}

/// The state a replica serves from, read in one snapshot together with the change-feed position it
/// reflects: apply changes after ``sequence`` to stay current.
public struct LiveState: Sendable, Hashable {
  /// The newest change included.
  public var sequence: Int64
  /// Co-occurrence counts.
  public var cooccurrence: CooccurrenceSnapshot
  /// The catalog.
  public var items: [CatalogItem]

  /// Creates a state.
  public init(sequence: Int64, cooccurrence: CooccurrenceSnapshot, items: [CatalogItem]) {
    self.sequence = sequence
    self.cooccurrence = cooccurrence
    self.items = items
  }
}

/// The JSON payloads of change rows (shared by the drivers).
public enum ChangePayload {
  /// Change kinds as stored.
  public static let purchase = "purchase"
  /// A catalog item change.
  public static let item = "item"
  /// A user erasure.
  public static let erasure = "erasure"

  private struct Delta: Codable {
    var item: String
    var partners: [String]
    var newBasket: Bool
    var sequence: Int64?

    enum CodingKeys: String, CodingKey {
      case item = "i"
      case partners = "p"
      case newBasket = "n"
      case sequence = "s"
    }
  }

  /// Encodes a purchase delta (without its sequence: that is the row's).
  public static func encode(delta: BasketDelta, operation: String) throws -> String {
    try StoreJSON.encode(
      Delta(item: delta.item, partners: delta.partners, newBasket: delta.newBasket, sequence: nil),
      operation: operation)
  }

  /// Encodes an erasure's deltas with their sequence numbers.
  public static func encode(deltas: [BasketDelta], operation: String) throws -> String {
    try StoreJSON.encode(
      deltas.map { Delta(item: $0.item, partners: $0.partners, newBasket: $0.newBasket, sequence: $0.sequence) },
      operation: operation)
  }

  /// The deltas whose sum is a basket's whole co-occurrence contribution: the ones still in the
  /// feed (`published`, with their sequence numbers), preceded by deltas with sequence 0 for the
  /// items whose changes were pruned (every replica has applied those).
  /// - Parameters:
  ///   - basket: the basket's distinct items.
  ///   - published: the basket's purchase deltas still in the feed, oldest first.
  public static func deltas(basket: [String], published: [BasketDelta]) -> [BasketDelta] {
    let recent = Set(published.map(\.item))
    let old = basket.filter { !recent.contains($0) }
    var result = old.indices.map { index in
      BasketDelta(item: old[index], partners: Array(old[..<index]), newBasket: index == 0, sequence: 0)
    }
    result += published
    return result
  }

  /// Decodes a stored change row.
  /// - Parameters:
  ///   - sequence: the row's sequence.
  ///   - kind: the kind column.
  ///   - key: the key column (item id, or the erased user).
  ///   - payload: the payload column.
  ///   - erasedBy: the erasure that redacted the row, if any.
  ///   - user: the user column (the purchaser of a purchase change).
  /// - Throws: ``StoreError`` (corrupt) when the row cannot be read.
  public static func decode(
    sequence: Int64, kind: String, key: String?, payload: String?, erasedBy: Int64?, user: String? = nil,
    operation: String
  ) throws -> StoreChange {
    if let erasedBy { return StoreChange(sequence: sequence, kind: .erasedPurchase(erasedBy: erasedBy)) }
    switch kind {
    case purchase:
      guard let payload else { break }
      let delta = try StoreJSON.decode(Delta.self, from: payload, operation: operation)
      return StoreChange(
        sequence: sequence,
        kind: .purchase(
          BasketDelta(item: delta.item, partners: delta.partners, newBasket: delta.newBasket, sequence: sequence)),
        user: user)
    case item:
      guard let key else { break }
      let item = try payload.map { try StoreJSON.decode(CatalogItem.self, from: $0, operation: operation) }
      return StoreChange(sequence: sequence, kind: .item(id: key, item: item))
    case erasure:
      guard let key, let payload else { break }
      let deltas = try StoreJSON.decode([Delta].self, from: payload, operation: operation).map {
        BasketDelta(item: $0.item, partners: $0.partners, newBasket: $0.newBasket, sequence: $0.sequence ?? 0)
      }
      return StoreChange(sequence: sequence, kind: .userErased(user: key, deltas: deltas))
    default:
      break
    }
    throw StoreError(.corrupt, operation: operation, message: "change \(sequence) of kind '\(kind)' is malformed")
  }
}
