import BasketryCore
import PropertyBased
import Testing

@testable import BasketryMining

/// FP-Growth against exhaustive subset enumeration on generated baskets: any baskets over ten items (duplicates
/// and empty baskets included), any absolute support and length limit, one or several threads. A failure shrinks
/// to the fewest, smallest baskets that still disagree.
@Suite struct FPGrowthPropertyTests {
  static let baskets = Gen.int(in: 0...9).array(of: 0...7).array(of: 0...30)

  @Test func miningEqualsBruteForce() async {
    await propertyCheck(
      count: 300, input: Self.baskets, Gen.int(in: 1...5), Gen.int(in: 1...4).optional, Gen.int(in: 1...3)
    ) { baskets, minCount, maxLength, threads in
      let data = TransactionSet(baskets.map { $0.map(Int32.init) }, itemCount: 10)
      let options = MiningOptions(minSupport: .absolute(minCount), maxLength: maxLength, threads: threads)
      let mined = try FPGrowth.mine(data, options: options)
      #expect(mined.itemsets == TestData.bruteForce(data, minCount: minCount, maxLength: maxLength ?? .max))
      #expect(mined.transactionCount == baskets.count)
    }
  }
}
