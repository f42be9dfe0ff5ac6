import BasketryCore

/// Title embeddings as features for the collaborative models: principal components of the 384-dimensional vectors,
/// to initialise (or regularise towards) item factors of a smaller rank.
public enum TextFeatures {
  /// The top `count` principal directions of the rows (eigenvectors of the covariance
  /// `C = (X − μ)ᵀ(X − μ) / n`, largest eigenvalue first), by subspace iteration with Gram–Schmidt.
  /// - Parameters:
  ///   - matrix: `n × d` vectors.
  ///   - count: Number of components (at most `d`).
  ///   - iterations: Subspace iterations (default 40).
  ///   - seed: Seed of the random start.
  /// - Returns: `count × d`, orthonormal rows (empty when the matrix is).
  /// - Complexity: O(n · d²) for the covariance plus O(iterations · d² · count).
  public static func principalComponents(
    of matrix: EmbeddingMatrix, count: Int, iterations: Int = 40, seed: UInt64 = 1
  ) -> EmbeddingMatrix {
    let n = matrix.rows
    let d = matrix.dimension
    let r = min(count, d)
    guard n > 0, r > 0 else { return EmbeddingMatrix(rows: 0, dimension: d, values: []) }
    let covariance = self.covariance(of: matrix)
    var rng = SplitMix64(seed: seed)
    var basis = (0..<(r * d)).map { _ in rng.nextGaussian() }
    orthonormalize(&basis, rows: r, dimension: d)
    for _ in 0..<iterations {
      var next = [Double](repeating: 0, count: r * d)
      for c in 0..<r {
        for i in 0..<d {
          var sum = 0.0
          for j in 0..<d { sum += covariance[i * d + j] * basis[c * d + j] }
          next[c * d + i] = sum
        }
      }
      orthonormalize(&next, rows: r, dimension: d)
      basis = next
    }
    return EmbeddingMatrix(rows: r, dimension: d, values: basis.map(Float.init))
  }

  /// Item factors for a rank-`dimension` model: each row's coordinates on the top principal components, centred, with
  /// every column scaled to standard deviation `scale` (default 0.1, a usual factor-initialisation scale).
  /// - Returns: `n × dimension`.
  /// - Complexity: as ``principalComponents(of:count:iterations:seed:)`` plus O(n · d · dimension).
  public static func initialFactors(
    from matrix: EmbeddingMatrix, dimension: Int, scale: Float = 0.1, seed: UInt64 = 1
  ) -> EmbeddingMatrix {
    let components = principalComponents(of: matrix, count: dimension, seed: seed)
    let n = matrix.rows
    let d = matrix.dimension
    let r = components.rows
    guard n > 0, r > 0 else { return EmbeddingMatrix(rows: n, dimension: 0, values: []) }
    let mean = columnMeans(matrix)
    var factors = [Float](repeating: 0, count: n * r)
    for row in 0..<n {
      for c in 0..<r {
        var sum = 0.0
        for j in 0..<d { sum += (Double(matrix.values[row * d + j]) - mean[j]) * Double(components.values[c * d + j]) }
        factors[row * r + c] = Float(sum)
      }
    }
    for c in 0..<r {
      var squares = 0.0
      for row in 0..<n { squares += Double(factors[row * r + c] * factors[row * r + c]) }
      let sd = (squares / Double(n)).squareRoot()
      guard sd > 0 else { continue }
      let factor = Float(Double(scale) / sd)
      for row in 0..<n { factors[row * r + c] *= factor }
    }
    return EmbeddingMatrix(rows: n, dimension: r, values: factors)
  }

  // MARK: - Helpers

  static func columnMeans(_ matrix: EmbeddingMatrix) -> [Double] {
    let d = matrix.dimension
    var mean = [Double](repeating: 0, count: d)
    for row in 0..<matrix.rows { for j in 0..<d { mean[j] += Double(matrix.values[row * d + j]) } }
    return mean.map { $0 / Double(max(matrix.rows, 1)) }
  }

  /// `d × d` covariance; the centred matrix's Gram product runs through the SIMD GEMM when `d` is a multiple of 16.
  static func covariance(of matrix: EmbeddingMatrix) -> [Double] {
    let n = matrix.rows
    let d = matrix.dimension
    let mean = columnMeans(matrix)
    // Xᵀ, centred: d × n.
    var transposed = [Float](repeating: 0, count: d * n)
    for row in 0..<n { for j in 0..<d { transposed[j * n + row] = matrix.values[row * d + j] - Float(mean[j]) } }
    var result = [Float](repeating: 0, count: d * d)
    if d % PackedMatrix.panelWidth == 0,
      let packed = try? PackedMatrix(weights: transposed, outputs: d, inputs: n, bias: nil)
    {
      transposed.withUnsafeBufferPointer { a in
        result.withUnsafeMutableBufferPointer { c in
          guard let a = a.baseAddress, let c = c.baseAddress else { return }
          GEMM.multiply(a, lda: n, rows: d, weights: packed, into: c, ldc: d)
        }
      }
    } else {
      for i in 0..<d {
        for j in 0..<d {
          var sum: Float = 0
          for row in 0..<n { sum += transposed[i * n + row] * transposed[j * n + row] }
          result[i * d + j] = sum
        }
      }
    }
    return result.map { Double($0) / Double(max(n, 1)) }
  }

  /// Modified Gram–Schmidt on the rows of a `rows × dimension` matrix.
  static func orthonormalize(_ m: inout [Double], rows: Int, dimension: Int) {
    for i in 0..<rows {
      for j in 0..<i {
        var dot = 0.0
        for c in 0..<dimension { dot += m[i * dimension + c] * m[j * dimension + c] }
        for c in 0..<dimension { m[i * dimension + c] -= dot * m[j * dimension + c] }
      }
      var norm = 0.0
      for c in 0..<dimension { norm += m[i * dimension + c] * m[i * dimension + c] }
      norm = norm.squareRoot()
      guard norm > 1e-300 else { continue }
      for c in 0..<dimension { m[i * dimension + c] /= norm }
    }
  }
}
