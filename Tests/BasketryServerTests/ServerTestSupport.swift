import BasketryServer
import BasketryStore
import BasketryStoreSQLite
import BasketryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// API keys used by the tests.
enum Keys {
  static let admin = "admin-key"
  static let ingest = "ingest-key"
  static let read = "read-key"
}

/// A fresh engine on a temporary SQLite store.
func makeEngine(
  maxBodyBytes: Int = 64 * 1024, maxBatch: Int = 100, configure: (inout ServerConfiguration) throws -> Void = { _ in }
) async throws -> (Engine, String) {
  let folder = try TestSupport.temporaryDirectory("server")
  let path = folder.appendingPathComponent("store.sqlite").path
  var configuration = ServerConfiguration()
  configuration.store = path
  configuration.port = 0
  configuration.pseudonymKey = "test-secret"
  try configuration.set(
    "api_keys", "admin:\(Keys.admin),ingest:\(Keys.ingest),read:\(Keys.read)", source: "test")
  configuration.maxBodyBytes = maxBodyBytes
  configuration.maxBatchEvents = maxBatch
  configuration.modelPollSeconds = 0.05
  try configure(&configuration)
  let store = try SQLiteStore(path: path)
  var logger = Logger(label: "test")
  logger.logLevel = .error
  let engine = Engine(store: store, configuration: configuration, logger: logger)
  try await engine.start()
  return (engine, path)
}

/// An application for router tests.
func makeApp(_ engine: Engine) -> some ApplicationProtocol {
  Application(router: Routes.router(engine: engine))
}

func headers(_ key: String?) -> HTTPFields {
  var fields: HTTPFields = [.contentType: "application/json"]
  if let key { fields[.authorization] = "Bearer \(key)" }
  return fields
}

/// Decodes a JSON response body.
func json(_ response: TestResponse) throws -> [String: Any] {
  let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
  return object as? [String: Any] ?? [:]
}

/// The `error` object of an error response.
func errorBody(_ response: TestResponse) throws -> (code: String, field: String?) {
  let error = try json(response)["error"] as? [String: Any] ?? [:]
  return (error["code"] as? String ?? "", error["field"] as? String)
}

extension TestClientProtocol {
  /// Sends a JSON request.
  @discardableResult
  func send(
    _ method: HTTPRequest.Method, _ uri: String, key: String? = Keys.admin, body: String? = nil
  ) async throws -> TestResponse {
    try await execute(uri: uri, method: method, headers: headers(key), body: body.map { ByteBuffer(string: $0) })
  }

  /// Posts purchases: each basket is one session of one user.
  func purchase(_ user: String, _ items: [String], session: String, recommendation: String? = nil) async throws {
    let events = items.enumerated().map { index, item in
      var fields = [
        "\"event_id\": \"\(user)-\(session)-\(index)\"", "\"user\": \"\(user)\"", "\"item\": \"\(item)\"",
        "\"type\": \"purchase\"", "\"session\": \"\(session)\"", "\"price\": 10", "\"timestamp\": 1700000000",
      ]
      if let recommendation { fields.append("\"recommendation_id\": \"\(recommendation)\"") }
      return "{" + fields.joined(separator: ", ") + "}"
    }
    let response = try await send(
      .post, "/v1/events", key: Keys.ingest, body: "[" + events.joined(separator: ",") + "]")
    precondition(response.status == .ok, "ingest failed: \(String(buffer: response.body))")
  }

  /// Puts a priced catalog item.
  func putItem(_ id: String, price: Double = 10, cost: Double = 5, hidden: Bool = false) async throws {
    let response = try await send(
      .put, "/v1/items/\(id)",
      body: "{\"title\": \"Item \(id)\", \"price\": \(price), \"cost\": \(cost), \"hidden\": \(hidden)}")
    precondition(response.status == .ok, "put item failed: \(String(buffer: response.body))")
  }
}

/// The first version ≥ `version` the stream emits, or nil after `seconds` (tests never hang).
func firstVersion(_ stream: AsyncStream<Int64>, atLeast version: Int64, within seconds: Double = 20) async -> Int64? {
  await withTaskGroup(of: Int64?.self) { group in
    group.addTask {
      for await emitted in stream where emitted >= version { return emitted }
      return nil
    }
    group.addTask {
      try? await Task.sleep(for: .seconds(seconds))
      return nil
    }
    let result = await group.next() ?? nil
    group.cancelAll()
    return result
  }
}
