import Foundation
import Histogram

/// Counters and latency histograms, rendered in the Prometheus text exposition format (0.0.4), and
/// latency percentiles per route (HdrHistogram, 2 significant digits, 1 µs to 10 minutes) since start and over a
/// recent window of one to two minutes, for the dashboard.
public final class MetricsRegistry: Sendable {
  /// Latency histogram bucket upper bounds, in seconds.
  public static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

  private struct Buckets {
    var counts = [Int](repeating: 0, count: MetricsRegistry.buckets.count)
    var sum = 0.0
    var count = 0
  }

  /// Seconds after which the recent latency window moves on (it covers one to two of them).
  static let windowSeconds = 60.0

  /// Exact-enough latency percentiles of one route: since start, and the current and previous windows.
  private struct Percentiles {
    var total = Self.histogram()
    var current = Self.histogram()
    var previous = Self.histogram()
    var currentStart: Double

    static func histogram() -> Histogram<UInt64> {
      Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .two)
    }

    mutating func record(microseconds: UInt64, at now: Double) {
      if now - currentStart >= 2 * MetricsRegistry.windowSeconds {
        previous.reset()
        current.reset()
        currentStart = now
      } else if now - currentStart >= MetricsRegistry.windowSeconds {
        swap(&previous, &current)
        current.reset()
        currentStart = now
      }
      _ = total.record(microseconds)
      _ = current.record(microseconds)
    }
  }

  private struct State {
    var requests: [String: Int] = [:]  // "route|method|status"
    var latency: [String: Buckets] = [:]  // "route|method"
    var percentiles: [String: Percentiles] = [:]  // "route|method"
    var counters: [String: Double] = [:]
    var gauges: [String: Double] = [:]
  }

  private let state = Locked(State())

  /// Creates an empty registry.
  public init() {}

  /// Records one request.
  public func observe(route: String, method: String, status: Int, seconds: Double) {
    state.withLock { state in
      state.requests["\(route)|\(method)|\(status)", default: 0] += 1
      let key = "\(route)|\(method)"
      var histogram = state.latency[key] ?? Buckets()
      for (index, bound) in Self.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
      histogram.sum += seconds
      histogram.count += 1
      state.latency[key] = histogram
      let now = Date().timeIntervalSince1970
      let microseconds = UInt64(min(max(seconds * 1e6, 1), 600_000_000))
      state.percentiles[key, default: Percentiles(currentStart: now)].record(microseconds: microseconds, at: now)
    }
  }

  /// Latency percentiles per route, recent (the current and previous window) and since start, in milliseconds.
  /// - Complexity: O(routes · histogram buckets).
  public func latencyPercentiles() -> [RouteLatency] {
    let now = Date().timeIntervalSince1970
    let snapshot = state.withLock { $0.percentiles }
    return snapshot.keys.sorted().compactMap { key in
      guard let entry = snapshot[key] else { return nil }
      let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      var recent = Percentiles.histogram()
      if now - entry.currentStart < 2 * Self.windowSeconds {
        recent.add(entry.current)
        if now - entry.currentStart < Self.windowSeconds { recent.add(entry.previous) }
      }
      func milliseconds(_ histogram: Histogram<UInt64>, _ percentile: Double) -> Double? {
        histogram.totalCount == 0 ? nil : Double(histogram.valueAtPercentile(percentile)) / 1000
      }
      return RouteLatency(
        route: parts.first ?? key, method: parts.count > 1 ? parts[1] : "", recentCount: Int(recent.totalCount),
        p50: milliseconds(recent, 50), p90: milliseconds(recent, 90), p99: milliseconds(recent, 99),
        max: recent.totalCount == 0 ? nil : Double(recent.max) / 1000, totalCount: Int(entry.total.totalCount),
        totalP99: milliseconds(entry.total, 99))
    }
  }

  /// Adds to a counter (name without the `basketry_` prefix, e.g. `events_stored_total`).
  public func increment(_ name: String, by amount: Double = 1) {
    state.withLock { $0.counters[name, default: 0] += amount }
  }

  /// Sets a gauge.
  public func set(_ name: String, _ value: Double) {
    state.withLock { $0.gauges[name] = value }
  }

  /// A gauge's value (nil if never set).
  public func gauge(_ name: String) -> Double? { state.withLock { $0.gauges[name] } }

  /// A counter's value (0 if never incremented).
  public func counter(_ name: String) -> Double { state.withLock { $0.counters[name, default: 0] } }

  /// The Prometheus text exposition.
  public func render() -> String {
    let snapshot = state.withLock { $0 }
    var out = "# HELP basketry_http_requests_total HTTP requests by route, method and status.\n"
    out += "# TYPE basketry_http_requests_total counter\n"
    for key in snapshot.requests.keys.sorted() {
      let parts = key.split(separator: "|", omittingEmptySubsequences: false)
      out += "basketry_http_requests_total{route=\"\(parts[0])\",method=\"\(parts[1])\",status=\"\(parts[2])\"} "
      out += "\(snapshot.requests[key, default: 0])\n"
    }
    out += "# HELP basketry_http_request_duration_seconds Request latency by route and method.\n"
    out += "# TYPE basketry_http_request_duration_seconds histogram\n"
    for key in snapshot.latency.keys.sorted() {
      guard let histogram = snapshot.latency[key] else { continue }
      let parts = key.split(separator: "|", omittingEmptySubsequences: false)
      let labels = "route=\"\(parts[0])\",method=\"\(parts[1])\""
      for (index, bound) in Self.buckets.enumerated() {
        out += "basketry_http_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(histogram.counts[index])\n"
      }
      out += "basketry_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.count)\n"
      out += "basketry_http_request_duration_seconds_sum{\(labels)} \(histogram.sum)\n"
      out += "basketry_http_request_duration_seconds_count{\(labels)} \(histogram.count)\n"
    }
    for name in snapshot.counters.keys.sorted() {
      out += "# TYPE basketry_\(name) counter\nbasketry_\(name) \(snapshot.counters[name, default: 0])\n"
    }
    for name in snapshot.gauges.keys.sorted() {
      out += "# TYPE basketry_\(name) gauge\nbasketry_\(name) \(snapshot.gauges[name, default: 0])\n"
    }
    return out
  }
}
