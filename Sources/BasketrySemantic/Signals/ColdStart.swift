/// Neighbours for items without sales, found from their titles.
///
/// A new item has no purchase history, so collaborative models cannot place it; its title embedding can. For each
/// cold item, the most similar *warm* items (those with sales) stand in: their recommendations, bundle partners and
/// co-purchase statistics can be borrowed, weighted by similarity.
public enum ColdStart {
  /// The `k` warm items most similar to each cold item.
  /// - Parameters:
  ///   - cold: Rows of the items without sales.
  ///   - isWarm: `isWarm[row]` is true for items with sales (candidates).
  ///   - index: Title vectors of all items.
  ///   - k: Neighbours per cold item.
  /// - Returns: For each cold item (same order), up to `k` warm neighbours, best first.
  /// - Complexity: O(|cold| · n · d).
  public static func neighbours(
    of cold: [Int], isWarm: [Bool], index: EmbeddingIndex, k: Int
  ) -> [[EmbeddingIndex.Neighbour]] {
    cold.map { row in
      guard row >= 0, row < index.count else { return [] }
      return index.neighbours(of: row, k: k, allowed: isWarm)
    }
  }

  /// Borrowed partner scores for a cold item: `score(p) = Σ_j sim(cold, j) · partnerScore_j(p)` over its warm
  /// neighbours `j` (similarities below zero ignored), normalised by `Σ_j sim(cold, j)`.
  /// - Parameters:
  ///   - neighbours: The cold item's warm neighbours.
  ///   - partners: Partner scores of a warm item (e.g. association-rule lifts or bundle partners).
  /// - Returns: Partner → borrowed score, highest first.
  public static func borrowedPartners(
    neighbours: [EmbeddingIndex.Neighbour], partners: (Int) -> [(item: Int, score: Double)]
  ) -> [(item: Int, score: Double)] {
    var scores: [Int: Double] = [:]
    var total = 0.0
    for neighbour in neighbours where neighbour.score > 0 {
      total += Double(neighbour.score)
      for partner in partners(neighbour.row) {
        scores[partner.item, default: 0] += Double(neighbour.score) * partner.score
      }
    }
    guard total > 0 else { return [] }
    return scores.map { (item: $0.key, score: $0.value / total) }.sorted { ($0.score, -$0.item) > ($1.score, -$1.item) }
  }
}
