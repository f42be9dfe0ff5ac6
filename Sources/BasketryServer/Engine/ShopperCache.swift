/// Per-shopper results kept while everything they depend on stays the same, so a returning shopper is not
/// computed again. An entry is found by the shopper and a stamp of its inputs (the caller's: model version, the
/// shopper's store events, …); a different stamp is a miss and the next store replaces the entry. The results
/// cached here are deterministic, so a hit is exactly what a recomputation would give. At most `capacity` shoppers
/// are kept; when full, the cache is emptied (no per-hit bookkeeping). Its own lock.
final class ShopperCache<Value: Sendable>: Sendable {
  private struct Entry: Sendable {
    var stamp: String
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
  func value(of user: String, stamp: String) -> Value? {
    entries.withLock { entries in
      guard let entry = entries[user], entry.stamp == stamp else { return nil }
      return entry.value
    }
  }

  /// Stores the shopper's value at this stamp (replacing any other).
  func store(_ value: Value, of user: String, stamp: String) {
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
