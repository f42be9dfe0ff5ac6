import BasketryEval
import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("Youshu bundle benchmark", .enabled(if: TestSupport.sharedDataRoot != nil))
struct YoushuTests {
  static var folder: String { (TestSupport.sharedDataRoot ?? "") + "/youshu" }

  @Test("loads the verified counts")
  func counts() throws {
    let data = try YoushuDataset.load(folder: Self.folder)
    #expect(data.userCount == 8039 && data.bundleCount == 4771 && data.itemCount == 32770)
    #expect(data.train.count == 34_416 && data.tune.count == 5_189 && data.test.count == 9_746)
    #expect(data.userItems.count == 138_515 && data.bundleItems.count == 176_667)
    #expect(data.task().users.count == 2_959)
  }

  @Test("popularity reproduces Recall@20 0.2032 and NDCG@20 0.1140 (CrossCBR protocol)")
  func popularity() throws {
    let task = try YoushuDataset.load(folder: Self.folder).task()
    let result = try Evaluator(ks: [20]).evaluate(
      EvaluationEntry(label: "pop", model: PopularityRecommender()), task: task)
    let recall = try #require(result.metrics["recall@20"])
    let ndcg = try #require(result.metrics["ndcg@20"])
    #expect(abs(recall - 0.2032) < 5e-5)
    #expect(abs(ndcg - 0.1140) < 5e-5)
  }
}
