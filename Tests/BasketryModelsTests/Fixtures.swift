import BasketryCore
import BasketryModels

/// Small seeded interaction data shared by the model tests.
enum ModelFixtures {
  /// A random users × items matrix with clustered tastes (so similarities are meaningful), strengths 1…3,
  /// and times in the last 100 days.
  static func interactions(users: Int = 60, items: Int = 40, perUser: Int = 8, seed: UInt64 = 7) -> InteractionMatrix {
    var rng = SplitMix64(seed: seed)
    var triples: [(row: Int32, column: Int32, value: Float)] = []
    var times: [Int64: Int64] = [:]
    let reference: Int64 = 1_700_000_000
    for u in 0..<users {
      let cluster = u % 4
      var chosen: Set<Int32> = []
      while chosen.count < perUser {
        let inCluster = rng.nextUnit() < 0.75
        let item =
          inCluster
          ? Int32((cluster * (items / 4) + Int(rng.next() % UInt64(items / 4))) % items)
          : Int32(rng.next() % UInt64(items))
        chosen.insert(item)
      }
      for item in chosen.sorted() {
        triples.append((Int32(u), item, Float(1 + rng.next() % 3)))
        times[Int64(u) << 32 | Int64(item)] = reference - Int64(rng.next() % 100) * 86_400
      }
    }
    let matrix = SparseMatrix(rowCount: users, columnCount: items, triples: triples)
    var lastTimes: [Int64] = []
    for r in 0..<users {
      for e in matrix.rowOffsets[r]..<matrix.rowOffsets[r + 1] {
        lastTimes.append(times[Int64(r) << 32 | Int64(matrix.columns[e])] ?? reference)
      }
    }
    return InteractionMatrix(matrix: matrix, lastTimes: lastTimes, referenceTime: reference)
  }
}
