import BasketryOnline
import BasketryStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import BasketryServer

@Suite struct ServingCacheTests {
  func itemsOfBundles(_ response: [String: Any]) -> [[String]] {
    (response["bundles"] as? [[String: Any]] ?? []).map { bundle in
      (bundle["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
  }

  @Test func cachedCandidatesFollowCatalogChangesAndEachOfferIsItsOwn() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      for id in ["mug", "tea", "spoon"] { try await client.putItem(id) }
      for user in ["u1", "u2", "u3"] { try await client.purchase(user, ["mug", "tea"], session: "s") }
      try await client.purchase("u4", ["mug", "spoon"], session: "s")
      let first = try json(try await client.send(.get, "/v1/bundles?item=mug&k=2", key: Keys.read))
      let second = try json(try await client.send(.get, "/v1/bundles?item=mug&k=2", key: Keys.read))
      #expect(itemsOfBundles(first).contains(["mug", "tea"]))
      // Same candidates, but a fresh recommendation id per offer and request.
      let ids = [first, second].flatMap {
        ($0["bundles"] as? [[String: Any]] ?? []).compactMap { $0["recommendation_id"] as? String }
      }
      #expect(ids.count == 4 && Set(ids).count == 4)
      // A catalog change reaches the next request (the cached list is dropped).
      try await client.putItem("tea", price: 10, cost: 5, hidden: true)
      let after = try json(try await client.send(.get, "/v1/bundles?item=mug&k=2", key: Keys.read))
      #expect(!itemsOfBundles(after).joined().contains("tea"))
      #expect(itemsOfBundles(after).contains(["mug", "spoon"]))
      // New co-occurrence counts too.
      try await client.putItem("cake")
      for user in ["u5", "u6", "u7", "u8"] { try await client.purchase(user, ["mug", "cake"], session: "s") }
      let counted = try json(try await client.send(.get, "/v1/bundles?item=mug&k=1", key: Keys.read))
      #expect(itemsOfBundles(counted) == [["cake", "mug"]])
    }
  }

  @Test func cacheEntriesAreDroppedWhenAnItemExpires() {
    var cache = CandidateCache()
    let key = CandidateKey(anchors: ["a"], cart: [], k: 3)
    let catalog = [
      "a": CatalogItem(id: "a", title: "A", price: 1, expiresAt: 200),
      "b": CatalogItem(id: "b", title: "B", price: 1),
    ]
    #expect(cache.lookup(key, now: 100, catalog: catalog) == nil)
    cache.store([], for: key)
    #expect(cache.lookup(key, now: 199, catalog: catalog) != nil)
    #expect(cache.lookup(key, now: 200, catalog: catalog) == nil)
    cache.store([], for: key)
    #expect(cache.lookup(key, now: 10_000, catalog: catalog) != nil)
    cache.invalidate()
    #expect(cache.lookup(key, now: 10_000, catalog: catalog) == nil)
  }

  @Test func recommendationIDsAreTimeOrderedUUIDs() {
    var early = RecommendationIDs(seed: 1, milliseconds: 1_700_000_000_000)
    var late = RecommendationIDs(seed: 1, milliseconds: 1_700_000_000_001)
    let a = early.next(sequence: 41)
    let b = early.next(sequence: 41)
    let c = late.next(sequence: 0x1_0000_0007)
    #expect(a != b)
    #expect(a.count == 36 && Array(a)[14] == "7" && "89ab".contains(Array(a)[19]))
    #expect(a.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
    #expect(a < c && b < c)
    // The id carries the low 32 bits of its impression's sequence number (its ring slot).
    #expect(RecommendationIDs.sequence(of: a) == 41 && RecommendationIDs.sequence(of: b) == 41)
    #expect(RecommendationIDs.sequence(of: c) == 7)
    #expect(RecommendationIDs.sequence(of: "not-a-uuid") == nil)
  }

  @Test func listIDsSharePrefixAndNumberTheirItems() {
    var ids = RecommendationIDs(seed: 3, milliseconds: 1_700_000_000_000)
    let list = ids.list(first: 0xFFFF_FFFF, count: 3)
    let stored = RecommendationList(
      id: list.prefix, firstSequence: 0xFFFF_FFFF, experimentID: nil, variant: nil, user: "u", items: ["a", "b", "c"],
      modelVersion: nil, timestamp: 0)
    #expect(list.prefix.count == RecommendationList.idPrefixLength)
    #expect(list.ids.allSatisfy { $0.hasPrefix(list.prefix) && $0.count == 36 })
    #expect(list.ids == (0..<3).map { stored.itemID(at: $0) })
    #expect(list.ids.map { stored.position(of: $0) } == [0, 1, 2])
    #expect(Set(list.ids).count == 3)
    let next = ids.list(first: 2, count: 1)
    #expect(next.prefix != list.prefix)
  }

  @Test func failedFlushesAreRequeuedWithinTheBufferCapacity() {
    var state = EngineState(bandit: ThompsonDiscountBandit(), seed: 1)
    state.pendingCapacity = 5
    func impression(_ id: String) -> Impression {
      Impression(
        recommendationID: id, experimentID: nil, variant: nil, user: "u", session: "s", kind: "bundle", key: "a+b",
        arm: 1, discount: 0.1, price: 9, margin: 3, propensity: 0.5, timestamp: 0)
    }
    state.remember(impression("new"), sequence: 9)
    state.addArm(key: "a+b", arm: 1, trials: 1, successes: 0, reward: 0)
    // A flush that failed: its impressions go back before the newer one, its arm counts add up.
    let dropped = state.requeue(
      impressions: [impression("old1"), impression("old2")], lists: [],
      arms: [BanditArmRecord(key: "a+b", arm: 1, trials: 2, successes: 1, rewardSum: 3)])
    #expect(dropped == 0)
    #expect(state.pendingImpressions.map(\.recommendationID) == ["old1", "old2", "new"])
    #expect(state.pendingArms[ArmID(key: "a+b", arm: 1)]?.trials == 3)
    #expect(state.pendingArms[ArmID(key: "a+b", arm: 1)]?.rewardSum == 3)
    // Beyond the capacity the oldest go.
    let more = state.requeue(
      impressions: (1...4).map { impression("older\($0)") }, lists: [], arms: [])
    #expect(more == 2)
    #expect(state.pendingImpressions.map(\.recommendationID) == ["older3", "older4", "old1", "old2", "new"])
    for n in 0..<3 { state.remember(impression("next\(n)"), sequence: UInt64(10 + n)) }
    #expect(state.pendingImpressions.count == 5 && state.droppedPending == 3)
    #expect(state.pendingImpressions.last?.recommendationID == "next2")
  }

  @Test func recentImpressionsAreFoundByTheirIDsSlot() {
    var state = EngineState(bandit: ThompsonDiscountBandit(), seed: 1)
    var ids = RecommendationIDs(seed: 2)
    func impression(_ id: String, user: String = "u") -> Impression {
      Impression(
        recommendationID: id, experimentID: nil, variant: nil, user: user, session: "s", kind: "bundle", key: "a+b",
        arm: 1, discount: 0.1, price: 9, margin: 3, propensity: 0.5, timestamp: 0)
    }
    let first = state.reserveRecent(2)
    let one = ids.next(sequence: first)
    let two = ids.next(sequence: first + 1)
    state.remember(impression(one), sequence: first)
    state.remember(impression(two, user: "v"), sequence: first + 1)
    #expect(state.recent(one)?.recommendationID == one)
    #expect(state.recent(two)?.user == "v")
    // An id of the same slot but another request (e.g. another replica's) is not confused with ours.
    var other = RecommendationIDs(seed: 3)
    #expect(state.recent(other.next(sequence: first)) == nil)
    // A full lap of the ring evicts the slot.
    let lap = first + UInt64(EngineState.recentCapacity)
    state.remember(impression(ids.next(sequence: lap)), sequence: lap)
    #expect(state.recent(one) == nil)
    #expect(state.recent(two) != nil)
    state.forgetRecent(user: "v")
    #expect(state.recent(two) == nil)
    #expect(state.pendingImpressions.count == 3)
  }
}
