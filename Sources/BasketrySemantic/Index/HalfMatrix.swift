/// A row-major matrix of unit-length vectors stored as IEEE binary16, for screening scans that read half the bytes.
struct HalfMatrix: Sendable {
  /// Largest change of a dot product between unit vectors when one is rounded to binary16: 2⁻¹¹ · ‖q‖ · ‖x‖.
  static let maximumError: Float = 0x1p-11

  let rows: Int
  let dimension: Int
  let bits: [UInt16]

  init(_ matrix: EmbeddingMatrix) {
    rows = matrix.rows
    dimension = matrix.dimension
    bits = matrix.values.map(SafetensorsFile.floatToHalf)
  }

  /// Dot product of row `row` (half precision, widened) with a single-precision vector.
  @inline(__always)
  func dot(row: Int, _ q: UnsafePointer<Float>) -> Float {
    bits.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return 0 }
      return Self.dot(base + row * dimension, q, count: dimension)
    }
  }

  @inline(__always)
  static func dot(_ h: UnsafePointer<UInt16>, _ q: UnsafePointer<Float>, count: Int) -> Float {
    var acc0 = SIMD16<Float>()
    var acc1 = SIMD16<Float>()
    var i = 0
    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
      while i + 32 <= count {
        let a = SIMD16<Float>(UnsafeRawPointer(h + i).loadUnaligned(as: SIMD16<Float16>.self))
        let b = SIMD16<Float>(UnsafeRawPointer(h + i + 16).loadUnaligned(as: SIMD16<Float16>.self))
        acc0 = acc0.addingProduct(a, GEMM.load(q + i))
        acc1 = acc1.addingProduct(b, GEMM.load(q + i + 16))
        i += 32
      }
    #endif
    var total = (acc0 + acc1).sum()
    while i < count {
      total += SafetensorsFile.halfToFloat(h[i]) * q[i]
      i += 1
    }
    return total
  }
}
