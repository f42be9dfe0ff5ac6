import BasketryCore
import Foundation

/// Inverts dense symmetric positive-definite matrices in place (the EASE solve `P = (XᵀX + λI)⁻¹`).
///
/// Blocked symmetric sweep (Gauss–Jordan without pivoting in the sign convention that keeps the matrix
/// symmetric; stable for SPD input). For each diagonal block K of `blockSize` pivots, R the other indices and
/// `P = A_KK⁻¹`: `A_RR ← A_RR − A_RK P A_KR`, `A_RK ← A_RK P`, `A_KR ← P A_KR`, `A_KK ← −P`; after every block
/// the matrix holds `−A⁻¹`. Symmetry lets each step update only the lower triangle, so the whole inverse costs
/// n³ flops: a packed rank-`blockSize` update with a 6 × 16 `SIMD16<Float>` fused multiply-add micro-kernel,
/// row groups interleaved over threads. The small block inverse runs in `Double`.
/// - Complexity: n³ flops (about 6.9·10¹⁰ for n = 4096), O(n²) memory.
public enum SymmetricInverse {
  /// Raised when a pivot block is not positive definite.
  public struct NotPositiveDefinite: BasketryError {
    /// Index of the failing pivot.
    public var pivot: Int
    /// The pivot's value.
    public var value: Double
    public var category: ErrorCategory { .invalidInput }
    public var description: String {
      "matrix is not positive definite: pivot \(pivot) is \(value) (increase the regularisation λ)"
    }
  }

  /// Inverts an SPD matrix stored row-major with leading dimension `stride` (≥ n), in place.
  ///
  /// Only the lower triangle is read; the full symmetric inverse is written.
  /// - Parameters:
  ///   - a: `n × stride` floats; columns `n ..< stride` must be zero and stay zero.
  ///   - n: the matrix size.
  ///   - stride: row length in floats; a multiple of 16 is fastest.
  ///   - blockSize: pivots per block. Default 128.
  ///   - threads: worker threads for the update. Default 2.
  /// - Throws: ``NotPositiveDefinite`` when a pivot is not positive.
  /// - Precondition: `stride ≥ n`, `a.count ≥ n · stride`, `blockSize > 0` (callers size the buffer).
  public static func invert(
    _ a: inout [Float], n: Int, stride: Int, blockSize: Int = 128, threads: Int = 2
  ) throws {
    precondition(stride >= n && a.count >= n * stride && blockSize > 0)
    guard n > 0 else { return }
    let panelCount = (stride + 15) / 16
    let paddedWidth = panelCount * 16
    let nbMax = min(blockSize, n)
    var pinv = [Double](repeating: 0, count: nbMax * nbMax)
    var pFloat = [Float](repeating: 0, count: nbMax * nbMax)
    var v = [Float](repeating: 0, count: n * nbMax)  // V = A[:, K], n × nb
    var vt = [Float](repeating: 0, count: nbMax * paddedWidth)  // Vᵀ, nb × paddedWidth
    var packed = [Float](repeating: 0, count: nbMax * paddedWidth)  // W' = P Vᵀ in 16-wide panels
    var k0 = 0
    while k0 < n {
      let k1 = min(n, k0 + blockSize)
      let nb = k1 - k0
      // 1. P = A_KK⁻¹ (lower triangle mirrored) in Double.
      for r in 0..<nb {
        for c in 0...r {
          let value = Double(a[(k0 + r) * stride + k0 + c])
          pinv[r * nb + c] = value
          pinv[c * nb + r] = value
        }
      }
      try invertSmall(&pinv, n: nb, offset: k0)
      for e in 0..<(nb * nb) { pFloat[e] = Float(pinv[e]) }
      // 2. V = A[:, K] read from the lower triangle (A symmetric at every step).
      for i in 0..<n {
        for p in 0..<nb {
          let column = k0 + p
          let value = i >= column ? a[i * stride + column] : a[column * stride + i]
          v[i * nb + p] = value
          vt[p * paddedWidth + i] = value
        }
      }
      // 3. W' = P Vᵀ, packed: packed[(panel * nb + r) * 16 + lane].
      vt.withUnsafeBufferPointer { vb in
        packed.withUnsafeMutableBufferPointer { pb in
          pFloat.withUnsafeBufferPointer { fb in
            guard let vp = vb.baseAddress, let wp = pb.baseAddress, let pp = fb.baseAddress else { return }
            for panel in 0..<panelCount {
              for r in 0..<nb {
                var sum = SIMD16<Float>()
                for p in 0..<nb {
                  let x = UnsafeRawPointer(vp + p * paddedWidth + panel * 16).loadUnaligned(as: SIMD16<Float>.self)
                  sum.addProduct(SIMD16(repeating: pp[r * nb + p]), x)
                }
                UnsafeMutableRawPointer(wp + (panel * nb + r) * 16).storeBytes(of: sum, as: SIMD16<Float>.self)
              }
            }
          }
        }
      }
      // 4. A_RR −= V_R W' on the lower triangle (rows outside K; K columns are overwritten next).
      let rows = Array(0..<k0) + Array(k1..<n)
      update(&a, stride: stride, rows: rows, v: v, nb: nb, packed: packed, threads: threads)
      // 5. A_RK ← V_R P (lower part: rows after K, and the K rows' columns before K), A_KK ← −P.
      func w(_ r: Int, _ column: Int) -> Float { packed[((column / 16) * nb + r) * 16 + column % 16] }
      for i in k1..<n { for c in 0..<nb { a[i * stride + k0 + c] = w(c, i) } }
      for r in 0..<nb {
        for column in 0..<k0 { a[(k0 + r) * stride + column] = w(r, column) }
        for c in 0...r { a[(k0 + r) * stride + k0 + c] = -pFloat[r * nb + c] }
      }
      k0 = k1
    }
    // The lower triangle holds −A⁻¹: negate and mirror.
    for i in 0..<n {
      for j in 0..<i {
        let value = -a[i * stride + j]
        a[i * stride + j] = value
        a[j * stride + i] = value
      }
      a[i * stride + i] = -a[i * stride + i]
    }
  }

  /// Unblocked Gauss–Jordan inverse of a small SPD block, in Double.
  private static func invertSmall(_ m: inout [Double], n: Int, offset: Int) throws {
    for k in 0..<n {
      let pivot = m[k * n + k]
      guard pivot > 1e-12, pivot.isFinite else { throw NotPositiveDefinite(pivot: offset + k, value: pivot) }
      let inverse = 1 / pivot
      for j in 0..<n where j != k { m[k * n + j] *= inverse }
      for i in 0..<n where i != k {
        let factor = m[i * n + k]
        if factor == 0 { continue }
        for j in 0..<n where j != k { m[i * n + j] -= factor * m[k * n + j] }
        m[i * n + k] = -factor * inverse
      }
      m[k * n + k] = inverse
    }
  }

  private struct Shared: @unchecked Sendable {
    let a: UnsafeMutablePointer<Float>
    let v: UnsafePointer<Float>
    let w: UnsafePointer<Float>
    let rows: UnsafePointer<Int>
  }

  /// The rank-nb update `A[i, j] −= V[i, :] · W'[:, j]` for `rows` and columns up to each row group's diagonal
  /// panel (entries above the diagonal may receive garbage; they are never read).
  private static func update(
    _ a: inout [Float], stride: Int, rows: [Int], v: [Float], nb: Int, packed: [Float], threads: Int
  ) {
    guard !rows.isEmpty else { return }
    a.withUnsafeMutableBufferPointer { ab in
      v.withUnsafeBufferPointer { vb in
        packed.withUnsafeBufferPointer { pb in
          rows.withUnsafeBufferPointer { rb in
            guard let ap = ab.baseAddress, let vp = vb.baseAddress, let wp = pb.baseAddress, let rp = rb.baseAddress
            else { return }
            let shared = Shared(a: ap, v: vp, w: wp, rows: rp)
            let groups = (rows.count + 5) / 6
            let workers = max(1, min(threads, groups))
            let fullPanels = stride / 16
            let hasTail = stride % 16 != 0
            let columnBlock = max(1, 8192 / max(1, nb))  // panels per cache block
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
              var panelStart = 0
              while panelStart < fullPanels + (hasTail ? 1 : 0) {
                let panelEnd = min(fullPanels + (hasTail ? 1 : 0), panelStart + columnBlock)
                var group = worker
                while group < groups {
                  let r0 = group * 6
                  let count = min(6, rows.count - r0)
                  // Rows are ascending, so the group's last row bounds the panels needed.
                  let limit = min(panelEnd, shared.rows[r0 + count - 1] / 16 + 1)
                  if limit > panelStart {
                    let full = panelStart..<min(limit, fullPanels)
                    if count == 6 {
                      kernel6(shared, r0: r0, nb: nb, stride: stride, panels: full)
                    } else {
                      for r in r0..<(r0 + count) { kernel1(shared, r: r, nb: nb, stride: stride, panels: full) }
                    }
                    if hasTail && limit > fullPanels {
                      for r in r0..<(r0 + count) { tail(shared, r: r, nb: nb, stride: stride, panel: fullPanels) }
                    }
                  }
                  group += workers
                }
                panelStart = panelEnd
              }
            }
          }
        }
      }
    }
  }

  @inline(__always) private static func kernel6(_ s: Shared, r0: Int, nb: Int, stride: Int, panels: Range<Int>) {
    guard !panels.isEmpty else { return }
    let v0 = s.v + s.rows[r0] * nb
    let v1 = s.v + s.rows[r0 + 1] * nb
    let v2 = s.v + s.rows[r0 + 2] * nb
    let v3 = s.v + s.rows[r0 + 3] * nb
    let v4 = s.v + s.rows[r0 + 4] * nb
    let v5 = s.v + s.rows[r0 + 5] * nb
    for panel in panels {
      var c0 = SIMD16<Float>()
      var c1 = SIMD16<Float>()
      var c2 = SIMD16<Float>()
      var c3 = SIMD16<Float>()
      var c4 = SIMD16<Float>()
      var c5 = SIMD16<Float>()
      var w = UnsafeRawPointer(s.w + panel * nb * 16)
      for p in 0..<nb {
        let b = w.loadUnaligned(as: SIMD16<Float>.self)
        c0.addProduct(SIMD16(repeating: v0[p]), b)
        c1.addProduct(SIMD16(repeating: v1[p]), b)
        c2.addProduct(SIMD16(repeating: v2[p]), b)
        c3.addProduct(SIMD16(repeating: v3[p]), b)
        c4.addProduct(SIMD16(repeating: v4[p]), b)
        c5.addProduct(SIMD16(repeating: v5[p]), b)
        w += 64
      }
      let column = panel * 16
      subtract(s.a + s.rows[r0] * stride + column, c0)
      subtract(s.a + s.rows[r0 + 1] * stride + column, c1)
      subtract(s.a + s.rows[r0 + 2] * stride + column, c2)
      subtract(s.a + s.rows[r0 + 3] * stride + column, c3)
      subtract(s.a + s.rows[r0 + 4] * stride + column, c4)
      subtract(s.a + s.rows[r0 + 5] * stride + column, c5)
    }
  }

  @inline(__always) private static func kernel1(_ s: Shared, r: Int, nb: Int, stride: Int, panels: Range<Int>) {
    let v0 = s.v + s.rows[r] * nb
    for panel in panels {
      var c0 = SIMD16<Float>()
      var w = UnsafeRawPointer(s.w + panel * nb * 16)
      for p in 0..<nb {
        c0.addProduct(SIMD16(repeating: v0[p]), w.loadUnaligned(as: SIMD16<Float>.self))
        w += 64
      }
      subtract(s.a + s.rows[r] * stride + panel * 16, c0)
    }
  }

  /// The last, partial panel (stride not a multiple of 16).
  private static func tail(_ s: Shared, r: Int, nb: Int, stride: Int, panel: Int) {
    let v0 = s.v + s.rows[r] * nb
    var c0 = SIMD16<Float>()
    var w = UnsafeRawPointer(s.w + panel * nb * 16)
    for p in 0..<nb {
      c0.addProduct(SIMD16(repeating: v0[p]), w.loadUnaligned(as: SIMD16<Float>.self))
      w += 64
    }
    let row = s.a + s.rows[r] * stride
    for lane in 0..<(stride - panel * 16) { row[panel * 16 + lane] -= c0[lane] }
  }

  @inline(__always) private static func subtract(_ pointer: UnsafeMutablePointer<Float>, _ value: SIMD16<Float>) {
    let raw = UnsafeMutableRawPointer(pointer)
    raw.storeBytes(of: raw.loadUnaligned(as: SIMD16<Float>.self) - value, as: SIMD16<Float>.self)
  }
}
