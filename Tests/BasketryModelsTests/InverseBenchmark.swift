import BasketryCore
import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// Opt-in (BASKETRY_SLOW_TESTS=1): the 4096 × 4096 SPD inverse behind EASE; prints the time, asserts accuracy.
@Test(.enabled(if: TestSupport.slowTestsEnabled))
func inverse4096() throws {
  let n = 4096
  var rng = SplitMix64(seed: 1)
  var a = [Float](repeating: 0, count: n * n)
  for i in 0..<n {
    for j in 0...i {
      let value = Float(rng.nextUnit()) * 0.01
      a[i * n + j] = value
      a[j * n + i] = value
    }
    a[i * n + i] += Float(n) * 0.01
  }
  let original = a
  let start = DispatchTime.now()
  try SymmetricInverse.invert(&a, n: n, stride: n)
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  print(
    "inverse 4096: \(String(format: "%.2f", seconds)) s, \(String(format: "%.1f", 6.87e10 / seconds / 1e9)) GFLOP/s")
  var worst: Double = 0
  for i in [0, 17, n / 2, n - 1] {
    for j in [0, 5, n / 3, n - 1] {
      var sum: Double = 0
      for k in 0..<n { sum += Double(original[i * n + k]) * Double(a[k * n + j]) }
      worst = max(worst, abs(sum - (i == j ? 1 : 0)))
    }
  }
  #expect(worst < 1e-4)
}
