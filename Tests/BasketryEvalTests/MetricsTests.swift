import BasketryEval
import Foundation
import Testing

@Suite("Ranking, catalog and prediction metrics")
struct MetricsTests {
  // Ranked list 10, 20, 30, 40, 50; relevant {20, 50} → hits at ranks 2 and 5.
  let ranked: [Int32] = [10, 20, 30, 40, 50]
  let relevant: Set<Int32> = [20, 50]

  @Test("NDCG@5 worked example (ORACLES) = 0.6241")
  func ndcgWorkedExample() {
    let value = RankingMetrics.ndcg(ranked, relevant: relevant, k: 5)
    #expect(abs(value - 0.6241) < 5e-5)
    // By hand: (1/log2 3 + 1/log2 6) / (1 + 1/log2 3).
    let expected = (1 / log2(3.0) + 1 / log2(6.0)) / (1 + 1 / log2(3.0))
    #expect(abs(value - expected) < 1e-12)
  }

  @Test("NDCG ideal DCG uses min(|relevant|, K)")
  func ndcgIdealCut() {
    // 3 relevant, K = 2, hits at ranks 1, 2 → perfect.
    #expect(RankingMetrics.ndcg([1, 2, 3], relevant: [1, 2, 3], k: 2) == 1)
    // 1 relevant at rank 3 with K = 2 → 0.
    #expect(RankingMetrics.ndcg([1, 2, 3], relevant: [3], k: 2) == 0)
  }

  @Test func precisionRecallHit() {
    #expect(RankingMetrics.precision(ranked, relevant: relevant, k: 5) == 0.4)
    #expect(RankingMetrics.precision(ranked, relevant: relevant, k: 2) == 0.5)
    #expect(RankingMetrics.recall(ranked, relevant: relevant, k: 2) == 0.5)
    #expect(RankingMetrics.recall(ranked, relevant: relevant, k: 5) == 1)
    // Recall divides by |relevant|, not min(|relevant|, K): 1 hit of 4 relevant at K = 2 → 0.25.
    #expect(RankingMetrics.recall([1, 9], relevant: [1, 2, 3, 4], k: 2) == 0.25)
    #expect(RankingMetrics.hitRate(ranked, relevant: relevant, k: 1) == 0)
    #expect(RankingMetrics.hitRate(ranked, relevant: relevant, k: 2) == 1)
  }

  @Test func reciprocalRankAndAveragePrecision() {
    #expect(RankingMetrics.reciprocalRank(ranked, relevant: relevant, k: 5) == 0.5)
    #expect(RankingMetrics.reciprocalRank(ranked, relevant: relevant, k: 1) == 0)
    // AP@5 = (1/2 + 2/5) / min(2, 5) = 0.45.
    #expect(abs(RankingMetrics.averagePrecision(ranked, relevant: relevant, k: 5) - 0.45) < 1e-12)
    // AP@2 = (1/2) / min(2, 2) = 0.25.
    #expect(abs(RankingMetrics.averagePrecision(ranked, relevant: relevant, k: 2) - 0.25) < 1e-12)
    // AP@1 with 2 relevant: nothing in the first position → 0.
    #expect(RankingMetrics.averagePrecision(ranked, relevant: relevant, k: 1) == 0)
  }

  @Test func emptyRelevantIsZero() {
    #expect(RankingMetrics.recall(ranked, relevant: [], k: 5) == 0)
    #expect(RankingMetrics.ndcg(ranked, relevant: [], k: 5) == 0)
    #expect(RankingMetrics.averagePrecision(ranked, relevant: [], k: 5) == 0)
  }

  @Test func coverageGiniNovelty() {
    let lists: [[Int32]] = [[0, 1], [0, 2], [0, 1]]
    #expect(abs(CatalogMetrics.coverage(lists, catalogSize: 4) - 0.75) < 1e-12)
    // Counts over 4 items: [3, 2, 1, 0] → sorted [0, 1, 2, 3], n = 4, Σ = 6:
    // ((−3)·0 + (−1)·1 + 1·2 + 3·3) / (4 · 6) = 10 / 24.
    #expect(abs(CatalogMetrics.gini(lists, catalogSize: 4) - 10.0 / 24) < 1e-12)
    #expect(CatalogMetrics.gini([5, 5, 5, 5]) == 0)
    // Popularity (users with item) [8, 4, 2, 0] of U = 8: self-information 0, 1, 2 bits.
    // Recommended: 0,1,0,2,0,1 → (0 + 1 + 0 + 2 + 0 + 1) / 6.
    let novelty = CatalogMetrics.novelty(lists, popularity: [8, 4, 2, 0], userCount: 8)
    #expect(abs(novelty - 4.0 / 6) < 1e-12)
  }

  @Test func rmseMae() {
    let predicted = [1.0, 2.0, 4.0]
    let actual = [1.0, 3.0, 2.0]
    #expect(abs(PredictionMetrics.rmse(predicted: predicted, actual: actual) - (5.0 / 3).squareRoot()) < 1e-12)
    #expect(abs(PredictionMetrics.mae(predicted: predicted, actual: actual) - 1) < 1e-12)
  }

  @Test("AUC counts ties half")
  func auc() throws {
    // Positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4)=1, (0.8>0.1)=1, (0.4=0.4)=0.5, (0.4>0.1)=1 → 3.5/4.
    let value = try #require(PredictionMetrics.auc(scores: [0.8, 0.4, 0.4, 0.1], labels: [true, true, false, false]))
    #expect(abs(value - 0.875) < 1e-12)
    #expect(PredictionMetrics.auc(scores: [0.5, 0.5], labels: [true, false]) == 0.5)
    #expect(PredictionMetrics.auc(scores: [0.1, 0.9], labels: [true, false]) == 0)
    #expect(PredictionMetrics.auc(scores: [0.1], labels: [true]) == nil)
  }

  @Test func logLoss() {
    // −(log 0.9 + log(1 − 0.2)) / 2.
    let value = PredictionMetrics.logLoss(probabilities: [0.9, 0.2], labels: [true, false])
    #expect(abs(value - (-(log(0.9) + log(0.8)) / 2)) < 1e-12)
    // Clipping keeps a confident mistake finite.
    #expect(PredictionMetrics.logLoss(probabilities: [0], labels: [true]).isFinite)
  }
}
