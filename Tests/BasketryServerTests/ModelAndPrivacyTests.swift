import BasketryBundles
import BasketryOnline
import BasketryStore
import BasketryTesting
import BasketryTraining
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import BasketryServer

@Suite struct ModelAndPrivacyTests {
  func bundleItems(_ response: TestResponse) throws -> [[String]] {
    (try json(response)["bundles"] as? [[String: Any]] ?? []).map { bundle in
      (bundle["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
  }

  /// The acceptance test: a recommendation that rests only on one user's purchases disappears
  /// when that user is erased — from live neighbours, live bundles, trained bundles and other
  /// users' recommendations.
  @Test func deletingAUserRemovesTheirInfluence() async throws {
    let (engine, path) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      for id in ["mug", "tea", "candle", "matches", "shopper-item"] { try await client.putItem(id) }
      for user in ["u1", "u2", "u3"] { try await client.purchase(user, ["mug", "tea"], session: "s") }
      // Only eve ever bought candle with matches (twice, so FP-Growth at support 2 keeps the pair).
      try await client.purchase("eve", ["candle", "matches"], session: "e1")
      try await client.purchase("eve", ["candle", "matches"], session: "e2")
      // Another shopper bought a candle alone and asks for recommendations.
      try await client.purchase("sam", ["candle", "shopper-item"], session: "x")

      // A trained model (from the store) also contains the candle + matches bundle, and its item-kNN
      // recommender knows that candle buyers bought matches.
      let (version, model, _) = try await ServerMain.train(
        location: path, dataset: nil, options: TrainingOptions(model: "itemknn"))
      #expect(model.bundles.contains { $0.items.map(\.id).sorted() == ["candle", "matches"] })
      #expect(try await engine.reloadModel())
      #expect(engine.modelVersion == version)

      let before = try await client.send(.get, "/v1/bundles?item=candle&k=5", key: Keys.read)
      #expect(try bundleItems(before).contains(["candle", "matches"]))
      let neighborsBefore = try json(try await client.send(.get, "/v1/items/candle/neighbors", key: Keys.read))
      #expect(
        (neighborsBefore["complements"] as? [[String: Any]] ?? []).contains { $0["item"] as? String == "matches" })
      let recsBefore =
        try json(
          try await client.send(.get, "/v1/users/sam/recommendations?k=5", key: Keys.read))["recommendations"]
        as? [[String: Any]] ?? []
      #expect(recsBefore.contains { $0["item"] as? String == "matches" })

      let erase = try await client.send(.delete, "/v1/users/eve")
      #expect(erase.status == .ok)
      let receipt = try json(erase)
      #expect(receipt["events_removed"] as? Int == 4)
      #expect(receipt["baskets_removed"] as? Int == 2)
      #expect(receipt["pair_contributions_removed"] as? Int == 2)
      #expect((receipt["user"] as? String)?.hasPrefix("u_") == true)
      #expect(receipt["user"] as? String != "eve")

      let after = try await client.send(.get, "/v1/bundles?item=candle&k=5", key: Keys.read)
      #expect(!(try bundleItems(after)).contains { $0.contains("matches") })
      let neighborsAfter = try json(try await client.send(.get, "/v1/items/candle/neighbors", key: Keys.read))
      #expect(
        !(neighborsAfter["complements"] as? [[String: Any]] ?? []).contains { $0["item"] as? String == "matches" })
      let recsAfter =
        try json(
          try await client.send(.get, "/v1/users/sam/recommendations?k=5", key: Keys.read))["recommendations"]
        as? [[String: Any]] ?? []
      #expect(!recsAfter.contains { $0["item"] as? String == "matches" })
      // Other users' influence is untouched.
      #expect(
        try bundleItems(try await client.send(.get, "/v1/bundles?item=mug", key: Keys.read)).contains(["mug", "tea"]))
    }
  }

  @Test func trainedModelsAreServedAndSwitchedWithoutRestart() async throws {
    let (engine, path) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      for id in ["a", "b", "c"] { try await client.putItem(id) }
      for user in ["u1", "u2", "u3"] { try await client.purchase(user, ["a", "b"], session: "s") }
      // Partial orders make a discount worthwhile; unrelated ones make the pair's lift 1.5.
      try await client.purchase("u6", ["a"], session: "s")
      try await client.purchase("u7", ["b"], session: "s")
      for user in ["u8", "u9", "u10"] { try await client.purchase(user, ["c"], session: "s") }
      let (v1, _, _) = try await ServerMain.train(location: path, dataset: nil, options: TrainingOptions())
      #expect(try await engine.reloadModel())
      let response = try json(try await client.send(.get, "/v1/bundles?item=a&k=1", key: Keys.read))
      #expect(response["model_version"] as? Int == Int(v1))
      let first = (response["bundles"] as? [[String: Any]])?.first
      #expect(first?["source"] as? String == "model")
      // Under the bandit the designer's price sentence is replaced by the offered price.
      let explanation = first?["explanation"] as? String ?? ""
      #expect(!explanation.contains("Priced at") && explanation.contains("Thompson sampling"))
      for user in ["u4", "u5"] { try await client.purchase(user, ["a", "c"], session: "s") }
      // A watcher (as in `basketry serve`) sees the new version by polling (SQLite).
      let stream = engine.store.modelVersions(after: v1, pollInterval: .milliseconds(20))
      let (v2, _, _) = try await ServerMain.train(location: path, dataset: nil, options: TrainingOptions())
      #expect(v2 == v1 + 1)
      let seen = await firstVersion(stream, atLeast: v2)
      #expect(seen == v2)
      #expect(try await engine.reloadModel())
      #expect(engine.modelVersion == v2)
      let after = try json(try await client.send(.get, "/v1/bundles?item=a&k=1", key: Keys.read))
      #expect(after["model_version"] as? Int == Int(v2))
    }
  }

  @Test func experimentsAssignVariantsAndReportStatistics() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      for id in ["a", "b"] { try await client.putItem(id) }
      for user in ["u1", "u2"] { try await client.purchase(user, ["a", "b"], session: "s") }
      let created = try await client.send(
        .post, "/v1/experiments",
        body:
          #"{"id": "disc", "name": "Discounts", "variants": [{"name": "control", "policy": "fixed", "discount": 0}, {"name": "bandit", "weight": 1}]}"#
      )
      #expect(created.status == .created)
      let status1 = try await client.send(
        .post, "/v1/experiments", body: #"{"id": "disc", "name": "x", "variants": [{"name": "a"}, {"name": "b"}]}"#
      ).status
      #expect(status1 == .conflict)
      for (body, field) in [
        (#"{"name": "x", "variants": [{"name": "a"}]}"#, "variants"),
        (#"{"name": "x", "variants": [{"name": "a"}, {"name": "a"}]}"#, "variants[1].name"),
        (#"{"name": "x", "variants": [{"name": "a", "policy": "magic"}, {"name": "b"}]}"#, "variants[0].policy"),
        (#"{"name": "x", "variants": [{"name": "a", "policy": "fixed"}, {"name": "b"}]}"#, "variants[0].discount"),
        (#"{"name": "x", "variants": [{"name": "a"}, {"name": "b", "weight": 0}]}"#, "variants[1].weight"),
        (#"{"name": "x", "start": 10, "end": 5, "variants": [{"name": "a"}, {"name": "b"}]}"#, "end"),
        (#"{"name": "x", "owner": "me", "variants": [{"name": "a"}, {"name": "b"}]}"#, "owner"),
      ] {
        let response = try await client.send(.post, "/v1/experiments", body: body)
        #expect(response.status == .badRequest, "\(body)")
        #expect(try errorBody(response).field == field, "\(body)")
      }
      var variants = Set<String>()
      for session in 0..<40 {
        let offer =
          (try json(
            try await client.send(.get, "/v1/bundles?item=a&k=1&session=s\(session)", key: Keys.read))["bundles"]
          as? [[String: Any]])?.first
        #expect(offer?["experiment"] as? String == "disc")
        if let variant = offer?["variant"] as? String { variants.insert(variant) }
        if session % 4 == 0, let id = offer?["recommendation_id"] as? String {
          try await client.purchase("buyer\(session)", ["a"], session: "s\(session)", recommendation: id)
        }
      }
      #expect(variants == ["control", "bandit"])
      await engine.flush()
      let report = try json(try await client.send(.get, "/v1/experiments/disc", key: Keys.read))
      let rows = report["variants"] as? [[String: Any]] ?? []
      #expect(rows.map { $0["variant"] as? String } == ["control", "bandit"])
      #expect(rows.reduce(0) { $0 + ($1["impressions"] as? Int ?? 0) } == 40)
      #expect(rows.reduce(0) { $0 + ($1["conversions"] as? Int ?? 0) } == 10)
      #expect(rows[0]["conversion_p_value"] == nil)
      #expect(rows[1]["conversion_p_value"] as? Double != nil)
      #expect(rows.allSatisfy { $0["sample_size_still_needed"] as? Int != nil })
      let status2 = try await client.send(.get, "/v1/experiments/nope", key: Keys.read).status
      #expect(status2 == .notFound)
      let list = try json(try await client.send(.get, "/v1/experiments", key: Keys.read))
      #expect((list["experiments"] as? [Any])?.count == 1)
      let replay = try json(try await client.send(.get, "/v1/experiments/disc/replay?discount=0", key: Keys.read))
      #expect((replay["count"] as? Int ?? 0) == 40)
    }
  }

  @Test func configurationFileEnvironmentAndErrors() throws {
    let folder = try TestSupport.temporaryDirectory("config")
    let file = folder.appendingPathComponent("basketry.conf")
    try """
    # comment
    port = 9000   # trailing comment
    store = "shop.sqlite"
    api_keys = admin:a1, read:r1
    bandit_levels = 0, 0.1
    """.write(to: file, atomically: true, encoding: .utf8)
    var configuration = ServerConfiguration()
    try configuration.apply(file: file.path)
    #expect(configuration.port == 9000 && configuration.store == "shop.sqlite")
    #expect(configuration.apiKeys == ["a1": .admin, "r1": .read])
    #expect(configuration.banditLevels == [0, 0.1])
    try configuration.apply(environment: ["BASKETRY_PORT": "9001", "BASKETRY_PSEUDONYM_KEY": "k"])
    #expect(configuration.port == 9001 && configuration.pseudonymKey == "k")
    #expect(throws: ConfigurationError.self) { try configuration.set("port", "http", source: "flag") }
    #expect(throws: ConfigurationError.self) { try configuration.set("colour", "red", source: "flag") }
    // The example file documents every key and parses with the defaults.
    var example = ServerConfiguration()
    let examplePath = TestSupport.repositoryRoot + "/basketry.example.conf"
    try example.apply(file: examplePath)
    let text = try String(contentsOfFile: examplePath, encoding: .utf8)
    for key in ServerConfiguration.keys { #expect(text.contains("\(key) ="), "\(key) undocumented") }
    #expect(example.port == ServerConfiguration().port)
  }

  /// Beyond loopback a server without API keys or with the development pseudonym key does not start (naming the
  /// setting), unless told it is a demo.
  @Test func serversBeyondLoopbackNeedKeys() async throws {
    var open = ServerConfiguration()
    open.host = "0.0.0.0"
    open.store = try TestSupport.temporaryDirectory("exposed").appendingPathComponent("s.sqlite").path
    await #expect(throws: ConfigurationError.self) { try await ServerMain.serve(configuration: open) }
    do {
      try open.checkExposure()
    } catch let error as ConfigurationError {
      #expect(error.key == "api_keys" && error.message.contains("--insecure"))
    }
    var keyed = open
    try keyed.set("api_keys", "admin:a1", source: "test")
    #expect(throws: ConfigurationError.self) { try keyed.checkExposure() }  // development pseudonym key
    keyed.pseudonymKey = "secret"
    try keyed.checkExposure()
    var demo = open
    try demo.set("insecure", "true", source: "--insecure")
    try demo.checkExposure()
    var local = ServerConfiguration()
    local.host = "127.0.0.1"
    try local.checkExposure()
  }

  @Test func apiKeysAreMatchedWholeAndInConstantTime() {
    let keys: [String: APIRole] = ["read-key-1": .read, "admin-key": .admin]
    #expect(Authorizer.role(of: "read-key-1", in: keys) == .read)
    #expect(Authorizer.role(of: "admin-key", in: keys) == .admin)
    #expect(Authorizer.role(of: "read-key-", in: keys) == nil)
    #expect(Authorizer.role(of: "read-key-12", in: keys) == nil)
    #expect(Authorizer.role(of: "", in: keys) == nil)
  }
}
