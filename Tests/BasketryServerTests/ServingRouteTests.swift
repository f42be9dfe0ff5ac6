import BasketryOnline
import BasketryServer
import BasketryStore
import BasketryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ServingRouteTests {
  /// Three shoppers buy mug + tea; one buys mug + spoon.
  func seed(_ client: some TestClientProtocol) async throws {
    for id in ["mug", "tea", "spoon", "cake"] { try await client.putItem(id) }
    for user in ["u1", "u2", "u3"] { try await client.purchase(user, ["mug", "tea"], session: "s") }
    try await client.purchase("u4", ["mug", "spoon"], session: "s")
  }

  @Test func bundlesCarryRecommendationIDVariantAndExplanation() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await seed(client)
      let response = try await client.send(.get, "/v1/bundles?item=mug&k=2", key: Keys.read)
      #expect(response.status == .ok)
      let bundles = try json(response)["bundles"] as? [[String: Any]] ?? []
      #expect(bundles.count == 2)
      let first = try #require(bundles.first)
      let items = (first["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
      #expect(items == ["mug", "tea"])
      #expect((first["recommendation_id"] as? String)?.isEmpty == false)
      #expect(first["variant"] as? String == "default")
      #expect((first["explanation"] as? String)?.contains("also bought") == true)
      let marginRate = first["margin_rate"] as? Double ?? 0
      #expect(marginRate >= 0.2 - 1e-9)
      // The cart variant leaves out bundles the cart already completes.
      let cart = try await client.send(.get, "/v1/bundles?cart=mug,tea&k=3", key: Keys.read)
      let cartBundles = try json(cart)["bundles"] as? [[String: Any]] ?? []
      #expect(
        cartBundles.allSatisfy { bundle in
          let ids = Set((bundle["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
          return !ids.isSubset(of: ["mug", "tea"])
        })
    }
  }

  @Test func hiddenAndDeletedItemsAreNeverServed() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await seed(client)
      try await client.putItem("tea", hidden: true)
      let bundles =
        try json(try await client.send(.get, "/v1/bundles?item=mug&k=5", key: Keys.read))["bundles"]
        as? [[String: Any]] ?? []
      #expect(!bundles.isEmpty)
      #expect(!bundles.contains { ($0["items"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == "tea" } })
      let neighbors = try json(try await client.send(.get, "/v1/items/mug/neighbors", key: Keys.read))
      let complements = (neighbors["complements"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
      #expect(complements == ["spoon"])
      let status1 = try await client.send(.delete, "/v1/items/spoon").status
      #expect(status1 == .ok)
      let status2 = try await client.send(.delete, "/v1/items/never-there").status
      #expect(status2 == .notFound)
      let after = try json(try await client.send(.get, "/v1/items/mug/neighbors", key: Keys.read))
      #expect((after["complements"] as? [Any])?.isEmpty == true)
      let expired = try await client.send(
        .put, "/v1/items/cake", body: #"{"title": "Cake", "price": 3, "expires_at": 1}"#)
      #expect(expired.status == .ok)
      #expect(engine.item(id: "cake")?.isServable(at: 100) == false)
    }
  }

  @Test(arguments: [
    ("/v1/bundles?k=2", "item"),
    ("/v1/bundles?item=mug&k=0", "k"),
    ("/v1/bundles?item=mug&k=many", "k"),
    ("/v1/bundles?item=mug&colour=red", "colour"),
    ("/v1/users/u1/recommendations?k=1000", "k"),
    ("/v1/users/u1/recommendations?exclude_seen=maybe", "exclude_seen"),
    ("/v1/items/mug/neighbors?k=-1", "k"),
  ])
  func badQueryParametersNameTheParameter(uri: String, field: String) async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      let response = try await client.send(.get, uri, key: Keys.read)
      #expect(response.status == .badRequest)
      #expect(try errorBody(response).field == field)
    }
  }

  @Test func itemUpdatesValidateTheirBody() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      let ok = try await client.send(
        .put, "/v1/items/mug", body: #"{"title": "Mug", "category": "Home > Kitchen", "price": 4, "stock": 2}"#)
      #expect(ok.status == .ok)
      #expect(engine.item(id: "mug")?.category == ["Home", "Kitchen"])
      for (body, field) in [
        (#"{"price": "4"}"#, "price"), (#"{"stock": 1.5}"#, "stock"), (#"{"hidden": "yes"}"#, "hidden"),
        (#"{"sku": "x"}"#, "sku"), (#"{"id": "other"}"#, "id"), (#"{"price": -1}"#, "price"),
        (#"{"category": [1]}"#, "category[0]"),
      ] {
        let response = try await client.send(.put, "/v1/items/mug", body: body)
        #expect(response.status == .badRequest, "\(body)")
        #expect(try errorBody(response).field == field, "\(body)")
      }
      let status3 = try await client.send(.put, "/v1/items/mug", key: Keys.read, body: "{}").status
      #expect(status3 == .forbidden)
      let status4 = try await client.send(.get, "/v1/items/unknown/neighbors", key: Keys.read).status
      #expect(status4 == .notFound)
    }
  }

  @Test func recommendationsUseHistoryAndFilters() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await seed(client)
      try await client.send(
        .put, "/v1/items/tea", body: #"{"title": "Tea", "price": 3, "category": ["Drinks"]}"#)
      try await client.purchase("new", ["mug"], session: "n1")
      let response = try await client.send(.get, "/v1/users/new/recommendations?k=2", key: Keys.read)
      let recommendations = try json(response)["recommendations"] as? [[String: Any]] ?? []
      #expect(recommendations.first?["item"] as? String == "tea")
      #expect(!recommendations.contains { $0["item"] as? String == "mug" })
      #expect((recommendations.first?["recommendation_id"] as? String)?.isEmpty == false)
      let drinks = try json(
        try await client.send(.get, "/v1/users/new/recommendations?category=drinks", key: Keys.read))
      #expect((drinks["recommendations"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String } == ["tea"])
      let withSeen = try json(
        try await client.send(.get, "/v1/users/new/recommendations?exclude_seen=false&k=10", key: Keys.read))
      #expect((withSeen["recommendations"] as? [[String: Any]] ?? []).contains { $0["item"] as? String == "mug" })
    }
  }

  @Test func bundlePurchasesAreAttributedToTheBandit() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await seed(client)
      let offer = try #require(
        (try json(try await client.send(.get, "/v1/bundles?item=mug&k=1&session=x", key: Keys.read))["bundles"]
          as? [[String: Any]])?.first)
      let id = try #require(offer["recommendation_id"] as? String)
      let events = """
        [{"event_id": "p1", "user": "buyer", "item": "mug", "type": "purchase", "session": "x", "recommendation_id": "\(id)"},
         {"event_id": "p2", "user": "buyer", "item": "tea", "type": "purchase", "session": "x", "recommendation_id": "\(id)"}]
        """
      let response = try json(try await client.send(.post, "/v1/events", key: Keys.ingest, body: events))
      #expect(response["attributed"] as? Int == 1)  // once per recommendation
    }
    await engine.flush()
    let arms = try await engine.store.banditCounts().filter { $0.key == "mug+tea" }
    #expect(arms.reduce(0) { $0 + $1.successes } == 1)
    #expect(arms.reduce(0) { $0 + $1.trials } == 1)
    #expect(
      try await engine.store.impression(
        id: try #require(try await engine.store.replayLog(limit: 10).first?.impression.recommendationID)) != nil)
  }
}
