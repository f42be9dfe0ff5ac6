import Foundation

/// Counters and latency histograms, rendered in the Prometheus text exposition format (0.0.4).
public final class MetricsRegistry: Sendable {
  /// Latency histogram bucket upper bounds, in seconds.
  public static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

  private struct Histogram {
    var counts = [Int](repeating: 0, count: MetricsRegistry.buckets.count)
    var sum = 0.0
    var count = 0
  }

  private struct State {
    var requests: [String: Int] = [:]  // "route|method|status"
    var latency: [String: Histogram] = [:]  // "route|method"
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
      var histogram = state.latency["\(route)|\(method)"] ?? Histogram()
      for (index, bound) in Self.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
      histogram.sum += seconds
      histogram.count += 1
      state.latency["\(route)|\(method)"] = histogram
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
