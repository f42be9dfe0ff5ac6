import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Dense item vectors from co-purchase contexts, in the spirit of Kumar, Eckles & Aral (2020, "Scalable
/// bundling via dense product embeddings"): items bought in similar contexts get similar vectors.
///
/// Built as item2vec's matrix-factorisation equivalent: the positive pointwise mutual information of
/// co-occurrence within orders, PPMI(i, j) = max(0, log(c(i, j) · N / (c(i) · c(j)))), factorised by a
/// truncated eigendecomposition (subspace iteration: Y = M·Q, re-orthonormalise, repeat), vectors = rows of
/// M·Q, normalised. Only items in at least `minCount` orders get a vector; orders longer than 60 items are
/// truncated to their first 60 for pair counting.
public struct ItemEmbeddings: Sendable {
  /// Vector length.
  public let dimension: Int
  /// Row of each item in ``vectors``, or −1.
  public let rows: [Int32]
  /// Unit vectors, row-major.
  public let vectors: [Float]
  /// The PPMI matrix rows (sparse): for each embedded row, (column item, PPMI).
  let ppmi: [[(Int32, Float)]]

  /// Trains embeddings.
  /// - Parameters:
  ///   - transactions: orders as distinct items.
  ///   - dimension: vector length. Default 32.
  ///   - minCount: fewest orders for an item to be embedded. Default 5.
  ///   - iterations: subspace iterations. Default 8.
  ///   - seed: seed of the starting subspace.
  /// - Complexity: O(Σ min(len, 60)² + iterations · nnz · dimension + iterations · items · dimension²).
  public static func train(
    _ transactions: TransactionSet, dimension: Int = 32, minCount: Int = 5, iterations: Int = 8, seed: UInt64 = 1
  ) -> ItemEmbeddings {
    let support = transactions.itemSupportCounts()
    var rows = [Int32](repeating: -1, count: transactions.itemCount)
    var items: [Int32] = []
    for (item, count) in support.enumerated() where count >= minCount {
      rows[item] = Int32(items.count)
      items.append(Int32(item))
    }
    let v = items.count
    let d = max(1, min(dimension, v))
    var pairCounts = [[Int32: Int32]](repeating: [:], count: v)
    for t in 0..<transactions.count {
      let present = transactions[t].prefix(60).compactMap { rows[Int($0)] >= 0 ? rows[Int($0)] : nil }
      for a in present.indices {
        for b in present.indices where b != a { pairCounts[Int(present[a])][present[b], default: 0] += 1 }
      }
    }
    let n = Double(max(transactions.count, 1))
    var ppmi = [[(Int32, Float)]](repeating: [], count: v)
    for r in 0..<v {
      let ci = Double(support[Int(items[r])])
      for (c, count) in pairCounts[r] {
        let cj = Double(support[Int(items[Int(c)])])
        let value = log(Double(count) * n / (ci * cj))
        if value > 0 { ppmi[r].append((c, Float(value))) }
      }
      ppmi[r].sort { $0.0 < $1.0 }
    }
    // Subspace iteration.
    var rng = SplitMix64(seed: seed)
    var q = [Double](repeating: 0, count: v * d)
    for i in q.indices { q[i] = rng.nextGaussian() }
    var y = [Double](repeating: 0, count: v * d)
    for _ in 0..<max(iterations, 1) {
      orthonormalise(&q, rows: v, columns: d)
      multiply(ppmi, q, into: &y, columns: d)
      q = y
    }
    var vectors = [Float](repeating: 0, count: v * d)
    for r in 0..<v {
      var norm = 0.0
      for k in 0..<d { norm += y[r * d + k] * y[r * d + k] }
      let scale = norm > 0 ? 1 / norm.squareRoot() : 0
      for k in 0..<d { vectors[r * d + k] = Float(y[r * d + k] * scale) }
    }
    return ItemEmbeddings(dimension: d, rows: rows, vectors: vectors, ppmi: ppmi)
  }

  /// Cosine similarity of two items' vectors, or nil when either has none.
  public func similarity(_ a: Int32, _ b: Int32) -> Double? {
    guard Int(a) < rows.count, Int(b) < rows.count, a >= 0, b >= 0 else { return nil }
    let ra = Int(rows[Int(a)])
    let rb = Int(rows[Int(b)])
    guard ra >= 0, rb >= 0 else { return nil }
    var dot: Float = 0
    for k in 0..<dimension { dot += vectors[ra * dimension + k] * vectors[rb * dimension + k] }
    return Double(dot)
  }

  /// The `count` items with the most similar vectors to `item`, most similar first.
  /// - Complexity: O(items · dimension).
  public func neighbours(of item: Int32, count: Int) -> [(item: Int32, similarity: Double)] {
    guard Int(item) < rows.count, item >= 0, rows[Int(item)] >= 0 else { return [] }
    var scored: [(item: Int32, similarity: Double)] = []
    for other in 0..<rows.count where rows[other] >= 0 && other != Int(item) {
      if let s = similarity(item, Int32(other)) { scored.append((Int32(other), s)) }
    }
    scored.sort { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.item < $1.item }
    return Array(scored.prefix(count))
  }

  // MARK: - Linear algebra

  static func multiply(_ m: [[(Int32, Float)]], _ q: [Double], into y: inout [Double], columns d: Int) {
    for r in 0..<m.count {
      for k in 0..<d { y[r * d + k] = 0 }
      for (c, value) in m[r] {
        let base = Int(c) * d
        let w = Double(value)
        for k in 0..<d { y[r * d + k] += w * q[base + k] }
      }
    }
  }

  /// Modified Gram–Schmidt on the columns of a row-major matrix.
  static func orthonormalise(_ q: inout [Double], rows: Int, columns d: Int) {
    for k in 0..<d {
      for j in 0..<k {
        var dot = 0.0
        for r in 0..<rows { dot += q[r * d + k] * q[r * d + j] }
        for r in 0..<rows { q[r * d + k] -= dot * q[r * d + j] }
      }
      var norm = 0.0
      for r in 0..<rows { norm += q[r * d + k] * q[r * d + k] }
      let scale = norm > 1e-300 ? 1 / norm.squareRoot() : 0
      for r in 0..<rows { q[r * d + k] *= scale }
    }
  }
}
