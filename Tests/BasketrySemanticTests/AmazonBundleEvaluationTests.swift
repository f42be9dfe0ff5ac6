import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

/// Title similarity on the real Amazon bundle data (opt-in: BASKETRY_SLOW_TESTS=1; needs the shared data and the
/// model weights). Same numbers as `basketry semantic-eval --data …/amazon-bundle-intent`.
@Suite(.enabled(if: TestSupport.slowTestsEnabled && TestSupport.sharedDataRoot != nil))
struct AmazonBundleEvaluationTests {
  @Test(arguments: ["electronic", "clothing", "food"])
  func partnersRankAboveCoSessionItems(domain: String) async throws {
    guard let folder = try await ReferenceModel.folder(), let root = TestSupport.sharedDataRoot else { return }
    let encoder = try SentenceEncoder(modelFolder: folder)
    let dataset = try BundleIntentDataset.load(
      from: URL(fileURLWithPath: root).appendingPathComponent("amazon-bundle-intent/\(domain)"))
    let result = BundleSemanticEvaluation.run(
      dataset: dataset, vectors: encoder.encode(dataset.titles), domain: domain)
    print(result)
    #expect(result.anchors > 1000)
    #expect(result.coSessionAUC > 0.7)
    #expect(result.randomAUC > 0.65)
  }
}
