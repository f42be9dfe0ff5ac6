import BasketryBundles
import BasketryCore
import BasketryCustomers
import BasketryEval
import BasketryIngest
import BasketryMining
import BasketryModels
import BasketrySemantic
import BasketryServer
import BasketryStore
import BasketryStorePostgres
import BasketryStoreSQLite
import BasketryTesting
import BasketryTraining
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The trained engine served over HTTP: the recommendations a shop's integration receives are the lists the
/// offline evaluation scored, and new purchases change them without a retrain, on every replica.
@Suite(.serialized) struct ServedModelTests {
  static let samplePath = TestSupport.repositoryRoot + "/Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"
  static let pseudonymKey = "served-secret"
  /// A PostgreSQL database of these tests' own (start-postgres.sh creates it), so their published models do
  /// not race with other suites'.
  static let postgresURL = ProcessInfo.processInfo.environment["BASKETRY_TEST_POSTGRES_SERVING_URL"]

  /// Store locations to run on: a fresh SQLite file, and PostgreSQL when configured.
  static var locations: [String] {
    ["sqlite"] + (postgresURL == nil ? [] : ["postgres"])
  }

  func location(_ kind: String) throws -> String {
    if kind == "postgres", let url = Self.postgresURL { return url }
    return try TestSupport.temporaryDirectory("served").appendingPathComponent("store.sqlite").path
  }

  /// An engine (a `basketry serve` replica) on a store.
  func replica(_ location: String) async throws -> Engine {
    var configuration = ServerConfiguration()
    configuration.store = location
    configuration.pseudonymKey = Self.pseudonymKey
    try configuration.set("api_keys", "admin:\(Keys.admin),ingest:\(Keys.ingest),read:\(Keys.read)", source: "test")
    var logger = Logger(label: "served")
    logger.logLevel = .error
    let store: any Store =
      location.hasPrefix("postgres")
      ? try PostgresStore(url: location, logger: logger) : try SQLiteStore(path: location)
    let engine = Engine(store: store, configuration: configuration, logger: logger)
    try await engine.start()
    return engine
  }

  /// The shipped Online Retail sample.
  static func sample() throws -> Dataset {
    try Ingest.load([samplePath], options: IngestOptions(format: .onlineRetail)).dataset
  }

  /// Trains on `dataset` (read from the sample's file) into the store at `location` and publishes the model.
  func train(
    _ dataset: Dataset, at location: String, _ options: TrainingOptions, titleEncoder: SentenceEncoder? = nil
  ) async throws -> ServingModel {
    try await ServerMain.train(
      location: location, dataset: dataset, files: ([Self.samplePath], "online-retail"), options: options,
      pseudonymKey: Self.pseudonymKey, titleEncoder: titleEncoder
    ).model
  }

  /// The dataset's customers, most orders first.
  static func customersByOrders(_ dataset: Dataset) -> [String] {
    var orders = [Int](repeating: 0, count: dataset.users.count)
    for user in dataset.baskets.users where user >= 0 { orders[Int(user)] += 1 }
    return orders.indices.sorted { orders[$0] != orders[$1] ? orders[$0] > orders[$1] : $0 < $1 }
      .map { dataset.users[Int32($0)] }
  }

  static func items(_ response: TestResponse) throws -> [String] {
    (try json(response)["recommendations"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
  }

  /// A model trained from files with another pseudonym key holds customers no request can name: the server says
  /// so (log and gauge) instead of serving everyone as a stranger in silence.
  @Test func aModelTrainedWithAnotherPseudonymKeyIsReported() async throws {
    let location = try location("sqlite")
    let options = TrainingOptions(minSupport: .relative(0.05), anchorItems: 0, model: "freq")
    _ = try await ServerMain.train(
      location: location, dataset: try Self.sample(), files: ([Self.samplePath], "online-retail"), options: options,
      pseudonymKey: "another-key")
    let mismatched = try await replica(location)
    #expect(mismatched.metrics.gauge("model_pseudonym_key_mismatch") == 1)
    _ = try await train(try Self.sample(), at: location, options)
    let matching = try await replica(location)
    #expect(matching.metrics.gauge("model_pseudonym_key_mismatch") == 0)
    #expect(
      try ServingModel.decode(try #require(try await SQLiteStore(path: location).latestModel()).payload)
        .metadata.pseudonymKeyCheck == Pseudonymizer(secret: Self.pseudonymKey).keyCheck)
  }

  @Test(arguments: locations)
  func servedRecommendationsAreTheEvaluatedLists(store kind: String) async throws {
    let dataset = try Ingest.load([Self.samplePath], options: IngestOptions(format: .onlineRetail)).dataset
    let latest = try #require(dataset.baskets.timestamps.filter { $0 != Baskets.noTime }.max())
    let cutoff = latest - 30 * 86_400
    let task = Splitter.temporal(dataset, cutoff: cutoff).task(dataset, name: "online-retail")
    var offline = try ModelRegistry.make(name: "itemknn", parameters: ModelParameters(seed: 42))
    try offline.fit(task.train)
    let evaluator = Evaluator(ks: [20])
    let lists = try evaluator.rank(offline, task: task)

    let location = try location(kind)
    let options = TrainingOptions(
      minSupport: .relative(0.02), anchorItems: 0, model: "itemknn", cutoff: cutoff)
    let (version, _, _) = try await ServerMain.train(
      location: location, dataset: dataset, files: ([Self.samplePath], "online-retail"), options: options,
      pseudonymKey: Self.pseudonymKey)
    let engine = try await replica(location)
    #expect(engine.modelVersion == version)
    let catalog = dataset.catalog
    // Through the router (the same handlers as on a socket; the HTTP layer has its own live tests): in the full suite
    // on 2 cores, CPU-bound tests can hold both cooperative threads past the live client's 20 s read timeout.
    try await Application(router: Routes.router(engine: engine)).test(.router) { client in
      var served: [[Int32]] = []
      var differing = 0
      for (index, user) in task.users.enumerated() {
        let response = try await client.send(
          .get, "/v1/users/\(dataset.users[user])/recommendations?k=20&exclude_seen=false", key: Keys.read)
        let items = try Self.items(response)
        served.append(items.compactMap { catalog.id(of: $0) })
        if served[index] != lists[index] { differing += 1 }
      }
      #expect(task.users.count > 100)
      #expect(differing == 0, "\(differing) of \(task.users.count) users' served lists differ")
      let offlineRecall = evaluator.metrics(lists, task: task)["recall@20"] ?? -1
      #expect(evaluator.metrics(served, task: task)["recall@20"] == offlineRecall)
    }
    await engine.store.close()
  }

  @Test(arguments: locations)
  func purchasesChangeRecommendationsWithoutRetrainingOnEveryReplica(store kind: String) async throws {
    let dataset = try Ingest.load([Self.samplePath], options: IngestOptions(format: .onlineRetail)).dataset
    let location = try location(kind)
    let options = TrainingOptions(minSupport: .relative(0.02), anchorItems: 0, model: "itemknn")
    _ = try await ServerMain.train(
      location: location, dataset: dataset, files: ([Self.samplePath], "online-retail"), options: options,
      pseudonymKey: Self.pseudonymKey)
    let a = try await replica(location)
    let b = try await replica(location)
    // Each replica follows the change feed, as `basketry serve` does.
    let followers = [a, b].map { engine in Task { await engine.runChangeFollower() } }
    defer { for follower in followers { follower.cancel() } }
    // A customer known from the file alone: the one with the most orders among those who bought nothing in
    // the last 30 days (so the served = evaluated test, which evaluates the others on the same database, is
    // not affected by the purchases posted here).
    let latest = try #require(dataset.baskets.timestamps.max())
    var orders = [Int](repeating: 0, count: dataset.users.count)
    var recent = Set<Int32>()
    for b in 0..<dataset.baskets.count where dataset.baskets.users[b] >= 0 {
      orders[Int(dataset.baskets.users[b])] += 1
      if dataset.baskets.timestamps[b] >= latest - 30 * 86_400 { recent.insert(dataset.baskets.users[b]) }
    }
    let best = try #require(orders.indices.filter { !recent.contains(Int32($0)) }.max { orders[$0] < orders[$1] })
    let existing = dataset.users[Int32(best)]
    let run = UUID().uuidString.prefix(8)
    let newcomer = "newcomer-\(UUID().uuidString.prefix(8))"
    let appA = Application(router: Routes.router(engine: a))
    let appB = Application(router: Routes.router(engine: b))
    try await appA.test(.router) { clientA in
      try await appB.test(.router) { clientB in
        for user in [existing, newcomer] {
          let path = "/v1/users/\(user)/recommendations?k=10"
          let before = try Self.items(try await clientB.send(.get, path, key: Keys.read))
          #expect(before.count == 10, "\(user) got \(before.count) recommendations")
          // A purchase of items this user does not have yet, posted to replica A.
          let bought = Array(before.prefix(2))
          let events = bought.enumerated().map { index, item in
            #"{"event_id": "\#(user)-\#(index)-\#(run)", "user": "\#(user)", "item": "\#(item)", "type": "purchase", "session": "live-\#(user)-\#(run)", "price": 2}"#
          }
          let posted = try await clientA.send(
            .post, "/v1/events", key: Keys.ingest, body: "[" + events.joined(separator: ",") + "]")
          #expect(posted.status == .ok)
          let clock = ContinuousClock()
          let start = clock.now
          var changed = false
          while clock.now - start < .seconds(1) && !changed {
            for client in [clientA, clientB] as [any TestClientProtocol] {
              let after = try Self.items(try await client.send(.get, path, key: Keys.read))
              changed = after != before && Set(bought).isDisjoint(with: after)
              if !changed { break }
            }
          }
          #expect(changed, "\(user)'s recommendations did not change within 1 s on both replicas")
        }
      }
    }
    await a.store.close()
    await b.store.close()
  }

  /// An experiment's variants can name model versions: each user is served by their variant's model, the
  /// response says which, and a version that is not published is a 400 naming the field.
  @Test func experimentVariantsServeTheModelVersionsTheyName() async throws {
    let dataset = try Ingest.load([Self.samplePath], options: IngestOptions(format: .onlineRetail)).dataset
    let location = try location("sqlite")
    var versions: [String: Int64] = [:]
    for name in ["pop", "freq"] {
      let options = TrainingOptions(minSupport: .relative(0.05), anchorItems: 0, model: name)
      versions[name] = try await ServerMain.train(
        location: location, dataset: dataset, files: ([Self.samplePath], "online-retail"), options: options,
        pseudonymKey: Self.pseudonymKey
      ).version
    }
    let pop = try #require(versions["pop"])
    let freq = try #require(versions["freq"])
    let engine = try await replica(location)
    #expect(engine.modelVersion == freq)
    try await Application(router: Routes.router(engine: engine)).test(.router) { client in
      let bad = try await client.send(
        .post, "/v1/experiments",
        body: #"{"id": "models-bad", "name": "x", "variants": [{"name": "a", "model_version": 999}, {"name": "b"}]}"#)
      #expect(bad.status == .badRequest)
      #expect(try errorBody(bad).field == "variants[0].model_version")
      let created = try await client.send(
        .post, "/v1/experiments",
        body:
          #"{"id": "models", "name": "pop vs freq", "variants": [{"name": "pop", "model_version": \#(pop)}, {"name": "freq", "model_version": \#(freq)}]}"#
      )
      #expect(created.status == .created)
      var seen: [String: Int] = [:]
      for user in dataset.users.strings.prefix(40) {
        let body = try json(
          try await client.send(.get, "/v1/users/\(user)/recommendations?k=5&exclude_seen=false", key: Keys.read))
        let recommendations = body["recommendations"] as? [[String: Any]] ?? []
        let variant = recommendations.first?["variant"] as? String ?? ""
        seen[variant, default: 0] += 1
        let expected = variant == "pop" ? pop : freq
        #expect(body["model_version"] as? Int == Int(expected), "user \(user) in \(variant)")
      }
      #expect((seen["pop"] ?? 0) > 0 && (seen["freq"] ?? 0) > 0, "\(seen)")
    }
    await engine.store.close()
  }

  /// `basketry bundles --item I` (the training pipeline's anchored generator on the same file and options) and
  /// `train` + `GET /v1/bundles?item=I` give the same bundles, in the same order.
  @Test func productPageBundlesAreTheCommandLineOnes() async throws {
    let dataset = try Ingest.load([Self.samplePath], options: IngestOptions(format: .onlineRetail)).dataset
    let location = try location("sqlite")
    let options = TrainingOptions(anchorItems: 12, model: "pop")
    let (_, model, _) = try await ServerMain.train(
      location: location, dataset: dataset, files: ([Self.samplePath], "online-retail"), options: options,
      pseudonymKey: Self.pseudonymKey)
    let anchors = model.anchorBundles.filter { $0.value.count >= 2 }.keys.sorted()
    #expect(anchors.count >= 3, "only \(anchors.count) best sellers have two or more bundles")
    let generator = try TrainingPipeline.anchoredGenerator(dataset: dataset, options: options)
    let engine = try await replica(location)
    try await Application(router: Routes.router(engine: engine)).test(.router) { client in
      for anchor in anchors.prefix(3) {
        let id = try #require(dataset.catalog.id(of: anchor))
        let expected = generator.bundles(forItem: id).map { $0.bundle.items.map(\.id).sorted() }
        let response = try json(try await client.send(.get, "/v1/bundles?item=\(anchor)&k=10", key: Keys.read))
        let served = (response["bundles"] as? [[String: Any]] ?? []).map { bundle in
          (bundle["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(served.prefix(expected.count) == expected[...], "bundles for \(anchor)")
      }
    }
    await engine.store.close()
  }

  /// A shopper's own bundles (`/v1/bundles?user=`) are ranked by the expected profit of offering each to them,
  /// computed from the artifact's rank calibration exactly as the library computes it (``PersonalOffer``), and
  /// the ranking differs between shoppers.
  @Test func shoppersBundlesAreRankedByTheirExpectedProfit() async throws {
    let dataset = try Self.sample()
    let location = try location("sqlite")
    let model = try await train(dataset, at: location, TrainingOptions(anchorItems: 0, model: "itemknn"))
    let personal = try #require(model.personal, "the sample spans two months: the calibration must be there")
    let customers = Self.customersByOrders(dataset).prefix(12)
    let pseudonyms = Pseudonymizer(secret: Self.pseudonymKey)
    let engine = try await replica(location)
    let orderings = try await Application(router: Routes.router(engine: engine)).test(.router) { client in
      var orderings: Set<[String]> = []
      for customer in customers {
        let response = try json(try await client.send(.get, "/v1/bundles?user=\(customer)&k=6", key: Keys.read))
        let offers = (response["bundles"] as? [[String: Any]] ?? []).filter { $0["personal"] != nil }
        guard !offers.isEmpty else { continue }
        let profits = offers.compactMap { ($0["personal"] as? [String: Any])?["expected_profit"] as? Double }
        #expect(profits == profits.sorted(by: >), "\(customer): ranked by expected profit")
        // The same figure from the library: probabilities at the items' ranks (a full sort), PersonalOffer.
        let row = try #require(model.users.firstIndex(of: pseudonyms.pseudonym(customer)))
        let ranks = RankCalibration.ranks(try model.recommender.scores(user: Int32(row)))
        for offer in offers {
          let ids = (offer["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
          let bundle = try #require(
            model.bundles.first { Set($0.items.map(\.id)) == Set(ids) }, "\(ids) is a designed bundle")
          let dense = bundle.items.compactMap { model.item($0.id) }
          let expected = PersonalOffer.evaluate(
            items: bundle.items, pricing: try #require(bundle.pricing), bundlePrice: bundle.bundlePrice,
            probabilities: dense.map { personal.calibration.probability(rank: ranks[Int($0)]) },
            averageProbabilities: dense.map { personal.averageProbabilities[Int($0)] },
            horizonDays: personal.calibration.horizonDays, draws: Engine.personalDraws)
          let served = try #require((offer["personal"] as? [String: Any])?["expected_profit"] as? Double)
          #expect(abs(served - expected.expectedProfit) < 1e-9, "\(customer) \(ids)")
        }
        orderings.insert(offers.map { "\($0["items"] ?? "")" })
      }
      return orderings
    }
    #expect(orderings.count >= 2, "shoppers get their own ranking")
    await engine.store.close()
  }

  /// Items a shop added without sales get neighbours and bundle partners through their titles: the items with
  /// sales whose titles the sentence encoder finds nearest stand in (real all-MiniLM-L6-v2 weights; CI fetches
  /// them, elsewhere the test runs when they are in the cache).
  /// The served advice is the advisor's on the training orders, and a price test's automatic levels stay within
  /// its floor and ceiling.
  @Test func priceAdviceIsTheTrainedAdvisorsAndPriceTestsKeepItsGuardrails() async throws {
    let dataset = try Self.sample()
    let location = try location("sqlite")
    let model = try await train(dataset, at: location, TrainingOptions(anchorItems: 0, model: "freq"))
    let expected = try ItemPriceAdvisor.advise(dataset: dataset)
    #expect(model.priceAdvice.count == expected.count)
    let identified = try #require(expected.first { $0.response.isIdentified && $0.action != .keep })
    let unidentified = try #require(expected.first { !$0.response.isIdentified })
    let engine = try await replica(location)
    try await Application(router: Routes.router(engine: engine)).test(.router) { client in
      let answer = try json(
        try await client.send(.get, "/v1/items/\(identified.item)/price-advice", key: Keys.read))
      let advice = answer["advice"] as? [String: Any] ?? [:]
      #expect(advice["advised_price"] as? Double == identified.advisedPrice)
      #expect(advice["floor_price"] as? Double == identified.floorPrice)
      let other = try json(
        try await client.send(.get, "/v1/items/\(unidentified.item)/price-advice", key: Keys.read))
      #expect(((other["advice"] as? [String: Any])?["reason"] as? String ?? "").hasPrefix("not identifiable"))
      let created = try await client.send(.post, "/v1/price-tests", body: #"{"item": "\#(identified.item)"}"#)
      #expect(created.status == .created, "\(String(buffer: created.body))")
      let prices = (try json(created)["variants"] as? [[String: Any]] ?? []).compactMap { $0["price"] as? Double }
      #expect(prices.count >= 2)
      #expect(prices.contains(identified.advisedPrice))
      for price in prices {
        #expect(price >= identified.floorPrice - 0.005 && price <= identified.ceilingPrice + 0.005)
      }
    }
    await engine.store.close()
  }

  @Test func itemsWithoutSalesBorrowNeighboursThroughTheirTitles() async throws {
    guard let encoder = try await Self.titleEncoder() else { return }
    var dataset = try Self.sample()
    var sales = [Int](repeating: 0, count: dataset.catalog.count)
    for basket in 0..<dataset.baskets.count {
      for item in dataset.baskets.items(of: basket) { sales[Int(item)] += 1 }
    }
    let best = try #require(sales.indices.max { sales[$0] < sales[$1] })
    let bestTitle = try #require(dataset.catalog[Int32(best)].title)
    let bestID = dataset.catalog.externalID(Int32(best))
    // A new colour of the best seller, and an unrelated new item.
    let newItem = dataset.catalog.intern("NEW-1")
    dataset.catalog[newItem] = ItemAttributes(title: "Pastel " + bestTitle.lowercased(), price: 3.25)
    let location = try location("sqlite")
    let model = try await train(
      dataset, at: location, TrainingOptions(anchorItems: 0, model: "freq"), titleEncoder: encoder)
    let cold = try #require(model.titleNeighbors["NEW-1"])
    #expect(cold.neighbors.first?.item == bestID, "nearest: \(cold.neighbors)")
    #expect(!cold.partners.isEmpty)
    #expect(model.titleNeighbors[bestID] == nil, "items with sales have their own")
    let engine = try await replica(location)
    try await Application(router: Routes.router(engine: engine)).test(.router) { client in
      let neighbors = try json(try await client.send(.get, "/v1/items/NEW-1/neighbors?k=5", key: Keys.read))
      let similar = (neighbors["similar_titles"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
      #expect(similar.first == bestID)
      let complements = (neighbors["complements"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
      #expect(complements == cold.partners.prefix(5).map(\.item.id))
      let bundles = try json(try await client.send(.get, "/v1/bundles?item=NEW-1&k=3", key: Keys.read))
      let offers = bundles["bundles"] as? [[String: Any]] ?? []
      #expect(!offers.isEmpty)
      for offer in offers {
        #expect(offer["source"] as? String == "title")
        let ids = (offer["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("NEW-1"))
        #expect((offer["explanation"] as? String)?.contains("title is closest") == true)
      }
    }
    await engine.store.close()
  }

  /// The real sentence encoder: `BASKETRY_MODEL_DIR` or the verified cache; on CI fetched (and required) into a
  /// cache of this test's own, so it never races the semantic suite's fetch into the shared one.
  static func titleEncoder() async throws -> SentenceEncoder? {
    if let folder = try? ModelStore().locate() { return try SentenceEncoder(modelFolder: folder) }
    guard ProcessInfo.processInfo.environment["CI"] == "true" else {
      print("note: all-MiniLM-L6-v2 weights absent; title neighbours not checked (run `basketry model fetch`)")
      return nil
    }
    let own = ModelStore(cacheFolder: try TestSupport.temporaryDirectory("title-encoder"))
    return try SentenceEncoder(modelFolder: try await own.fetch())
  }

  /// A shopper's ranking is kept between requests, but never past a catalog change: an item hidden after it was
  /// ranked is not served, and the rest keep their order.
  @Test func keptRankingsFollowTheCatalog() async throws {
    let dataset = try Self.sample()
    let location = try location("sqlite")
    _ = try await train(
      dataset, at: location, TrainingOptions(minSupport: .relative(0.05), anchorItems: 0, model: "freq"))
    let customer = try #require(Self.customersByOrders(dataset).first)
    let engine = try await replica(location)
    try await Application(router: Routes.router(engine: engine)).test(.router) { client in
      let path = "/v1/users/\(customer)/recommendations?k=6&exclude_seen=false"
      let first = try Self.items(try await client.send(.get, path, key: Keys.read))
      #expect(first.count == 6)
      #expect(try Self.items(try await client.send(.get, path, key: Keys.read)) == first)
      try await client.putItem(first[0], hidden: true)
      let after = try Self.items(try await client.send(.get, path, key: Keys.read))
      #expect(!after.contains(first[0]))
      #expect(Array(after.prefix(5)) == Array(first.dropFirst()))
    }
    await engine.store.close()
  }

  /// An erased customer's history from the files is never served again: not after the erasure, not after a
  /// restart, and a retrain from the same files leaves them out.
  @Test func erasedCustomersFromFilesStayErased() async throws {
    let dataset = try Self.sample()
    let location = try location("sqlite")
    let options = TrainingOptions(minSupport: .relative(0.05), anchorItems: 0, model: "freq")
    _ = try await train(dataset, at: location, options)
    let customer = try #require(Self.customersByOrders(dataset).first)
    let path = "/v1/users/\(customer)/recommendations?k=5&exclude_seen=false"
    func explanations(_ engine: Engine) async throws -> [String] {
      try await Application(router: Routes.router(engine: engine)).test(.router) { client in
        let body = try json(try await client.send(.get, path, key: Keys.read))
        return (body["recommendations"] as? [[String: Any]] ?? []).compactMap { $0["explanation"] as? String }
      }
    }
    let engine = try await replica(location)
    #expect(try await explanations(engine).contains { $0.hasPrefix("You bought this before") })
    _ = try await engine.deleteUser(rawID: customer)
    #expect(try await !explanations(engine).contains { $0.hasPrefix("You bought this before") })
    await engine.store.close()
    let restarted = try await replica(location)
    #expect(try await !explanations(restarted).contains { $0.hasPrefix("You bought this before") })
    await restarted.store.close()
    let retrained = try await train(dataset, at: location, options)
    let key = Pseudonymizer(secret: Self.pseudonymKey).pseudonym(customer)
    #expect(retrained.trainingHistory(of: key).isEmpty)
  }

  @Test func shoppersProfilesAreTheLibrarysAndFollowTheirPurchases() async throws {
    let dataset = try Self.sample()
    let location = try location("sqlite")
    let options = TrainingOptions(minSupport: .relative(0.05), anchorItems: 0, model: "freq")
    let model = try await train(dataset, at: location, options)
    let customers = try #require(model.customers)
    // The library's own profiles of the same orders, keyed by pseudonym as the service looks them up.
    var keyed = dataset
    let pseudonymizer = Pseudonymizer(secret: Self.pseudonymKey)
    keyed.users = Interner(dataset.users.strings.map(pseudonymizer.pseudonym))
    let expected = try CustomerProfiles.build(dataset: keyed)
    let engine = try await replica(location)
    try await Application(router: Routes.router(engine: engine)).test(.router) { client in
      for customer in Self.customersByOrders(dataset).prefix(5) {
        let body = try json(try await client.send(.get, "/v1/users/\(customer)/profile", key: Keys.read))
        let profile = try #require(body["profile"] as? [String: Any])
        let reference = try #require(expected.profile(for: pseudonymizer.pseudonym(customer)))
        #expect(abs((profile["probability_alive"] as? Double ?? -1) - reference.probabilityAlive) < 1e-9)
        #expect(abs((profile["lifetime_value"] as? Double ?? -1) - reference.lifetimeValue) < 1e-6)
        #expect(profile["segment"] as? String == reference.segment.rawValue)
        #expect(body["live_purchase_days"] as? Int == 0)
        #expect(!String(describing: body).contains(customer))
      }
      // Purchases on two later days are two more repeat purchases, and more expected orders.
      let customer = try #require(Self.customersByOrders(dataset).dropFirst(20).first)
      let before = try json(try await client.send(.get, "/v1/users/\(customer)/profile", key: Keys.read))
      let day = Int64(customers.referenceDay + 3) * 86_400
      for (index, offset) in [Int64(0), 86_400].enumerated() {
        try await client.send(
          .post, "/v1/events", key: Keys.ingest,
          body:
            #"{"user": "\#(customer)", "item": "85123A", "type": "purchase", "price": 20, "session": "p\#(index)", "timestamp": \#(day + offset)}"#
        )
      }
      let after = try json(try await client.send(.get, "/v1/users/\(customer)/profile", key: Keys.read))
      let rfmBefore = try #require((before["profile"] as? [String: Any])?["rfm"] as? [String: Any])
      let rfmAfter = try #require((after["profile"] as? [String: Any])?["rfm"] as? [String: Any])
      #expect(after["live_purchase_days"] as? Int == 2)
      #expect((rfmAfter["frequency"] as? Int ?? 0) == (rfmBefore["frequency"] as? Int ?? -9) + 2)
      #expect(after["as_of"] as? String != before["as_of"] as? String)
      // Unknown shoppers, erased shoppers and bad requests.
      #expect(try await client.send(.get, "/v1/users/nobody-at-all/profile", key: Keys.read).status == .notFound)
      #expect(try await client.send(.get, "/v1/users/\(customer)/profile?k=1", key: Keys.read).status == .badRequest)
      #expect(try await client.send(.get, "/v1/users/\(customer)/profile", key: nil).status == .unauthorized)
      _ = try await client.send(.delete, "/v1/users/\(customer)")
      #expect(try await client.send(.get, "/v1/users/\(customer)/profile", key: Keys.read).status == .notFound)
    }
    await engine.store.close()
  }
}
