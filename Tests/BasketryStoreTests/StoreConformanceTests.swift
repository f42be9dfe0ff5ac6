import BasketryCore
import BasketryStore
import BasketryStorePostgres
import BasketryStoreSQLite
import BasketryTesting
import Foundation
import Testing

/// The drivers the conformance suite runs against: SQLite always; PostgreSQL when
/// BASKETRY_TEST_POSTGRES_URL is set (Scripts/ci/start-postgres.sh sets it).
enum Driver: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case sqlite
  case postgres

  var testDescription: String { rawValue }

  static var postgresURL: String? { ProcessInfo.processInfo.environment["BASKETRY_TEST_POSTGRES_URL"] }

  static var available: [Driver] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

  /// A fresh, empty store. PostgreSQL tests share one database, so each gets its own schema-free namespace by
  /// using unique ids; tables are truncated first under a lock to keep runs independent.
  func makeStore() async throws -> any Store {
    switch self {
    case .sqlite:
      let folder = try TestSupport.temporaryDirectory("store")
      let store = try SQLiteStore(path: folder.appendingPathComponent("test.sqlite").path)
      try await store.migrate()
      return store
    case .postgres:
      let store = try PostgresStore(url: Driver.postgresURL ?? "")
      try await store.migrate()
      return store
    }
  }
}

/// Unique ids per test so PostgreSQL runs (one shared database) do not interfere.
func unique(_ label: String) -> String { label + "-" + UUID().uuidString.prefix(8).lowercased() }

/// PostgreSQL tests run one at a time (they share co-occurrence tables).
@Suite(.serialized) struct StoreConformanceTests {
  func event(
    _ id: String, user: String, item: String, type: EventType = .purchase, session: String? = "s1", ts: Int64 = 100,
    rec: String? = nil, price: Double? = 2
  ) -> StoredEvent {
    StoredEvent(
      eventID: id, user: user, item: item, type: type, value: 1, price: price, timestamp: ts, session: session,
      recommendationID: rec)
  }

  @Test(arguments: Driver.available)
  func appendIsIdempotentOnEventID(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let user = unique("u")
    let e1 = event(unique("e"), user: user, item: unique("i"), type: .view)
    let first = try await store.append([e1, e1])
    #expect(first.inserted == 1 && first.duplicates == 1)
    let again = try await store.append([e1])
    #expect(again.inserted == 0 && again.duplicates == 1)
    let stored = try await store.events(user: user)
    #expect(stored == [e1])
    #expect(try await store.event(id: e1.eventID) == e1)
    #expect(try await store.eventCount() >= 1)
    await store.close()
  }

  @Test(arguments: Driver.available)
  func purchasesUpdateCooccurrenceIncrementally(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let user = unique("u")
    let (a, b, c) = (unique("a"), unique("b"), unique("c"))
    let outcome = try await store.append([
      event(unique("e"), user: user, item: a), event(unique("e"), user: user, item: b),
      event(unique("e"), user: user, item: b),  // same item twice in a basket counts once
      event(unique("e"), user: user, item: c, type: .view),
    ])
    #expect(outcome.inserted == 4)
    #expect(outcome.deltas.count == 2)
    #expect(outcome.deltas[0].newBasket && outcome.deltas[0].partners.isEmpty)
    #expect(outcome.deltas[1].partners == [a])
    let snapshot = try await store.cooccurrence()
    #expect(snapshot.itemCounts[a] == 1 && snapshot.itemCounts[b] == 1 && snapshot.itemCounts[c] == nil)
    let (x, y) = a < b ? (a, b) : (b, a)
    #expect(snapshot.pairs.contains(PairCount(a: x, b: y, count: 1)))
    let baskets = try await store.purchaseBaskets().filter { $0.user == user }
    #expect(baskets.count == 1 && baskets[0].lines.count == 3)
    await store.close()
  }

  @Test(arguments: Driver.available)
  func repeatedIDsAndMixedUsersCountAsAppendingOneByOne(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let (alice, bob, carol) = (unique("alice"), unique("bob"), unique("carol"))
    let (a, b, c) = (unique("a"), unique("b"), unique("c"))
    let ids = (0..<6).map { _ in unique("e") }
    let before = try await store.cooccurrence().baskets
    // One batch, two users' baskets interleaved; an id repeated (the first is kept) and an item bought twice.
    let first = try await store.append([
      event(ids[0], user: alice, item: a), event(ids[0], user: alice, item: c),
      event(ids[1], user: bob, item: b), event(ids[2], user: alice, item: b),
      event(ids[3], user: bob, item: a, type: .view), event(ids[4], user: bob, item: c),
      event(ids[5], user: alice, item: b),
    ])
    #expect(first.inserted == 6 && first.duplicates == 1)
    #expect(first.insertedIDs == ids)
    #expect(first.deltas.map(\.item) == [a, b, b, c])
    #expect(first.deltas.map(\.newBasket) == [true, true, false, false])
    #expect(first.deltas.map(\.partners) == [[], [], [a], [b]])
    #expect(zip(first.deltas, first.deltas.dropFirst()).allSatisfy { $0.sequence < $1.sequence })

    // Concurrent batches: ids already stored, one new id in every batch (stored once), one new item each in
    // carol's basket.
    let shared = unique("e")
    let extras = (0..<4).map { _ in unique("x") }
    let outcomes = try await withThrowingTaskGroup(of: AppendOutcome.self) { group in
      for k in 0..<4 {
        group.addTask {
          try await store.append([
            event(ids[k], user: alice, item: a), event(shared, user: alice, item: c),
            event(unique("e"), user: carol, item: extras[k]),
          ])
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(outcomes.map(\.inserted).reduce(0, +) == 5)
    #expect(outcomes.map(\.duplicates).reduce(0, +) == 7)
    let deltas = outcomes.flatMap(\.deltas)
    #expect(deltas.filter { $0.item == c }.map(\.partners) == [[a, b].sorted()])
    #expect(deltas.filter { extras.contains($0.item) }.map(\.partners.count).sorted() == [0, 1, 2, 3])
    #expect(Set(deltas.map(\.sequence)).count == deltas.count)

    // The change feed holds every delta under the sequence number the append returned.
    let all = first.deltas + deltas
    let feed = try await store.changes(after: (all.map(\.sequence).min() ?? 1) - 1, limit: 10_000).changes
    var published: [Int64: BasketDelta] = [:]
    for change in feed { if case .purchase(let delta) = change.kind { published[change.sequence] = delta } }
    for delta in all {
      #expect(published[delta.sequence]?.item == delta.item)
      #expect(published[delta.sequence]?.partners == delta.partners)
    }

    let snapshot = try await store.cooccurrence()
    if driver == .sqlite { #expect(snapshot.baskets == before + 3) }
    #expect(snapshot.itemCounts[a] == 1 && snapshot.itemCounts[b] == 2 && snapshot.itemCounts[c] == 2)
    let pairs = Dictionary(snapshot.pairs.map { (PairCount(a: $0.a, b: $0.b, count: 0), $0.count) }) { $0 + $1 }
    func count(_ x: String, _ y: String) -> Int? { pairs[PairCount(a: min(x, y), b: max(x, y), count: 0)] }
    #expect(count(a, b) == 1 && count(a, c) == 1 && count(b, c) == 2)
    for i in extras.indices {
      #expect(snapshot.itemCounts[extras[i]] == 1)
      for j in extras.indices where j > i { #expect(count(extras[i], extras[j]) == 1) }
    }
    #expect(try await store.events(user: alice).count == 4)
    #expect(try await store.events(user: carol).count == 4)
    let baskets = try await store.purchaseBaskets().filter { [alice, bob, carol].contains($0.user) }
    #expect(baskets.map(\.lines.count).sorted() == [2, 4, 4])
    await store.close()
  }

  @Test(arguments: Driver.available)
  func deletingAUserRemovesEventsAndContributions(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let (alice, bob) = (unique("alice"), unique("bob"))
    let (a, b) = (unique("a"), unique("b"))
    let before = try await store.cooccurrence().baskets
    _ = try await store.append([
      event(unique("e"), user: alice, item: a), event(unique("e"), user: alice, item: b),
      event(unique("e"), user: alice, item: a, session: "s2"), event(unique("e"), user: bob, item: a),
    ])
    try await store.recordImpressions([
      Impression(
        recommendationID: unique("r"), experimentID: nil, variant: nil, user: alice, session: alice, kind: "bundle",
        key: "x", arm: 0, discount: 0, price: 1, margin: 1, propensity: 1, timestamp: 1)
    ])
    // Global totals only on SQLite: PostgreSQL suites share one database and run concurrently.
    let during = try await store.cooccurrence().baskets
    if driver == .sqlite { #expect(during == before + 3) }
    let receipt = try await store.deleteUser(alice)
    #expect(receipt.eventsRemoved == 3)
    #expect(receipt.basketsRemoved == 2)
    #expect(receipt.pairContributionsRemoved == 1)
    #expect(receipt.impressionsRemoved == 1)
    #expect(receipt.removedBaskets.map { $0.sorted() }.sorted { $0.count < $1.count } == [[a], [a, b].sorted()])
    #expect(try await store.events(user: alice).isEmpty)
    let after = try await store.cooccurrence()
    if driver == .sqlite { #expect(after.baskets == before + 1) }
    #expect(after.itemCounts[a] == 1 && after.itemCounts[b] == nil)
    #expect(!after.pairs.contains { [$0.a, $0.b].contains(b) })
    #expect(try await store.events(user: bob).count == 1)
    await store.close()
  }

  @Test(arguments: Driver.available)
  func catalogPutHideDelete(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let id = unique("item")
    var item = CatalogItem(id: id, title: "Mug", category: ["Home", "Kitchen"], price: 4.5, cost: 2, stock: 3)
    try await store.putItem(item)
    #expect(try await store.item(id: id) == item)
    item.hidden = true
    try await store.putItem(item)
    #expect(try await store.item(id: id)?.hidden == true)
    #expect(try await store.items().contains(item))
    #expect(try await store.deleteItem(id: id))
    #expect(try await store.deleteItem(id: id) == false)
    #expect(try await store.item(id: id) == nil)
    await store.close()
  }

  /// Every erasure is recorded with the user's pseudonym, in the erasing transaction.
  @Test(arguments: Driver.available)
  func erasuresAreRecorded(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let (carol, dan) = (unique("carol"), unique("dan"))
    _ = try await store.append([event(unique("e"), user: carol, item: unique("i"))])
    #expect(!(try await store.erasedUsers()).contains(carol))
    _ = try await store.deleteUser(carol)
    _ = try await store.deleteUser(dan)  // a user without events is recorded too
    _ = try await store.deleteUser(carol)  // again: still one record
    let erased = try await store.erasedUsers()
    #expect(erased.contains(carol) && erased.contains(dan))
  }

  /// Model artifacts are binary (NUL bytes, invalid UTF-8) and every published version stays readable.
  @Test(arguments: Driver.available)
  func modelPayloadsAreBinaryAndReadableByVersion(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let payload: [UInt8] = [0, 1, 2, 0xFF, 0xFE, 0x80, 0, 0x42] + Array(repeating: 0xC3, count: 1_000)
    let version = try await store.publishModel(payload)
    let other = try await store.publishModel([7, 0, 7])
    #expect(try await store.model(version: version)?.payload == payload)
    #expect(try await store.model(version: other)?.payload == [7, 0, 7])
    #expect(try await store.model(version: version)?.version == version)
    #expect(try await store.model(version: -1) == nil)
  }

  @Test(arguments: Driver.available)
  func modelVersionsIncreaseAndNotify(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let start = try await store.latestModelVersion() ?? 0
    let stream = store.modelVersions(after: start, pollInterval: .milliseconds(50))
    let v1 = try await store.publishModel(Array("{\"n\":1}".utf8))
    #expect(v1 > start)
    let v2 = try await store.publishModel(Array("{\"n\":2}".utf8))
    #expect(v2 > v1)
    // (Other suites may publish to the shared PostgreSQL database concurrently.)
    let latest = try await store.latestModel()
    #expect((latest?.version ?? 0) >= v2)
    if latest?.version == v2 { #expect(latest?.payload == Array("{\"n\":2}".utf8)) }
    // A watcher sees the newest version (NOTIFY on PostgreSQL, polling on SQLite).
    let seen = await withTaskGroup(of: Int64?.self) { group in
      group.addTask {
        for await version in stream where version >= v2 { return version }
        return nil
      }
      group.addTask {
        try? await Task.sleep(for: .seconds(20))
        return nil
      }
      let result = await group.next() ?? nil
      group.cancelAll()
      return result
    }
    #expect((seen ?? 0) >= v2)
    await store.close()
  }

  @Test(arguments: Driver.available)
  func experimentsImpressionsAndTallies(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let id = unique("exp")
    let experiment = Experiment(
      id: id, name: "discounts",
      variants: [
        ExperimentVariant(name: "control", weight: 1, policy: "fixed", discount: 0),
        ExperimentVariant(name: "bandit", weight: 1),
      ], start: 0, end: nil, createdAt: 5)
    try await store.createExperiment(experiment)
    await #expect(throws: StoreError.self) { try await store.createExperiment(experiment) }
    #expect(try await store.experiment(id: id) == experiment)
    #expect(try await store.experiments().contains(experiment))
    let (r1, r2, r3) = (unique("r"), unique("r"), unique("r"))
    // Newest first in the replay log, even in a shared database full of other impressions.
    let newest = Int64(Date().timeIntervalSince1970) + 10_000_000
    let user = unique("u")
    func impression(_ rec: String, _ variant: String, session: String) -> Impression {
      Impression(
        recommendationID: rec, experimentID: id, variant: variant, user: user, session: session, kind: "bundle",
        key: "a+b", arm: 1, discount: 0.05, price: 9.5, margin: 3, propensity: 0.5, timestamp: newest)
    }
    try await store.recordImpressions([
      impression(r1, "control", session: "s1"), impression(r2, "bandit", session: "s2"),
      impression(r3, "bandit", session: "s3"),
    ])
    try await store.recordImpressions([impression(r1, "control", session: "s1")])  // idempotent
    #expect(try await store.impression(id: r2)?.variant == "bandit")
    _ = try await store.append([
      event(unique("e"), user: user, item: "a", type: .cart, rec: r2),
      event(unique("e"), user: user, item: "a", rec: r2, price: 4),
      event(unique("e"), user: user, item: "b", rec: r2, price: 5.5),
    ])
    let tallies = try await store.tallies(experiment: id)
    let control = try #require(tallies.first { $0.variant == "control" })
    let bandit = try #require(tallies.first { $0.variant == "bandit" })
    #expect(control.impressions == 1 && control.clicks == 0 && control.orderValues.isEmpty)
    #expect(bandit.impressions == 2 && bandit.sessions == 2 && bandit.clicks == 1)
    #expect(bandit.orderValues == [9.5])
    let replay = try await store.replayLog(limit: 100_000).filter { $0.impression.experimentID == id }
    #expect(replay.count == 3)
    #expect(replay.first { $0.impression.recommendationID == r2 }?.reward == 3)
    #expect(replay.first { $0.impression.recommendationID == r3 }?.reward == 0)
    // The experiment's log, oldest first (ties by recommendation id), leaves with an erased user.
    #expect(try await store.impressions(experiment: id).map(\.recommendationID) == [r1, r2, r3].sorted())
    #expect(try await store.impressions(experiment: unique("exp")).isEmpty)
    _ = try await store.deleteUser(user)
    #expect(try await store.impressions(experiment: id).isEmpty)
    await store.close()
  }

  @Test(arguments: Driver.available)
  func recommendationListsCountEveryItemAndAreErasedWithTheirUser(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let id = unique("exp")
    let (alice, bob) = (unique("u"), unique("u"))
    // Ids in the server's layout: 28 shared characters, then eight hex digits of the sequence.
    func listID() -> String {
      let hex = UUID().uuidString.lowercased()
      return String(hex.prefix(RecommendationList.idPrefixLength))
    }
    let shown = RecommendationList(
      id: listID(), firstSequence: 0xFFFF_FFFE, experimentID: id, variant: "ease", user: alice,
      items: ["a", "b", "c"], modelVersion: 2, timestamp: 100)
    let other = RecommendationList(
      id: listID(), firstSequence: 7, experimentID: id, variant: "freq", user: bob, items: ["a", "d"],
      modelVersion: nil, timestamp: 101)
    try await store.recordRecommendationLists([shown, other])
    try await store.recordRecommendationLists([shown])  // idempotent
    #expect(try await store.recommendationList(id: shown.id) == shown)
    #expect(try await store.recommendationList(id: other.id) == other)
    #expect(shown.itemID(at: 2).hasSuffix("00000000"))  // the sequence wraps at 2³²
    #expect(shown.position(of: shown.itemID(at: 1)) == 1 && other.position(of: shown.itemID(at: 1)) == nil)
    _ = try await store.append([
      event(unique("e"), user: alice, item: "b", type: .view, rec: shown.itemID(at: 1)),
      event(unique("e"), user: alice, item: "b", rec: shown.itemID(at: 1), price: 4),
      event(unique("e"), user: alice, item: "c", rec: shown.itemID(at: 2), price: 6),
      event(unique("e"), user: bob, item: "z", rec: unique("not-a-list-id")),
    ])
    let tallies = try await store.tallies(experiment: id)
    let ease = try #require(tallies.first { $0.variant == "ease" })
    let freq = try #require(tallies.first { $0.variant == "freq" })
    #expect(ease.impressions == 3 && ease.sessions == 1 && ease.clicks == 1)
    #expect(ease.orderValues.sorted() == [4, 6])
    #expect(freq.impressions == 2 && freq.clicks == 0 && freq.orderValues.isEmpty)
    let receipt = try await store.deleteUser(alice)
    #expect(receipt.impressionsRemoved == 3)
    #expect(try await store.recommendationList(id: shown.id) == nil)
    #expect(try await store.recommendationList(id: other.id) == other)
    await store.close()
  }

  /// The bundle offers of one response are one row, and read back everywhere as the impressions they stand for:
  /// by id, in an experiment's impressions and tallies, in the replay log with the margin a purchase of an offer
  /// earned; erasure removes them with their user.
  @Test(arguments: Driver.available)
  func offerListsReadBackAsTheirImpressions(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let experiment = Experiment(
      id: unique("exp"), name: "offers",
      variants: [
        ExperimentVariant(name: "bandit", weight: 1, policy: "bandit"),
        ExperimentVariant(name: "fixed", weight: 1, policy: "fixed", discount: 0.1),
      ], start: 0, createdAt: 1)
    try await store.createExperiment(experiment)
    let (erin, frank) = (unique("erin"), unique("frank"))
    func listID() -> String { String(UUID().uuidString.lowercased().prefix(RecommendationList.idPrefixLength)) }
    // Keys with characters the stored text must escape; the first list's sequence numbers wrap at 2³².
    let shown = OfferList(
      id: listID(), firstSequence: 0xFFFF_FFFF, experimentID: experiment.id, variant: "bandit", user: erin,
      session: "s-1", kind: "bundle",
      offers: [
        .init(key: "a+b", arm: 2, discount: 0.1, price: 17.99, margin: 6.25, propensity: 0.4),
        .init(key: "q\"uote+back\\slash", arm: 0, discount: 0, price: 1.0 / 3, margin: 1e-7, propensity: 1),
      ], timestamp: 2_000_000_000)
    let other = OfferList(
      id: listID(), firstSequence: 40, experimentID: experiment.id, variant: "fixed", user: frank, session: frank,
      kind: "bundle", offers: [.init(key: "c+d", arm: -1, discount: 0.1, price: 9, margin: 2, propensity: 1)],
      timestamp: 2_000_000_100)
    try await store.recordOfferLists([shown, other])
    try await store.recordOfferLists([shown])  // idempotent
    #expect(shown.offerID(at: 1).hasSuffix("00000000"))
    for (position, expected) in shown.impressions.enumerated() {
      #expect(try await store.impression(id: shown.offerID(at: position)) == expected)
    }
    #expect(try await store.impression(id: shown.offerID(at: 2)) == nil)  // past the list's end
    // Oldest first, ties by id: the wrapped sequence's id ("…00000000") sorts before the first offer's.
    let shownByID = shown.impressions.sorted { $0.recommendationID < $1.recommendationID }
    #expect(shownByID.map(\.key) == [shown.offers[1].key, shown.offers[0].key])
    #expect(try await store.impressions(experiment: experiment.id) == shownByID + other.impressions)
    _ = try await store.append([
      event(unique("e"), user: erin, item: "a", type: .view, rec: shown.offerID(at: 0)),
      event(unique("e"), user: erin, item: "a", rec: shown.offerID(at: 0), price: 12),
    ])
    let tallies = try await store.tallies(experiment: experiment.id)
    let bandit = try #require(tallies.first { $0.variant == "bandit" })
    let fixed = try #require(tallies.first { $0.variant == "fixed" })
    #expect(bandit.impressions == 2 && bandit.sessions == 1 && bandit.clicks == 1 && bandit.orderValues == [12])
    #expect(fixed.impressions == 1 && fixed.clicks == 0 && fixed.orderValues.isEmpty)
    let log = try await store.replayLog(limit: 1_000)
    let ours = log.filter { $0.impression.user == erin || $0.impression.user == frank }
    #expect(ours.map(\.impression) == other.impressions + shownByID)  // newest first
    #expect(ours.map(\.reward) == [0, 0, 6.25])
    #expect(try await store.deleteUser(erin).impressionsRemoved == 2)
    #expect(try await store.impression(id: shown.offerID(at: 0)) == nil)
    #expect(try await store.impressions(experiment: experiment.id) == other.impressions)
    await store.close()
  }

  /// Erasure finds a user's offers through the days they have any (no per-user index on the offers): every
  /// impression and list of the user goes, on every day, and another user's on the same days stay.
  @Test(arguments: Driver.available)
  func erasureRemovesOffersOnEveryDayAndOnlyTheUsers(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let (carol, dave) = (unique("carol"), unique("dave"))
    // Days apart, including both edges of one day.
    let day: Int64 = 86_400
    let times: [Int64] = [20_000 * day, 20_000 * day + day - 1, 20_003 * day + 5, 20_010 * day]
    func impression(_ user: String, _ time: Int64) -> Impression {
      Impression(
        recommendationID: unique("r"), experimentID: nil, variant: nil, user: user, session: user, kind: "bundle",
        key: "a+b", arm: 0, discount: 0, price: 9, margin: 3, propensity: 1, timestamp: time)
    }
    let carols = times.map { impression(carol, $0) }
    let daves = times.map { impression(dave, $0) }
    try await store.recordImpressions(carols + daves)
    let lists = times.map { time in
      RecommendationList(
        id: String(UUID().uuidString.lowercased().prefix(RecommendationList.idPrefixLength)), firstSequence: 0,
        experimentID: nil, variant: nil, user: carol, items: ["a", "b"], modelVersion: nil, timestamp: time)
    }
    try await store.recordRecommendationLists(lists)
    let receipt = try await store.deleteUser(carol)
    #expect(receipt.impressionsRemoved == carols.count + 2 * lists.count)
    for gone in carols { #expect(try await store.impression(id: gone.recommendationID) == nil) }
    for list in lists { #expect(try await store.recommendationList(id: list.id) == nil) }
    for kept in daves { #expect(try await store.impression(id: kept.recommendationID) != nil) }
    #expect(try await store.deleteUser(carol).impressionsRemoved == 0)
    #expect(try await store.deleteUser(dave).impressionsRemoved == daves.count)
    await store.close()
  }

  @Test(arguments: Driver.available)
  func banditCountsAreAdditive(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let key = unique("a+b")
    try await store.addBanditCounts([BanditArmRecord(key: key, arm: 1, trials: 3, successes: 1, rewardSum: 2.5)])
    try await store.addBanditCounts([BanditArmRecord(key: key, arm: 1, trials: 2, successes: 1, rewardSum: 1.5)])
    let record = try await store.banditCounts().first { $0.key == key }
    #expect(record == BanditArmRecord(key: key, arm: 1, trials: 5, successes: 2, rewardSum: 4))
    #expect(await store.ping())
    await store.close()
  }

  @Test(arguments: Driver.available)
  func changeFeedRecordsPurchasesCatalogWritesAndErasures(driver: Driver) async throws {
    let store = try await driver.makeStore()
    let start = try await store.liveState().sequence
    let (user, other) = (unique("u"), unique("u"))
    let (a, b, id) = (unique("a"), unique("b"), unique("item"))
    let outcome = try await store.append([
      event(unique("e"), user: user, item: a), event(unique("e"), user: user, item: b),
      event(unique("e"), user: user, item: b),  // no delta, no change
      event(unique("e"), user: user, item: a, type: .view),  // not a purchase: no change
      event(unique("e"), user: other, item: a),
    ])
    let purchases = outcome.deltas.map(\.sequence)
    #expect(purchases.count == 3 && purchases.allSatisfy { $0 > start } && purchases == purchases.sorted())
    let item = CatalogItem(id: id, title: "Mug", price: 4)
    let put = try await store.putItem(item)
    #expect(put > purchases.last ?? 0)
    #expect(try await store.deleteItem(id: id))

    // Other suites may write to the shared PostgreSQL database meanwhile: look at ours only.
    func ours(_ changes: [StoreChange]) -> [StoreChange] {
      changes.filter { change in
        switch change.kind {
        case .purchase(let delta): [a, b].contains(delta.item)
        case .item(let key, _): key == id
        case .userErased(let erased, _): erased == user
        case .erasedPurchase: purchases.contains(change.sequence)
        }
      }
    }
    let before = try await store.changes(after: start, limit: 10_000)
    #expect(before.complete)
    let feed = ours(before.changes)
    #expect(feed.count == 5)
    #expect(feed.prefix(3).map(\.sequence) == purchases)
    #expect(feed[0].kind == .purchase(BasketDelta(item: a, partners: [], newBasket: true, sequence: purchases[0])))
    #expect(feed[1].kind == .purchase(BasketDelta(item: b, partners: [a], newBasket: false, sequence: purchases[1])))
    #expect(feed[3] == StoreChange(sequence: put, kind: .item(id: id, item: item)))
    #expect(feed[4].kind == .item(id: id, item: nil) && feed[4].sequence > put)
    // Pages: `limit` changes after the cursor, in order.
    let page = try await store.changes(after: start, limit: 2)
    #expect(page.changes.count == 2 && page.changes[0].sequence > start)
    #expect(page.changes[0].sequence < page.changes[1].sequence)
    let live = try await store.liveState()
    #expect(live.sequence >= feed[4].sequence)
    #expect(live.items.contains { $0.id == id } == false)
    #expect(live.cooccurrence.itemCounts[a] == 2)

    // Erasure: the user's purchases are redacted and the erasure lists their deltas.
    let receipt = try await store.deleteUser(user)
    #expect(receipt.changeSequence > feed[4].sequence)
    #expect(receipt.removedDeltas.map(\.sequence) == Array(purchases.prefix(2)))
    #expect(receipt.removedDeltas.map(\.item) == [a, b])
    let after = ours(try await store.changes(after: start, limit: 10_000).changes)
    #expect(after.count == 6)
    #expect(after[0].kind == .erasedPurchase(erasedBy: receipt.changeSequence))
    #expect(after[1].kind == .erasedPurchase(erasedBy: receipt.changeSequence))
    #expect(after[2].kind == feed[2].kind)  // the other user's purchase stays
    #expect(
      after[5]
        == StoreChange(sequence: receipt.changeSequence, kind: .userErased(user: user, deltas: receipt.removedDeltas)))
    #expect(try await store.liveState().sequence >= receipt.changeSequence)
    await store.close()
  }

  @Test func sqliteChangeFeedPruning() async throws {
    let store = try await Driver.sqlite.makeStore()
    _ = try await store.append([event("e1", user: "u", item: "a"), event("e2", user: "u", item: "b")])
    try await store.putItem(CatalogItem(id: "a", price: 1))
    let newest = try await store.liveState().sequence
    #expect(newest == 3)
    // Nothing is older than a timestamp in the past.
    #expect(try await store.pruneChanges(before: 0) == 0)
    #expect(try await store.changes(after: 0, limit: 10).complete)
    #expect(try await store.pruneChanges(before: Int64(Date().timeIntervalSince1970) + 10) == 3)
    // A reader behind the pruned changes must reload; one at the newest reads on.
    #expect(try await store.changes(after: 0, limit: 10).complete == false)
    #expect(try await store.changes(after: newest, limit: 10) == ChangeBatch(changes: [], complete: true))
    #expect(try await store.liveState().sequence == newest)
    // A purchase into the same basket after the prune; the erasure then lists the pruned part with sequence 0.
    let outcome = try await store.append([event("e3", user: "u", item: "c")])
    #expect(outcome.deltas.map(\.sequence) == [newest + 1])
    let receipt = try await store.deleteUser("u")
    #expect(
      receipt.removedDeltas == [
        BasketDelta(item: "a", partners: [], newBasket: true, sequence: 0),
        BasketDelta(item: "b", partners: ["a"], newBasket: false, sequence: 0),
        BasketDelta(item: "c", partners: ["a", "b"], newBasket: false, sequence: newest + 1),
      ])
    #expect(try await store.cooccurrence().baskets == 0)
    await store.close()
  }

  @Test func sqliteSurvivesReopen() async throws {
    let folder = try TestSupport.temporaryDirectory("store")
    let path = folder.appendingPathComponent("reopen.sqlite").path
    do {
      let store = try SQLiteStore(path: path)
      try await store.migrate()
      _ = try await store.append([event("e1", user: "u", item: "a")])
      await store.close()
    }
    let store = try SQLiteStore(path: path)
    try await store.migrate()
    #expect(try await store.event(id: "e1")?.item == "a")
    #expect(try await store.cooccurrence().itemCounts["a"] == 1)
    let settings = try await store.durabilitySettings()
    #expect(settings.journalMode == "wal")
    #expect(settings.synchronous == 2)
  }
}

@Suite struct PseudonymizerTests {
  @Test func pseudonymsAreStableKeyedAndNotTheRawID() {
    let a = Pseudonymizer(secret: "key-one")
    let b = Pseudonymizer(secret: "key-two")
    #expect(a.pseudonym("alice") == a.pseudonym("alice"))
    #expect(a.pseudonym("alice") != a.pseudonym("bob"))
    #expect(a.pseudonym("alice") != b.pseudonym("alice"))
    #expect(!a.pseudonym("alice").contains("alice"))
    // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?") = 5bdcc146bf60754e6a042426089575c7…
    #expect(
      Pseudonymizer(secret: "Jefe").pseudonym("what do ya want for nothing?") == "u_5bdcc146bf60754e6a042426089575c7")
    // Ids are hashed as UTF-8 (Python: hmac.new(b"k", "zoë".encode(), hashlib.sha256)).
    #expect(Pseudonymizer(secret: "k").pseudonym("zoë") == "u_c86b6f8d5ce7f258f00ea18b8a7113a6")
  }
}
