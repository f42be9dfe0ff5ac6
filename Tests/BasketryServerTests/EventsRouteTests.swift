import BasketryServer
import BasketryStore
import BasketryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct EventsRouteTests {
  @Test func singleBatchAndWrappedBodiesAreStoredOnce() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      let single = try await client.send(
        .post, "/v1/events", key: Keys.ingest,
        body: #"{"event_id": "e1", "user": "alice", "item": "a", "type": "view", "timestamp": 5}"#)
      #expect(single.status == .ok)
      #expect(try json(single)["accepted"] as? Int == 1)
      let batch = try await client.send(
        .post, "/v1/events", key: Keys.ingest,
        body:
          #"[{"event_id": "e1", "user": "alice", "item": "a", "type": "view"}, {"event_id": "e2", "user": "alice", "item": "b", "type": "cart", "value": 2}]"#
      )
      let body = try json(batch)
      #expect(body["accepted"] as? Int == 1)
      #expect(body["duplicates"] as? Int == 1)
      let wrapped = try await client.send(
        .post, "/v1/events", key: Keys.admin,
        body: #"{"events": [{"user": "bob", "item": "a", "type": "purchase", "price": 3.5}]}"#)
      #expect(try json(wrapped)["accepted"] as? Int == 1)
      #expect((try json(wrapped)["event_ids"] as? [String])?.count == 1)
    }
    #expect(try await engine.store.eventCount() == 3)
    try await makeApp(engine).test(.router) { client in
      let stats = try json(try await client.send(.get, "/v1/admin/stats"))
      #expect(stats["events"] as? Int == 3)
      #expect(stats["baskets"] as? Int == 1)
      let forbidden = try await client.send(.get, "/v1/admin/stats", key: Keys.read)
      #expect(forbidden.status == .forbidden)
    }
    // Raw ids are never stored: events are filed under the HMAC pseudonym.
    #expect(try await engine.store.events(user: "alice").isEmpty)
    #expect(try await engine.store.events(user: engine.pseudonym("alice")).count == 2)
  }

  @Test(
    arguments: [
      ("{not json", "malformed_json", nil),
      (#"{"user": "u", "item": "a", "type": "view", "colour": "red"}"#, "unknown_field", "colour"),
      (#"{"user": "u", "item": "a", "type": "view", "price": "cheap"}"#, "wrong_type", "price"),
      (#"{"user": 7, "item": "a", "type": "view"}"#, "wrong_type", "user"),
      (#"{"item": "a", "type": "view"}"#, "missing_field", "user"),
      (#"{"user": "u", "item": "a", "type": "teleport"}"#, "invalid_value", "type"),
      (#"{"user": "u", "item": "a", "type": "view", "timestamp": 1.5}"#, "wrong_type", "timestamp"),
      (
        #"[{"user": "u", "item": "a", "type": "view"}, {"user": "u", "type": "view"}]"#, "missing_field",
        "events[1].item"
      ),
      (#"{"events": [{"user": "u", "item": "a", "type": "view", "value": true}]}"#, "wrong_type", "events[0].value"),
      ("[]", "empty_batch", "events"),
      // Item ids may not hold the separators of bundle keys, carts and exported rankings.
      (#"{"user": "u", "item": "a+b", "type": "view"}"#, "invalid_value", "item"),
      (
        #"[{"user": "u", "item": "a", "type": "view"}, {"user": "u", "item": "a,b", "type": "view"}]"#, "invalid_value",
        "events[1].item"
      ),
      (#"{"user": "u", "item": "a\tb", "type": "view"}"#, "invalid_value", "item"),
      ("42", "wrong_type", nil),
    ] as [(String, String, String?)])
  func badInputNamesTheField(body: String, code: String, field: String?) async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      let response = try await client.send(.post, "/v1/events", key: Keys.ingest, body: body)
      #expect(response.status == .badRequest)
      let error = try errorBody(response)
      #expect(error.code == code)
      #expect(error.field == field)
    }
    #expect(try await engine.store.eventCount() == 0)
  }

  @Test func catalogItemIdsMayNotHoldSeparators() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      let response = try await client.send(.put, "/v1/items/a+b", body: #"{"title": "x"}"#)
      #expect(response.status == .badRequest)
      #expect(try errorBody(response).field == "id")
      #expect(try await client.send(.put, "/v1/items/ab", body: #"{"title": "x"}"#).status == .ok)
    }
  }

  @Test func hugePayloadsAndBatchesAreRejected() async throws {
    let (engine, _) = try await makeEngine(maxBodyBytes: 4096, maxBatch: 3)
    try await makeApp(engine).test(.router) { client in
      let huge =
        "[" + Array(repeating: #"{"user": "u", "item": "a", "type": "view"}"#, count: 200).joined(separator: ",") + "]"
      let tooBig = try await client.send(.post, "/v1/events", key: Keys.ingest, body: huge)
      #expect(tooBig.status == .contentTooLarge)
      #expect(try errorBody(tooBig).code == "payload_too_large")
      let many =
        "[" + Array(repeating: #"{"user": "u", "item": "a", "type": "view"}"#, count: 4).joined(separator: ",") + "]"
      let tooMany = try await client.send(.post, "/v1/events", key: Keys.ingest, body: many)
      #expect(tooMany.status == .contentTooLarge)
      #expect(try errorBody(tooMany).field == "events")
    }
  }

  @Test func apiKeysAndRolesAreEnforced() async throws {
    let (engine, _) = try await makeEngine()
    let body = #"{"user": "u", "item": "a", "type": "view"}"#
    try await makeApp(engine).test(.router) { client in
      let checks: [(HTTPRequest.Method, String, String?, String?, HTTPResponse.Status)] = [
        (.post, "/v1/events", nil, body, .unauthorized),
        (.post, "/v1/events", "wrong", body, .unauthorized),
        (.post, "/v1/events", Keys.read, body, .forbidden),
        (.post, "/v1/events", Keys.ingest, body, .ok),
        (.delete, "/v1/users/u", Keys.ingest, nil, .forbidden),
        (.get, "/v1/bundles?item=a", Keys.read, nil, .ok),
        (.get, "/health/live", nil, nil, .ok),
      ]
      for (method, uri, key, body, expected) in checks {
        let response = try await client.send(method, uri, key: key, body: body)
        #expect(response.status == expected, "\(method) \(uri) with \(key ?? "no key")")
      }
    }
  }
}

@Suite struct OperationalRouteTests {
  @Test func healthMetricsOpenAPIAndUnknownRoutes() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      let live = try await client.send(.get, "/health/live", key: nil)
      #expect(live.status == .ok)
      #expect(String(buffer: live.body).contains("ok"))
      let ready = try await client.send(.get, "/health/ready", key: nil)
      #expect(ready.status == .ok)
      #expect(try json(ready)["status"] as? String == "ready")
      let openapi = try await client.send(.get, "/openapi.json", key: nil)
      let document = try json(openapi)
      #expect(document["openapi"] as? String == "3.1.0")
      let paths = document["paths"] as? [String: Any] ?? [:]
      for path in [
        "/v1/events", "/v1/bundles", "/v1/users/{id}/recommendations", "/v1/items/{id}/neighbors", "/v1/items/{id}",
        "/v1/users/{id}", "/v1/experiments", "/v1/experiments/{id}", "/health/live", "/health/ready", "/metrics",
      ] {
        #expect(paths[path] != nil, "missing \(path)")
      }
      let missing = try await client.send(.get, "/v1/nothing-here", key: Keys.read)
      #expect(missing.status == .notFound)
      #expect(try errorBody(missing).code == "not_found")
      let metrics = try await client.send(.get, "/metrics", key: nil)
      let text = String(buffer: metrics.body)
      #expect(text.contains("basketry_http_requests_total{route=\"/health/live\",method=\"GET\",status=\"200\"} 1"))
      #expect(text.contains("basketry_http_request_duration_seconds_bucket"))
    }
  }

  @Test func liveServerOnLoopback() async throws {
    let (engine, _) = try await makeEngine()
    let app = BasketryService.application(engine: engine)
    try await app.test(.live) { client in
      let status1 = try await client.send(.get, "/health/live", key: nil).status
      #expect(status1 == .ok)
      let posted = try await client.send(
        .post, "/v1/events", key: Keys.ingest,
        body: #"{"event_id": "live-1", "user": "u", "item": "a", "type": "purchase"}"#)
      #expect(posted.status == .ok)
      let bad = try await client.send(.post, "/v1/events", key: Keys.ingest, body: "{")
      #expect(bad.status == .badRequest)
      let status2 = try await client.send(.get, "/v1/items/a/neighbors", key: Keys.read).status
      #expect(status2 == .ok)
    }
    #expect(try await engine.store.event(id: "live-1") != nil)
  }
}
