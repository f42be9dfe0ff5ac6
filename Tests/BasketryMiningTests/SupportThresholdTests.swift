import BasketryCore
import Testing

@testable import BasketryMining

@Suite struct SupportThresholdTests {
  @Test(arguments: [
    (0.001, 9835, 10), (0.001, 88162, 89), (0.0001, 88162, 9), (0.1, 30, 3), (0.3, 10, 3), (0.7, 10, 7),
    (0.005, 9835, 50), (1.0, 7, 7), (0.5, 1, 1), (0.25, 3, 1), (0.01, 0, 1), (0.29, 100, 29), (0.57, 100, 57),
  ])
  func relativeMatchesCountOverNAtLeastFraction(fraction: Double, n: Int, expected: Int) {
    #expect(SupportThreshold.relative(fraction).minimumCount(transactionCount: n) == expected)
  }

  @Test func relativeAgreesWithRationalComparisonOnAGrid() {
    // count ≥ p/100 · n  ⇔  100 · count ≥ p · n, in exact integers.
    for percent in 1...100 {
      for n in 1...200 {
        let expected = max(1, (percent * n + 99) / 100)
        #expect(SupportThreshold.relative(Double(percent) / 100).minimumCount(transactionCount: n) == expected)
      }
    }
  }

  @Test func absoluteIsTheCount() {
    #expect(SupportThreshold.absolute(89).minimumCount(transactionCount: 88162) == 89)
    #expect(SupportThreshold.absolute(5).minimumCount(transactionCount: 3) == 5)
  }

  @Test(arguments: [
    SupportThreshold.relative(0), .relative(-0.1), .relative(1.5), .relative(.nan), .relative(.infinity), .absolute(0),
    .absolute(-3),
  ])
  func invalidThresholdsAreRejected(threshold: SupportThreshold) throws {
    let error = try #require(throws: MiningError.self) { try threshold.validate() }
    #expect(error.code == .invalidSupport)
    #expect(error.key == "minSupport")
    #expect(error.category == .invalidInput)
  }

  @Test func invalidOptionsAreRejected() {
    let data = TransactionSet([[0, 1], [1]])
    #expect(throws: MiningError.self) {
      try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(1), maxLength: 0))
    }
    #expect(throws: MiningError.self) {
      try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(1), threads: 0))
    }
    #expect(throws: MiningError.self) {
      try FPGrowth.mine(data, options: MiningOptions(minSupport: .relative(1.01)))
    }
  }
}
