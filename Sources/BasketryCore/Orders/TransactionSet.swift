/// Market-basket transactions for association mining: each transaction a sorted set of
/// distinct dense item ids, stored in compressed sparse row form.
public struct TransactionSet: Sendable, Hashable {
  /// `count + 1` offsets into ``items``.
  public let offsets: [Int]
  /// Item ids, ascending and distinct within each transaction.
  public let items: [Int32]
  /// Number of distinct item ids (`max id + 1`); item ids lie in `0 ..< itemCount`.
  public let itemCount: Int

  /// Creates a transaction set from raw item lists; duplicates inside a list are removed.
  /// - Parameters:
  ///   - transactions: item ids per transaction.
  ///   - itemCount: number of item ids; defaults to the largest id + 1.
  /// - Complexity: O(n log n) in the number of item occurrences.
  public init(_ transactions: some Sequence<some Sequence<Int32>>, itemCount: Int? = nil) {
    var offsets = [0]
    var items: [Int32] = []
    var maxID: Int32 = -1
    for transaction in transactions {
      let start = items.count
      items.append(contentsOf: transaction)
      items[start...].sort()
      var write = start
      var previous: Int32 = -1
      for read in start..<items.count {
        let item = items[read]
        if read == start || item != previous {
          items[write] = item
          write += 1
          previous = item
          if item > maxID { maxID = item }
        }
      }
      items.removeLast(items.count - write)
      offsets.append(items.count)
    }
    self.offsets = offsets
    self.items = items
    self.itemCount = max(itemCount ?? 0, Int(maxID) + 1)
  }

  /// Creates a transaction set from the distinct items of each order.
  public init(_ baskets: Baskets, itemCount: Int) {
    self.init((0..<baskets.count).lazy.map { baskets.items(of: $0) }, itemCount: itemCount)
  }

  /// Number of transactions.
  public var count: Int { offsets.count - 1 }

  /// The items of transaction `t`.
  @inlinable public subscript(t: Int) -> ArraySlice<Int32> { items[offsets[t]..<offsets[t + 1]] }

  /// How many transactions contain each item.
  /// - Complexity: O(total items).
  public func itemSupportCounts() -> [Int] {
    var counts = [Int](repeating: 0, count: itemCount)
    for item in items { counts[Int(item)] += 1 }
    return counts
  }
}
