import BasketryCore

/// The frequent itemsets of a transaction set, with constant-time count look-up.
///
/// ``itemsets`` is ordered by size, then lexicographically by item ids. An open-addressing hash index
/// over the itemsets backs ``count(of:)``, so rule generation and bundle scoring never build string keys.
public struct FrequentItemsets: Sendable {
  /// Number of transactions mined (the support denominator).
  public let transactionCount: Int
  /// The itemsets, by size then lexicographic item ids.
  public let itemsets: [FrequentItemset]
  /// Hash slots holding `index + 1` into ``itemsets`` (0 = empty); the capacity is a power of two.
  private let slots: [Int32]
  /// All items concatenated, and `count + 1` offsets into them: the hash index compares against these
  /// flat copies, which keeps look-ups free of reference counting.
  private let flatItems: [Int32]
  private let flatOffsets: [Int]
  /// Count of each single item by id (-1 when the item is not frequent).
  private let singleCounts: [Int]

  /// Creates a collection and indexes it.
  /// - Parameters:
  ///   - transactionCount: number of transactions the counts refer to.
  ///   - itemsets: the itemsets (each with ascending items); kept in the given order.
  /// - Complexity: O(total items).
  public init(transactionCount: Int, itemsets: [FrequentItemset]) {
    self.transactionCount = transactionCount
    self.itemsets = itemsets
    var flatItems: [Int32] = []
    flatItems.reserveCapacity(itemsets.reduce(0) { $0 + $1.items.count })
    var flatOffsets = [0]
    flatOffsets.reserveCapacity(itemsets.count + 1)
    var maxSingle: Int32 = -1
    for itemset in itemsets {
      flatItems += itemset.items
      flatOffsets.append(flatItems.count)
      if itemset.items.count == 1 { maxSingle = max(maxSingle, itemset.items[0]) }
    }
    var singleCounts = [Int](repeating: -1, count: Int(maxSingle) + 1)
    for itemset in itemsets where itemset.items.count == 1 && itemset.items[0] >= 0 {
      if singleCounts[Int(itemset.items[0])] < 0 { singleCounts[Int(itemset.items[0])] = itemset.count }
    }
    var capacity = 16
    while capacity < itemsets.count * 2 { capacity <<= 1 }
    var slots = [Int32](repeating: 0, count: capacity)
    let mask = capacity - 1
    flatItems.withUnsafeBufferPointer { flat in
      for index in itemsets.indices {
        let items = UnsafeBufferPointer(rebasing: flat[flatOffsets[index]..<flatOffsets[index + 1]])
        var slot = Self.hash(items) & mask
        var duplicate = false
        while slots[slot] != 0 {
          if Self.equal(flat, flatOffsets, Int(slots[slot]) - 1, items) {
            duplicate = true  // keep the first
            break
          }
          slot = (slot + 1) & mask
        }
        if !duplicate { slots[slot] = Int32(index + 1) }
      }
    }
    self.slots = slots
    self.flatItems = flatItems
    self.flatOffsets = flatOffsets
    self.singleCounts = singleCounts
  }

  /// Number of itemsets.
  public var count: Int { itemsets.count }

  /// The count of a frequent itemset, or nil when it is not among the frequent itemsets.
  /// - Parameter items: item ids in any order (ascending avoids a sort).
  /// - Complexity: O(k) expected for k items.
  public func count(of items: [Int32]) -> Int? {
    var ascending = true
    for i in items.indices.dropFirst() where items[i - 1] >= items[i] {
      ascending = false
      break
    }
    let sorted = ascending ? items : Array(Set(items)).sorted()
    return sorted.withUnsafeBufferPointer { count(ofSorted: $0) }
  }

  /// The support (count / transaction count) of a frequent itemset, or nil when it is not frequent.
  /// - Parameter items: item ids in any order.
  public func support(of items: [Int32]) -> Double? {
    guard transactionCount > 0, let count = count(of: items) else { return nil }
    return Double(count) / Double(transactionCount)
  }

  /// Itemsets of each size: entry `k` is the number of itemsets with `k` items (entry 0 is 0).
  public var sizeHistogram: [Int] {
    var histogram = [0]
    for itemset in itemsets {
      let size = itemset.items.count
      if histogram.count <= size { histogram += [Int](repeating: 0, count: size + 1 - histogram.count) }
      histogram[size] += 1
    }
    return histogram
  }

  // MARK: - Index

  /// Position in ``itemsets`` of the itemset with exactly these ascending items.
  func index(of items: UnsafeBufferPointer<Int32>) -> Int? {
    let mask = slots.count - 1
    var slot = Self.hash(items) & mask
    return slots.withUnsafeBufferPointer { slots in
      flatItems.withUnsafeBufferPointer { flat in
        while true {
          let entry = Int(slots[slot])
          if entry == 0 { return nil }
          if Self.equal(flat, flatOffsets, entry - 1, items) { return entry - 1 }
          slot = (slot + 1) & mask
        }
      }
    }
  }

  /// The count of the frequent itemset with exactly these ascending items.
  @inline(__always)
  func count(ofSorted items: UnsafeBufferPointer<Int32>) -> Int? {
    if items.count == 1 { return singleCount(of: items[0]) }
    return index(of: items).map { itemsets[$0].count }
  }

  /// The count of a frequent single item.
  @inline(__always)
  func singleCount(of item: Int32) -> Int? {
    guard item >= 0, Int(item) < singleCounts.count else { return nil }
    let count = singleCounts[Int(item)]
    return count >= 0 ? count : nil
  }

  @inline(__always)
  private static func equal(
    _ flat: UnsafeBufferPointer<Int32>, _ offsets: [Int], _ index: Int, _ items: UnsafeBufferPointer<Int32>
  ) -> Bool {
    let start = offsets[index]
    if offsets[index + 1] - start != items.count { return false }
    var i = 0
    while i < items.count {
      if flat[start + i] != items[i] { return false }
      i += 1
    }
    return true
  }

  /// A 64-bit mix of the ids (FNV-style fold plus a final avalanche), truncated to `Int`.
  @inline(__always)
  static func hash(_ items: UnsafeBufferPointer<Int32>) -> Int {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for item in items { h = (h ^ UInt64(UInt32(bitPattern: item))) &* 0x0000_0100_0000_01b3 }
    h ^= h >> 33
    h &*= 0xff51_afd7_ed55_8ccd
    h ^= h >> 33
    return Int(truncatingIfNeeded: h & 0x7fff_ffff_ffff_ffff)
  }
}
