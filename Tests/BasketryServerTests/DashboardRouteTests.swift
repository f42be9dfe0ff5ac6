import BasketryOnline
import BasketryServer
import BasketryStore
import BasketryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct DashboardRouteTests {
  /// Three shoppers buy mug + tea; one buys mug + spoon.
  func seed(_ client: some TestClientProtocol) async throws {
    for id in ["mug", "tea", "spoon", "cake"] { try await client.putItem(id) }
    for user in ["u1", "u2", "u3"] { try await client.purchase(user, ["mug", "tea"], session: "s") }
    try await client.purchase("u4", ["mug", "spoon"], session: "s")
  }

  @Test func snapshotCountsEventsOffersAndTakenBundles() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await seed(client)
      try await client.send(
        .post, "/v1/events", key: Keys.ingest,
        body: #"[{"user": "v", "item": "cake", "type": "view"}, {"user": "v", "item": "cake", "type": "cart"}]"#)
      var offered: [String] = []
      for session in ["a", "b", "c"] {
        let bundles =
          try json(try await client.send(.get, "/v1/bundles?item=mug&k=1&session=\(session)", key: Keys.read))[
            "bundles"] as? [[String: Any]] ?? []
        offered += bundles.compactMap { $0["recommendation_id"] as? String }
      }
      let taken = try #require(offered.first)
      // Two lines of one offer bought: the offer is taken once, its revenue counts both.
      try await client.send(
        .post, "/v1/events", key: Keys.ingest,
        body: """
          [{"user": "b1", "item": "mug", "type": "purchase", "price": 10, "recommendation_id": "\(taken)"},
           {"user": "b1", "item": "tea", "type": "purchase", "price": 4, "recommendation_id": "\(taken)"}]
          """)

      let response = try await client.send(.get, "/v1/admin/dashboard?seconds=60", key: Keys.read)
      #expect(response.status == .ok)
      let body = try json(response)
      let events = try #require(body["events"] as? [String: Any])
      #expect(events["window_seconds"] as? Int == 60)
      let types = Dictionary(
        uniqueKeysWithValues: (events["types"] as? [[String: Any]] ?? []).map {
          ($0["type"] as? String ?? "", $0)
        })
      #expect(types["view"]?["since_start"] as? Int == 1)
      #expect(types["cart"]?["since_start"] as? Int == 1)
      #expect(types["purchase"]?["since_start"] as? Int == 10)  // 8 seeded lines + 2 from the offer
      #expect((types["purchase"]?["per_second"] as? [Int])?.reduce(0, +) == 10)
      let store = try #require(body["store"] as? [String: Any])
      #expect(store["events"] as? Int == 12)
      let top = try #require((body["top_bundles"] as? [[String: Any]])?.first)
      #expect(top["key"] as? String == "mug+tea")
      #expect(top["titles"] as? [String] == ["Item mug", "Item tea"])
      #expect(top["shown"] as? Int == 3)
      #expect(top["taken"] as? Int == 1)
      #expect(abs((top["attach_rate"] as? Double ?? 0) - 1.0 / 3) < 1e-12)
      #expect(abs((top["revenue"] as? Double ?? 0) - 14) < 1e-12)
      let routes = (body["latency"] as? [[String: Any]] ?? []).compactMap { $0["route"] as? String }
      #expect(routes.contains("/v1/bundles"))
      #expect(routes.contains("/v1/events"))
      // The bandit priced every offer (default policy): posterior per level inside its interval.
      let bandit = try #require(body["bandit"] as? [String: Any])
      let arms = try #require((bandit["bundles"] as? [[String: Any]])?.first?["arms"] as? [[String: Any]])
      #expect(arms.count == (bandit["levels"] as? [Double])?.count)
      #expect(arms.reduce(0) { $0 + ($1["trials"] as? Int ?? 0) } == 3)
      for arm in arms {
        let mean = arm["posterior_mean"] as? Double ?? -1
        #expect((arm["low"] as? Double ?? 2) <= mean && mean <= (arm["high"] as? Double ?? -1))
      }
    }
  }

  @Test func experimentsInTheSnapshotMatchTheirOwnEndpoint() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await seed(client)
      let created = try await client.send(
        .post, "/v1/experiments",
        body:
          #"{"id": "exp", "name": "Ten off", "variants": [{"name": "control", "policy": "fixed", "discount": 0}, {"name": "ten", "policy": "fixed", "discount": 0.1}]}"#
      )
      #expect(created.status == .created)
      for session in 0..<40 {
        let offers =
          try json(try await client.send(.get, "/v1/bundles?item=mug&k=1&session=s\(session)", key: Keys.read))[
            "bundles"] as? [[String: Any]] ?? []
        if session % 4 == 0, let id = offers.first?["recommendation_id"] as? String {
          try await client.send(
            .post, "/v1/events", key: Keys.ingest,
            body:
              #"{"user": "b\#(session)", "item": "mug", "type": "purchase", "price": 10, "session": "s\#(session)", "recommendation_id": "\#(id)"}"#
          )
        }
      }
      await engine.flush()
      let own = try json(try await client.send(.get, "/v1/experiments/exp", key: Keys.read))
      let snapshot = try json(try await client.send(.get, "/v1/admin/dashboard", key: Keys.read))
      let listed = try #require((snapshot["experiments"] as? [[String: Any]])?.first)
      let canonical = { (object: [String: Any]) in
        try JSONSerialization.data(withJSONObject: object, options: .sortedKeys)
      }
      #expect(try canonical(listed) == canonical(own))
      let variants = own["variants"] as? [[String: Any]] ?? []
      #expect(variants.count == 2)
      #expect(variants.reduce(0) { $0 + ($1["impressions"] as? Int ?? 0) } == 40)
      for variant in variants {
        let interval = variant["conversion_interval"] as? [Double] ?? []
        let rate = variant["conversion_rate"] as? Double ?? -1
        #expect(interval.count == 2 && interval[0] <= rate && rate <= interval[1])
      }
      #expect(variants[0]["difference_interval"] == nil)
      #expect((variants[1]["difference_interval"] as? [Double])?.count == 2)
    }
  }

  @Test func dashboardNeedsAReadKeyAndRejectsBadParameters() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      #expect(try await client.send(.get, "/v1/admin/dashboard", key: nil).status == .unauthorized)
      #expect(try await client.send(.get, "/v1/admin/dashboard", key: "wrong").status == .unauthorized)
      #expect(try await client.send(.get, "/v1/admin/dashboard", key: Keys.ingest).status == .ok)
      for (query, field) in [
        ("seconds=0", "seconds"), ("seconds=301", "seconds"), ("seconds=x", "seconds"), ("k=3", "k"),
      ] {
        let response = try await client.send(.get, "/v1/admin/dashboard?\(query)", key: Keys.read)
        #expect(response.status == .badRequest, "\(query)")
        #expect(try errorBody(response).field == field, "\(query)")
      }
      // The page is public (it holds no data) and says a key is needed.
      let page = try await client.send(.get, "/dashboard", key: nil)
      #expect(page.status == .ok)
      #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
      #expect(page.headers[.contentSecurityPolicy]?.contains("connect-src 'self'") == true)
      let html = String(buffer: page.body)
      #expect(html.contains("let keysRequired=true"))
      for section in [
        "h-events", "h-latency", "h-model", "h-experiments", "h-bandit", "h-bundles", "h-items", "h-users",
      ] {
        #expect(html.contains("id=\"\(section)\""), "\(section)")
      }
    }
  }

  @Test func itemSearchRanksIdsBeforeTitlesAndValidatesItsQuery() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      for (id, title) in [("mug", "Blue mug"), ("mug-2", "Red mug"), ("cup", "Mug-shaped cup"), ("tea", "Green tea")] {
        try await client.send(.put, "/v1/items/\(id)", body: #"{"title": "\#(title)", "price": 5}"#)
      }
      let found = try json(try await client.send(.get, "/v1/items?q=MUG", key: Keys.read))
      let ids = (found["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
      #expect(ids == ["mug", "mug-2", "cup"])
      let one = try json(try await client.send(.get, "/v1/items?q=mug&k=1", key: Keys.read))
      #expect((one["items"] as? [[String: Any]])?.count == 1)
      for (query, field) in [("", "q"), ("q=", "q"), ("q=mug&k=0", "k"), ("q=mug&sort=x", "sort")] {
        let response = try await client.send(.get, "/v1/items?\(query)", key: Keys.read)
        #expect(response.status == .badRequest, "\(query)")
        #expect(try errorBody(response).field == field, "\(query)")
      }
      let long = String(repeating: "a", count: 201)
      #expect(try await client.send(.get, "/v1/items?q=\(long)", key: Keys.read).status == .badRequest)
      #expect(try await client.send(.get, "/v1/items?q=mug", key: nil).status == .unauthorized)
    }
  }
}
