import BasketryCore
import BasketryEval
import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// Leaderboards on the shared real data (opt-in: BASKETRY_SLOW_TESTS=1 and ../shared/data present).
@Suite(
  "Real-data leaderboards",
  .enabled(if: TestSupport.slowTestsEnabled && TestSupport.sharedDataRoot != nil), .serialized)
struct RealDataBenchmarks {
  static var root: String { TestSupport.sharedDataRoot ?? "" }
  /// 2011-11-09 00:00 UTC.
  static let onlineRetailCutoff: Int64 = 1_320_796_800

  static func printBoard(_ board: Leaderboard) {
    print(board.table(metrics: ["recall@20", "ndcg@20", "precision@20", "hit@20", "coverage@20"]))
  }

  @Test("Online Retail next month: popularity reproduces ORACLES; personal frequency and kNN beat it")
  func onlineRetail() throws {
    let dataset = try TestLoaders.onlineRetail(Self.root + "/online-retail/online_retail.csv.gz")
    let split = Splitter.temporal(dataset, cutoff: Self.onlineRetailCutoff)
    for newItems in [false, true] {
      let task = split.task(dataset, name: "online-retail", newItemsOnly: newItems)
      let entries = [
        EvaluationEntry(label: "pop", model: PopularityRecommender()),
        EvaluationEntry(label: "freq", model: PersonalFrequencyRecommender()),
        EvaluationEntry(label: "itemknn-bm25", model: ItemKNNRecommender(similarity: .bm25, neighbours: 500)),
        EvaluationEntry(label: "itemknn-cosine", model: ItemKNNRecommender(similarity: .cosine, neighbours: 200)),
        EvaluationEntry(label: "ease", model: EASERecommender(lambda: 500)),
      ]
      let board = try Evaluator(ks: [20]).leaderboard(entries, task: task)
      Self.printBoard(board)
      let pop = try #require(board.results.first { $0.model == "pop" })
      if newItems {
        #expect(task.users.count == 1_287)
        #expect(abs((pop.metrics["recall@20"] ?? 0) - 0.0373) < 5e-4)
      } else {
        #expect(task.users.count == 1_394)
        #expect(abs((pop.metrics["recall@20"] ?? 0) - 0.0607) < 5e-4)
      }
    }
  }
}
