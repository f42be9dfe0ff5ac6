import BasketryCore
import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// Relative tolerances (‖a − b‖∞ ≤ tol · ‖b‖∞) between ALS fold-in and the fit-time scores of the same user.
enum ALSFoldInTolerance {
  /// The conformance fixture: 8 factors, 5 sweeps, conjugate gradient (far from converged; measured up to 0.19).
  static let conformance: Float = 0.3
  /// Converged: 60 sweeps with the exact (Cholesky) solver (measured up to 1.8e-3).
  static let converged: Float = 5e-3
}

@Suite("Fold-in")
struct FoldInTests {
  // MARK: - Histories from raw data

  /// Orders (with repeated items, quantities and missing times) and events for a few users.
  static func rawData(seed: UInt64) -> (baskets: Baskets, events: [Event]) {
    var rng = SplitMix64(seed: seed)
    var baskets = Baskets()
    let start: Int64 = 1_700_000_000
    for order in 0..<120 {
      let user = Int32(rng.next() % 6)
      let lines = (0..<(1 + Int(rng.next() % 5))).map { _ in
        (item: Int32(rng.next() % 25), quantity: Double(1 + rng.next() % 3), unitPrice: 2.5)
      }
      let time = rng.nextUnit() < 0.1 ? Baskets.noTime : start + Int64(order) * 3_600
      baskets.append(orderID: "o\(order)", user: user, timestamp: time, lines: lines)
    }
    let types: [EventType] = [.view, .cart, .return, "wishlist", .purchase]
    let events = (0..<200).map { k in
      Event(
        user: Int32(rng.next() % 6), item: Int32(rng.next() % 27), type: types[Int(rng.next() % 5)],
        timestamp: start + Int64(k) * 1_800)
    }
    return (baskets, events)
  }

  static let weightings: [InteractionWeights] = [
    .default,
    InteractionWeights(custom: ["wishlist": 0.2], purchaseCounting: .quantity, transform: .log1p),
    InteractionWeights(purchaseCounting: .binary, minimumStrength: 0.5, transform: .binary),
  ]

  @Test("a user's history from raw data equals their row of the built matrix", arguments: weightings)
  func historyEqualsBuiltRow(_ weights: InteractionWeights) throws {
    let builder = InteractionBuilder(weights: weights)
    let (baskets, events) = Self.rawData(seed: 3)
    let itemCount = 25  // events on items 25 and 26 are out of range and skipped by both
    let matrix = builder.build(baskets: baskets, events: events, userCount: 6, itemCount: itemCount)
    for user in Int32(0)..<6 {
      let orders = baskets.filter { baskets.users[$0] == user }
      let own = events.filter { $0.user == user }
      #expect(builder.history(baskets: orders, events: own, itemCount: itemCount) == matrix.history(of: user))
      var purchases: [(item: Int32, order: Int64, quantity: Double, time: Int64)] = []
      for b in 0..<orders.count {
        for line in orders.lineRange(b) {
          purchases.append((orders.items[line], Int64(b), orders.quantities[line], orders.timestamps[b]))
        }
      }
      #expect(builder.history(purchases: purchases, events: own, itemCount: itemCount) == matrix.history(of: user))
    }
  }

  @Test("appending an order to a user's training history gives the row built from the extended data")
  func appendedOrderMatchesRebuild() throws {
    let builder = InteractionBuilder()
    let (baskets, events) = Self.rawData(seed: 9)
    let user: Int32 = 2
    var extended = baskets
    extended.append(orderID: "new", user: user, timestamp: 1_800_000_000, items: [3, 3, 24, 7])
    let rebuilt = builder.build(baskets: extended, events: events, userCount: 6, itemCount: 25)
    let orders = extended.filter { extended.users[$0] == user }
    let history = builder.history(baskets: orders, events: events.filter { $0.user == user }, itemCount: 25)
    #expect(history == rebuilt.history(of: user))
    // The grown history scores as the refitted matrix's row would through fold-in.
    var model = ItemKNNRecommender(neighbours: 10)
    try model.fit(builder.build(baskets: baskets, events: events, userCount: 6, itemCount: 25))
    #expect(
      try model.scores(history: history, referenceTime: nil)
        == model.scores(history: rebuilt.history(of: user), referenceTime: nil))
  }

  @Test("a matrix without times gives histories with unknown times")
  func historyWithoutTimes() {
    let matrix = InteractionBuilder.matrix(pairs: [(0, 3, 2), (0, 1, 1), (1, 2, 1)], userCount: 2, itemCount: 4)
    #expect(
      matrix.history(of: 0) == [HistoryEntry(item: 1, strength: 1), HistoryEntry(item: 3, strength: 2)])
    #expect(matrix.history(of: 5).isEmpty)
  }

  // MARK: - Time decay

  @Test("time-decayed models decay from the given reference time")
  func referenceTime() throws {
    let data = ModelFixtures.interactions()
    let now = try #require(data.referenceTime)
    let history = [HistoryEntry(item: 4, strength: 2, lastTime: now - 20 * 86_400)]
    var frequency = PersonalFrequencyRecommender(halfLifeDays: 20)
    try frequency.fit(data)
    let popularity = try frequency.scores(history: [], referenceTime: nil)
    let atFit = try frequency.scores(history: history, referenceTime: nil)
    #expect(abs(atFit[4] - (1 + 2 * 0.5 + 1e-3 * popularity[4])) < 1e-6)  // one half-life old
    let later = try frequency.scores(history: history, referenceTime: now + 20 * 86_400)
    #expect(abs((atFit[4] - later[4]) - 0.5) < 1e-5)  // 2·2^(−1) − 2·2^(−2)
    var knn = ItemKNNRecommender(similarity: .cooccurrence, neighbours: 10, halfLifeDays: 20)
    try knn.fit(data)
    let knnAtFit = try knn.scores(history: history, referenceTime: nil)
    let knnLater = try knn.scores(history: history, referenceTime: now + 20 * 86_400)
    for (a, b) in zip(knnAtFit, knnLater) { #expect(abs(b - a / 2) <= 1e-6 * max(1, abs(a))) }
    let undated = try knn.scores(history: [HistoryEntry(item: 4, strength: 2)], referenceTime: now + 999_999)
    #expect(
      undated == (try knn.scores(history: [HistoryEntry(item: 4, strength: 2, lastTime: now)], referenceTime: nil)))
  }

  // MARK: - Factor models

  @Test("ALS fold-in converges to the fit-time scores")
  func alsConverged() throws {
    let data = PlantedData(users: 60, items: 30, groups: 3)
    var model = ImplicitALS(
      configuration: .init(
        factors: 6, regularization: 0.5, iterations: 60, confidence: .linear(alpha: 2), solver: .cholesky))
    try model.fit(data.train)
    for user in Int32(0)..<Int32(data.train.userCount) {
      let folded = try model.scores(history: data.train.history(of: user), referenceTime: nil)
      let expected = try model.scores(user: user)
      let error = zip(folded, expected).map { abs($0 - $1) }.max() ?? 0
      let scale = expected.map { abs($0) }.max() ?? 0
      #expect(error <= ALSFoldInTolerance.converged * scale, "user \(user): \(error) vs \(scale)")
    }
    // The tuple overload and the history overload solve the same system.
    let row = data.train.history(of: 5)
    #expect(
      try model.scores(history: row.map { (item: $0.item, strength: $0.strength) })
        == model.scores(history: row, referenceTime: nil))
  }

  @Test("BPR fold-in ranks a fit-time user's own group first")
  func bprFoldInRanking() throws {
    let data = PlantedData(users: 120, items: 60, groups: 4)
    var model = BPR(configuration: .init(factors: 16, epochs: 40, seed: 5))
    try model.fit(data.train)
    var hits = 0
    var total = 0
    for user in Int32(0)..<Int32(data.train.userCount) {
      let history = data.train.history(of: user)
      let folded = try model.scores(history: history, referenceTime: nil)
      let seen = Set(history.map(\.item))
      let top = topK(folded, k: 5) { !seen.contains($0) }
      hits += top.filter { Int($0.item) / data.itemsPerGroup == data.groupOfUser[Int(user)] }.count
      total += top.count
      #expect(try model.userFactors(history: history) == model.userFactors(history: history))
    }
    #expect(Double(hits) / Double(total) > 0.6, "in-group share \(hits)/\(total)")
  }

}
