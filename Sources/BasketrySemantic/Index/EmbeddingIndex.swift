import Dispatch
import Foundation

/// Exact nearest-neighbour search by cosine similarity over unit-length vectors.
///
/// Scores are dot products of normalised rows (= cosine similarity), computed with SIMD over all rows, split across
/// threads, keeping the best `k` per thread and merging. No approximation: the result is the true top-k.
///
/// Large indexes (≥ 4,096 rows by default) also keep a half-precision copy and scan that first, which halves the
/// memory traffic: with unit vectors, rounding to binary16 moves a dot product by at most δ = 2⁻¹¹ (Cauchy–Schwarz),
/// so every true top-k row scores at least (k-th best screened score − 2δ); those candidates are re-scored in
/// single precision and the exact top-k is returned.
public struct EmbeddingIndex: Sendable {
  /// One search hit.
  public struct Neighbour: Sendable, Hashable {
    /// Row of the indexed matrix.
    public var row: Int
    /// Cosine similarity in [-1, 1].
    public var score: Float

    /// Creates a hit.
    public init(row: Int, score: Float) {
      self.row = row
      self.score = score
    }
  }

  /// The indexed vectors, each scaled to unit length.
  public let vectors: EmbeddingMatrix
  /// Half-precision copy for screening, when enabled.
  let screen: HalfMatrix?

  /// Indexes a matrix.
  /// - Parameters:
  ///   - vectors: One vector per item.
  ///   - normalize: Scale rows to unit length first (default true; pass false when they already are unit length).
  ///   - screeningThreshold: Keep a half-precision screening copy from this many rows on (default 4,096; costs half
  ///     the matrix's memory again).
  public init(_ vectors: EmbeddingMatrix, normalize: Bool = true, screeningThreshold: Int = 4096) {
    guard normalize else {
      self.vectors = vectors
      screen = vectors.rows >= screeningThreshold ? HalfMatrix(vectors) : nil
      return
    }
    var values = vectors.values
    let d = vectors.dimension
    values.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      for row in 0..<vectors.rows { VectorMath.normalize(base + row * d, count: d) }
    }
    self.vectors = EmbeddingMatrix(rows: vectors.rows, dimension: d, values: values)
    screen = vectors.rows >= screeningThreshold ? HalfMatrix(self.vectors) : nil
  }

  /// Number of indexed vectors.
  public var count: Int { vectors.rows }

  /// Cosine similarity of two indexed rows.
  public func similarity(_ a: Int, _ b: Int) -> Float {
    vectors.values.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return 0 }
      return VectorMath.dot(base + a * vectors.dimension, base + b * vectors.dimension, count: vectors.dimension)
    }
  }

  // MARK: - Search

  /// The `k` rows most similar to a query vector, best first (ties: lower row first).
  /// - Parameters:
  ///   - query: A vector of ``EmbeddingMatrix/dimension`` values (normalised here).
  ///   - k: Number of hits.
  ///   - allowed: When given, only rows where `allowed[row]` is true are candidates.
  ///   - excluding: Rows never returned (e.g. the query item itself).
  ///   - threads: Worker threads (default: active processors; small indexes use one).
  /// - Returns: Up to `k` hits.
  /// - Complexity: O(n · d) for n rows of width d, plus O(n log k) selection.
  public func search(
    _ query: [Float], k: Int, allowed: [Bool]? = nil, excluding: Set<Int> = [],
    threads: Int = ProcessInfo.processInfo.activeProcessorCount
  ) -> [Neighbour] {
    let d = vectors.dimension
    guard query.count == d, k > 0, count > 0 else { return [] }
    var q = query
    q.withUnsafeMutableBufferPointer { buffer in
      if let base = buffer.baseAddress { VectorMath.normalize(base, count: d) }
    }
    let normalizedQuery = q
    let workers = count >= 20_000 ? max(1, min(threads, 8)) : 1
    if let screen, k < count / 4 {
      return screenedSearch(
        normalizedQuery, screen: screen, k: k, allowed: allowed, excluding: excluding, workers: workers)
    }
    let chunk = (count + workers - 1) / workers
    let slots = ResultSlots<[Neighbour]>(count: workers)
    let work: @Sendable (Int) -> Void = { worker in
      let start = worker * chunk
      let end = min(count, start + chunk)
      guard start < end else {
        slots.set(worker, [])
        return
      }
      slots.set(worker, scan(normalizedQuery, rows: start..<end, k: k, allowed: allowed, excluding: excluding))
    }
    if workers == 1 {
      work(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: workers, execute: work)
    }
    var merged = TopK(k: k)
    for part in slots.values { for hit in part ?? [] { merged.insert(hit) } }
    return merged.sorted()
  }

  /// The `k` rows most similar to an indexed row, excluding the row itself.
  public func neighbours(of row: Int, k: Int, allowed: [Bool]? = nil) -> [Neighbour] {
    guard row >= 0, row < count else { return [] }
    return search(Array(vectors[row]), k: k, allowed: allowed, excluding: [row])
  }

  /// Exact top-k through a half-precision screen (see the type's discussion).
  private func screenedSearch(
    _ query: [Float], screen: HalfMatrix, k: Int, allowed: [Bool]?, excluding: Set<Int>, workers: Int
  ) -> [Neighbour] {
    let d = vectors.dimension
    let chunk = (count + workers - 1) / workers
    let approximate = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { approximate.deallocate() }
    let scores = SendablePointer(approximate)
    let slots = ResultSlots<[Neighbour]>(count: workers)
    let work: @Sendable (Int) -> Void = { worker in
      let rows = (worker * chunk)..<min(count, (worker + 1) * chunk)
      var top = TopK(k: k)
      query.withUnsafeBufferPointer { q in
        guard let q = q.baseAddress else { return }
        for row in rows {
          let score = screen.dot(row: row, q)
          scores.pointer[row] = score
          if let allowed, !allowed[row] { continue }
          if top.accepts(score) && !excluding.contains(row) { top.insert(Neighbour(row: row, score: score)) }
        }
      }
      slots.set(worker, top.sorted())
    }
    if workers == 1 {
      work(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: workers, execute: work)
    }
    var merged = TopK(k: k)
    for part in slots.values { for hit in part ?? [] { merged.insert(hit) } }
    let screened = merged.sorted()
    guard screened.count == k, let kth = screened.last?.score else {
      // Fewer eligible rows than k: re-score them all.
      return scan(query, rows: 0..<count, k: k, allowed: allowed, excluding: excluding)
    }
    let threshold = kth - 2 * HalfMatrix.maximumError - 1e-5
    var exact = TopK(k: k)
    vectors.values.withUnsafeBufferPointer { buffer in
      query.withUnsafeBufferPointer { q in
        guard let base = buffer.baseAddress, let q = q.baseAddress else { return }
        for row in 0..<count where approximate[row] >= threshold {
          if let allowed, !allowed[row] { continue }
          if excluding.contains(row) { continue }
          exact.insert(Neighbour(row: row, score: VectorMath.dot(q, base + row * d, count: d)))
        }
      }
    }
    return exact.sorted()
  }

  private func scan(
    _ query: [Float], rows: Range<Int>, k: Int, allowed: [Bool]?, excluding: Set<Int>
  ) -> [Neighbour] {
    let d = vectors.dimension
    var top = TopK(k: k)
    vectors.values.withUnsafeBufferPointer { buffer in
      query.withUnsafeBufferPointer { q in
        guard let base = buffer.baseAddress, let q = q.baseAddress else { return }
        for row in rows {
          if let allowed, !allowed[row] { continue }
          let score = VectorMath.dot(q, base + row * d, count: d)
          if top.accepts(score) && !excluding.contains(row) { top.insert(Neighbour(row: row, score: score)) }
        }
      }
    }
    return top.sorted()
  }
}

/// The best `k` hits seen so far: a binary min-heap on score (ties broken towards lower rows).
struct TopK {
  let k: Int
  private var heap: [EmbeddingIndex.Neighbour] = []

  init(k: Int) {
    self.k = k
    heap.reserveCapacity(k)
  }

  /// Whether `a` ranks below `b` (lower score, or equal score and higher row).
  private static func worse(_ a: EmbeddingIndex.Neighbour, _ b: EmbeddingIndex.Neighbour) -> Bool {
    a.score < b.score || (a.score == b.score && a.row > b.row)
  }

  @inline(__always)
  func accepts(_ score: Float) -> Bool { heap.count < k || score >= heap[0].score }

  mutating func insert(_ hit: EmbeddingIndex.Neighbour) {
    if heap.count < k {
      heap.append(hit)
      var child = heap.count - 1
      while child > 0 {
        let parent = (child - 1) / 2
        guard Self.worse(heap[child], heap[parent]) else { break }
        heap.swapAt(child, parent)
        child = parent
      }
      return
    }
    guard Self.worse(heap[0], hit) else { return }
    heap[0] = hit
    var parent = 0
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < heap.count && Self.worse(heap[left], heap[smallest]) { smallest = left }
      if right < heap.count && Self.worse(heap[right], heap[smallest]) { smallest = right }
      if smallest == parent { break }
      heap.swapAt(parent, smallest)
      parent = smallest
    }
  }

  func sorted() -> [EmbeddingIndex.Neighbour] { heap.sorted { Self.worse($1, $0) } }
}
