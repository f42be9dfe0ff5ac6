import BasketryCore
import BasketryOnline
import BasketryStore
import Foundation

extension Engine {
  /// Stores events (durably, idempotent on event id), updates live co-occurrence from new
  /// purchases, and credits the bandit for bundle purchases carrying a recommendation id.
  /// - Returns: what was stored.
  /// - Throws: store errors (nothing is acknowledged then); ``StoreError`` (unavailable, answered 503 with
  ///   `Retry-After`) when the store does not commit within ``writeDeadline`` (the write may still commit later:
  ///   a retry with the same event ids stores nothing twice), and at once while the store recently did not answer
  ///   at all (``StoreHealth/isSilent``).
  public func ingest(_ inputs: [EventInput]) async throws -> IngestResponse {
    let now = Self.now()
    let events = inputs.map { input in
      StoredEvent(
        eventID: input.eventID ?? UUID().uuidString.lowercased(), user: pseudonymizer.pseudonym(input.user),
        item: input.item, type: input.type, value: input.value, price: input.price, timestamp: input.timestamp ?? now,
        session: input.session, recommendationID: input.recommendationID)
    }
    if storeHealth.isSilent {
      throw StoreError(.unavailable, operation: "append events", message: "the store does not answer")
    }
    let store = self.store
    let outcome: AppendOutcome
    do {
      outcome = try await StoreDeadline.run(seconds: Self.writeDeadline, operation: "append events") {
        try await store.append(events)
      }
      storeHealth.recordSuccess()
    } catch {
      storeHealth.record(failure: error)
      throw error
    }
    histories.invalidate(Set(events.map(\.user)))
    metrics.increment("events_stored_total", by: Double(outcome.inserted))
    metrics.increment("events_duplicate_total", by: Double(outcome.duplicates))
    if outcome.inserted > 0 {
      let stored = Set(outcome.insertedIDs)
      activity.recordEvents(events.lazy.filter { stored.contains($0.eventID) }.map(\.type), at: now)
    }

    // Attribution: purchases with a recommendation id of a bundle impression.
    let inserted = Set(outcome.insertedIDs)
    let attributable = events.filter {
      inserted.contains($0.eventID) && $0.type == .purchase && $0.recommendationID != nil
    }
    var missing: [String] = []
    state.withLock { state in
      // Each delta once, whether this write or the change-feed follower gets there first.
      for delta in outcome.deltas where state.claimOwn(delta.sequence) {
        state.cooccurrence.add(item: delta.item, partners: delta.partners, newBasket: delta.newBasket)
      }
      for event in attributable {
        if let id = event.recommendationID, state.recent(id) == nil { missing.append(id) }
      }
    }
    var fetched: [String: Impression] = [:]
    for id in Set(missing) {
      if let impression = try? await store.impression(id: id) { fetched[id] = impression }
    }
    let attributed = state.withLock { state -> Int in
      var count = 0
      for event in attributable {
        // The bundle offer this purchase came from: every one counts for the dashboard, bandit-priced ones
        // (arm ≥ 0) reward the bandit once per recommendation.
        guard let id = event.recommendationID, let impression = state.recent(id) ?? fetched[id],
          impression.kind == "bundle", impression.key.split(separator: "+").contains(Substring(event.item))
        else { continue }
        activity.recordPurchase(
          key: impression.key, recommendationID: id, revenue: (event.price ?? 0) * max(event.value, 1))
        guard impression.arm >= 0, !state.rewarded.contains(id) else { continue }
        state.rewarded.insert(id)
        state.bandit.recordPurchase(key: impression.key, arm: impression.arm, reward: impression.margin)
        state.addArm(key: impression.key, arm: impression.arm, trials: 0, successes: 1, reward: impression.margin)
        count += 1
      }
      return count
    }
    metrics.increment("bandit_rewards_total", by: Double(attributed))
    return IngestResponse(
      accepted: outcome.inserted, duplicates: outcome.duplicates, eventIds: events.map(\.eventID),
      attributed: attributed)
  }
}
