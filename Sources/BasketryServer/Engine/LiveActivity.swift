import BasketryCore
import Foundation

/// What happened on this replica recently, for the dashboard: events stored per second by type
/// over a sliding window, and bundle offers shown and taken.
///
/// Everything here is per replica and since it started (other replicas keep their own); totals that
/// must agree across replicas come from the store (`GET /v1/admin/stats`). It has its own lock, so
/// recording never waits for the serving state.
///
/// Memory is bounded: `windowSeconds` slots of four counters, at most `maxBundles` bundle tallies
/// (new bundles beyond it are not tallied, and counted in `untrackedBundleOffers`), and at most
/// `maxTakenIDs` remembered recommendation ids for counting an offer taken once (the set is cleared when
/// full, so an offer bought from again after that counts twice).
final class LiveActivity: Sendable {
  /// Seconds of per-second event counts kept.
  static let windowSeconds = 300
  /// Bundles tallied at most.
  static let maxBundles = 10_000
  /// Recommendation ids remembered at most for counting an offer taken once.
  static let maxTakenIDs = 200_000
  /// The event types counted, in display order.
  static let types: [EventType] = [.view, .cart, .purchase, .return]

  struct BundleTally: Sendable {
    var shown = 0
    var taken = 0
    var revenue = 0.0
  }

  private struct State: Sendable {
    /// The Unix second each slot holds counts for.
    var slotSecond = [Int64](repeating: -1, count: LiveActivity.windowSeconds)
    /// Counts per slot and type (`slot * types.count + type`).
    var counts = [Int](repeating: 0, count: LiveActivity.windowSeconds * LiveActivity.types.count)
    var totals = [Int](repeating: 0, count: LiveActivity.types.count)
    var bundles: [String: BundleTally] = [:]
    var untrackedBundleOffers = 0
    var takenIDs: Set<String> = []
  }

  private let state = Locked(State())
  /// When this replica started (Unix seconds).
  let startedAt: Int64

  init(now: Int64) { startedAt = now }

  /// Counts stored events by type at their arrival second.
  func recordEvents(_ types: some Sequence<EventType>, at second: Int64) {
    state.withLock { state in
      let slot = Int(second.magnitude % UInt64(Self.windowSeconds))
      if state.slotSecond[slot] != second {
        state.slotSecond[slot] = second
        for index in 0..<Self.types.count { state.counts[slot * Self.types.count + index] = 0 }
      }
      for type in types {
        guard let index = Self.types.firstIndex(of: type) else { continue }
        state.counts[slot * Self.types.count + index] += 1
        state.totals[index] += 1
      }
    }
  }

  /// Counts bundle offers shown.
  func recordOffers(keys: some Sequence<String>) {
    state.withLock { state in
      for key in keys {
        if state.bundles[key] != nil || state.bundles.count < Self.maxBundles {
          state.bundles[key, default: BundleTally()].shown += 1
        } else {
          state.untrackedBundleOffers += 1
        }
      }
    }
  }

  /// Counts a purchase from a bundle offer: the offer counts as taken once, the revenue every time.
  func recordPurchase(key: String, recommendationID: String, revenue: Double) {
    state.withLock { state in
      guard state.bundles[key] != nil else { return }
      if !state.takenIDs.contains(recommendationID) {
        if state.takenIDs.count >= Self.maxTakenIDs { state.takenIDs.removeAll(keepingCapacity: true) }
        state.takenIDs.insert(recommendationID)
        state.bundles[key]?.taken += 1
      }
      state.bundles[key]?.revenue += revenue
    }
  }

  /// Events per second by type over the last `seconds` seconds up to `now` (oldest first).
  func eventSeries(now: Int64, seconds: Int) -> DashboardEvents {
    let span = min(max(seconds, 1), Self.windowSeconds)
    return state.withLock { state in
      var series = Self.types.map { _ in [Int](repeating: 0, count: span) }
      for offset in 0..<span {
        let second = now - Int64(span - 1 - offset)
        let slot = Int(second.magnitude % UInt64(Self.windowSeconds))
        guard state.slotSecond[slot] == second else { continue }
        for index in 0..<Self.types.count { series[index][offset] = state.counts[slot * Self.types.count + index] }
      }
      return DashboardEvents(
        windowStart: now - Int64(span - 1), windowSeconds: span,
        types: zip(Self.types, series).enumerated().map { index, pair in
          DashboardEventType(
            type: pair.0.rawValue, perSecond: pair.1, sinceStart: state.totals[index],
            lastMinute: pair.1.suffix(60).reduce(0, +))
        })
    }
  }

  /// The most shown bundles, with how often they were taken.
  func topBundles(limit: Int) -> (bundles: [(key: String, tally: BundleTally)], untracked: Int) {
    state.withLock { state in
      let top = state.bundles.sorted { ($0.value.shown, $1.key) > ($1.value.shown, $0.key) }.prefix(limit)
      return (top.map { (key: $0.key, tally: $0.value) }, state.untrackedBundleOffers)
    }
  }
}
