import BasketryCore
import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("EASE and the SPD inverse")
struct EASETests {
  /// A random SPD matrix `MᵀM + n I` (n × stride, padded with zeros).
  static func spd(_ n: Int, stride: Int, seed: UInt64) -> [Float] {
    var rng = SplitMix64(seed: seed)
    let m = (0..<(n * n)).map { _ in Float(rng.nextGaussian()) }
    var a = [Float](repeating: 0, count: n * stride)
    for i in 0..<n {
      for j in 0..<n {
        var s: Float = 0
        for k in 0..<n { s += m[k * n + i] * m[k * n + j] }
        a[i * stride + j] = s + (i == j ? Float(n) : 0)
      }
    }
    return a
  }

  @Test(
    "blocked inverse times the matrix is the identity", arguments: [(1, 1), (7, 4), (100, 32), (203, 64), (150, 128)])
  func inverse(_ size: Int, _ block: Int) throws {
    // Odd sizes use stride = n (a partial last panel); even sizes a padded stride.
    let stride = size % 2 == 1 ? size : (size + 15) / 16 * 16 + 16
    let a = Self.spd(size, stride: stride, seed: UInt64(size))
    var inverse = a
    try SymmetricInverse.invert(&inverse, n: size, stride: stride, blockSize: block)
    var worst: Double = 0
    for i in 0..<size {
      for j in 0..<size {
        var s: Double = 0
        for k in 0..<size { s += Double(a[i * stride + k]) * Double(inverse[k * stride + j]) }
        worst = max(worst, abs(s - (i == j ? 1 : 0)))
      }
      for j in size..<stride { #expect(inverse[i * stride + j] == 0) }
    }
    #expect(worst < 1e-4)
  }

  @Test func notPositiveDefiniteThrows() {
    var a: [Float] = [1, 2, 2, 1]
    #expect(throws: SymmetricInverse.NotPositiveDefinite.self) { try SymmetricInverse.invert(&a, n: 2, stride: 2) }
  }

  @Test func easeThrowsOnBadLambda() {
    var model = EASERecommender(lambda: 0)
    #expect(throws: ModelError.self) { try model.fit(ModelFixtures.interactions()) }
  }

  @Test("primal and dual solves give the same scores")
  func primalEqualsDual() throws {
    let data = ModelFixtures.interactions(users: 30, items: 40, perUser: 6)
    var primal = EASERecommender(lambda: 5, solver: .primal)
    var dual = EASERecommender(lambda: 5, solver: .dual)
    try primal.fit(data)
    try dual.fit(data)
    for user in Int32(0)..<30 {
      let a = try primal.scores(user: user)
      let b = try dual.scores(user: user)
      for j in 0..<a.count { #expect(abs(a[j] - b[j]) < 1e-3 * max(1, abs(a[j]))) }
    }
    let sa = try primal.similarItems(to: 4, k: 5).map(\.item)
    let sb = try dual.similarItems(to: 4, k: 5).map(\.item)
    #expect(sa == sb)
  }

  @Test("closed form on a tiny matrix matches a hand computation")
  func tinyClosedForm() throws {
    // X = [[1,1],[1,0]]: G = [[2,1],[1,1]], λ = 1 → G+λI = [[3,1],[1,2]], P = [[2,-1],[-1,3]]/5,
    // B_01 = −P_01/P_11 = 1/3, B_10 = −P_10/P_00 = 1/2.
    let x = InteractionMatrix(
      matrix: SparseMatrix(rowCount: 2, columnCount: 2, triples: [(0, 0, 1), (0, 1, 1), (1, 0, 1)]))
    var model = EASERecommender(lambda: 1, solver: .primal)
    try model.fit(x)
    let s = try model.scores(user: 1)  // x_1 = [1, 0] → s = [0, B_01]
    #expect(abs(s[0]) < 1e-6)
    #expect(abs(s[1] - 1.0 / 3) < 1e-5)
    let s0 = try model.scores(user: 0)  // [B_10, B_01]
    #expect(abs(s0[0] - 0.5) < 1e-5)
  }
}
