/// Dense matrix products for the encoder: `C = A · Wᵀ + b`, optionally followed by GELU, with a packed `W`.
///
/// BLIS-style: `W` is pre-packed in 16-wide panels (``PackedMatrix``); a 6×16 micro-kernel keeps twelve AVX
/// registers of accumulators (as `SIMD16<Float>`), broadcasting one element of each of six rows of `A` per step.
/// The reduction axis is cut into blocks of ``kBlock`` and the rows into chunks of ``rowChunk``, so a chunk of `A`
/// stays in L2 while each panel slice (in L1) passes over it.
public enum GEMM {
  /// Reduction-axis block: 384 inputs × 16 outputs × 4 bytes = 24 KiB of `W` per panel slice.
  public static let kBlock = 384
  /// Rows per micro-kernel call.
  public static let rowBlock = 6
  /// Rows of `A` kept in L2 while every panel passes over them (96 × 384 × 4 bytes = 144 KiB).
  public static let rowChunk = 240

  /// Epilogue applied after the last reduction block.
  public enum Activation: Sendable {
    /// None.
    case identity
    /// Exact GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))`.
    case gelu
  }

  /// Computes `C[m, n] = Σ_k A[m, k] · W[n, k] + bias[n]` (then the activation) for `m < rows`.
  /// - Parameters:
  ///   - a: Row-major `rows × weights.inputs`, leading dimension `lda`.
  ///   - lda: Stride between rows of `a`.
  ///   - rows: Number of rows.
  ///   - weights: Packed `W` and bias.
  ///   - c: Row-major output, `rows × weights.outputs`, leading dimension `ldc`.
  ///   - ldc: Stride between rows of `c`.
  ///   - activation: Epilogue.
  /// - Complexity: O(rows · inputs · outputs).
  public static func multiply(
    _ a: UnsafePointer<Float>, lda: Int, rows: Int, weights: PackedMatrix, into c: UnsafeMutablePointer<Float>,
    ldc: Int, activation: Activation = .identity
  ) {
    guard rows > 0 else { return }
    let width = PackedMatrix.panelWidth
    let inputs = weights.inputs
    weights.values.withUnsafeBufferPointer { packed in
      weights.bias.withUnsafeBufferPointer { bias in
        guard let packedBase = packed.baseAddress, let biasBase = bias.baseAddress else { return }
        var k0 = 0
        while k0 < inputs {
          let kc = min(kBlock, inputs - k0)
          let first = k0 == 0
          let last = k0 + kc >= inputs
          var chunk = 0
          while chunk < rows {
            let chunkEnd = min(rows, chunk + rowChunk)
            for panel in 0..<(weights.outputs / width) {
              let column = panel * width
              let b = packedBase + panel * inputs * width + k0 * width
              var row = chunk
              while row < chunkEnd {
                kernel(
                  a: a + row * lda + k0, lda: lda, rows: min(rowBlock, chunkEnd - row), b: b, kc: kc,
                  c: c + row * ldc + column, ldc: ldc, bias: first ? biasBase + column : nil,
                  gelu: last && activation == .gelu)
                row += rowBlock
              }
            }
            chunk = chunkEnd
          }
          k0 += kc
        }
      }
    }
  }

  /// The 6×16 micro-kernel: `C[0..<rows, 0..<16] (+)= A[0..<rows, 0..<kc] · B[0..<kc, 0..<16]`.
  @inline(__always)
  static func kernel(
    a: UnsafePointer<Float>, lda: Int, rows: Int, b: UnsafePointer<Float>, kc: Int, c: UnsafeMutablePointer<Float>,
    ldc: Int, bias: UnsafePointer<Float>?, gelu: Bool
  ) {
    let a0 = a
    let a1 = a + min(1, rows - 1) * lda
    let a2 = a + min(2, rows - 1) * lda
    let a3 = a + min(3, rows - 1) * lda
    let a4 = a + min(4, rows - 1) * lda
    let a5 = a + min(5, rows - 1) * lda
    var c0: SIMD16<Float>
    var c1: SIMD16<Float>
    var c2: SIMD16<Float>
    var c3: SIMD16<Float>
    var c4: SIMD16<Float>
    var c5: SIMD16<Float>
    if let bias {
      let initial = load(bias)
      c0 = initial
      c1 = initial
      c2 = initial
      c3 = initial
      c4 = initial
      c5 = initial
    } else {
      c0 = load(c)
      c1 = load(c + min(1, rows - 1) * ldc)
      c2 = load(c + min(2, rows - 1) * ldc)
      c3 = load(c + min(3, rows - 1) * ldc)
      c4 = load(c + min(4, rows - 1) * ldc)
      c5 = load(c + min(5, rows - 1) * ldc)
    }
    var bp = b
    for k in 0..<kc {
      let bv = load(bp)
      c0.addProduct(SIMD16(repeating: a0[k]), bv)
      c1.addProduct(SIMD16(repeating: a1[k]), bv)
      c2.addProduct(SIMD16(repeating: a2[k]), bv)
      c3.addProduct(SIMD16(repeating: a3[k]), bv)
      c4.addProduct(SIMD16(repeating: a4[k]), bv)
      c5.addProduct(SIMD16(repeating: a5[k]), bv)
      bp += 16
    }
    if gelu {
      c0 = VectorMath.gelu(c0)
      c1 = VectorMath.gelu(c1)
      c2 = VectorMath.gelu(c2)
      c3 = VectorMath.gelu(c3)
      c4 = VectorMath.gelu(c4)
      c5 = VectorMath.gelu(c5)
    }
    store(c0, c)
    if rows > 1 { store(c1, c + ldc) }
    if rows > 2 { store(c2, c + 2 * ldc) }
    if rows > 3 { store(c3, c + 3 * ldc) }
    if rows > 4 { store(c4, c + 4 * ldc) }
    if rows > 5 { store(c5, c + 5 * ldc) }
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
  }
}

extension SIMD16 where Scalar == Float {
  /// `self += a * b`, fused.
  @inline(__always)
  mutating func addProduct(_ a: SIMD16<Float>, _ b: SIMD16<Float>) {
    self = self.addingProduct(a, b)
  }
}
