import BasketryStore

/// Per-shopper results kept while everything they depend on stays the same, so a returning shopper is not
/// computed again. An entry is found by the shopper and a stamp of its inputs (the caller's: model version, the
/// shopper's store events, …); a different stamp is a miss and the next store replaces the entry. The results
/// cached here are deterministic, so a hit is exactly what a recomputation would give. At most `capacity` shoppers
/// are kept; when full, the cache is emptied (no per-hit bookkeeping). Its own lock.
final class ShopperCache<Stamp: Equatable & Sendable, Value: Sendable>: Sendable {
  private struct Entry: Sendable {
    var stamp: Stamp
    var value: Value
  }

  /// Shoppers kept at most.
  let capacity: Int
  private let entries = Locked([String: Entry]())

  /// - Parameter capacity: shoppers kept at most.
  init(capacity: Int) {
    self.capacity = capacity
  }

  /// The value stored for the shopper at this stamp.
  func value(of user: String, stamp: Stamp) -> Value? {
    entries.withLock { entries in
      guard let entry = entries[user], entry.stamp == stamp else { return nil }
      return entry.value
    }
  }

  /// Stores the shopper's value at this stamp (replacing any other).
  func store(_ value: Value, of user: String, stamp: Stamp) {
    entries.withLock { entries in
      if entries.count >= capacity, entries[user] == nil { entries.removeAll(keepingCapacity: true) }
      entries[user] = Entry(stamp: stamp, value: value)
    }
  }

  /// Forgets a shopper (erased).
  func forget(_ user: String) {
    entries.withLock { $0[user] = nil }
  }
}

/// What a shopper's cached results depend on besides the request: the served model version, the shopper's store
/// events (their number and the newest's id: events are only appended, or all removed by an erasure) and whether
/// the shopper was erased.
struct HistoryStamp: Hashable, Sendable {
  var modelVersion: Int64
  var eventCount: Int
  var lastEventID: String
  var erased: Bool

  /// - Parameters:
  ///   - modelVersion: the served model's version (nil: no stored model).
  ///   - events: the shopper's store events, oldest first.
  init(modelVersion: Int64?, events: [StoredEvent], erased: Bool) {
    self.modelVersion = modelVersion ?? -1
    eventCount = events.count
    lastEventID = events.last?.eventID ?? ""
    self.erased = erased
  }
}

/// What a shopper's ranked recommendations depend on: their history, the catalog, and the request's options.
struct RankingStamp: Hashable, Sendable {
  var history: HistoryStamp
  var catalogEpoch: UInt64
  var k: Int
  var excludeSeen: Bool
  var category: String?
}

/// A shopper's personal bundle ranking of one candidate list: the fits by bundle key (kept across candidate lists
/// while the history stays), and the order last computed for `source`, reused while the candidate list is the
/// same one (the candidate cache hands out the same list until the model, the counts or the catalog change).
struct PersonalRankingMemo: Sendable {
  /// Fits by bundle key.
  var fits: [String: PersonalBundleFit]
  /// The candidate list the order below ranks (kept alive, so its candidates' identities stay valid).
  var source: [Candidate]
  /// How many leading candidates were evaluated.
  var limit: Int
  /// The evaluated candidates, best first, then the rest of the first `limit` in their order.
  var head: [Candidate]
  /// Each evaluated candidate's fit.
  var byCandidate: [ObjectIdentifier: PersonalBundleFit]
  /// Each evaluated candidate's fit as response JSON (written once, copied into every response).
  var encoded: [ObjectIdentifier: [UInt8]] = [:]

  /// Whether the order was computed for exactly this candidate list and limit.
  /// - Complexity: O(n) identity comparisons for n candidates.
  func ranks(_ candidates: [Candidate], limit: Int) -> Bool {
    guard self.limit == limit, source.count == candidates.count else { return false }
    return zip(source, candidates).allSatisfy { $0 === $1 }
  }
}
