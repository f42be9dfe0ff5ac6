import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("Kernels")
struct KernelsTests {
  @Test(arguments: [1, 7, 8, 15, 16, 17, 64, 100])
  func dotAndAxpyMatchScalar(n: Int) {
    var rng = SplitMix64(seed: UInt64(n))
    let a = (0..<n).map { _ in Float(rng.nextGaussian()) }
    let b = (0..<n).map { _ in Float(rng.nextGaussian()) }
    let expected = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let got = a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        Kernels.dot(pa.baseAddress.unsafelyUnwrapped, pb.baseAddress.unsafelyUnwrapped, n)
      }
    }
    #expect(abs(Double(got) - expected) < 1e-4 * Double(n))
    var y = b
    a.withUnsafeBufferPointer { pa in
      y.withUnsafeMutableBufferPointer { py in
        Kernels.axpy(0.5, pa.baseAddress.unsafelyUnwrapped, py.baseAddress.unsafelyUnwrapped, n)
      }
    }
    for k in 0..<n { #expect(abs(y[k] - (b[k] + 0.5 * a[k])) < 1e-5) }
  }

  @Test(arguments: [3, 16, 64])
  func choleskySolvesSPDSystem(n: Int) throws {
    var rng = SplitMix64(seed: 11)
    let m = (0..<(n * n)).map { _ in Float(rng.nextGaussian()) }
    // A = MᵀM + n·I is symmetric positive definite.
    var a = [Float](repeating: 0, count: n * n)
    m.withUnsafeBufferPointer { pm in
      a.withUnsafeMutableBufferPointer { pa in
        Kernels.gramAccumulate(
          pm.baseAddress.unsafelyUnwrapped, rows: n, n: n, weights: nil, into: pa.baseAddress.unsafelyUnwrapped)
      }
    }
    for d in 0..<n { a[d * n + d] += Float(n) }
    let x = (0..<n).map { _ in Float(rng.nextGaussian()) }
    var b = [Float](repeating: 0, count: n)
    for r in 0..<n { for c in 0..<n { b[r] += a[r * n + c] * x[c] } }
    var factor = a
    let ok = factor.withUnsafeMutableBufferPointer { Kernels.choleskyFactor($0.baseAddress.unsafelyUnwrapped, n) }
    #expect(ok)
    factor.withUnsafeBufferPointer { l in
      b.withUnsafeMutableBufferPointer { pb in
        Kernels.choleskySolve(l.baseAddress.unsafelyUnwrapped, pb.baseAddress.unsafelyUnwrapped, n)
      }
    }
    for k in 0..<n { #expect(abs(b[k] - x[k]) < 1e-3) }
  }

  @Test func choleskyRejectsIndefinite() {
    var a: [Float] = [1, 2, 2, 1]
    let ok = a.withUnsafeMutableBufferPointer { Kernels.choleskyFactor($0.baseAddress.unsafelyUnwrapped, 2) }
    #expect(!ok)
  }

  @Test(arguments: [5, 16, 32, 64])
  func gemvMatchesDots(n: Int) {
    var rng = SplitMix64(seed: 3)
    let rows = 37
    let a = (0..<(rows * n)).map { _ in Float(rng.nextGaussian()) }
    let x = (0..<n).map { _ in Float(rng.nextGaussian()) }
    var y = [Float](repeating: 0, count: rows)
    a.withUnsafeBufferPointer { pa in
      x.withUnsafeBufferPointer { px in
        y.withUnsafeMutableBufferPointer { py in
          Kernels.gemv(
            pa.baseAddress.unsafelyUnwrapped, rows: rows, px.baseAddress.unsafelyUnwrapped,
            py.baseAddress.unsafelyUnwrapped, n)
        }
      }
    }
    for r in 0..<rows {
      var expected: Float = 0
      for c in 0..<n { expected += a[r * n + c] * x[c] }
      #expect(abs(y[r] - expected) < 1e-3)
    }
  }
}

@Suite("Kernels.projectAccumulate")
struct ProjectAccumulateTests {
  @Test(arguments: [5, 16, 32, 64, 72])
  func matchesDotThenAxpy(n: Int) {
    var rng = SplitMix64(seed: 21)
    let y = (0..<n).map { _ in Float(rng.nextGaussian()) }
    let p = (0..<n).map { _ in Float(rng.nextGaussian()) }
    let start = (0..<n).map { _ in Float(rng.nextGaussian()) }
    var out = start
    y.withUnsafeBufferPointer { yb in
      p.withUnsafeBufferPointer { pb in
        out.withUnsafeMutableBufferPointer { ob in
          Kernels.projectAccumulate(
            yb.baseAddress.unsafelyUnwrapped, pb.baseAddress.unsafelyUnwrapped, offset: 0.5, scale: -2,
            into: ob.baseAddress.unsafelyUnwrapped, n)
        }
      }
    }
    let projection = zip(y, p).reduce(Float(0)) { $0 + $1.0 * $1.1 }
    for k in 0..<n { #expect(abs(out[k] - (start[k] + (0.5 - 2 * projection) * y[k])) < 1e-3) }
  }
}

@Suite("Kernels.gemmNT")
struct GemmTests {
  @Test(arguments: [(1, 5, 3), (4, 7, 8), (9, 13, 64), (6, 3, 20)])
  func matchesNaiveProduct(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var rng = SplitMix64(seed: 17)
    let a = (0..<(m * k)).map { _ in Float(rng.nextGaussian()) }
    let b = (0..<(n * k)).map { _ in Float(rng.nextGaussian()) }
    var c = [Float](repeating: .nan, count: m * n)
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          Kernels.gemmNT(
            pa.baseAddress.unsafelyUnwrapped, m: m, pb.baseAddress.unsafelyUnwrapped, n: n, k: k,
            into: pc.baseAddress.unsafelyUnwrapped)
        }
      }
    }
    for i in 0..<m {
      for j in 0..<n {
        var expected: Float = 0
        for t in 0..<k { expected += a[i * k + t] * b[j * k + t] }
        #expect(abs(c[i * n + j] - expected) < 1e-3)
      }
    }
  }
}
