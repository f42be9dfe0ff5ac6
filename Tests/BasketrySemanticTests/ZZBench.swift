import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

func threadCPU() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

@Test(.enabled(if: ProcessInfo.processInfo.environment["ZZBENCH"] == "1"))
func zzGemmBench() throws {
  for (rows, outputs, inputs) in [(576, 1152, 384), (576, 384, 384), (576, 1536, 384), (576, 384, 1536), (96, 1536, 384)] {
    var rng = SplitMix64(seed: 1)
    let a = (0..<(rows * inputs)).map { _ in Float(rng.nextGaussian()) }
    let w = (0..<(outputs * inputs)).map { _ in Float(rng.nextGaussian() * 0.1) }
    let packed = try PackedMatrix(weights: w, outputs: outputs, inputs: inputs, bias: nil)
    var c = [Float](repeating: 0, count: rows * outputs)
    let reps = 20
    let start = threadCPU()
    for _ in 0..<reps {
      a.withUnsafeBufferPointer { ap in
        c.withUnsafeMutableBufferPointer { cp in
          GEMM.multiply(ap.baseAddress!, lda: inputs, rows: rows, weights: packed, into: cp.baseAddress!, ldc: outputs)
        }
      }
    }
    let seconds = threadCPU() - start
    print("GEMM \(rows)x\(outputs)x\(inputs): \(String(format: "%.1f", 2.0 * Double(rows * outputs * inputs * reps) / seconds / 1e9)) GFLOP/s (cpu)")
  }
}

@Test(.enabled(if: ProcessInfo.processInfo.environment["ZZBENCH"] == "1"))
func zzIndexBench() throws {
  var rng = SplitMix64(seed: 2)
  let rows = 100_000
  let matrix = EmbeddingMatrix(rows: rows, dimension: 384, values: (0..<(rows * 384)).map { _ in Float(rng.nextGaussian()) })
  let index = EmbeddingIndex(matrix)
  let query = (0..<384).map { _ in Float(rng.nextGaussian()) }
  for threads in [1, 2] {
    _ = index.search(query, k: 10, threads: threads)
    let reps = 50
    let start = Date()
    let cpu = threadCPU()
    for _ in 0..<reps { _ = index.search(query, k: 10, threads: threads) }
    let wall = Date().timeIntervalSince(start) / Double(reps) * 1000
    print("index 100k×384 top-10 threads=\(threads): \(String(format: "%.2f", wall)) ms/query wall, main-thread cpu \(String(format: "%.2f", (threadCPU() - cpu) / Double(reps) * 1000)) ms")
  }
}
