import BasketryServer
import BasketryStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// GET /v1/items/{id}/price-advice, POST /v1/price-tests and GET /v1/price-tests/{id}: bad input is answered
/// 4xx with the field named.
@Suite struct PriceTestRouteTests {
  // The rake costs 5 at 10: floor 6.25, the 10 % step allows 9.00–11.00.
  @Test(arguments: [
    (#"{"levels": "auto"}"#, "missing_field", "item"),
    (#"{"item": "nope"}"#, "unknown_item", "item"),
    (#"{"item": "rake", "levels": [8.5, 10.5]}"#, "invalid_value", "levels[0]"),
    (#"{"item": "rake", "levels": [10.5, 11.5]}"#, "invalid_value", "levels[1]"),
    (#"{"item": "rake", "levels": [9.1, 9.2, 9.3, 9.4, 9.5, 9.6, 9.7, 9.8, 9.9, 10.1]}"#, "invalid_value", "levels"),
    (#"{"item": "rake", "levels": [9.1, 9.2, 9.3, 9.4, 9.5, 9.6, 9.7, 9.8, 9.9]}"#, "invalid_value", "levels"),
    (#"{"item": "rake", "levels": [10]}"#, "invalid_value", "levels"),
    (#"{"item": "rake", "levels": []}"#, "invalid_value", "levels"),
    (#"{"item": "rake", "levels": [-2]}"#, "invalid_value", "levels[0]"),
    (#"{"item": "rake", "levels": ["ten"]}"#, "wrong_type", "levels[0]"),
    (#"{"item": "rake", "levels": "many"}"#, "wrong_type", "levels"),
    (#"{"item": "rake", "level_count": 1}"#, "invalid_value", "level_count"),
    (#"{"item": "rake", "level_count": 12}"#, "invalid_value", "level_count"),
    (#"{"item": "rake", "profit_at_risk_budget": -1}"#, "invalid_value", "profit_at_risk_budget"),
    (#"{"item": "rake", "profit_at_risk_budget": "lots"}"#, "wrong_type", "profit_at_risk_budget"),
    (#"{"item": "rake", "start": 100, "end": 50}"#, "invalid_value", "end"),
    (#"{"item": "rake", "colour": "red"}"#, "unknown_field", "colour"),
    (#"{"item": "rake", "policy": "greedy"}"#, "invalid_value", "policy"),
    (#"{"item": "rake", "policy": 3}"#, "wrong_type", "policy"),
    (#"[1, 2]"#, "wrong_type", ""),
  ])
  func badPriceTestBodiesNameTheField(body: String, code: String, field: String) async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await client.putItem("rake", price: 10, cost: 5)
      let response = try await client.send(.post, "/v1/price-tests", body: body)
      #expect(response.status == .badRequest, "\(body): \(String(buffer: response.body))")
      let error = try errorBody(response)
      #expect(error.code == code, "\(body)")
      #expect((error.field ?? "") == field, "\(body)")
    }
    await engine.store.close()
  }

  @Test func priceAdviceForACatalogueItemIsNotIdentifiableAndUnknownItemsAre404() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await client.putItem("rake", price: 10, cost: 5)
      let response = try await client.send(.get, "/v1/items/rake/price-advice", key: Keys.read)
      #expect(response.status == .ok)
      let body = try json(response)
      let advice = body["advice"] as? [String: Any] ?? [:]
      #expect(advice["current_price"] as? Double == 10)
      #expect(advice["advised_price"] as? Double == 10)
      #expect(advice["floor_price"] as? Double == 9)
      #expect(advice["ceiling_price"] as? Double == 11)
      #expect((advice["reason"] as? String ?? "").hasPrefix("not identifiable"))
      #expect(advice["profit_change"] is [String: Any])
      #expect((body["note"] as? String ?? "").contains("same for every shopper"))
      let unknown = try await client.send(.get, "/v1/items/nope/price-advice", key: Keys.read)
      #expect(unknown.status == .notFound)
      #expect(try errorBody(unknown).field == "id")
      let query = try await client.send(.get, "/v1/items/rake/price-advice?k=3", key: Keys.read)
      #expect(query.status == .badRequest)
      #expect(try await client.send(.get, "/v1/items/rake/price-advice", key: nil).status == .unauthorized)
    }
    await engine.store.close()
  }

  @Test func aPriceTestIsAnExperimentWithAVariantPerLevel() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await client.putItem("rake", price: 10, cost: 5)
      let body = #"{"id": "pt1", "item": "rake", "levels": "auto", "profit_at_risk_budget": 50}"#
      #expect(try await client.send(.post, "/v1/price-tests", key: Keys.read, body: body).status == .forbidden)
      let created = try await client.send(.post, "/v1/price-tests", body: body)
      #expect(created.status == .created, "\(String(buffer: created.body))")
      let variants = try json(created)["variants"] as? [[String: Any]] ?? []
      let prices = variants.compactMap { $0["price"] as? Double }
      #expect(prices.count == 5)
      #expect(prices.first == 10)
      #expect(prices.allSatisfy { $0 >= 9 && $0 <= 11 })
      #expect(try await client.send(.post, "/v1/price-tests", body: body).status == .conflict)

      // Sessions keep their price; a purchase with the assignment's id is attributed to the level.
      let first = try json(try await client.send(.get, "/v1/price-tests/pt1/price?session=s1", key: Keys.read))
      let again = try json(try await client.send(.get, "/v1/price-tests/pt1/price?session=s1", key: Keys.read))
      #expect(first["price"] as? Double == again["price"] as? Double)
      #expect(prices.contains(first["price"] as? Double ?? -1))
      try await client.purchase("u1", ["rake"], session: "s1", recommendation: first["recommendation_id"] as? String)
      let noSession = try await client.send(.get, "/v1/price-tests/pt1/price", key: Keys.read)
      #expect(noSession.status == .badRequest)
      #expect(try errorBody(noSession).field == "session")

      let report = try await client.send(.get, "/v1/price-tests/pt1", key: Keys.read)
      #expect(report.status == .ok, "\(String(buffer: report.body))")
      let answer = try json(report)
      let levels = answer["levels"] as? [[String: Any]] ?? []
      #expect(levels.count == 5)
      #expect(levels.reduce(0) { $0 + ($1["sessions"] as? Int ?? 0) } == 1)
      #expect(levels.reduce(0.0) { $0 + ($1["units"] as? Double ?? 0) } > 0)
      #expect(prices.contains(answer["posterior_best_price"] as? Double ?? -1))
      #expect(answer["profit_at_risk_budget"] as? Double == 50)
      #expect((answer["note"] as? String ?? "").contains("same for every shopper"))
      let unknown = try await client.send(.get, "/v1/price-tests/nope", key: Keys.read)
      #expect(unknown.status == .notFound)
      #expect(try errorBody(unknown).field == "id")
      let plain = try await client.send(.get, "/v1/price-tests/nope/price?session=s1", key: Keys.read)
      #expect(plain.status == .notFound)
    }
    await engine.store.close()
  }

  /// Sessions for sessions `prefix`0..<count: (session, price, recommendation id, propensity).
  static func assign(
    _ client: some TestClientProtocol, test: String, prefix: String, count: Int
  ) async throws -> [(session: String, price: Double, id: String, propensity: Double)] {
    var out: [(session: String, price: Double, id: String, propensity: Double)] = []
    for n in 0..<count {
      let session = "\(prefix)\(n)"
      let response = try await client.send(.get, "/v1/price-tests/\(test)/price?session=\(session)", key: Keys.read)
      let body = try json(response)
      out.append(
        (
          session, body["price"] as? Double ?? -1, body["recommendation_id"] as? String ?? "",
          body["propensity"] as? Double ?? -1
        ))
    }
    return out
  }

  /// The served test learns: after purchases that make the highest level clearly best and the lowest clearly
  /// worse than the current price, most new sessions get the highest level, a retired level is never served,
  /// and a session keeps its level.
  @Test func newSessionsFollowThePosteriorAndNeverSeeARetiredLevel() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await client.putItem("rake", price: 10, cost: 5)
      let created = try await client.send(
        .post, "/v1/price-tests", body: #"{"id": "pt2", "item": "rake", "levels": [9, 10, 11]}"#)
      #expect(created.status == .created, "\(String(buffer: created.body))")
      let first = try await Self.assign(client, test: "pt2", prefix: "a", count: 150)
      #expect(first.allSatisfy { [9, 10, 11].contains($0.price) })
      #expect(first.allSatisfy { $0.propensity > 0 && $0.propensity <= 1 })
      // Every session at 11 buys; one in four at 10; none at 9.
      var byPrice: [Double: Int] = [:]
      for (n, entry) in first.enumerated() {
        byPrice[entry.price, default: 0] += 1
        let buys = entry.price == 11 || (entry.price == 10 && n % 4 == 0)
        if buys { try await client.purchase("u\(n)", ["rake"], session: entry.session, recommendation: entry.id) }
      }
      #expect(byPrice.count >= 2, "\(byPrice)")
      // Reading the report refits the posterior the assignment draws from.
      let report = try json(try await client.send(.get, "/v1/price-tests/pt2", key: Keys.read))
      #expect(report["posterior_best_price"] as? Double == 11)
      #expect(report["policy"] as? String == "thompson")
      let levels = report["levels"] as? [[String: Any]] ?? []
      let retired = Set(levels.filter { $0["active"] as? Bool == false }.compactMap { $0["price"] as? Double })
      #expect(retired == [9], "\(levels)")

      let next = try await Self.assign(client, test: "pt2", prefix: "b", count: 100)
      let best = next.filter { $0.price == 11 }.count
      #expect(best >= 80, "\(best) of 100 new sessions at the best level")
      #expect(next.allSatisfy { !retired.contains($0.price) })
      // Sticky: a session asked again keeps its level (and its level is not drawn again).
      let again = try await Self.assign(client, test: "pt2", prefix: "b", count: 20)
      #expect(zip(again, next).allSatisfy { $0.price == $1.price })
      #expect(again.allSatisfy { $0.propensity == 1 })
      // A session that had the retired level draws again.
      let moved = try await Self.assign(client, test: "pt2", prefix: "a", count: 150)
      #expect(moved.allSatisfy { !retired.contains($0.price) })
    }
    await engine.store.close()
  }

  @Test func aUniformTestSplitsSessionsByHash() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await client.putItem("rake", price: 10, cost: 5)
      let created = try await client.send(
        .post, "/v1/price-tests", body: #"{"id": "pt3", "item": "rake", "levels": [9, 10, 11], "policy": "uniform"}"#)
      #expect(created.status == .created, "\(String(buffer: created.body))")
      let sessions = try await Self.assign(client, test: "pt3", prefix: "s", count: 90)
      let counts = Dictionary(grouping: sessions, by: \.price).mapValues(\.count)
      #expect(counts.count == 3 && counts.values.allSatisfy { $0 >= 15 }, "\(counts)")
      #expect(sessions.allSatisfy { abs($0.propensity - 1.0 / 3) < 1e-9 })
      let report = try json(try await client.send(.get, "/v1/price-tests/pt3", key: Keys.read))
      #expect(report["policy"] as? String == "uniform")
    }
    await engine.store.close()
  }
}
