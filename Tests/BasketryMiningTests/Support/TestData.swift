import BasketryCore
import BasketryMining
import BasketryTesting
import Foundation

/// Test-only readers and a brute-force reference miner (BasketryIngest is developed separately).
enum TestData {
  /// A transaction set with the item names that its dense ids stand for.
  struct Named {
    var transactions: TransactionSet
    var names: Interner
  }

  /// Path of a file under the shared data folder, or nil when the folder is absent.
  static func sharedFile(_ relative: String) -> String? {
    guard let root = TestSupport.sharedDataRoot else { return nil }
    let path = root + "/" + relative
    return FileManager.default.fileExists(atPath: path) ? path : nil
  }

  /// Groceries basket CSV: one transaction per line, items separated by commas, names kept exactly
  /// (including trailing spaces such as "cream cheese ").
  static func groceries() throws -> Named? { try groceriesCache.get() }

  /// FIMI retail.dat: one transaction per line, item ids separated by whitespace.
  static func retail() throws -> Named? { try retailCache.get() }

  // Each file is read once per test process.
  private static let groceriesCache = Result<Named?, any Error> { try readGroceries() }
  private static let retailCache = Result<Named?, any Error> { try readRetail() }

  private static func readGroceries() throws -> Named? {
    guard let path = sharedFile("groceries/groceries.csv") else { return nil }
    return try read(path) { line in line.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
  }

  private static func readRetail() throws -> Named? {
    guard let path = sharedFile("fimi-retail/retail.dat") else { return nil }
    // Byte-level: ~900k tokens through String splitting is slow in a debug test build. Each distinct
    // number is interned once (as its decimal string), in first-seen order.
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    var names = Interner()
    var dense: [Int32] = []
    var offsets = [0]
    var items: [Int32] = []
    data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
      var value = 0
      var inNumber = false
      var lineHasItems = false
      func finishNumber() {
        if value >= dense.count { dense += [Int32](repeating: -1, count: value + 1 - dense.count) }
        if dense[value] < 0 { dense[value] = names.intern(String(value)) }
        items.append(dense[value])
        value = 0
        inNumber = false
        lineHasItems = true
      }
      for byte in bytes {
        if byte >= 48 && byte <= 57 {
          value = value * 10 + Int(byte - 48)
          inNumber = true
          continue
        }
        if inNumber { finishNumber() }
        if byte == 10 {
          if lineHasItems { offsets.append(items.count) }
          lineHasItems = false
        }
      }
      if inNumber { finishNumber() }
      if lineHasItems { offsets.append(items.count) }
    }
    let transactions = TransactionSet(
      (0..<(offsets.count - 1)).lazy.map { items[offsets[$0]..<offsets[$0 + 1]] }, itemCount: names.count)
    return Named(transactions: transactions, names: names)
  }

  private static func read(_ path: String, tokens: (Substring) -> [String]) throws -> Named {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var names = Interner()
    var baskets: [[Int32]] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
      if trimmed.isEmpty { continue }
      baskets.append(tokens(trimmed).filter { !$0.isEmpty }.map { names.intern($0) })
    }
    return Named(transactions: TransactionSet(baskets, itemCount: names.count), names: names)
  }

  // MARK: - Random data

  /// Random transactions over `itemCount` items with skewed item probabilities (so that itemsets of
  /// several sizes are frequent), including some empty transactions.
  static func random(seed: UInt64, maxItems: Int = 12, maxTransactions: Int = 60) -> TransactionSet {
    var rng = SplitMix64(seed: seed)
    let itemCount = 1 + Int(rng.next() % UInt64(maxItems))
    let transactionCount = Int(rng.next() % UInt64(maxTransactions + 1))
    let probabilities = (0..<itemCount).map { _ in 0.05 + 0.85 * rng.nextUnit() * rng.nextUnit() }
    var baskets: [[Int32]] = []
    for _ in 0..<transactionCount {
      var basket: [Int32] = []
      if rng.nextUnit() < 0.1 {
        baskets.append(basket)  // empty
        continue
      }
      for item in 0..<itemCount where rng.nextUnit() < probabilities[item] { basket.append(Int32(item)) }
      basket.shuffle(using: &rng)
      baskets.append(basket)
    }
    return TransactionSet(baskets, itemCount: itemCount)
  }

  // MARK: - Brute force

  /// Every itemset over the item universe with `count ≥ minCount` (and size ≤ maxLength), by size then
  /// lexicographic ids — enumerated as bit masks, so only for ≤ ~16 items.
  static func bruteForce(_ transactions: TransactionSet, minCount: Int, maxLength: Int = .max) -> [FrequentItemset] {
    let itemCount = transactions.itemCount
    precondition(itemCount <= 16)
    var masks: [UInt32] = []
    for t in 0..<transactions.count {
      var mask: UInt32 = 0
      for item in transactions[t] { mask |= 1 << UInt32(item) }
      masks.append(mask)
    }
    var result: [FrequentItemset] = []
    if itemCount == 0 { return result }
    for subset in UInt32(1)..<(UInt32(1) << UInt32(itemCount)) where subset.nonzeroBitCount <= maxLength {
      let count = masks.reduce(0) { $0 + ($1 & subset == subset ? 1 : 0) }
      if count >= minCount {
        let items = (0..<itemCount).filter { subset & (1 << UInt32($0)) != 0 }.map { Int32($0) }
        result.append(FrequentItemset(items: items, count: count))
      }
    }
    return result.sorted {
      $0.items.count != $1.items.count ? $0.items.count < $1.items.count : $0.items.lexicographicallyPrecedes($1.items)
    }
  }
}
