import BasketryCore
import Foundation
import Testing

@testable import BasketryMining

/// The memory budget: it stops mining with advice before the budget is passed, and changes nothing
/// when it is generous.
@Suite struct FPGrowthMemoryBudgetTests {
  /// 300 baskets of 14 of 20 items: every subset of a basket is frequent at a count of 2, so mining
  /// would produce hundreds of thousands of itemsets.
  static let dense: TransactionSet = {
    var rng = SplitMix64(seed: 0xB0D6E7)
    var baskets: [[Int32]] = []
    for _ in 0..<300 {
      var items = Array(Int32(0)..<20)
      for index in stride(from: items.count - 1, to: 0, by: -1) {
        items.swapAt(index, Int(rng.next() % UInt64(index + 1)))
      }
      baskets.append(Array(items.prefix(14)))
    }
    return TransactionSet(baskets)
  }()

  @Test(arguments: [1, 2])
  func smallBudgetStopsWithAdvice(threads: Int) throws {
    let budget = 1 << 20
    let error = try #require(throws: MiningError.self) {
      try FPGrowth.mine(
        Self.dense, options: MiningOptions(minSupport: .absolute(2), threads: threads, memoryBudget: budget))
    }
    #expect(error.code == .memoryBudgetExceeded)
    #expect(error.key == "memoryBudget")
    #expect(error.category == .invalidInput)
    let stop = try #require(error.stop)
    #expect(stop.minimumCount == 2)
    #expect(stop.memoryBudget == budget)
    #expect(stop.transactionCount == 300)
    #expect(stop.itemsets > 0)
    // The itemsets kept never cost more than the budget.
    #expect(stop.itemsets * FPGrowth.bytesPerItemset(length: 1) <= budget)
    #expect(stop.suggestedMinimumCount > 2)
    // The burst is in long subsets of 14-item baskets: a maximum length below that is suggested too.
    let length = try #require(stop.suggestedMaxLength)
    #expect(length >= 2 && length < 14)
    #expect(error.message.contains("raise the minimum support (try a count of \(stop.suggestedMinimumCount)"))
    #expect(error.message.contains("set a maximum length"))
    #expect(error.message.contains("raise the memory budget"))
    #expect(error.description.hasPrefix("memoryBudget = 1 MiB: "))
  }

  @Test func budgetBelowTheTreeStopsBeforeMining() throws {
    let error = try #require(throws: MiningError.self) {
      try FPGrowth.mine(
        Self.dense, options: MiningOptions(minSupport: .absolute(2), maxLength: 3, memoryBudget: 1000))
    }
    #expect(error.code == .memoryBudgetExceeded)
    #expect(error.stop?.itemsets == 0)
    #expect(error.stop?.maxLength == 3)
    #expect(error.message.contains("lower the maximum length (now 3)"))
  }

  @Test func countingAlsoRespectsTheBudget() throws {
    #expect(throws: MiningError.self) {
      try FPGrowth.countBySize(Self.dense, options: MiningOptions(minSupport: .absolute(2), memoryBudget: 1000))
    }
  }

  @Test func invalidBudgetIsRejected() throws {
    let error = try #require(throws: MiningError.self) {
      try FPGrowth.mine(Self.dense, options: MiningOptions(minSupport: .absolute(2), memoryBudget: 0))
    }
    #expect(error.code == .invalidMemoryBudget)
  }

  @Test func generousBudgetChangesNothing() throws {
    for seed in 0..<10 {
      let data = TestData.random(seed: 0xB06E7 + UInt64(seed) * 7919)
      let expected = TestData.bruteForce(data, minCount: 2)
      for budget in [nil, 64 << 20, 1 << 40] {
        let mined = try FPGrowth.mine(
          data, options: MiningOptions(minSupport: .absolute(2), threads: 2, memoryBudget: budget))
        #expect(mined.itemsets == expected, "seed \(seed) budget \(String(describing: budget))")
      }
    }
    // The dense set's size-3 itemsets fit in 64 MB and match an unlimited run exactly.
    let options = MiningOptions(minSupport: .absolute(2), maxLength: 3, memoryBudget: 64 << 20)
    let mined = try FPGrowth.mine(Self.dense, options: options)
    let unlimited = try FPGrowth.mine(
      Self.dense, options: MiningOptions(minSupport: .absolute(2), maxLength: 3, memoryBudget: 1 << 40))
    #expect(mined.count == 20 + 190 + 1140)
    #expect(mined.itemsets == unlimited.itemsets)
  }

  @Test func defaultBudgetIsASixteenthOfMemory() {
    let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
    #expect(MiningOptions.defaultMemoryBudget == max(64 << 20, physical / 16))
    #expect(MiningOptions(minSupport: .absolute(1)).effectiveMemoryBudget == MiningOptions.defaultMemoryBudget)
    #expect(MiningOptions(minSupport: .absolute(1), memoryBudget: 5).effectiveMemoryBudget == 5)
  }

  @Test func bytesReadForPeople() {
    #expect(formatBytes(512) == "512 B")
    #expect(formatBytes(1536) == "1.5 KiB")
    #expect(formatBytes(1 << 20) == "1 MiB")
    #expect(formatBytes(1_610_612_736) == "1.5 GiB")
  }
}
