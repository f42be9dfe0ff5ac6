import BasketryStore
import BasketryStoreSQLite
import BasketryTesting
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import BasketryServer

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

/// A SQLite store that can be switched off: while `down`, every call fails as an unreachable database does
/// (``StoreError`` unavailable) and pings fail.
final class SwitchableStore: Store, @unchecked Sendable {
  let base: SQLiteStore
  private let lock = NSLock()
  private var isDown = false

  init(path: String) throws { base = try SQLiteStore(path: path) }

  /// Whether the store is away.
  var down: Bool {
    get { lock.withLock { isDown } }
    set { lock.withLock { isDown = newValue } }
  }

  private func check(_ operation: String) throws {
    if down { throw StoreError(.unavailable, operation: operation, message: "connection refused") }
  }

  func migrate() async throws {
    try check("migrate")
    try await base.migrate()
  }
  func append(_ events: [StoredEvent]) async throws -> AppendOutcome {
    try check("append")
    return try await base.append(events)
  }
  func events(user: String) async throws -> [StoredEvent] {
    try check("events")
    return try await base.events(user: user)
  }
  func event(id: String) async throws -> StoredEvent? {
    try check("event")
    return try await base.event(id: id)
  }
  func eventCount() async throws -> Int {
    try check("count")
    return try await base.eventCount()
  }
  func purchaseBaskets() async throws -> [PurchaseBasket] {
    try check("baskets")
    return try await base.purchaseBaskets()
  }
  func putItem(_ item: CatalogItem) async throws -> Int64 {
    try check("put item")
    return try await base.putItem(item)
  }
  func item(id: String) async throws -> CatalogItem? {
    try check("item")
    return try await base.item(id: id)
  }
  func items() async throws -> [CatalogItem] {
    try check("items")
    return try await base.items()
  }
  func deleteItem(id: String) async throws -> Bool {
    try check("delete item")
    return try await base.deleteItem(id: id)
  }
  func deleteUser(_ user: String) async throws -> DeletionReceipt {
    try check("delete user")
    return try await base.deleteUser(user)
  }
  func cooccurrence() async throws -> CooccurrenceSnapshot {
    try check("cooccurrence")
    return try await base.cooccurrence()
  }
  func liveState() async throws -> LiveState {
    try check("live state")
    return try await base.liveState()
  }
  func changes(after cursor: Int64, limit: Int) async throws -> ChangeBatch {
    try check("changes")
    return try await base.changes(after: cursor, limit: limit)
  }
  func pruneChanges(before timestamp: Int64) async throws -> Int {
    try check("prune")
    return try await base.pruneChanges(before: timestamp)
  }
  func publishModel(_ payload: [UInt8]) async throws -> Int64 {
    try check("publish")
    return try await base.publishModel(payload)
  }
  func latestModel() async throws -> ModelArtifact? {
    try check("latest model")
    return try await base.latestModel()
  }
  func erasedUsers() async throws -> Set<String> {
    try check("erased")
    return try await base.erasedUsers()
  }
  func model(version: Int64) async throws -> ModelArtifact? {
    try check("model")
    return try await base.model(version: version)
  }
  func latestModelVersion() async throws -> Int64? {
    try check("latest version")
    return try await base.latestModelVersion()
  }
  func modelVersions(after: Int64?, pollInterval: Duration) -> AsyncStream<Int64> {
    base.modelVersions(after: after, pollInterval: pollInterval)
  }
  func createExperiment(_ experiment: Experiment) async throws {
    try check("create experiment")
    try await base.createExperiment(experiment)
  }
  func experiment(id: String) async throws -> Experiment? {
    try check("experiment")
    return try await base.experiment(id: id)
  }
  func experiments() async throws -> [Experiment] {
    try check("experiments")
    return try await base.experiments()
  }
  func recordImpressions(_ impressions: [Impression]) async throws {
    try check("impressions")
    try await base.recordImpressions(impressions)
  }
  func recordOfferLists(_ lists: [OfferList]) async throws {
    try check("offer lists")
    try await base.recordOfferLists(lists)
  }
  func impression(id: String) async throws -> Impression? {
    try check("impression")
    return try await base.impression(id: id)
  }
  func impressions(experiment: String) async throws -> [Impression] {
    try check("impressions of")
    return try await base.impressions(experiment: experiment)
  }
  func recordRecommendationLists(_ lists: [RecommendationList]) async throws {
    try check("lists")
    try await base.recordRecommendationLists(lists)
  }
  func recommendationList(id: String) async throws -> RecommendationList? {
    try check("list")
    return try await base.recommendationList(id: id)
  }
  func replayLog(limit: Int) async throws -> [(impression: Impression, reward: Double)] {
    try check("replay")
    return try await base.replayLog(limit: limit)
  }
  func tallies(experiment: String) async throws -> [VariantTally] {
    try check("tallies")
    return try await base.tallies(experiment: experiment)
  }
  func addBanditCounts(_ records: [BanditArmRecord]) async throws {
    try check("bandit")
    try await base.addBanditCounts(records)
  }
  func banditCounts() async throws -> [BanditArmRecord] {
    try check("bandit counts")
    return try await base.banditCounts()
  }
  func ping() async -> Bool { down ? false : await base.ping() }
  func close() async { await base.close() }
}

@Suite struct StoreAwayTests {
  /// An engine on a switchable store whose buffers spill beyond one entry.
  func makeSwitchableEngine() async throws -> (Engine, SwitchableStore, String) {
    let folder = try TestSupport.temporaryDirectory("outage")
    let store = try SwitchableStore(path: folder.appendingPathComponent("store.sqlite").path)
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.pseudonymKey = "test-secret"
    try configuration.set(
      "api_keys", "admin:\(Keys.admin),ingest:\(Keys.ingest),read:\(Keys.read)", source: "test")
    configuration.spillPath = folder.appendingPathComponent("impressions.spill").path
    configuration.spillAfter = 1
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let engine = Engine(store: store, configuration: configuration, logger: logger)
    try await engine.start()
    return (engine, store, configuration.spillPath)
  }

  @Test func whileTheStoreIsAwayWritesAre503ReadsServedImpressionsSpilledAndReplayedAfter() async throws {
    let (engine, store, spillPath) = try await makeSwitchableEngine()
    try await makeApp(engine).test(.router) { client in
      for id in ["mug", "tea", "pot"] { try await client.putItem(id) }
      for user in ["u1", "u2", "u3"] { try await client.purchase(user, ["mug", "tea"], session: "s") }
      #expect(try await client.send(.get, "/health/ready").status == .ok)
      store.down = true

      let refused = try await client.send(
        .post, "/v1/events", key: Keys.ingest,
        body: #"{"event_id": "away", "user": "u4", "item": "mug", "type": "view"}"#)
      #expect(refused.status == .serviceUnavailable)
      #expect(refused.headers[.retryAfter] == "1")
      #expect(try errorBody(refused).code == "unavailable")
      #expect(try await client.send(.get, "/health/ready").status == .serviceUnavailable)

      // Reads are served from memory; what they show is buffered.
      let recommended = try await client.send(.get, "/v1/users/u1/recommendations?k=2", key: Keys.read)
      #expect(recommended.status == .ok)
      let bundles = try await client.send(.get, "/v1/bundles?item=mug&k=1&user=u2", key: Keys.read)
      #expect(bundles.status == .ok)
      let neighbours = try await client.send(.get, "/v1/items/mug/neighbors?k=2", key: Keys.read)
      #expect(neighbours.status == .ok)
      let ids = [recommended, bundles].compactMap { response -> String? in
        let body = String(buffer: response.body)
        guard let range = body.range(of: #""recommendation_id":""#) else { return nil }
        return String(body[range.upperBound...].prefix { $0 != "\"" })
      }
      #expect(ids.count == 2)

      // The flush fails; what waits moves to the spill file and is counted.
      #expect(await engine.flush() == false)
      #expect(FileManager.default.fileExists(atPath: spillPath))
      #expect(engine.metrics.counter("impressions_spilled_total") >= 2)
      #expect(engine.metrics.counter("flush_failures_total") >= 1)

      // Back: the next flush writes the spill file to the store and removes it; readiness returns.
      store.down = false
      #expect(await engine.flush() == true)
      #expect(!FileManager.default.fileExists(atPath: spillPath))
      #expect(engine.metrics.counter("impressions_replayed_total") >= 2)
      for id in ids {
        let listID = String(id.dropLast(8))
        let list = try await store.base.recommendationList(id: listID)
        let offer = try await store.base.impression(id: id)
        #expect(list != nil || offer != nil, "served list \(listID) not stored")
      }
      #expect(try await client.send(.get, "/health/ready").status == .ok)
      let accepted = try await client.send(
        .post, "/v1/events", key: Keys.ingest,
        body: #"{"event_id": "away", "user": "u4", "item": "mug", "type": "view"}"#)
      #expect(accepted.status == .ok)
    }
    #expect(try await store.base.event(id: "away") != nil)
  }

  @Test func spillFileKeepsWithinItsBoundAndReadsBackWhatItWrote() throws {
    let folder = try TestSupport.temporaryDirectory("spill")
    let path = folder.appendingPathComponent("bounded.spill").path
    let impressions = (0..<50).map { index in
      Impression(
        recommendationID: "rec-\(index)", experimentID: nil, variant: nil, user: "u", session: "s", kind: "bundle",
        key: "a+b", arm: 1, discount: 0.05, price: 9.5, margin: 2, propensity: 0.5, timestamp: 1_700_000_000)
    }
    let spill = SpillFile(path: path, maximumBytes: 2_000)
    let written = try spill.append(impressions: impressions, lists: [], offers: [])
    #expect(written.impressions > 0 && written.impressions < 50)
    #expect(spill.size <= 2_000)
    let contents = try spill.read()
    #expect(contents.impressions == Array(impressions.prefix(written.impressions)))
    try spill.discard(prefix: contents.bytes)
    #expect(spill.size == 0)
  }
}
