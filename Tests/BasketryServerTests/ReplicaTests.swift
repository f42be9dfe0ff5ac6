import BasketryCore
import BasketryOnline
import BasketryServer
import BasketryStore
import BasketryStorePostgres
import BasketryStoreSQLite
import BasketryTesting
import BasketryTraining
import Foundation
import Logging
import Testing

/// Several `basketry serve` replicas on one PostgreSQL database (needs BASKETRY_TEST_POSTGRES_URL).
@Suite struct ReplicaTests {
  static let url = ProcessInfo.processInfo.environment["BASKETRY_TEST_POSTGRES_URL"]

  func replica(sqlite path: String? = nil, pollSeconds: Double = 1) async throws -> Engine {
    var configuration = ServerConfiguration()
    configuration.store = path ?? Self.url ?? ""
    configuration.pseudonymKey = "replica-secret"
    configuration.changePollSeconds = pollSeconds
    var logger = Logger(label: "replica")
    logger.logLevel = .error
    let store: any Store =
      if let path { try SQLiteStore(path: path) } else { try PostgresStore(url: Self.url ?? "", logger: logger) }
    let engine = Engine(store: store, configuration: configuration, logger: logger)
    try await engine.start()
    return engine
  }

  /// Runs both replicas' change followers (as `basketry serve` does) while `body` runs.
  func following<T>(_ engines: [Engine], _ body: () async throws -> T) async rethrows -> T {
    let tasks = engines.map { engine in Task { await engine.runChangeFollower() } }
    defer { for task in tasks { task.cancel() } }
    return try await body()
  }

  /// Seconds until `condition` holds (checked every 20 ms), or nil after `limit` seconds. The limit is generous
  /// because in the full suite on 2 cores, CPU-bound tests can hold both cooperative threads for tens of seconds,
  /// and the followers (one poll a second when they run) wait behind them; alone, each step converges within one
  /// or two polls.
  func secondsUntil(limit: Double = 90, _ condition: () async throws -> Bool) async rethrows -> Double? {
    let clock = ContinuousClock()
    let start = clock.now
    while clock.now - start < .seconds(limit) {
      if try await condition() {
        let elapsed = (clock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
      }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return nil
  }

  /// Purchases through A change what B serves, hiding an item on A stops B serving it, and erasing
  /// users on A removes their co-occurrence from B — all without a retrain.
  func convergeWithoutRetraining(_ a: Engine, _ b: Engine, label: String) async throws {
    let tag = UUID().uuidString.prefix(6).lowercased()
    let (x, y, z) = ("cx-\(tag)", "cy-\(tag)", "cz-\(tag)")
    try await following([a, b]) {
      // Catalog written through A reaches B.
      for id in [x, y, z] { try await a.putItem(CatalogItem(id: id, title: id, price: 10, cost: 5)) }
      let catalog = try await secondsUntil { [x, y, z].allSatisfy { b.item(id: $0)?.price == 10 } }
      #expect(catalog != nil, "catalog did not reach replica B")
      // B answers (and caches) before anything is bought.
      #expect(try await b.bundles(BundleQuery(item: x, k: 3)).bundles.isEmpty)
      // Three shoppers buy x with y, one x with z, all through A.
      for user in 0..<3 {
        _ = try await a.ingest([
          EventInput(eventID: "\(tag)-\(user)-x", user: "cu\(tag)-\(user)", item: x, type: .purchase, session: "s"),
          EventInput(eventID: "\(tag)-\(user)-y", user: "cu\(tag)-\(user)", item: y, type: .purchase, session: "s"),
        ])
      }
      _ = try await a.ingest([
        EventInput(eventID: "\(tag)-9-x", user: "cu\(tag)-9", item: x, type: .purchase, session: "s"),
        EventInput(eventID: "\(tag)-9-z", user: "cu\(tag)-9", item: z, type: .purchase, session: "s"),
      ])
      #expect(a.neighbors(of: x, k: 5)?.complements.map(\.item) == [y, z])
      // All four purchases (B may apply them over two polls of the feed).
      let purchases = try await secondsUntil {
        try await b.bundles(BundleQuery(item: x, k: 3)).bundles.first?.items.map(\.id) == [x, y]
          && Self.complements(b, x) == ["\(y):3", "\(z):1"]
      }
      #expect(purchases != nil, "purchases through A did not reach replica B")
      #expect(Self.complements(b, x) == Self.complements(a, x))
      #expect(Self.complements(b, x) == ["\(y):3", "\(z):1"])

      // Hidden on A: B stops serving it.
      try await a.putItem(CatalogItem(id: y, title: y, price: 10, cost: 5, hidden: true))
      let hidden = try await secondsUntil {
        let served = try await b.bundles(BundleQuery(item: x, k: 3)).bundles.flatMap { $0.items.map(\.id) }
        return !served.contains(y) && b.neighbors(of: x, k: 5)?.complements.contains { $0.item == y } == false
      }
      #expect(hidden != nil, "an item hidden on A was still served by B")
      #expect(try await b.bundles(BundleQuery(item: x, k: 3)).bundles.first?.items.map(\.id) == [x, z])
      try await a.putItem(CatalogItem(id: y, title: y, price: 10, cost: 5))
      let shown = try await secondsUntil { Self.complements(b, x) == ["\(y):3", "\(z):1"] }
      #expect(shown != nil, "an item shown again on A stayed hidden on B")

      // Erasure on A: the users' co-occurrence contributions leave B too.
      for user in 0..<3 { _ = try await a.deleteUser(rawID: "cu\(tag)-\(user)") }
      let erased = try await secondsUntil { b.neighbors(of: x, k: 5)?.complements.map(\.item) == [z] }
      #expect(erased != nil, "an erasure on A did not reach replica B")
      #expect(Self.complements(b, x) == Self.complements(a, x))
      #expect(try await b.bundles(BundleQuery(item: x, k: 3)).bundles.first?.items.map(\.id) == [x, z])
      print(
        "replicas (\(label)): catalog \(Self.format(catalog)), purchases \(Self.format(purchases)), "
          + "hide \(Self.format(hidden)), erasure \(Self.format(erased)) (change_poll_seconds "
          + "\(b.configuration.changePollSeconds))")
    }
  }

  /// An item's complements as `item:count` (lift and scores also depend on the global basket
  /// count, which other suites change in the shared PostgreSQL database).
  static func complements(_ engine: Engine, _ item: String) -> [String] {
    engine.neighbors(of: item, k: 5)?.complements.map { "\($0.item):\($0.together)" } ?? []
  }

  static func format(_ seconds: Double?) -> String { seconds.map { String(format: "%.2f s", $0) } ?? "timeout" }

  @Test(.enabled(if: url != nil)) func postgresReplicasConvergeWithoutRetraining() async throws {
    let (a, b) = (try await replica(), try await replica())
    try await convergeWithoutRetraining(a, b, label: "PostgreSQL")
    await a.store.close()
    await b.store.close()
  }

  @Test func sqliteReplicasOnOneFileConvergeWithoutRetraining() async throws {
    let path = try TestSupport.temporaryDirectory("replicas").appendingPathComponent("shared.sqlite").path
    let (a, b) = (try await replica(sqlite: path), try await replica(sqlite: path))
    try await convergeWithoutRetraining(a, b, label: "SQLite")
    await a.store.close()
    await b.store.close()
  }

  /// Concurrent purchases and erasures through both replicas, with followers polling fast: each
  /// replica ends with exactly the store's counts (no delta applied twice or lost).
  func countsMatchTheStore(_ a: Engine, _ b: Engine) async throws {
    let tag = UUID().uuidString.prefix(6).lowercased()
    let items = (0..<6).map { "k\(tag)-\($0)" }
    try await following([a, b]) {
      try await withThrowingTaskGroup(of: Void.self) { group in
        for (replica, engine) in [a, b].enumerated() {
          group.addTask {
            var rng = SplitMix64(seed: UInt64(replica + 1))
            for round in 0..<30 {
              let user = "ku\(tag)-\(replica)-\(round % 7)"
              let basket = (0..<3).map { _ in items[Int(rng.next() % UInt64(items.count))] }
              _ = try await engine.ingest(
                basket.enumerated().map { index, item in
                  EventInput(
                    eventID: "\(tag)-\(replica)-\(round)-\(index)", user: user, item: item, type: .purchase,
                    session: "s\(round % 3)")
                })
              if round % 9 == 8 { _ = try await engine.deleteUser(rawID: "ku\(tag)-\(1 - replica)-\(round % 7)") }
            }
          }
        }
        try await group.waitForAll()
      }
    }
    for engine in [a, b] { try await engine.followChanges() }
    let snapshot = try await a.store.cooccurrence()
    for item in items {
      var expected: [String: Int] = [:]
      for pair in snapshot.pairs where pair.a == item || pair.b == item {
        expected[pair.a == item ? pair.b : pair.a] = pair.count
      }
      for engine in [a, b] {
        let served = engine.neighbors(of: item, k: 100)?.complements ?? []
        #expect(
          Dictionary(uniqueKeysWithValues: served.map { ($0.item, $0.together) }) == expected,
          "pair counts of \(item) differ from the store's")
      }
    }
  }

  @Test(.enabled(if: url != nil)) func postgresReplicaCountsMatchTheStoreUnderConcurrency() async throws {
    let (a, b) = (try await replica(pollSeconds: 0.005), try await replica(pollSeconds: 0.005))
    try await countsMatchTheStore(a, b)
    await a.store.close()
    await b.store.close()
  }

  @Test func sqliteReplicaCountsMatchTheStoreUnderConcurrency() async throws {
    let path = try TestSupport.temporaryDirectory("replicas").appendingPathComponent("counts.sqlite").path
    let (a, b) = (
      try await replica(sqlite: path, pollSeconds: 0.005), try await replica(sqlite: path, pollSeconds: 0.005)
    )
    try await countsMatchTheStore(a, b)
    let snapshot = try await a.store.cooccurrence()
    #expect(try await a.stats().baskets == snapshot.baskets)
    #expect(try await b.stats().baskets == snapshot.baskets)
    await a.store.close()
    await b.store.close()
  }

  @Test(.enabled(if: url != nil)) func replicasSwitchModelsOnNotifyAndShareState() async throws {
    let (a, b) = (try await replica(), try await replica())
    let tag = UUID().uuidString.prefix(6).lowercased()
    let (x, y) = ("rx-\(tag)", "ry-\(tag)")
    // Ingest through replica A only.
    for user in 0..<3 {
      _ = try await a.ingest([
        EventInput(
          eventID: "\(tag)-\(user)-1", user: "ru\(tag)-\(user)", item: x, type: .purchase, price: 5, session: "s"),
        EventInput(
          eventID: "\(tag)-\(user)-2", user: "ru\(tag)-\(user)", item: y, type: .purchase, price: 5, session: "s"),
      ])
    }
    #expect(a.neighbors(of: x, k: 5)?.complements.first?.item == y)
    // B listens; a new version published by `basketry train` reaches it by NOTIFY.
    let known = try await b.store.latestModelVersion()
    let stream = b.store.modelVersions(after: known, pollInterval: .seconds(30))
    let (version, _, _) = try await ServerMain.train(
      location: Self.url ?? "", dataset: nil, options: TrainingOptions())
    let heard = await firstVersion(stream, atLeast: version)
    #expect((heard ?? 0) >= version)
    #expect(try await b.reloadModel() || b.modelVersion == version)
    try await b.refreshCooccurrence()
    // B now serves A's purchases too.
    #expect(b.neighbors(of: x, k: 5)?.complements.first?.item == y)
    // Erasure through B is visible to A after its refresh.
    for user in 0..<3 { _ = try await b.deleteUser(rawID: "ru\(tag)-\(user)") }
    try await a.refreshCooccurrence()
    #expect(a.neighbors(of: x, k: 5)?.complements.isEmpty ?? true)
    await a.store.close()
    await b.store.close()
  }
}
