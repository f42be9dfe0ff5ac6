import BasketryCore
import BasketryOnline
import BasketryStore
import Foundation
import Logging

/// Replicas converge by following the store's change feed (``Store/changes(after:limit:)``):
/// every `change_poll_seconds` a background task reads the changes after the engine's cursor and
/// applies those it did not make itself — purchase deltas to the live co-occurrence counts (and the
/// purchaser's cached events are dropped, so their recommendations change), catalog writes to the
/// catalog cache, erasures to both counts and buffered impressions. Requests never
/// touch the feed; they read the in-memory state, whose candidate cache the observers on
/// ``EngineState`` empty as it changes.
///
/// Own writes are applied at once (read-your-writes) and remembered by sequence number so the
/// follower skips them; a sequence at or below the cursor was already applied by the follower,
/// so the writer skips it. Both paths run under the state lock.
extension Engine {
  /// Changes read per store round trip.
  static let changePageSize = 1000

  /// Reloads co-occurrence counts and the catalog from one store snapshot and resumes the change
  /// feed from the position that snapshot reflects.
  public func refreshLiveState() async throws {
    let live = try await store.liveState()
    var model = CooccurrenceModel()
    model.load(
      baskets: live.cooccurrence.baskets, itemCounts: live.cooccurrence.itemCounts,
      pairs: live.cooccurrence.pairs.map { ($0.a, $0.b, $0.count) })
    let catalog = Dictionary(live.items.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    state.withLock { state in
      state.cooccurrence = model
      state.catalog = catalog
      state.changeCursor = live.sequence
      state.handledChanges.removeAll()
      state.unappliedErased.removeAll()
    }
    metrics.set("change_feed_position", Double(live.sequence))
  }

  /// The change-feed position the live state reflects.
  public var changeCursor: Int64 { state.withLock { $0.changeCursor } }

  /// Applies the changes made through other replicas (or tools writing to the store) since the
  /// last call, page by page; reloads the live state when the feed was pruned past the cursor.
  /// - Returns: how many changes were applied (own writes, already applied, not counted).
  /// - Throws: store errors (the cursor stays where it was; the next call retries).
  @discardableResult
  public func followChanges() async throws -> Int {
    var applied = 0
    while true {
      let cursor = state.withLock { $0.changeCursor }
      let batch = try await store.changes(after: cursor, limit: Self.changePageSize)
      guard batch.complete else {
        logger.warning("change feed pruned past this replica's position; reloading counts and catalog")
        metrics.increment("change_feed_reloads_total")
        try await refreshLiveState()
        return applied
      }
      guard !batch.changes.isEmpty else { break }
      let (count, stale) = state.withLock { state -> (Int, Bool) in
        // A reload moved the cursor meanwhile: read again from the new position.
        guard state.changeCursor == cursor else { return (0, true) }
        var count = 0
        for change in batch.changes where state.apply(change) { count += 1 }
        return (count, false)
      }
      applied += count
      // Purchases and erasures through other replicas reach this one's cached histories here (its own dropped
      // them at once).
      let touched = Set(
        batch.changes.lazy.compactMap { change -> String? in
          if case .userErased(let user, _) = change.kind { return user }
          return change.user
        })
      if !touched.isEmpty { histories.invalidate(touched) }
      if !stale && batch.changes.count < Self.changePageSize { break }
    }
    if applied > 0 { metrics.increment("changes_applied_total", by: Double(applied)) }
    metrics.set("change_feed_position", Double(changeCursor))
    return applied
  }

  /// Follows the change feed every `change_poll_seconds` and prunes changes older than
  /// `change_retention_seconds` about once a minute, until the task is cancelled.
  public func runChangeFollower() async {
    let interval = Duration.milliseconds(max(1, Int((configuration.changePollSeconds * 1000).rounded())))
    let clock = ContinuousClock()
    var lastPrune = clock.now
    while !Task.isCancelled {
      do {
        try await Task.sleep(for: interval)
      } catch {
        break
      }
      do {
        try await followChanges()
      } catch {
        if Task.isCancelled { break }
        logger.error("change feed read failed", metadata: ["error": "\(error)"])
        metrics.increment("change_feed_errors_total")
      }
      if lastPrune.duration(to: clock.now) >= .seconds(60) {
        lastPrune = clock.now
        do {
          try await store.pruneChanges(before: Self.now() - Int64(configuration.changeRetentionSeconds))
        } catch {
          logger.error("change feed prune failed", metadata: ["error": "\(error)"])
        }
      }
    }
  }
}

extension EngineState {
  /// Claims a change this replica wrote (the store returned `sequence`): true when the caller
  /// should apply it now, false when the feed follower already did (or must not: erased).
  mutating func claimOwn(_ sequence: Int64) -> Bool {
    guard sequence > 0 else { return true }  // a store without a feed
    guard sequence > changeCursor else { return false }
    return handledChanges.insert(sequence).inserted
  }

  /// Whether the purchase published as `sequence` is in the live counts, at erasure `erasure`.
  func hasApplied(_ sequence: Int64, erasure: Int64) -> Bool {
    if sequence == 0 { return true }  // pruned from the feed: part of every replica's state
    if handledChanges.contains(sequence) { return true }
    return sequence <= changeCursor && !(unappliedErased[erasure]?.contains(sequence) ?? false)
  }

  /// Applies one change read from the feed and moves the cursor past it.
  /// - Returns: whether it changed anything (false for own writes applied earlier).
  mutating func apply(_ change: StoreChange) -> Bool {
    guard change.sequence > changeCursor else { return false }
    defer { changeCursor = change.sequence }
    if handledChanges.remove(change.sequence) != nil {
      unappliedErased[change.sequence] = nil
      return false
    }
    switch change.kind {
    case .purchase(let delta):
      cooccurrence.add(item: delta.item, partners: delta.partners, newBasket: delta.newBasket)
    case .erasedPurchase(let erasure):
      // Never applied here; the erasure must not subtract it (unless it already ran here).
      if !handledChanges.contains(erasure) { unappliedErased[erasure, default: []].insert(change.sequence) }
      return false
    case .item(let id, let item):
      catalog[id] = item
    case .userErased(let user, let deltas):
      applyErasure(change.sequence, deltas: deltas)
      pendingImpressions.removeAll { $0.user == user }
      pendingLists.removeAll { $0.user == user }
      pendingOfferLists.removeAll { $0.user == user }
      forgetRecent(user: user)
      erasedUsers.insert(user)
    }
    return true
  }

  /// Subtracts an erased user's purchase deltas that the live counts hold; the others are marked
  /// handled so they are never applied.
  mutating func applyErasure(_ erasure: Int64, deltas: [BasketDelta]) {
    for delta in deltas {
      if hasApplied(delta.sequence, erasure: erasure) {
        cooccurrence.remove(item: delta.item, partners: delta.partners, newBasket: delta.newBasket)
      } else if delta.sequence > changeCursor {
        handledChanges.insert(delta.sequence)
      }
    }
    unappliedErased[erasure] = nil
  }
}
