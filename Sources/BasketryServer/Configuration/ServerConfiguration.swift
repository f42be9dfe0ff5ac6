import BasketryCore
import BasketryOnline
import Foundation

/// The service's settings: defaults, overridden by a `key = value` file, then by `BASKETRY_*`
/// environment variables, then by command-line flags. `basketry.example.conf` lists every key.
public struct ServerConfiguration: Sendable, Hashable {
  /// Interface to bind. Default `127.0.0.1`.
  public var host = "127.0.0.1"
  /// Port. Default 8080 (0: any free port).
  public var port = 8080
  /// Store location: a SQLite file path or `postgres://user:password@host:port/database`. Default `basketry.sqlite`.
  public var store = "basketry.sqlite"
  /// HMAC-SHA256 key for user pseudonyms. Default empty: a fixed development key is used, with a warning.
  public var pseudonymKey = ""
  /// API keys as `role:key` pairs separated by commas (roles: admin, ingest, read). Empty: no authentication.
  public var apiKeys: [String: APIRole] = [:]
  /// Largest request body in bytes; larger requests get 413. Default 1 MiB.
  public var maxBodyBytes = 1 << 20
  /// Largest number of events in one POST /v1/events. Default 1000.
  public var maxBatchEvents = 1000
  /// How often to check the store for a new model version, in seconds (PostgreSQL also uses NOTIFY). Default 2.
  public var modelPollSeconds = 2.0
  /// How often to read the store's change feed (other replicas' purchases, catalog writes and
  /// erasures), in seconds. Default 0.25, so a purchase through another replica changes this one's
  /// recommendations well within a second.
  public var changePollSeconds = 0.25
  /// How long a user's store events are reused between requests, in seconds (0: read the store on every
  /// request). Events stored or erased through this replica are seen at once, purchases and erasures through
  /// others when the change feed brings them (`change_poll_seconds`), their views and carts within this time.
  /// Default 10.
  public var historyCacheSeconds = 10.0
  /// How long the change feed keeps entries, in seconds; a replica further behind reloads its
  /// counts and catalog. Default 3600.
  public var changeRetentionSeconds = 3600
  /// How often buffered impressions and bandit counts are written, in milliseconds. Default 200.
  public var flushMilliseconds = 200
  /// File that buffered impressions and lists move to when the store cannot take them and more than
  /// ``spillAfter`` wait in memory; replayed into the store once it is back. Keep it off the database's disk.
  /// Default `basketry.spill` (in the working directory).
  public var spillPath = "basketry.spill"
  /// Buffered impressions, recommendation lists and offer lists (entries) kept in memory while the store is away
  /// before they move to ``spillPath``. Default 100000.
  public var spillAfter = 100_000
  /// Largest size of the spill file in bytes; entries beyond it stay in memory (at most 1,000,000, the oldest
  /// dropped and counted in `impressions_dropped_total`). Default 268435456 (256 MiB).
  public var spillMaxBytes = 268_435_456
  /// Discount levels the bandit chooses among. Default 0, 0.05, 0.10, 0.15, 0.20.
  public var banditLevels: [Double] = [0, 0.05, 0.10, 0.15, 0.20]
  /// Smallest margin rate any offered bundle price keeps. Default 0.20.
  public var marginFloor = 0.20
  /// Margin rate assumed where an item's cost is unknown. Default 0.35.
  public var assumedMargin = 0.35
  /// Pricing policy outside experiments: `bandit`, `model` or `fixed`. Default `bandit`.
  public var defaultPolicy = "bandit"
  /// Monte-Carlo draws used to log each bandit choice's propensity. Default 8.
  public var propensitySamples = 8
  /// Seed for the bandit's random numbers. Default 42.
  public var seed: UInt64 = 42
  /// Log level: trace, debug, info, notice, warning, error, critical. Default info.
  public var logLevel = "info"
  /// Requests handled at once; more are answered 503 with `Retry-After` at once instead of queueing
  /// (health and metrics are never shed). Default 512.
  public var maxConcurrentRequests = 512
  /// Requests per second allowed per API key (token bucket holding one second's worth, at least one request,
  /// refilled continuously;
  /// 429 with `Retry-After` beyond it); 0 turns it off. Anonymous requests (no keys configured) share one bucket.
  /// Default 0.
  public var rateLimitPerSecond = 0.0
  /// Serve on a non-loopback interface without API keys or with the development pseudonym key (a demo on a
  /// trusted network). Default false: such a server refuses to start.
  public var insecure = false

  /// Creates the defaults.
  public init() {}

  /// The documented keys, in file order.
  public static let keys = [
    "host", "port", "store", "pseudonym_key", "api_keys", "max_body_bytes", "max_batch_events", "model_poll_seconds",
    "change_poll_seconds", "change_retention_seconds", "history_cache_seconds", "flush_milliseconds", "spill_path",
    "spill_after", "spill_max_bytes", "bandit_levels",
    "margin_floor",
    "assumed_margin", "default_policy", "propensity_samples",
    "seed", "log_level", "max_concurrent_requests", "rate_limit_per_second", "insecure",
  ]

  /// Sets one key from text.
  /// - Throws: ``ConfigurationError`` naming the key and value.
  public mutating func set(_ key: String, _ value: String, source: String) throws {
    func fail(_ rule: String) -> ConfigurationError {
      ConfigurationError(source: source, key: key, value: key == "pseudonym_key" ? "…" : value, message: rule)
    }
    func int(_ range: ClosedRange<Int>) throws -> Int {
      guard let number = Int(value), range.contains(number) else {
        throw fail("must be an integer in \(range.lowerBound)…\(range.upperBound)")
      }
      return number
    }
    func fraction() throws -> Double {
      guard let number = Double(value), number >= 0, number < 1 else { throw fail("must be a number in [0, 1)") }
      return number
    }
    switch key {
    case "host": host = value
    case "port": port = try int(0...65535)
    case "store":
      guard !value.isEmpty else { throw fail("must not be empty") }
      store = value
    case "pseudonym_key": pseudonymKey = value
    case "api_keys":
      var keys: [String: APIRole] = [:]
      for pair in value.split(separator: ",") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
        let parts = pair.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let role = APIRole(rawValue: parts[0]), !parts[1].isEmpty else {
          throw fail("must be role:key pairs separated by commas, roles admin, ingest or read")
        }
        keys[parts[1]] = role
      }
      apiKeys = keys
    case "max_body_bytes": maxBodyBytes = try int(256...(1 << 30))
    case "max_batch_events": maxBatchEvents = try int(1...100_000)
    case "model_poll_seconds":
      guard let number = Double(value), number > 0 else { throw fail("must be a positive number") }
      modelPollSeconds = number
    case "change_poll_seconds":
      guard let number = Double(value), number >= 0.001, number <= 3600 else {
        throw fail("must be a number of seconds in 0.001…3600")
      }
      changePollSeconds = number
    case "history_cache_seconds":
      guard let number = Double(value), number >= 0, number <= 60 else {
        throw fail("must be a number of seconds in 0…60")
      }
      historyCacheSeconds = number
    case "change_retention_seconds": changeRetentionSeconds = try int(60...31_536_000)
    case "flush_milliseconds": flushMilliseconds = try int(1...60_000)
    case "spill_path":
      guard !value.isEmpty else { throw fail("must not be empty") }
      spillPath = value
    case "spill_after": spillAfter = try int(1...1_000_000)
    case "spill_max_bytes": spillMaxBytes = try int(0...(1 << 40))
    case "bandit_levels":
      let levels = value.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
      guard !levels.isEmpty, levels.allSatisfy({ $0.map { $0 >= 0 && $0 < 1 } ?? false }) else {
        throw fail("must be discounts in [0, 1) separated by commas")
      }
      banditLevels = levels.compactMap { $0 }
    case "margin_floor": marginFloor = try fraction()
    case "assumed_margin": assumedMargin = try fraction()
    case "default_policy":
      guard ["bandit", "model", "fixed"].contains(value) else { throw fail("must be bandit, model or fixed") }
      defaultPolicy = value
    case "propensity_samples": propensitySamples = try int(0...10_000)
    case "seed":
      guard let number = UInt64(value) else { throw fail("must be a non-negative integer") }
      seed = number
    case "max_concurrent_requests": maxConcurrentRequests = try int(1...1_000_000)
    case "rate_limit_per_second":
      guard let number = Double(value), number >= 0, number <= 1_000_000 else {
        throw fail("must be a number in 0…1000000 (0 turns it off)")
      }
      rateLimitPerSecond = number
    case "insecure":
      guard let flag = Bool(value) else { throw fail("must be true or false") }
      insecure = flag
    case "log_level":
      guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(value) else {
        throw fail("must be trace, debug, info, notice, warning, error or critical")
      }
      logLevel = value
    default:
      throw ConfigurationError(source: source, key: key, value: value, message: "unknown key")
    }
  }

  /// Applies a `key = value` file: `#` starts a comment, blank lines are skipped, values may be quoted.
  /// - Throws: ``ConfigurationError`` with the file and line.
  public mutating func apply(file path: String) throws {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw ConfigurationError(source: path, key: "", value: "", message: "cannot read the file")
    }
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var line = Substring(rawLine)
      if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      guard let equals = trimmed.firstIndex(of: "=") else {
        throw ConfigurationError(
          source: "\(path):\(index + 1)", key: trimmed, value: "", message: "expected `key = value`")
      }
      let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
      var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
      try set(key, value, source: "\(path):\(index + 1)")
    }
  }

  /// Applies `BASKETRY_<KEY>` environment variables (e.g. `BASKETRY_PORT`, `BASKETRY_PSEUDONYM_KEY`).
  public mutating func apply(environment: [String: String]) throws {
    for key in Self.keys {
      if let value = environment["BASKETRY_" + key.uppercased()] { try set(key, value, source: "environment") }
    }
  }

  /// The bandit settings.
  public var banditConfiguration: DiscountBanditConfiguration {
    DiscountBanditConfiguration(levels: banditLevels, marginFloor: marginFloor)
  }

  /// Whether ``host`` is a loopback address (reachable only from this machine).
  public var isLoopback: Bool {
    ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
  }

  /// Why this configuration must not serve: bound beyond loopback without API keys (every endpoint, erasure
  /// included, would be open) or with the development pseudonym key (pseudonyms anyone with the source can
  /// reverse), unless ``insecure``.
  /// - Throws: ``ConfigurationError`` naming the setting to give.
  public func checkExposure() throws {
    guard !isLoopback, !insecure else { return }
    if apiKeys.isEmpty {
      throw ConfigurationError(
        source: "host", key: "api_keys", value: host,
        message:
          "serving on \(host) (beyond this machine) needs API keys: set api_keys (BASKETRY_API_KEYS or --api-key "
          + "role:key), bind --host 127.0.0.1, or pass --insecure for a demo on a trusted network")
    }
    if pseudonymKey.isEmpty {
      throw ConfigurationError(
        source: "host", key: "pseudonym_key", value: "…",
        message:
          "serving on \(host) needs a secret pseudonym key (the development key makes pseudonyms reversible): set "
          + "pseudonym_key (BASKETRY_PSEUDONYM_KEY), bind --host 127.0.0.1, or pass --insecure")
    }
  }

  /// The pseudonymisation key in force (the development key when none is configured).
  public var effectivePseudonymKey: String {
    pseudonymKey.isEmpty ? "basketry-development-key-do-not-use-in-production" : pseudonymKey
  }
}

/// An API key's role. `admin` may do everything; `ingest` may post events and read; `read` may only read.
public enum APIRole: String, Sendable, Hashable, Codable, Comparable {
  case read
  case ingest
  case admin

  private var rank: Int {
    switch self {
    case .read: 0
    case .ingest: 1
    case .admin: 2
    }
  }

  public static func < (lhs: APIRole, rhs: APIRole) -> Bool { lhs.rank < rhs.rank }
}

/// A bad configuration value: where it came from, the key and the value.
public struct ConfigurationError: BasketryError {
  /// File and line, `environment` or `flag`.
  public var source: String
  /// The key.
  public var key: String
  /// The value (the pseudonym key is never echoed).
  public var value: String
  /// What is wrong.
  public var message: String
  public var category: ErrorCategory { .invalidInput }

  /// Creates an error.
  public init(source: String, key: String, value: String, message: String) {
    self.source = source
    self.key = key
    self.value = value
    self.message = message
  }

  public var description: String { "\(source): \(key) = \(value): \(message)" }
}
