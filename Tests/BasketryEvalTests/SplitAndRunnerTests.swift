import BasketryCore
import BasketryEval
import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// A tiny shop: 3 users, 5 items, orders on days 1…6.
func tinyDataset() -> Dataset {
  var dataset = Dataset()
  for code in ["a", "b", "c", "d", "e"] { dataset.catalog.intern(code) }
  for user in ["u0", "u1", "u2"] { dataset.users.intern(user) }
  let day: Int64 = 86_400
  dataset.baskets.append(orderID: "1", user: 0, timestamp: 1 * day, items: [0, 1])
  dataset.baskets.append(orderID: "2", user: 0, timestamp: 2 * day, items: [0, 2])
  dataset.baskets.append(orderID: "3", user: 1, timestamp: 2 * day, items: [1, 2, 2])
  dataset.baskets.append(orderID: "4", user: 0, timestamp: 5 * day, items: [3, 0])
  dataset.baskets.append(orderID: "5", user: 1, timestamp: 6 * day, items: [4])
  dataset.baskets.append(orderID: "6", user: 2, timestamp: 6 * day, items: [1])
  dataset.events = [
    Event(user: 2, item: 3, type: .view, timestamp: 1 * day),
    Event(user: 2, item: 3, type: .cart, timestamp: 1 * day),
    Event(user: 1, item: 1, type: .return, timestamp: 3 * day),
    Event(user: 1, item: 4, type: .view, timestamp: 7 * day),
  ]
  return dataset
}

@Suite("Interaction builder, splits and the evaluation runner")
struct SplitAndRunnerTests {
  func value(_ m: InteractionMatrix, _ user: Int, _ item: Int32) -> Float? {
    let row = m.matrix.row(user)
    guard let index = row.columns.firstIndex(of: item) else { return nil }
    return row.values[index]
  }

  @Test("strength = distinct orders · purchase weight + event weights; returns cancel, ≤ 0 dropped")
  func builder() {
    let m = InteractionBuilder().build(tinyDataset())
    #expect(value(m, 0, 0) == 3)  // item a in 3 orders of u0
    #expect(value(m, 1, 2) == 1)  // c twice in one order counts once
    #expect(value(m, 1, 1) == nil)  // bought once (1) then returned (−1) → 0, dropped
    #expect(abs((value(m, 2, 3) ?? 0) - 0.4) < 1e-6)  // view 0.1 + cart 0.3
    #expect(m.referenceTime == Int64(7 * 86_400))
    let quantity = InteractionBuilder(weights: InteractionWeights(purchaseCounting: .quantity)).build(tinyDataset())
    #expect(value(quantity, 1, 2) == 2)
    let binary = InteractionBuilder(weights: InteractionWeights(transform: .binary)).build(tinyDataset())
    #expect(binary.matrix.values.allSatisfy { $0 == 1 })
  }

  @Test("temporal split: no future in training")
  func temporal() {
    let dataset = tinyDataset()
    let split = Splitter.temporal(dataset, cutoff: 4 * 86_400)
    #expect(split.train.count == 3 && split.test.count == 3)
    #expect(split.train.timestamps.allSatisfy { $0 < 4 * 86_400 })
    #expect(split.trainEvents.count == 3)
    let all = split.task(dataset, name: "tiny")
    // Training: u0 {a, b, c}, u1 {c} (b bought then returned), u2 {d} (view + cart).
    // Test: u0 → {d, a}; u1 → {e}, never seen in training so not rankable → user dropped; u2 → {b}.
    #expect(all.users == [0, 2])
    #expect(all.targets == [[0, 3], [1]])
    #expect(all.mask == nil)
    let fresh = split.task(dataset, name: "tiny", newItemsOnly: true)
    #expect(fresh.users == [0, 2])
    #expect(fresh.targets == [[3], [1]])
    #expect(fresh.mask != nil)
    let validation = Splitter.temporalValidation(dataset, cutoff: 4 * 86_400, days: 2)
    #expect(validation.train.count == 1 && validation.test.count == 2)
  }

  @Test("next basket: each user's last order is the target")
  func nextBasket() {
    let dataset = tinyDataset()
    let split = Splitter.nextBasket(dataset)
    #expect(split.test.orderIDs.sorted() == ["4", "5"])
    #expect(split.train.orderIDs.sorted() == ["1", "2", "3", "6"])
    // The event of u1 after their last order (day 7) is not training data.
    #expect(!split.trainEvents.contains { $0.user == 1 && $0.timestamp == 7 * 86_400 })
    let validation = Splitter.nextBasket(dataset, validation: true)
    #expect(validation.test.orderIDs == ["2"])
  }

  @Test("leave-n-out holds out n items per user and masks the rest")
  func leaveNOut() {
    let m = InteractionBuilder().build(tinyDataset())
    let task = Splitter.leaveNOut(m, n: 1, seed: 3, dataset: "tiny")
    #expect(task.users == [0, 1, 2])
    for (user, target) in zip(task.users, task.targets) {
      #expect(target.count == 1)
      #expect(!task.train.items(of: user).contains(target[0]))
      #expect(task.train.items(of: user).count == m.items(of: user).count - 1)
    }
    #expect(Splitter.leaveNOut(m, n: 1, seed: 3, dataset: "tiny").targets == task.targets)
  }

  @Test("runner: masks, candidate limit, metrics and a popularity row")
  func runner() throws {
    // 4 users × 6 items; items 4, 5 are extra columns never ranked (candidateCount 4).
    let train = InteractionBuilder.matrix(
      pairs: [(0, 0, 1), (1, 0, 1), (2, 0, 1), (1, 1, 1), (2, 1, 1), (3, 2, 1), (0, 5, 9), (1, 5, 9)],
      userCount: 4, itemCount: 6)
    let task = EvaluationTask(
      dataset: "toy", split: "manual", train: train, users: [0, 3], targets: [[1], [0]], mask: train.matrix,
      candidateCount: 4)
    let evaluator = Evaluator(ks: [1, 2], threads: 2)
    let lists = try evaluator.rank(PopularityRecommender().fitted(train), task: task)
    // Popularity: 5 (excluded by candidateCount), 0 (3 users), 1 (2), 2 (1). User 0 has seen 0 → [1, 2].
    #expect(lists == [[1, 2], [0, 1]])
    let board = try evaluator.leaderboard(
      [EvaluationEntry(label: "freq", model: PersonalFrequencyRecommender())], task: task)
    #expect(board.results.map(\.model) == ["pop", "freq"])
    let pop = board.results[0].metrics
    #expect(pop["recall@1"] == 1)
    #expect(pop["hit@2"] == 1)
    #expect(pop["precision@2"] == 0.5)
    #expect(pop["coverage@2"] == 0.75)
    let json = try JSONSerialization.jsonObject(with: board.jsonData()) as? [String: Any]
    #expect(json?["dataset"] as? String == "toy")
    let results = json?["results"] as? [[String: Any]]
    #expect(results?.first?["fit_seconds"] is Double)
    #expect((results?.first?["metrics"] as? [String: Double])?["ndcg@1"] == 1)
    #expect(board.table().contains("recall@1"))
  }
}

extension Recommender {
  func fitted(_ data: InteractionMatrix) throws -> Self {
    var copy = self
    try copy.fit(data)
    return copy
  }
}
