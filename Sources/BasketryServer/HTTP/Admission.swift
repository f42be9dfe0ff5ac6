import Foundation

/// Admission control in front of the routes: a cap on requests handled at once (beyond it, 503 at once rather
/// than a queue that grows until memory runs out) and a token bucket per API key.
///
/// Buckets exist only for configured keys (and one shared bucket for requests when no keys are configured), so
/// their number is bounded by the configuration, whatever keys clients present.
final class Admission: Sendable {
  private struct State {
    var inFlight = 0
    var buckets: [String: (tokens: Double, updated: Double)] = [:]
  }

  private let state = Locked(State())
  /// Requests handled at once at most.
  let capacity: Int
  /// Tokens added per second to each bucket; 0 turns rate limiting off. A bucket holds max(rate, 1) tokens.
  let rate: Double

  init(capacity: Int, rate: Double) {
    self.capacity = capacity
    self.rate = rate
  }

  /// Takes a slot for a request; false when `capacity` requests are in flight.
  func enter() -> Bool {
    state.withLock { state in
      guard state.inFlight < capacity else { return false }
      state.inFlight += 1
      return true
    }
  }

  /// Gives a slot back.
  func leave() { state.withLock { $0.inFlight -= 1 } }

  /// Requests in flight now.
  var inFlight: Int { state.withLock { $0.inFlight } }

  /// Takes one token from a key's bucket.
  /// - Returns: nil when allowed, else the seconds until a token is available.
  /// - Complexity: O(1).
  func take(bucket key: String, now: Double = Date().timeIntervalSince1970) -> Double? {
    guard rate > 0 else { return nil }
    return state.withLock { state in
      let size = max(rate, 1)
      var bucket = state.buckets[key] ?? (tokens: size, updated: now)
      bucket.tokens = min(size, bucket.tokens + (now - bucket.updated) * rate)
      bucket.updated = now
      defer { state.buckets[key] = bucket }
      guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / rate }
      bucket.tokens -= 1
      return nil
    }
  }
}
