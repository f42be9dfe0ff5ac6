import BasketryCore
import BasketryStore
import Foundation
import Testing

@testable import BasketryServer

@Suite struct UserHistoryCacheTests {
  func event(_ id: String) -> StoredEvent {
    StoredEvent(
      eventID: id, user: "u", item: "i", type: .purchase, value: 1, price: nil, timestamp: 1, session: nil,
      recommendationID: nil)
  }

  @Test func entriesExpireAndInvalidationWins() async throws {
    let cache = UserHistoryCache(seconds: 0.2)
    #expect(cache.events(of: "u") == nil)
    let read = cache.beginRead()
    cache.store([event("a")], of: "u", read: read)
    #expect(cache.events(of: "u")?.map(\.eventID) == ["a"])
    // A write through this replica drops the entry at once.
    cache.invalidate(["u"])
    #expect(cache.events(of: "u") == nil)
    // A read that began before an invalidation is not remembered (it may predate the write).
    let early = cache.beginRead()
    cache.invalidate(["someone else"])
    cache.store([event("stale")], of: "u", read: early)
    #expect(cache.events(of: "u") == nil)
    // Entries expire after the lifetime.
    cache.store([event("b")], of: "u", read: cache.beginRead())
    #expect(cache.events(of: "u") != nil)
    try await Task.sleep(for: .milliseconds(300))
    #expect(cache.events(of: "u") == nil)
  }

  @Test func zeroSecondsDisablesTheCache() {
    let cache = UserHistoryCache(seconds: 0)
    cache.store([event("a")], of: "u", read: cache.beginRead())
    #expect(cache.events(of: "u") == nil)
  }
}
