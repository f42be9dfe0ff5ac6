import BasketryStore
import Foundation

/// Users' store events, kept briefly so repeated requests for one shopper do not each read the store.
///
/// An entry lives `lifetime` (the `history_cache_seconds` setting, default 0.5 s): events this replica stores
/// drop the user's entry at once, and events stored through other replicas are seen within the lifetime. At
/// most `capacity` users are kept; when full, the cache is emptied (no per-hit bookkeeping). Its own lock, so
/// it never waits on the engine's.
final class UserHistoryCache: Sendable {
  private struct Entry {
    var events: [StoredEvent]
    var expires: ContinuousClock.Instant
  }

  /// Users kept at most.
  static let capacity = 100_000

  private struct State {
    var entries: [String: Entry] = [:]
    /// Bumped by every invalidation: a read that began before one is not remembered (it may predate the write).
    var epoch: UInt64 = 0
  }

  private let lifetime: Duration
  private let state = Locked(State())

  /// - Parameter seconds: how long an entry is used (0 disables the cache).
  init(seconds: Double) {
    lifetime = .milliseconds(Int64((seconds * 1000).rounded()))
  }

  /// The user's cached events, when fresh (or however old, with `includingStale`: while the store is away).
  func events(of user: String, includingStale: Bool = false) -> [StoredEvent]? {
    guard lifetime > .zero else { return nil }
    let now = ContinuousClock.now
    return state.withLock { state in
      guard let entry = state.entries[user], includingStale || entry.expires > now else { return nil }
      return entry.events
    }
  }

  /// Marks the start of a store read: pass the result to ``store(_:of:read:)``.
  func beginRead() -> (instant: ContinuousClock.Instant, epoch: UInt64) {
    (ContinuousClock.now, state.withLock { $0.epoch })
  }

  /// Remembers events read from the store, unless an invalidation happened since the read began (the read
  /// may then predate a write); the entry expires `lifetime` after the read began.
  func store(_ events: [StoredEvent], of user: String, read: (instant: ContinuousClock.Instant, epoch: UInt64)) {
    guard lifetime > .zero else { return }
    state.withLock { state in
      guard state.epoch == read.epoch else { return }
      if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
      state.entries[user] = Entry(events: events, expires: read.instant + lifetime)
    }
  }

  /// Forgets users whose events changed (stored or erased through this replica).
  func invalidate<S: Sequence>(_ users: S) where S.Element == String {
    state.withLock { state in
      state.epoch &+= 1
      for user in users { state.entries[user] = nil }
    }
  }
}
