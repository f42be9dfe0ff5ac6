import BasketryCore

/// Cosine similarity between rows of a factor matrix.
enum FactorSimilarity {
  /// The `k` rows most similar to row `item` (excluding it), by cosine similarity.
  /// - Complexity: O(count · factors).
  /// - Parameter norms: each row's Euclidean norm, when the caller keeps them; computed here otherwise.
  static func cosine(
    _ factors: [Float], count: Int, factors f: Int, to item: Int, k: Int, norms: [Float]? = nil
  ) -> [ScoredItem] {
    var similarity = [Float](repeating: 0, count: count)
    factors.withUnsafeBufferPointer { y in
      similarity.withUnsafeMutableBufferPointer { out in
        guard let yb = y.baseAddress, let ob = out.baseAddress else { return }
        Kernels.gemv(yb, rows: count, yb + item * f, ob, f)
        let own = norms?[item] ?? Kernels.norm(yb + item * f, f)
        for j in 0..<count {
          let denominator = own * (norms?[j] ?? Kernels.norm(yb + j * f, f))
          ob[j] = denominator > 0 ? ob[j] / denominator : 0
        }
      }
    }
    return topK(similarity, k: k) { $0 != Int32(item) }
  }
}
