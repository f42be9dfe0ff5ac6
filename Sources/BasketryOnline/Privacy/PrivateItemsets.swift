import BasketryCore
import BasketryMining

/// Laplace noise on exported association statistics.
///
/// Each released count — the number of orders, and each frequent itemset's support count — gets
/// independent Laplace(Δ/ε) noise with Δ = 1 (adding or removing one order changes each count by at
/// most one), so each count on its own is ε-differentially private with respect to one order;
/// releasing k counts costs k·ε in total (basic composition). Post-processing keeps the guarantee:
/// counts are rounded, clamped at zero, and made monotone (an itemset never counts more than any of
/// its subsets) so rule confidences stay within [0, 1]; itemsets whose noisy count falls below
/// `minCount` are dropped.
///
/// Caveat: which itemsets are candidates is decided by the exact mining threshold, so the *set* of
/// itemsets released is not itself private; only their counts are.
public enum PrivateItemsets {
  /// Noisy itemsets.
  /// - Parameters:
  ///   - itemsets: exactly mined itemsets.
  ///   - epsilon: privacy budget per released count (> 0).
  ///   - minCount: smallest noisy count kept (default 1).
  ///   - seed: random seed.
  /// - Throws: ``OnlineError`` when ε is not positive.
  /// - Complexity: O(Σ itemset size²) for the monotone clamp.
  public static func release(
    _ itemsets: FrequentItemsets, epsilon: Double, minCount: Int = 1, seed: UInt64
  ) throws -> FrequentItemsets {
    let mechanism = try LaplaceMechanism(epsilon: epsilon, sensitivity: 1)
    var rng = SplitMix64(seed: seed)
    let orders = max(1, mechanism.release(itemsets.transactionCount, using: &rng))
    var released: [[Int32]: Int] = [:]
    let bySize = itemsets.itemsets.sorted { $0.items.count < $1.items.count }
    var kept: [FrequentItemset] = []
    for itemset in bySize {
      var count = min(mechanism.release(itemset.count, using: &rng), orders)
      if itemset.items.count > 1 {
        for position in itemset.items.indices {
          var subset = itemset.items
          subset.remove(at: position)
          // A subset dropped for a low noisy count bounds its supersets at zero.
          count = min(count, released[subset] ?? 0)
        }
      }
      released[itemset.items] = count
      if count >= max(minCount, 1) { kept.append(FrequentItemset(items: itemset.items, count: count)) }
    }
    return FrequentItemsets(transactionCount: orders, itemsets: kept)
  }
}
