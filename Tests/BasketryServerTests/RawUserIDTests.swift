import BasketryServer
import BasketryStore
import BasketryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Collects every log line (message and metadata) written through it.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
  final class Sink: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ line: String) { lock.withLock { storage.append(line) } }
    var lines: [String] { lock.withLock { storage } }
  }

  let sink: Sink
  var metadata: Logger.Metadata = [:]
  var logLevel: Logger.Level = .trace

  init(sink: Sink) { self.sink = sink }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
    sink.append("\(event.level) \(event.message) \(merged)")
  }
}

@Suite struct RawUserIDTests {
  @Test func noRawUserIDReachesALogLineOrAResponseBody() async throws {
    let raw = "raw-shopper-7f3e9a"
    let sink = CapturingLogHandler.Sink()
    let (base, path) = try await makeEngine()
    var logger = Logger(label: "capture") { _ in CapturingLogHandler(sink: sink) }
    logger.logLevel = .trace
    let engine = Engine(store: base.store, configuration: base.configuration, logger: logger)
    try await engine.start()
    let bodies = CapturingLogHandler.Sink()
    try await BasketryService.application(engine: engine).test(.live) { client in
      func record(_ response: TestResponse) { bodies.append(String(buffer: response.body)) }
      for id in ["mug", "tea"] { try await client.putItem(id) }
      try await client.purchase(raw, ["mug", "tea"], session: "s1")
      try await client.purchase("other", ["mug", "tea"], session: "s1")
      record(try await client.send(.get, "/v1/users/\(raw)/recommendations?k=3", key: Keys.read))
      record(try await client.send(.get, "/v1/bundles?user=\(raw)&k=3", key: Keys.read))
      record(try await client.send(.get, "/v1/bundles?user=\(raw)&k=3&bogus=1", key: Keys.read))
      record(
        try await client.send(
          .post, "/v1/events", key: Keys.ingest, body: #"{"user": "\#(raw)", "item": "mug", "type": "teleport"}"#))
      record(
        try await client.send(
          .post, "/v1/events", key: Keys.ingest, body: #"{"user": "\#(raw)", "item": "a+b", "type": "view"}"#))
      record(try await client.send(.get, "/v1/admin/dashboard", key: Keys.read))
      record(try await client.send(.delete, "/v1/users/\(raw)"))
      record(try await client.send(.get, "/v1/users/\(raw)/recommendations?k=3", key: Keys.read))
    }
    await engine.flush()
    #expect(bodies.lines.count == 8)
    for body in bodies.lines { #expect(!body.contains(raw), "response body holds the raw id: \(body.prefix(300))") }
    #expect(!sink.lines.isEmpty)
    for line in sink.lines { #expect(!line.contains(raw), "log line holds the raw id: \(line.prefix(300))") }
    // The store holds the pseudonym only.
    #expect(try await engine.store.events(user: raw).isEmpty)
    _ = path
  }
}
