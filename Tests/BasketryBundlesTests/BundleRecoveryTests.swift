import BasketryTesting
import Foundation
import Testing

@testable import BasketryBundles

@Suite struct BundleRecoveryTests {
  @Test func csvParserHandlesQuotesAndNewlines() {
    let rows = MarkedSessions.parseCSV("a,b\n1,\"x, \"\"y\"\"\nz\"\r\n2,w\n")
    #expect(rows == [["a", "b"], ["1", "x, \"y\"\nz"], ["2", "w"]])
  }

  @Test func scoresHandMadeSessions() {
    let data = MarkedSessions(
      sessions: [[1, 2, 3, 4], [1, 2, 5]], bundles: [[[1, 2], [3, 4]], [[1, 2]]],
      titles: [1: "camera bag", 2: "camera strap", 3: "aa battery", 4: "aa charger", 5: "mouse"],
      categories: [1: ["E", "Cam"], 2: ["E", "Cam"], 3: ["E", "Pow"], 4: ["E", "Pow"], 5: ["E", "PC"]])
    let benchmark = BundleRecoveryBenchmark(data: data)
    let whole = benchmark.evaluate([0], method: "whole") { [Set($0)] }
    #expect(whole.pairPrecision == 2.0 / 6 && whole.pairRecall == 1 && whole.exactMatchRate == 0)
    let cooc = benchmark.evaluate([0], method: "co") { benchmark.components($0) }
    #expect(cooc.pairPrecision == 1 && cooc.pairRecall == 0.5 && cooc.exactMatchRate == 0.5)
    let clustered = benchmark.evaluate([0], method: "b") { benchmark.cluster($0, weights: (0, 1, 0), threshold: 0.9) }
    #expect(clustered.pairF1 == 1 && clustered.exactMatchRate == 1)
  }

  /// Prints the recovery table on the real Amazon bundle data (BASKETRY_SLOW_TESTS=1).
  @Test(.enabled(if: TestSupport.slowTestsEnabled && TestSupport.sharedDataRoot != nil))
  func amazonBundleRecovery() throws {
    let root = try #require(TestSupport.sharedDataRoot)
    for domain in ["electronic", "clothing", "food"] {
      let data = try MarkedSessions.load(folder: root + "/amazon-bundle-intent/" + domain)
      let scores = BundleRecoveryBenchmark(data: data).run()
      for score in scores {
        print(
          String(
            format: "%@ | %@ | sessions %d | P %.3f R %.3f F1 %.3f | exact %.3f", domain, score.method, score.sessions,
            score.pairPrecision, score.pairRecall, score.pairF1, score.exactMatchRate))
      }
      let basketry = try #require(scores.last)
      let cooccurrence = scores[1]
      #expect(basketry.pairF1 > cooccurrence.pairF1)
    }
  }
}
