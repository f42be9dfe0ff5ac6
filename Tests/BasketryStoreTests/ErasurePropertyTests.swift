import BasketryCore
import BasketryStore
import BasketryStoreSQLite
import PropertyBased
import Testing

/// Erasing a user leaves the co-occurrence counts exactly as if that user's events had never been appended: for
/// any events of three users over five items (purchases, views and carts, in two sessions, appended in batches),
/// `deleteUser` on one store equals a replay of the other users' events into a fresh store.
@Suite struct ErasurePropertyTests {
  /// One event, encoded as a number so generated histories shrink towards small, simple ones.
  struct GeneratedEvent: Sendable {
    var user: Int
    var item: Int
    var type: EventType
    var session: Int
    var timestamp: Int64

    init(code: Int) {
      var rest = code
      func take(_ count: Int) -> Int {
        defer { rest /= count }
        return rest % count
      }
      user = take(3)
      item = take(5)
      type = [EventType.purchase, .purchase, .view, .cart][take(4)]
      session = take(2)
      timestamp = Int64(100 + take(4))
    }
  }

  static let history = Gen.int(in: 0...(3 * 5 * 4 * 2 * 4 - 1)).map(GeneratedEvent.init(code:)).array(of: 0...24)

  static func stored(_ events: [GeneratedEvent], ids: [Int]) -> [StoredEvent] {
    zip(events, ids).map { event, id in
      StoredEvent(
        eventID: "e\(id)", user: "user\(event.user)", item: "item\(event.item)", type: event.type, price: 2,
        timestamp: event.timestamp, session: "s\(event.session)")
    }
  }

  static func append(_ events: [StoredEvent], to store: any Store, batch: Int) async throws {
    var start = 0
    while start < events.count {
      _ = try await store.append(Array(events[start..<min(start + batch, events.count)]))
      start += batch
    }
  }

  static func normalised(_ snapshot: CooccurrenceSnapshot) -> (Int, [String: Int], Set<PairCount>) {
    (snapshot.baskets, snapshot.itemCounts, Set(snapshot.pairs))
  }

  @Test func erasureEqualsReplayWithoutTheUser() async {
    await propertyCheck(count: 60, input: Self.history, Gen.int(in: 1...5)) { events, batch in
      let all = Self.stored(events, ids: Array(events.indices))
      let kept = all.filter { $0.user != "user0" }

      let erased = try await Driver.sqlite.makeStore()
      try await Self.append(all, to: erased, batch: batch)
      let receipt = try await erased.deleteUser("user0")
      #expect(receipt.eventsRemoved == all.count - kept.count)

      let replayed = try await Driver.sqlite.makeStore()
      try await Self.append(kept, to: replayed, batch: batch)

      let (erasedBaskets, erasedItems, erasedPairs) = Self.normalised(try await erased.cooccurrence())
      let (replayedBaskets, replayedItems, replayedPairs) = Self.normalised(try await replayed.cooccurrence())
      #expect(erasedBaskets == replayedBaskets)
      #expect(erasedItems == replayedItems)
      #expect(erasedPairs == replayedPairs)
      #expect(try await erased.events(user: "user0").isEmpty)
      await erased.close()
      await replayed.close()
    }
  }
}
