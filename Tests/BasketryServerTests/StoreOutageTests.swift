import BasketryServer
import BasketryStore
import BasketryTesting
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct StoreOutageTests {
  @Test func writesGet503WithRetryAfterWhileTheStoreCannotWriteAndReadsKeepBeingServed() async throws {
    let (engine, path) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      for id in ["mug", "tea"] { try await client.putItem(id) }
      for user in ["u1", "u2"] { try await client.purchase(user, ["mug", "tea"], session: "s") }
      // Another connection takes the write lock: the store's writes time out busy (5 s).
      var configuration = Configuration()
      configuration.allowsUnsafeTransactions = true  // the lock is held across two accesses on purpose
      let blocker = try DatabaseQueue(path: path, configuration: configuration)
      try await blocker.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
      let refused = try await client.send(
        .post, "/v1/events", key: Keys.ingest,
        body: #"{"event_id": "during", "user": "u3", "item": "mug", "type": "purchase"}"#)
      #expect(refused.status == .serviceUnavailable)
      #expect(refused.headers[.retryAfter] == "1")
      #expect(try errorBody(refused).code == "unavailable")
      // Reads are answered from memory meanwhile.
      let bundles = try await client.send(.get, "/v1/bundles?item=mug&k=1", key: Keys.read)
      #expect(bundles.status == .ok)
      #expect((try json(bundles)["bundles"] as? [[String: Any]])?.count == 1)
      #expect(try await client.send(.get, "/v1/users/u1/recommendations", key: Keys.read).status == .ok)
      try await blocker.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
      // What was refused was not stored; the retry is.
      #expect(try await engine.store.event(id: "during") == nil)
      let retried = try await client.send(
        .post, "/v1/events", key: Keys.ingest,
        body: #"{"event_id": "during", "user": "u3", "item": "mug", "type": "purchase"}"#)
      #expect(retried.status == .ok)
      #expect(try json(retried)["accepted"] as? Int == 1)
    }
    #expect(try await engine.store.event(id: "during") != nil)
  }
}
