// MARK: - SIMD numeric kernels

/// Small dense numeric kernels on `Float` buffers, vectorised with `SIMD8<Float>`.
///
/// The package compiles this target with `-target-cpu haswell`, so each `SIMD8<Float>` operation is one
/// AVX2 instruction and `addingProduct` is one FMA. Every kernel takes raw pointers and a length so
/// callers can work on rows of flat row-major matrices without copying. Matrices are row-major.
public enum Kernels {
  // MARK: - Loads and stores

  @inlinable @inline(__always)
  static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inlinable @inline(__always)
  static func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inlinable @inline(__always)
  static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  // MARK: - Level 1

  /// The dot product Σ a[i]·b[i].
  /// - Complexity: O(n).
  @inlinable
  public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    // Four independent accumulators hide the FMA latency (a 64-float dot is two FMAs deep per chain).
    var acc0 = SIMD8<Float>()
    var acc1 = SIMD8<Float>()
    var acc2 = SIMD8<Float>()
    var acc3 = SIMD8<Float>()
    var i = 0
    while i + 32 <= n {
      acc0 = acc0.addingProduct(load8(a + i), load8(b + i))
      acc1 = acc1.addingProduct(load8(a + i + 8), load8(b + i + 8))
      acc2 = acc2.addingProduct(load8(a + i + 16), load8(b + i + 16))
      acc3 = acc3.addingProduct(load8(a + i + 24), load8(b + i + 24))
      i += 32
    }
    acc0 += acc2
    acc1 += acc3
    while i + 16 <= n {
      acc0 = acc0.addingProduct(load8(a + i), load8(b + i))
      acc1 = acc1.addingProduct(load8(a + i + 8), load8(b + i + 8))
      i += 16
    }
    if i + 8 <= n {
      acc0 = acc0.addingProduct(load8(a + i), load8(b + i))
      i += 8
    }
    var sum = (acc0 + acc1).sum()
    while i < n {
      sum += a[i] * b[i]
      i += 1
    }
    return sum
  }

  /// y ← y + α·x.
  /// - Complexity: O(n).
  @inlinable
  public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let a = SIMD8<Float>(repeating: alpha)
    var i = 0
    while i + 8 <= n {
      store8(load8(y + i).addingProduct(a, load8(x + i)), y + i)
      i += 8
    }
    while i < n {
      y[i] += alpha * x[i]
      i += 1
    }
  }

  /// x ← α·x.
  /// - Complexity: O(n).
  @inlinable
  public static func scale(_ x: UnsafeMutablePointer<Float>, _ alpha: Float, _ n: Int) {
    let a = SIMD8<Float>(repeating: alpha)
    var i = 0
    while i + 8 <= n {
      store8(load8(x + i) * a, x + i)
      i += 8
    }
    while i < n {
      x[i] *= alpha
      i += 1
    }
  }

  /// y ← x + β·y (the conjugate-gradient direction update).
  /// - Complexity: O(n).
  @inlinable
  public static func xpby(_ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let b = SIMD8<Float>(repeating: beta)
    var i = 0
    while i + 8 <= n {
      store8(load8(x + i).addingProduct(b, load8(y + i)), y + i)
      i += 8
    }
    while i < n {
      y[i] = x[i] + beta * y[i]
      i += 1
    }
  }

  /// The Euclidean norm ‖x‖.
  /// - Complexity: O(n).
  @inlinable
  public static func norm(_ x: UnsafePointer<Float>, _ n: Int) -> Float { dot(x, x, n).squareRoot() }

  /// out ← out + (a + b·(yᵀp))·y — the per-interaction update of the ALS solvers, fused into one call
  /// (the dot product is skipped when b = 0).
  ///
  /// Written with `SIMD8` only: wider generic vectors (`SIMD64<Float>`) compile to slow generic code here
  /// (measured ~500× slower).
  /// - Complexity: O(n).
  @inlinable
  public static func projectAccumulate(
    _ y: UnsafePointer<Float>, _ p: UnsafePointer<Float>, offset a: Float, scale b: Float,
    into out: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    let coefficient = b == 0 ? a : a + b * dot(y, p, n)
    axpy(coefficient, y, out, n)
  }

  // MARK: - Level 2 and 3

  /// y ← A·x for a symmetric n × n matrix A.
  /// - Complexity: O(n²).
  @inlinable
  public static func symv(
    _ a: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    // Column (axpy) form: A is symmetric, so y = Σ_c x[c]·A[c] — no horizontal sums.
    y.update(repeating: 0, count: n)
    for c in 0..<n where x[c] != 0 { axpy(x[c], a + c * n, y, n) }
  }

  /// y[r] ← A[r]·x for every row of a row-major `rows` × `n` matrix A (a matrix–vector product).
  /// - Complexity: O(rows · n).
  @inlinable
  public static func gemv(
    _ a: UnsafePointer<Float>, rows: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int
  ) {
    if n == 64 || n == 32 || n == 16 {
      // Register-resident x for the common factor counts.
      var xs = [SIMD8<Float>](repeating: .zero, count: n / 8)
      for c in 0..<(n / 8) { xs[c] = load8(x + 8 * c) }
      xs.withUnsafeBufferPointer { xv in
        let chunks = n / 8
        for r in 0..<rows {
          let row = a + r * n
          var acc0 = SIMD8<Float>()
          var acc1 = SIMD8<Float>()
          var c = 0
          while c + 2 <= chunks {
            acc0 = acc0.addingProduct(load8(row + 8 * c), xv[c])
            acc1 = acc1.addingProduct(load8(row + 8 * c + 8), xv[c + 1])
            c += 2
          }
          y[r] = (acc0 + acc1).sum()
        }
      }
      return
    }
    for r in 0..<rows { y[r] = dot(a + r * n, x, n) }
  }

  /// C ← A·Bᵀ for row-major A (m × k), B (n × k) and C (m × n): C[i][j] = A_i · B_j.
  ///
  /// Rows of A are taken four at a time so each row of B is loaded once per four dot products.
  /// - Complexity: O(m · n · k).
  @inlinable
  public static func gemmNT(
    _ a: UnsafePointer<Float>, m: Int, _ b: UnsafePointer<Float>, n: Int, k: Int, into c: UnsafeMutablePointer<Float>
  ) {
    var i = 0
    while i + 4 <= m {
      let a0 = a + i * k
      let a1 = a0 + k
      let a2 = a1 + k
      let a3 = a2 + k
      for j in 0..<n {
        let bj = b + j * k
        var s0 = SIMD8<Float>()
        var s1 = SIMD8<Float>()
        var s2 = SIMD8<Float>()
        var s3 = SIMD8<Float>()
        var t = 0
        while t + 8 <= k {
          let bv = load8(bj + t)
          s0 = s0.addingProduct(load8(a0 + t), bv)
          s1 = s1.addingProduct(load8(a1 + t), bv)
          s2 = s2.addingProduct(load8(a2 + t), bv)
          s3 = s3.addingProduct(load8(a3 + t), bv)
          t += 8
        }
        var r0 = s0.sum()
        var r1 = s1.sum()
        var r2 = s2.sum()
        var r3 = s3.sum()
        while t < k {
          r0 += a0[t] * bj[t]
          r1 += a1[t] * bj[t]
          r2 += a2[t] * bj[t]
          r3 += a3[t] * bj[t]
          t += 1
        }
        c[i * n + j] = r0
        c[(i + 1) * n + j] = r1
        c[(i + 2) * n + j] = r2
        c[(i + 3) * n + j] = r3
      }
      i += 4
    }
    while i < m {
      rowTimesTransposed(a + i * k, b, n: n, k: k, into: c + i * n)
      i += 1
    }
  }

  /// c[j] ← a · B_j for every row j of B (n × k), with exactly the arithmetic of ``gemmNT(_:m:_:n:k:into:)``
  /// (one SIMD8 accumulator per output, summed in the same order), four rows of B at a time.
  /// - Complexity: O(n · k).
  @inlinable
  public static func rowTimesTransposed(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, n: Int, k: Int, into c: UnsafeMutablePointer<Float>
  ) {
    var j = 0
    while j + 4 <= n {
      let b0 = b + j * k
      let b1 = b0 + k
      let b2 = b1 + k
      let b3 = b2 + k
      var s0 = SIMD8<Float>()
      var s1 = SIMD8<Float>()
      var s2 = SIMD8<Float>()
      var s3 = SIMD8<Float>()
      var t = 0
      while t + 8 <= k {
        let av = load8(a + t)
        s0 = s0.addingProduct(av, load8(b0 + t))
        s1 = s1.addingProduct(av, load8(b1 + t))
        s2 = s2.addingProduct(av, load8(b2 + t))
        s3 = s3.addingProduct(av, load8(b3 + t))
        t += 8
      }
      var r0 = s0.sum()
      var r1 = s1.sum()
      var r2 = s2.sum()
      var r3 = s3.sum()
      while t < k {
        r0 += a[t] * b0[t]
        r1 += a[t] * b1[t]
        r2 += a[t] * b2[t]
        r3 += a[t] * b3[t]
        t += 1
      }
      c[j] = r0
      c[j + 1] = r1
      c[j + 2] = r2
      c[j + 3] = r3
      j += 4
    }
    while j < n {
      let bj = b + j * k
      var s0 = SIMD8<Float>()
      var t = 0
      while t + 8 <= k {
        s0 = s0.addingProduct(load8(a + t), load8(bj + t))
        t += 8
      }
      var r0 = s0.sum()
      while t < k {
        r0 += a[t] * bj[t]
        t += 1
      }
      c[j] = r0
      j += 1
    }
  }

  /// G ← G + Σ_r w_r · a_r a_rᵀ over rows r of a row-major `rows` × `n` matrix (a weighted Gram update;
  /// with w = 1 this accumulates AᵀA). Only the full matrix is written (both triangles).
  /// - Parameters:
  ///   - a: rows of length n.
  ///   - weights: a weight per row, or nil for 1.
  ///   - g: the n × n accumulator.
  /// - Complexity: O(rows · n²).
  @inlinable
  public static func gramAccumulate(
    _ a: UnsafePointer<Float>, rows: Int, n: Int, weights: UnsafePointer<Float>?, into g: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows {
      let row = a + r * n
      let w = weights?[r] ?? 1
      for i in 0..<n {
        let coefficient = w * row[i]
        if coefficient != 0 { axpy(coefficient, row, g + i * n, n) }
      }
    }
  }

  // MARK: - Linear solvers

  /// Cholesky factorisation in place: A = L·Lᵀ, L stored in the lower triangle of `a` (row-major n × n).
  /// Only the lower triangle of A is read.
  /// - Returns: false when A is not (numerically) positive definite.
  /// - Complexity: O(n³ / 3).
  @inlinable
  public static func choleskyFactor(_ a: UnsafeMutablePointer<Float>, _ n: Int) -> Bool {
    for j in 0..<n {
      let rowJ = a + j * n
      var diagonal = rowJ[j] - dot(rowJ, rowJ, j)
      guard diagonal > 0, diagonal.isFinite else { return false }
      diagonal = diagonal.squareRoot()
      rowJ[j] = diagonal
      let inverse = 1 / diagonal
      for i in (j + 1)..<max(j + 1, n) {
        let rowI = a + i * n
        rowI[j] = (rowI[j] - dot(rowI, rowJ, j)) * inverse
      }
    }
    return true
  }

  /// Solves L·Lᵀ·x = b in place (b becomes x) given the factor from ``choleskyFactor(_:_:)``.
  /// - Complexity: O(n²).
  @inlinable
  public static func choleskySolve(_ l: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ n: Int) {
    // Forward: L·z = b.
    for i in 0..<n {
      b[i] = (b[i] - dot(l + i * n, b, i)) / l[i * n + i]
    }
    // Backward: Lᵀ·x = z.
    var i = n - 1
    while i >= 0 {
      var sum = b[i]
      for k in (i + 1)..<max(i + 1, n) { sum -= l[k * n + i] * b[k] }
      b[i] = sum / l[i * n + i]
      i -= 1
    }
  }
}
