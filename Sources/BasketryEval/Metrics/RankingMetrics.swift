import Foundation

/// Top-K ranking metrics for one user: a ranked list (best first) against a set of relevant items.
///
/// Conventions (binary relevance; rank r is 1-based; `hits` = relevant items among the first K):
/// - Precision@K = hits / K.
/// - Recall@K = hits / |relevant| (the CrossCBR / bundle-recommendation convention; *not* divided by min(|rel|, K)).
/// - NDCG@K = DCG / IDCG with binary gain and log2 discount: DCG = Σ_{r ≤ K, item_r relevant} 1 / log2(r + 1),
///   IDCG = Σ_{r = 1}^{min(|relevant|, K)} 1 / log2(r + 1). Worked example: 2 relevant, hits at ranks 2 and 5,
///   K = 5 → (1/log2 3 + 1/log2 6) / (1 + 1/log2 3) = 0.6241.
/// - HitRate@K = 1 if hits > 0 else 0.
/// - MRR@K = 1 / (rank of the first relevant item) if it is within K, else 0.
/// - MAP@K: AP@K = (1 / min(|relevant|, K)) · Σ_{r ≤ K, item_r relevant} Precision@r.
/// Users with no relevant items score 0 on every metric (evaluators skip them).
public enum RankingMetrics {
  /// Relevance of the first K ranked items.
  @inlinable static func hits(_ ranked: [Int32], _ relevant: Set<Int32>, _ k: Int) -> [Bool] {
    ranked.prefix(max(0, k)).map { relevant.contains($0) }
  }

  /// Precision@K = hits / K.
  public static func precision(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
    guard k > 0 else { return 0 }
    return Double(hits(ranked, relevant, k).filter { $0 }.count) / Double(k)
  }

  /// Recall@K = hits / |relevant|.
  public static func recall(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
    guard !relevant.isEmpty else { return 0 }
    return Double(hits(ranked, relevant, k).filter { $0 }.count) / Double(relevant.count)
  }

  /// NDCG@K with binary gain and log2 discount; IDCG over min(|relevant|, K) positions.
  public static func ndcg(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
    guard !relevant.isEmpty, k > 0 else { return 0 }
    var dcg = 0.0
    for (index, hit) in hits(ranked, relevant, k).enumerated() where hit {
      dcg += 1 / Foundation.log2(Double(index + 2))
    }
    var idcg = 0.0
    for index in 0..<min(relevant.count, k) { idcg += 1 / Foundation.log2(Double(index + 2)) }
    return dcg / idcg
  }

  /// HitRate@K: 1 when any of the first K items is relevant.
  public static func hitRate(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
    hits(ranked, relevant, k).contains(true) ? 1 : 0
  }

  /// MRR@K: the reciprocal rank of the first relevant item within K, else 0.
  public static func reciprocalRank(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
    guard let index = hits(ranked, relevant, k).firstIndex(of: true) else { return 0 }
    return 1 / Double(index + 1)
  }

  /// AP@K = (1 / min(|relevant|, K)) Σ_{r ≤ K relevant} Precision@r; MAP@K is its mean over users.
  public static func averagePrecision(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
    guard !relevant.isEmpty, k > 0 else { return 0 }
    var found = 0
    var sum = 0.0
    for (index, hit) in hits(ranked, relevant, k).enumerated() where hit {
      found += 1
      sum += Double(found) / Double(index + 1)
    }
    return sum / Double(min(relevant.count, k))
  }
}
