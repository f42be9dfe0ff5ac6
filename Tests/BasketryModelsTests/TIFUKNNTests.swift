import BasketryCore
import BasketryModels
import Testing

@Suite("TIFU-KNN")
struct TIFUKNNTests {
  /// Orders of `users` users over `items` items, 2…9 orders each of 1…5 items, one order per day.
  static func orders(users: Int = 30, items: Int = 25, seed: UInt64 = 3) -> Baskets {
    var rng = SplitMix64(seed: seed)
    var baskets = Baskets()
    for u in 0..<users {
      for o in 0..<(2 + Int(rng.next() % 8)) {
        let size = 1 + Int(rng.next() % 5)
        let lines = (0..<size).map { _ in Int32((u % 5) * 4 + Int(rng.next() % 10)) % Int32(items) }
        baskets.append(
          orderID: "\(u)-\(o)", user: Int32(u), timestamp: 1_700_000_000 + Int64(o) * 86_400, items: lines)
      }
    }
    return baskets
  }

  @Test("the user vector follows the paper's two-level decay")
  func handExample() throws {
    // Baskets [0], [1], [0, 1] with group size 2: groups {[0]} and {[1], [0, 1]};
    // g1 = e0, g2 = (0.5·e1 + (e0 + e1)) / 2, v = (0.5·g1 + g2) / 2 = 0.5·e0 + 0.375·e1.
    var baskets = Baskets()
    baskets.append(orderID: "a", user: 0, timestamp: 10, items: [0])
    baskets.append(orderID: "b", user: 0, timestamp: 20, items: [1])
    baskets.append(orderID: "c", user: 0, timestamp: 30, items: [0, 1, 0])
    baskets.append(orderID: "d", user: 1, timestamp: 10, items: [2])
    let data = InteractionBuilder().build(baskets: baskets, userCount: 2, itemCount: 3)
    var model = TIFUKNNRecommender(neighbours: 1, groupSize: 2, withinDecay: 0.5, groupDecay: 0.5, alpha: 1)
    try model.fit(data)
    #expect(try model.scores(user: 0) == [0.5, 0.375, 0])
    // α = 0.5: half the own vector plus half the single neighbour's (user 1: e2).
    var blended = TIFUKNNRecommender(neighbours: 1, groupSize: 2, withinDecay: 0.5, groupDecay: 0.5, alpha: 0.5)
    try blended.fit(data)
    #expect(try blended.scores(user: 0) == [0.25, 0.1875, 0.5])
  }

  @Test("fold-in of a user's orders equals their fit-time scores", arguments: TIFUKNNRecommender.Distance.allCases)
  func basketFoldInIsExact(_ distance: TIFUKNNRecommender.Distance) throws {
    let orders = Self.orders()
    let data = InteractionBuilder().build(baskets: orders, userCount: 30, itemCount: 25)
    var model = TIFUKNNRecommender(neighbours: 5, groupSize: 3, distance: distance)
    try model.fit(data)
    let sequences = try #require(data.baskets)
    for user in 0..<30 {
      let baskets = sequences.baskets(of: user).map { Array(sequences.items(ofBasket: $0)) }
      #expect(try model.scores(basketSequence: baskets) == model.scores(user: Int32(user)))
    }
  }

  @Test("history fold-in approximates the basket scores: same top items for most users")
  func historyFoldInIsClose() throws {
    let orders = Self.orders()
    let data = InteractionBuilder().build(baskets: orders, userCount: 30, itemCount: 25)
    var model = TIFUKNNRecommender(neighbours: 5, groupSize: 3)
    try model.fit(data)
    var overlap = 0
    for user in Int32(0)..<30 {
      let exact = topK(try model.scores(user: user), k: 5).map(\.item)
      let folded = topK(try model.scores(history: data.history(of: user), referenceTime: nil), k: 5).map(\.item)
      overlap += Set(exact).intersection(folded).count
    }
    #expect(overlap >= 30 * 5 * 7 / 10)
  }

  @Test("baskets rebuilt from a history spread counts over the baskets before the last day")
  func reconstruction() {
    let day: Int64 = 86_400
    let history = [
      HistoryEntry(item: 0, strength: 2, lastTime: 3 * day + 5),
      HistoryEntry(item: 1, strength: 1, lastTime: day),
      HistoryEntry(item: 2, strength: 1, lastTime: 3 * day),
    ]
    #expect(TIFUKNNRecommender.reconstructedBaskets(history) == [[0, 1], [0, 2]])
    #expect(TIFUKNNRecommender.reconstructedBaskets([HistoryEntry(item: 4, strength: 3)]) == [[4], [4], [4]])
  }

  @Test("invalid hyper-parameters throw")
  func invalid() {
    let data = InteractionBuilder().build(baskets: Self.orders(), userCount: 30, itemCount: 25)
    for bad in [
      TIFUKNNRecommender(neighbours: 0), TIFUKNNRecommender(groupSize: 0), TIFUKNNRecommender(withinDecay: 0),
      TIFUKNNRecommender(groupDecay: 1.5), TIFUKNNRecommender(alpha: -0.1),
    ] {
      var model = bad
      #expect(throws: ModelError.self) { try model.fit(data) }
    }
    #expect(throws: ModelError.self) {
      try TIFUKNNRecommender(parameters: ModelParameters(["distance": "manhattan"]))
    }
  }
}
