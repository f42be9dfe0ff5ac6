/// Embedding vectors, one per row, stored contiguously (`rows × dimension`, row-major).
public struct EmbeddingMatrix: Sendable, Hashable {
  /// Number of vectors.
  public let rows: Int
  /// Width of each vector.
  public let dimension: Int
  /// `rows × dimension` values, row after row.
  public var values: [Float]

  /// Creates a matrix from row-major values.
  /// - Precondition-like check: `values.count` must equal `rows × dimension`; otherwise the matrix is empty.
  public init(rows: Int, dimension: Int, values: [Float]) {
    if values.count == rows * dimension {
      self.rows = rows
      self.dimension = dimension
      self.values = values
    } else {
      self.rows = 0
      self.dimension = dimension
      self.values = []
    }
  }

  /// Creates a matrix from equal-length vectors (empty when they differ in length).
  public init(vectors: [[Float]]) {
    let dimension = vectors.first?.count ?? 0
    guard vectors.allSatisfy({ $0.count == dimension }) else {
      self.init(rows: 0, dimension: dimension, values: [])
      return
    }
    self.init(rows: vectors.count, dimension: dimension, values: vectors.flatMap { $0 })
  }

  /// Row `index` as a slice of ``values``.
  public subscript(index: Int) -> ArraySlice<Float> {
    values[(index * dimension)..<((index + 1) * dimension)]
  }

  /// Every row as its own array.
  public var vectors: [[Float]] { (0..<rows).map { Array(self[$0]) } }

  /// Cosine similarity of two rows: `a·b / (‖a‖‖b‖)` (the dot product when rows are unit length); 0 for a zero row.
  public func cosine(_ a: Int, _ b: Int) -> Float {
    values.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return 0 }
      let x = base + a * dimension
      let y = base + b * dimension
      let dot = VectorMath.dot(x, y, count: dimension)
      let norms = (VectorMath.dot(x, x, count: dimension) * VectorMath.dot(y, y, count: dimension)).squareRoot()
      return norms > 0 ? dot / norms : 0
    }
  }
}
