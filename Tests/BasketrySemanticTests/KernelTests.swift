import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

@Suite struct KernelTests {
  @Test(arguments: [(1, 16, 5), (6, 32, 384), (13, 48, 400), (97, 16, 800), (7, 64, 1)])
  func gemmMatchesNaive(rows: Int, outputs: Int, inputs: Int) throws {
    var rng = SplitMix64(seed: UInt64(rows * 1000 + inputs))
    let a = (0..<(rows * inputs)).map { _ in Float(rng.nextGaussian()) }
    let w = (0..<(outputs * inputs)).map { _ in Float(rng.nextGaussian() * 0.1) }
    let bias = (0..<outputs).map { _ in Float(rng.nextGaussian()) }
    let packed = try PackedMatrix(weights: w, outputs: outputs, inputs: inputs, bias: bias)
    for activation in [GEMM.Activation.identity, .gelu] {
      var c = [Float](repeating: .nan, count: rows * outputs)
      a.withUnsafeBufferPointer { ap in
        c.withUnsafeMutableBufferPointer { cp in
          if let ab = ap.baseAddress, let cb = cp.baseAddress {
            GEMM.multiply(ab, lda: inputs, rows: rows, weights: packed, into: cb, ldc: outputs, activation: activation)
          }
        }
      }
      var worst: Double = 0
      for i in 0..<rows {
        for o in 0..<outputs {
          var sum = Double(bias[o])
          for k in 0..<inputs { sum += Double(a[i * inputs + k]) * Double(w[o * inputs + k]) }
          if activation == .gelu { sum = 0.5 * sum * (1 + erf(sum / 2.0.squareRoot())) }
          worst = max(worst, abs(sum - Double(c[i * outputs + o])))
        }
      }
      #expect(worst < 1e-4, "rows \(rows) outputs \(outputs) inputs \(inputs): max error \(worst)")
    }
  }

  @Test func packingRejectsBadShapes() {
    #expect(throws: SemanticError.self) { try PackedMatrix(weights: [1, 2], outputs: 2, inputs: 1, bias: nil) }
    #expect(throws: SemanticError.self) {
      try PackedMatrix(weights: [Float](repeating: 0, count: 32), outputs: 16, inputs: 2, bias: [0])
    }
  }

  @Test func erfIsAccurate() {
    var worst: Double = 0
    for step in -6000...6000 {
      let x = Float(step) / 1000
      let value = VectorMath.erf(SIMD16(repeating: x))[0]
      worst = max(worst, abs(Double(value) - erf(Double(x))))
    }
    #expect(worst < 1e-6)
  }

  @Test func layerNormAndVectorHelpers() {
    var x: [Float] = (0..<32).map { Float($0) }
    let residual = [Float](repeating: 1, count: 32)
    let gamma = [Float](repeating: 2, count: 32)
    let beta = [Float](repeating: 0.5, count: 32)
    x.withUnsafeMutableBufferPointer { xp in
      guard let xb = xp.baseAddress else { return }
      VectorMath.addLayerNorm(xb, residual: residual, width: 32, gamma: gamma, beta: beta, epsilon: 1e-12)
    }
    let mean = (0..<32).map { Double($0) + 1 }.reduce(0, +) / 32
    let sd = ((0..<32).map { pow(Double($0) + 1 - mean, 2) }.reduce(0, +) / 32).squareRoot()
    for i in 0..<32 { #expect(abs(Double(x[i]) - ((Double(i) + 1 - mean) / sd * 2 + 0.5)) < 1e-4) }
    let a: [Float] = (0..<37).map { Float($0) }
    #expect(VectorMath.dot(a, a, count: 37) == Float((0..<37).map { $0 * $0 }.reduce(0, +)))
  }
}
