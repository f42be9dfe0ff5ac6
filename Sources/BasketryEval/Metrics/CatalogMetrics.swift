import Foundation

/// Metrics over all users' recommendation lists: how much of the catalog is used and how evenly.
public enum CatalogMetrics {
  /// Item coverage: distinct recommended items / catalog size.
  /// - Parameters:
  ///   - lists: each user's recommended items.
  ///   - catalogSize: number of recommendable items.
  public static func coverage(_ lists: [[Int32]], catalogSize: Int) -> Double {
    guard catalogSize > 0 else { return 0 }
    var seen = Set<Int32>()
    for list in lists { seen.formUnion(list) }
    return Double(seen.count) / Double(catalogSize)
  }

  /// Gini index of how often each catalog item is recommended (0 = perfectly even, → 1 = concentrated):
  /// with counts sorted ascending `c_1 ≤ … ≤ c_n` (never-recommended items count 0),
  /// `G = Σ_i (2i − n − 1) c_i / (n Σ_i c_i)`.
  /// - Parameters:
  ///   - lists: each user's recommended items (ids in `0 ..< catalogSize`).
  ///   - catalogSize: number of recommendable items.
  /// - Complexity: O(n log n + total list length).
  public static func gini(_ lists: [[Int32]], catalogSize: Int) -> Double {
    guard catalogSize > 0 else { return 0 }
    var counts = [Double](repeating: 0, count: catalogSize)
    for list in lists { for item in list where item >= 0 && Int(item) < catalogSize { counts[Int(item)] += 1 } }
    return gini(counts)
  }

  /// Gini index of non-negative values (see ``gini(_:catalogSize:)``).
  public static func gini(_ values: [Double]) -> Double {
    let n = Double(values.count)
    let total = values.reduce(0, +)
    guard n > 0, total > 0 else { return 0 }
    let sorted = values.sorted()
    var sum = 0.0
    for (index, value) in sorted.enumerated() { sum += (2 * Double(index + 1) - n - 1) * value }
    return sum / (n * total)
  }

  /// Novelty: mean self-information `−log2(p_i)` of recommended items, `p_i = max(n_i, 1) / U` where `n_i` is
  /// the number of training users with item i and U the number of training users.
  /// - Parameters:
  ///   - lists: each user's recommended items.
  ///   - popularity: `n_i` per item.
  ///   - userCount: U.
  public static func novelty(_ lists: [[Int32]], popularity: [Int], userCount: Int) -> Double {
    guard userCount > 0 else { return 0 }
    var sum = 0.0
    var count = 0
    for list in lists {
      for item in list where item >= 0 && Int(item) < popularity.count {
        sum += -Foundation.log2(Double(max(popularity[Int(item)], 1)) / Double(userCount))
        count += 1
      }
    }
    return count > 0 ? sum / Double(count) : 0
  }
}
