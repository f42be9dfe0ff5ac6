import BasketryCore
import BasketryTesting
import Testing

@testable import BasketryMining

/// Exact counts from /work/shared/reference/ORACLES.md (arules, pyfim 6.28 and mlxtend 0.25.0 agree).
@Suite(.enabled(if: TestSupport.sharedDataRoot != nil)) struct FPGrowthOracleTests {
  @Test func groceriesAtPointOnePercent() throws {
    let groceries = try #require(try TestData.groceries())
    #expect(groceries.transactions.count == 9835)
    #expect(groceries.names.count == 169)
    let mined = try FPGrowth.mine(groceries.transactions, options: MiningOptions(minSupport: .relative(0.001)))
    #expect(mined.count == 13_492)
    #expect(mined.sizeHistogram == [0, 157, 2_981, 6_831, 3_137, 376, 10])
    let wholeMilk = try #require(groceries.names.id(of: "whole milk"))
    #expect(mined.count(of: [wholeMilk]) == 2_513)
    #expect(mined.itemsets.allSatisfy { $0.count >= 10 })

    let half = AssociationRules.generate(from: mined, options: RuleOptions(minConfidence: 0.5))
    #expect(half.count == 5_668)
    let strict = AssociationRules.generate(from: mined, options: RuleOptions(minConfidence: 0.8))
    #expect(strict.count == 410)
    // The same rule sets with exact integer confidence tests (no float edge cases near the thresholds).
    #expect(half.allSatisfy { 2 * $0.count >= $0.antecedentCount })
    let exactHalf = countRules(mined) { 2 * $0 >= $1 }
    let exactStrict = countRules(mined) { 5 * $0 >= 4 * $1 }
    #expect(exactHalf == 5_668)
    #expect(exactStrict == 410)
  }

  @Test func groceriesSingleThreadedIsIdentical() throws {
    let groceries = try #require(try TestData.groceries())
    let parallel = try FPGrowth.mine(
      groceries.transactions, options: MiningOptions(minSupport: .absolute(10), threads: 2))
    let serial = try FPGrowth.mine(
      groceries.transactions, options: MiningOptions(minSupport: .absolute(10), threads: 1))
    #expect(serial.itemsets == parallel.itemsets)
    let fallbacks = try FPGrowth.mine(
      groceries.transactions, options: MiningOptions(minSupport: .absolute(10)),
      tuning: FPGrowth.Tuning(maxBuckets: 1, maxProjectionItems: 0))
    #expect(fallbacks.itemsets == parallel.itemsets)
    let limited = try FPGrowth.mine(
      groceries.transactions, options: MiningOptions(minSupport: .absolute(10), maxLength: 3))
    #expect(limited.sizeHistogram == [0, 157, 2_981, 6_831])
  }

  @Test func retailAtPointOnePercent() throws {
    let retail = try #require(try TestData.retail())
    #expect(retail.transactions.count == 88_162)
    let mined = try FPGrowth.mine(retail.transactions, options: MiningOptions(minSupport: .relative(0.001)))
    #expect(mined.count == 7_589)
    #expect(mined.itemsets.allSatisfy { $0.count >= 89 })
  }

  @Test func retailAtPointZeroOnePercent() throws {
    let retail = try #require(try TestData.retail())
    let options = MiningOptions(minSupport: .relative(0.0001))
    let mined = try FPGrowth.mine(retail.transactions, options: options)
    #expect(mined.count == 240_852)
    #expect(mined.itemsets.allSatisfy { $0.count >= 9 })
    #expect(try FPGrowth.countBySize(retail.transactions, options: options) == mined.sizeHistogram)
  }

  /// Rules `A → c` over all itemsets whose counts satisfy `accept(count, antecedentCount)`.
  private func countRules(_ itemsets: FrequentItemsets, accept: (Int, Int) -> Bool) -> Int {
    var total = 0
    for itemset in itemsets.itemsets where itemset.items.count >= 2 {
      for skip in itemset.items.indices {
        var antecedent = itemset.items
        antecedent.remove(at: skip)
        if let count = itemsets.count(of: antecedent), accept(itemset.count, count) { total += 1 }
      }
    }
    return total
  }
}
