/// Shoppers' model rankings (item, score, explanation), kept while everything they depend on stays the same, so a
/// returning shopper is not scored again: the stamp holds the model version, the shopper's store events (count and
/// newest id), the catalog's change count, whether they are erased, and the request's k, category and
/// `exclude_seen`. Rankings are deterministic, so a hit is exactly what a recomputation gives; items that stopped
/// being servable since (an `expires_at` passing) make the caller recompute. At most `capacity` shoppers; when
/// full, the cache is emptied. Its own lock.
final class RankingCache: Sendable {
  typealias Picks = [(String, Double, String)]

  private struct Entry: @unchecked Sendable {
    var stamp: String
    var picks: Picks
  }

  /// Shoppers kept at most (about 1.5 KB each for k = 10, so ≈ 30 MB when full).
  static let capacity = 20_000

  private let entries = Locked([String: Entry]())

  /// The ranking stored for the shopper at this stamp.
  func picks(of user: String, stamp: String) -> Picks? {
    entries.withLock { entries in
      guard let entry = entries[user], entry.stamp == stamp else { return nil }
      return entry.picks
    }
  }

  /// Stores the shopper's ranking at this stamp (replacing any other).
  func store(_ picks: Picks, of user: String, stamp: String) {
    entries.withLock { entries in
      if entries.count >= Self.capacity, entries[user] == nil { entries.removeAll(keepingCapacity: true) }
      entries[user] = Entry(stamp: stamp, picks: picks)
    }
  }

  /// Forgets a shopper (erased).
  func forget(_ user: String) {
    entries.withLock { $0[user] = nil }
  }
}
