import BasketryCore
import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// Fold-in latency on a 4,096-item catalogue (opt-in; prints the median time per history):
/// `BASKETRY_SLOW_TESTS=1 swift test -c release --filter FoldInBenchmark`. Budgets, checked in optimised
/// builds only: under 1 ms per history for pop, freq, itemknn and ease; under 5 ms for als (64 factors).
///
/// Measured once (release, one core of a shared 2-core machine; 20-item histories; median per history):
/// pop 0.0004 ms, freq 0.0008 ms, itemknn (200 neighbours) 0.008 ms, ease primal 0.036 ms, als (f = 64) 0.033 ms,
/// bpr (f = 64, 2 epochs) 0.022 ms; ease dual with 3,000 users 0.27 ms. For comparison scores(user:) takes
/// 0.033 ms (ease) and 0.016 ms (als).
@Suite("FoldInBenchmark", .serialized, .enabled(if: TestSupport.slowTestsEnabled))
struct FoldInBenchmark {
  /// 20,000 users with 20 items each, 80 % from one of 64 taste clusters; times in the last 100 days.
  static func catalogue(items: Int = 4_096, users: Int = 20_000, perUser: Int = 20) -> InteractionMatrix {
    var rng = SplitMix64(seed: 17)
    let clusters = 64
    let clusterSize = items / clusters
    var triples: [(row: Int32, column: Int32, value: Float)] = []
    for u in 0..<users {
      let cluster = Int(rng.next() % UInt64(clusters))
      var chosen: Set<Int32> = []
      while chosen.count < perUser {
        let item =
          rng.nextUnit() < 0.8
          ? cluster * clusterSize + Int(rng.next() % UInt64(clusterSize)) : Int(rng.next() % UInt64(items))
        chosen.insert(Int32(item))
      }
      for item in chosen { triples.append((Int32(u), item, Float(1 + rng.next() % 3))) }
    }
    let matrix = SparseMatrix(rowCount: users, columnCount: items, triples: triples)
    let reference: Int64 = 1_700_000_000
    let times = (0..<matrix.nonZeroCount).map { _ in reference - Int64(rng.next() % 100) * 86_400 }
    return InteractionMatrix(matrix: matrix, lastTimes: times, referenceTime: reference)
  }

  static let isOptimized = !_isDebugAssertConfiguration()

  /// Median seconds of one fold-in over `histories`.
  static func median(_ model: any Recommender, _ histories: [[HistoryEntry]]) throws -> Double {
    var seconds: [Double] = []
    for history in histories {
      let clock = ContinuousClock()
      var scores: [Float] = []
      let elapsed = try clock.measure { scores = try model.scores(history: history, referenceTime: nil) }
      precondition(scores.count > 0)
      seconds.append(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
    }
    return seconds.sorted()[seconds.count / 2]
  }

  @Test func latency() throws {
    let data = Self.catalogue()
    let histories = (0..<200).map { data.history(of: Int32($0 * 97)) }
    let models: [(any Recommender, Double)] = [
      (PopularityRecommender(), 1e-3),
      (PersonalFrequencyRecommender(halfLifeDays: 30), 1e-3),
      (ItemKNNRecommender(neighbours: 200), 1e-3),
      (EASERecommender(lambda: 500, solver: .primal), 1e-3),
      (ImplicitALS(configuration: .init(factors: 64, iterations: 3)), 5e-3),
      (BPR(configuration: .init(factors: 64, epochs: 2)), 5e-3),
      (NeuralHistoryScorer(configuration: .init(dimension: 64, epochs: 1)), 5e-3),
    ]
    for (unfitted, budget) in models {
      var model = unfitted
      let start = ContinuousClock.now
      try model.fit(data)
      let fit = ContinuousClock.now - start
      let seconds = try Self.median(model, histories)
      print("fold-in \(model.name): \(String(format: "%.3f", seconds * 1e3)) ms per history (fit \(fit))")
      if Self.isOptimized { #expect(seconds < budget, "\(model.name): \(seconds) s") }
    }
  }
}
