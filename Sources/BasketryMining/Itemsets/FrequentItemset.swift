import BasketryCore

/// One frequent itemset: its item ids in ascending order and the number of transactions containing them all.
public struct FrequentItemset: Sendable, Hashable, Codable {
  /// Dense item ids, ascending and distinct.
  public var items: [Int32]
  /// Number of transactions that contain every item.
  public var count: Int

  /// Creates an itemset; `items` must be ascending and distinct.
  public init(items: [Int32], count: Int) {
    self.items = items
    self.count = count
  }
}
