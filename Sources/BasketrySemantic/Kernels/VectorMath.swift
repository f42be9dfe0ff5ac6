import Foundation

/// Vectorised element-wise and row-wise operations used by the encoder.
public enum VectorMath {
  // MARK: - erf and GELU

  /// `erf(x)` for 16 lanes: a rational approximation (odd degree-13 over even degree-8 polynomial, as in Eigen and
  /// XLA) on `x` clamped to [-4, 4]; maximum absolute error about 4e-7.
  @inline(__always)
  public static func erf(_ value: SIMD16<Float>) -> SIMD16<Float> {
    // pointwiseMin/Max lower to vminps/vmaxps; `clamped` does not vectorise.
    let x = pointwiseMin(pointwiseMax(value, SIMD16(repeating: -4)), SIMD16(repeating: 4))
    let x2 = x * x
    var p = SIMD16<Float>(repeating: -2.72614225801306e-10)
    p = p * x2 + SIMD16(repeating: 2.77068142495902e-08)
    p = p * x2 + SIMD16(repeating: -2.10102402082508e-06)
    p = p * x2 + SIMD16(repeating: -5.69250639462346e-05)
    p = p * x2 + SIMD16(repeating: -7.34990630326855e-04)
    p = p * x2 + SIMD16(repeating: -2.95459980854025e-03)
    p = p * x2 + SIMD16(repeating: -1.60960333262415e-02)
    p = p * x
    var q = SIMD16<Float>(repeating: -1.45660718464996e-05)
    q = q * x2 + SIMD16(repeating: -2.13374055278905e-04)
    q = q * x2 + SIMD16(repeating: -1.68282697438203e-03)
    q = q * x2 + SIMD16(repeating: -7.37332916720468e-03)
    q = q * x2 + SIMD16(repeating: -1.42647390514189e-02)
    return p / q
  }

  /// Exact (erf) GELU for 16 lanes: `x/2 · (1 + erf(x/√2))`.
  @inline(__always)
  public static func gelu(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let half = SIMD16<Float>(repeating: 0.5)
    return half * x * (SIMD16(repeating: 1) + erf(x * SIMD16(repeating: 0.70710678118654752)))
  }

  // MARK: - Row operations

  /// In place: `x ← LayerNorm(x + residual) · γ + β` for one row of `width` (a multiple of 16) values.
  ///
  /// Mean and (biased) variance over the row; `y = (x − μ) / √(σ² + ε) · γ + β`.
  @inline(__always)
  public static func addLayerNorm(
    _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, width: Int, gamma: UnsafePointer<Float>,
    beta: UnsafePointer<Float>, epsilon: Float
  ) {
    let chunks = width / 16
    var sum = SIMD16<Float>()
    for i in 0..<chunks {
      var v = GEMM.load(x + 16 * i)
      if let residual { v += GEMM.load(residual + 16 * i) }
      GEMM.store(v, x + 16 * i)
      sum += v
    }
    let mean = sum.sum() / Float(width)
    let meanVector = SIMD16<Float>(repeating: mean)
    var squares = SIMD16<Float>()
    for i in 0..<chunks {
      let d = GEMM.load(x + 16 * i) - meanVector
      squares.addProduct(d, d)
    }
    let variance = squares.sum() / Float(width)
    let scale = SIMD16<Float>(repeating: 1 / (variance + epsilon).squareRoot())
    for i in 0..<chunks {
      let d = (GEMM.load(x + 16 * i) - meanVector) * scale
      GEMM.store(d * GEMM.load(gamma + 16 * i) + GEMM.load(beta + 16 * i), x + 16 * i)
    }
  }

  /// Dot product of two vectors of `count` floats (any count).
  @inline(__always)
  public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc0 = SIMD16<Float>()
    var acc1 = SIMD16<Float>()
    var i = 0
    while i + 32 <= count {
      acc0.addProduct(GEMM.load(a + i), GEMM.load(b + i))
      acc1.addProduct(GEMM.load(a + i + 16), GEMM.load(b + i + 16))
      i += 32
    }
    while i + 16 <= count {
      acc0.addProduct(GEMM.load(a + i), GEMM.load(b + i))
      i += 16
    }
    var total = (acc0 + acc1).sum()
    while i < count {
      total += a[i] * b[i]
      i += 1
    }
    return total
  }

  /// `y += alpha · x` for vectors of `count` floats (any count).
  @inline(__always)
  public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    let a = SIMD16<Float>(repeating: alpha)
    var i = 0
    while i + 16 <= count {
      GEMM.store(GEMM.load(y + i).addingProduct(a, GEMM.load(x + i)), y + i)
      i += 16
    }
    while i < count {
      y[i] += alpha * x[i]
      i += 1
    }
  }

  /// Scales a vector to unit Euclidean length (left as is when its norm is 0).
  public static func normalize(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let norm = dot(x, x, count: count).squareRoot()
    guard norm > 0 else { return }
    let inverse = 1 / max(norm, 1e-12)
    for i in 0..<count { x[i] *= inverse }
  }
}
