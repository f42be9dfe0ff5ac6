import BasketryCore
import BasketryEval
import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("Ranked lists written by the evaluator")
struct RankingsFileTests {
  @Test("Recall@20 recomputed from the written files equals the leaderboard's")
  func recallFromFiles() throws {
    let dataset = SyntheticShops.repeatBuyers(seed: 11)
    let cutoff = 90 * SyntheticShops.day
    let task = Splitter.temporal(dataset, cutoff: cutoff).task(dataset, name: "synthetic")
    let entries = [
      EvaluationEntry(label: "freq", model: PersonalFrequencyRecommender()),
      EvaluationEntry(label: "itemknn", model: ItemKNNRecommender(similarity: .bm25, neighbours: 20)),
    ]
    let run = try Evaluator(ks: [10, 20]).run(entries, task: task)
    let folder = try TestSupport.temporaryDirectory("rankings")
    let files = try RankingsFile.write(
      run, to: folder, userID: { dataset.users[$0] }, itemID: { dataset.catalog.externalID($0) })
    #expect(files.map(\.lastPathComponent) == ["pop.tsv", "freq.tsv", "itemknn.tsv"])

    // Targets from the raw orders, by external id: distinct items bought from the cut-off on that were bought
    // by someone before it.
    let b = dataset.baskets
    var trainItems: Set<String> = []
    var targets: [String: Set<String>] = [:]
    for order in 0..<b.count {
      let items = b.items(of: order).map { dataset.catalog.externalID($0) }
      if b.timestamps[order] < cutoff {
        trainItems.formUnion(items)
      } else {
        targets[dataset.users[b.users[order]], default: []].formUnion(items)
      }
    }
    for (file, model) in zip(files, run.leaderboard.results) {
      let lines = try RankingsFile.parse(try String(contentsOf: file, encoding: .utf8))
      #expect(lines.count == model.users)
      #expect(lines.allSatisfy { $0.items.count == 20 })
      var sum = 0.0
      for line in lines {
        let relevant = try #require(targets[line.user]).intersection(trainItems)
        let hits = line.items.prefix(20).filter { relevant.contains($0) }.count
        sum += Double(hits) / Double(relevant.count)
      }
      let recall = try #require(model.metrics["recall@20"])
      #expect(abs(sum / Double(lines.count) - recall) < 1e-12, "\(model.model)")
    }
  }

  @Test("the lists kept are the evaluator's rankings")
  func listsMatchRank() throws {
    let dataset = SyntheticShops.repeatBuyers(seed: 12)
    let task = Splitter.temporal(dataset, cutoff: 90 * SyntheticShops.day).task(dataset, name: "synthetic")
    let evaluator = Evaluator(ks: [5])
    let ranked = try evaluator.evaluateRanked(
      EvaluationEntry(label: "freq", model: PersonalFrequencyRecommender()), task: task)
    var model = PersonalFrequencyRecommender()
    try model.fit(task.train)
    #expect(ranked.lists == (try evaluator.rank(model, task: task)))
    #expect(ranked.result.metrics == evaluator.metrics(ranked.lists, task: task))
  }

  @Test("ids that would break the format are refused; text round-trips")
  func format() throws {
    let text = try RankingsFile.text(users: [0, 1], lists: [[2, 1], []], userID: { "u\($0)" }, itemID: { "i\($0)" })
    #expect(text == "u0\ti2,i1\nu1\t\n")
    #expect(
      try RankingsFile.parse(text) == [
        RankingsFile.Line(user: "u0", items: ["i2", "i1"]), RankingsFile.Line(user: "u1", items: []),
      ])
    #expect(throws: EvaluationError.self) {
      try RankingsFile.text(users: [0], lists: [[1]], userID: { _ in "a,b" }, itemID: { "i\($0)" })
    }
  }
}

@Suite("Models below popularity")
struct BelowPopularityTests {
  @Test func modelsUnderPopularityAreNamedWithBothScores() {
    func result(_ model: String, _ ndcg: Double) -> ModelResult {
      ModelResult(model: model, fitSeconds: 0, predictSeconds: 0, users: 10, metrics: ["ndcg@20": ndcg])
    }
    let board = Leaderboard(
      dataset: "d", split: "s", results: [result("als", 0.07), result("pop", 0.08), result("freq", 0.14)])
    let weak = board.belowPopularity(on: "ndcg@20")
    #expect(weak.map(\.model) == ["als"])
    #expect(weak.first?.score == 0.07 && weak.first?.popularity == 0.08)
    #expect(board.belowPopularity(on: "recall@20").isEmpty)
    #expect(
      Leaderboard(dataset: "d", split: "s", results: [result("als", 0.01)]).belowPopularity(on: "ndcg@20").isEmpty)
  }
}
