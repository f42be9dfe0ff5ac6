import BasketryCore
import BasketryStore

/// What appending a batch of events does beyond inserting their rows, worked out in memory from which events
/// the insert stored and from the batch's baskets as the database holds them under the purchase lock.
///
/// The plan applies the events in order, exactly as storing them one by one would: the first of repeated event
/// ids is the one stored; a purchase opens its basket if no earlier purchase did; an item new to its basket
/// counts once, pairs with every item already in the basket (stored before, or earlier in this batch), and
/// becomes one change in the feed.
struct PostgresAppendPlan: Sendable {
  /// What became of one event of the batch.
  enum Result: Sendable, Hashable {
    /// Its id was already stored (before, or earlier in the batch).
    case duplicate
    /// Stored, without changing co-occurrence.
    case stored
    /// Stored, and it is the purchase behind ``PostgresAppendPlan/deltas`` at this index.
    case storedWithDelta(Int)
  }

  /// An unordered item pair, smaller id first.
  struct Pair: Hashable, Comparable, Sendable {
    var a: String
    var b: String

    /// The pair of two distinct items, in the order the co-occurrence tables keep it.
    init(_ x: String, _ y: String) {
      if x < y {
        a = x
        b = y
      } else {
        a = y
        b = x
      }
    }

    static func < (lhs: Pair, rhs: Pair) -> Bool { (lhs.a, lhs.b) < (rhs.a, rhs.b) }
  }

  /// One entry per event, in input order.
  var results: [Result] = []
  /// The co-occurrence changes, in input order; their sequence numbers are 0 until the feed rows exist.
  var deltas: [BasketDelta] = []
  /// Baskets to create: key, user pseudonym, timestamp of the purchase that opens it.
  var newBaskets: [(key: String, user: String, timestamp: Int64)] = []
  /// Basket lines to create: key and item.
  var newLines: [(key: String, item: String)] = []
  /// How much each item's basket count grows.
  var itemIncrements: [String: Int64] = [:]
  /// How much each pair's count grows.
  var pairIncrements: [Pair: Int64] = [:]
  /// One change-feed row per delta: user pseudonym, basket key, encoded delta.
  var changes: [(user: String, key: String, payload: String)] = []

  /// Whether the plan writes anything besides the events rows.
  var writesBaskets: Bool { !newBaskets.isEmpty || !newLines.isEmpty }

  /// Plans a batch.
  /// - Parameters:
  ///   - events: the batch, in input order.
  ///   - inserted: the ids the insert stored (the first of repeated ids; none already in the table).
  ///   - baskets: the keys of the batch's baskets that exist already.
  ///   - lines: the items each of the batch's existing baskets holds.
  /// - Throws: ``StoreError`` when a delta cannot be encoded for the change feed.
  /// - Complexity: O(n · k log k) for n events and baskets of at most k items.
  init(events: [StoredEvent], inserted: Set<String>, baskets: Set<String>, lines: [String: Set<String>]) throws {
    var pending = inserted
    var known = baskets
    var contents = lines
    results.reserveCapacity(events.count)
    for event in events {
      guard pending.remove(event.eventID) != nil else {
        results.append(.duplicate)
        continue
      }
      guard event.type == .purchase else {
        results.append(.stored)
        continue
      }
      let key = event.basketKey
      let newBasket = known.insert(key).inserted
      if newBasket { newBaskets.append((key, event.user, event.timestamp)) }
      guard contents[key, default: []].insert(event.item).inserted else {
        results.append(.stored)
        continue
      }
      newLines.append((key, event.item))
      let partners = (contents[key] ?? []).filter { $0 != event.item }.sorted()
      itemIncrements[event.item, default: 0] += 1
      for partner in partners { pairIncrements[Pair(event.item, partner), default: 0] += 1 }
      let delta = BasketDelta(item: event.item, partners: partners, newBasket: newBasket)
      let payload = try ChangePayload.encode(delta: delta, operation: "append events")
      changes.append((event.user, key, payload))
      results.append(.storedWithDelta(deltas.count))
      deltas.append(delta)
    }
  }

  /// Gives the deltas the sequence numbers their change-feed rows got.
  /// - Parameter sequences: one per delta, in any order (the rows were numbered in delta order).
  /// - Throws: ``StoreError`` when the count differs from the deltas'.
  /// - Complexity: O(d log d) for d deltas.
  mutating func assign(sequences: [Int64]) throws {
    guard sequences.count == deltas.count else {
      throw StoreError(
        .database, operation: "append events",
        message: "the change feed numbered \(sequences.count) rows for \(deltas.count) changes")
    }
    for (index, sequence) in sequences.sorted().enumerated() { deltas[index].sequence = sequence }
  }

  /// Each caller's share, for a batch made of several callers' batches one after another.
  /// - Parameter owners: for each event, the index of the caller whose batch it is in (non-decreasing).
  /// - Parameter callers: how many callers there are.
  /// - Returns: one outcome per caller, as if its batch had been appended alone right after the earlier ones.
  /// - Complexity: O(n) for n events.
  func outcomes(owners: [Int], callers: Int, events: [StoredEvent]) -> [AppendOutcome] {
    var outcomes = Array(repeating: AppendOutcome(), count: callers)
    for (index, result) in results.enumerated() {
      let owner = owners[index]
      switch result {
      case .duplicate:
        outcomes[owner].duplicates += 1
      case .stored:
        outcomes[owner].inserted += 1
        outcomes[owner].insertedIDs.append(events[index].eventID)
      case .storedWithDelta(let delta):
        outcomes[owner].inserted += 1
        outcomes[owner].insertedIDs.append(events[index].eventID)
        outcomes[owner].deltas.append(deltas[delta])
      }
    }
    return outcomes
  }
}
