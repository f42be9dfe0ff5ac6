import BasketryCore
import Testing

@testable import BasketryMining

/// FP-Growth against exhaustive subset enumeration on small random data.
@Suite struct FPGrowthBruteForceTests {
  @Test(arguments: 0..<40)
  func matchesBruteForceWithAbsoluteSupport(seedIndex: Int) throws {
    let data = TestData.random(seed: 0xF00D + UInt64(seedIndex) * 7919)
    for minCount in [1, 2, 3, 5, 9] {
      let mined = try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(minCount), threads: 1))
      let expected = TestData.bruteForce(data, minCount: minCount)
      #expect(mined.itemsets == expected, "seed \(seedIndex) minCount \(minCount)")
      #expect(mined.transactionCount == data.count)
    }
  }

  @Test(arguments: 0..<40)
  func matchesBruteForceWithRelativeSupportAndMaxLength(seedIndex: Int) throws {
    let data = TestData.random(seed: 0xBEEF + UInt64(seedIndex) * 104_729)
    for fraction in [0.05, 0.1, 0.2, 0.35, 0.5] {
      let minCount = SupportThreshold.relative(fraction).minimumCount(transactionCount: data.count)
      let all = TestData.bruteForce(data, minCount: minCount)
      for maxLength in [1, 2, 3, nil] {
        let options = MiningOptions(minSupport: .relative(fraction), maxLength: maxLength, threads: 2)
        let mined = try FPGrowth.mine(data, options: options)
        let expected = all.filter { $0.items.count <= maxLength ?? .max }
        #expect(
          mined.itemsets == expected, "seed \(seedIndex) support \(fraction) maxLength \(String(describing: maxLength))"
        )
      }
    }
  }

  @Test func resultDoesNotDependOnThreadCount() throws {
    for seed in 0..<10 {
      let data = TestData.random(seed: UInt64(seed) &* 0x9E37_79B9, maxItems: 16, maxTransactions: 200)
      let one = try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(2), threads: 1))
      for threads in [2, 3, 8] {
        let many = try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(2), threads: threads))
        #expect(many.itemsets == one.itemsets)
      }
      #expect(one.itemsets == TestData.bruteForce(data, minCount: 2))
    }
  }

  @Test func randomDataHasDeepItemsets() throws {
    // Guards the brute-force comparisons against vacuous data: many seeds must yield itemsets of 3+ items (19 of 40 do).
    var deep = 0
    for seedIndex in 0..<40 {
      let data = TestData.random(seed: 0xF00D + UInt64(seedIndex) * 7919)
      if TestData.bruteForce(data, minCount: 2).contains(where: { $0.items.count >= 3 }) { deep += 1 }
    }
    #expect(deep >= 15)
  }

  @Test(arguments: [(1, 1 << 26), (1 << 22, 0), (1, 0)])
  func fallbacksGiveTheSameResult(maxBuckets: Int, maxProjectionItems: Int) throws {
    // Size-only buckets in the final sort; node-list walks instead of the top-level projection.
    let tuning = FPGrowth.Tuning(maxBuckets: maxBuckets, maxProjectionItems: maxProjectionItems)
    for seed in 0..<10 {
      let data = TestData.random(seed: 0xC0FFEE + UInt64(seed), maxItems: 12, maxTransactions: 60)
      for minCount in [1, 3] {
        let options = MiningOptions(minSupport: .absolute(minCount), maxLength: seed % 3 == 0 ? 2 : nil, threads: 2)
        let mined = try FPGrowth.mine(data, options: options, tuning: tuning)
        #expect(mined.itemsets == TestData.bruteForce(data, minCount: minCount, maxLength: seed % 3 == 0 ? 2 : .max))
      }
    }
  }

  @Test func allIdenticalTransactionsGiveEverySubset() throws {
    let basket: [Int32] = [0, 3, 5, 6, 9, 11]
    let data = TransactionSet([[Int32]](repeating: basket, count: 7), itemCount: 12)
    let mined = try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(7)))
    #expect(mined.count == 63)
    #expect(mined.itemsets.allSatisfy { $0.count == 7 })
    #expect(mined.itemsets == TestData.bruteForce(data, minCount: 7))
    let limited = try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(1), maxLength: 2))
    #expect(limited.count == 6 + 15)
    #expect(try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(8))).count == 0)
  }

  @Test func emptyInputs() throws {
    let none = TransactionSet([[Int32]]())
    #expect(try FPGrowth.mine(none, options: MiningOptions(minSupport: .relative(0.5))).count == 0)
    let empties = TransactionSet([[Int32]](repeating: [], count: 5), itemCount: 3)
    #expect(try FPGrowth.mine(empties, options: MiningOptions(minSupport: .absolute(1))).count == 0)
    let mixed = TransactionSet([[], [2], [], [2, 0]], itemCount: 3)
    let mined = try FPGrowth.mine(mixed, options: MiningOptions(minSupport: .absolute(1)))
    #expect(
      mined.itemsets == [
        FrequentItemset(items: [0], count: 1), FrequentItemset(items: [2], count: 2),
        FrequentItemset(items: [0, 2], count: 1),
      ])
    #expect(mined.support(of: [2]) == 0.5)
  }

  @Test func countLookupAndHistogram() throws {
    let data = TestData.random(seed: 42, maxItems: 12, maxTransactions: 60)
    let mined = try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(2)))
    for itemset in mined.itemsets {
      #expect(mined.count(of: itemset.items) == itemset.count)
      #expect(mined.count(of: itemset.items.reversed()) == itemset.count)
    }
    #expect(mined.count(of: [999]) == nil)
    #expect(mined.count(of: []) == nil)
    let histogram = try FPGrowth.countBySize(data, options: MiningOptions(minSupport: .absolute(2), threads: 2))
    #expect(histogram == mined.sizeHistogram)
  }

  @Test func itemsetLimitStopsMining() throws {
    let basket = (0..<16).map { Int32($0) }
    let data = TransactionSet([[Int32]](repeating: basket, count: 3))
    let error = try #require(throws: MiningError.self) {
      try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(1), maxItemsets: 1000))
    }
    #expect(error.code == .tooManyItemsets)
    #expect(error.description.contains("1000"))
    let branched = TestData.random(seed: 7, maxItems: 12, maxTransactions: 60)
    let all = try FPGrowth.mine(branched, options: MiningOptions(minSupport: .absolute(1)))
    #expect(throws: MiningError.self) {
      try FPGrowth.mine(
        branched, options: MiningOptions(minSupport: .absolute(1), threads: 2, maxItemsets: all.count - 1))
    }
    #expect(
      try FPGrowth.mine(branched, options: MiningOptions(minSupport: .absolute(1), maxItemsets: all.count)).count
        == all.count)
  }
}
