import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// The learned models against the `Recommender` contract (mirrors the shared conformance suite, which the
/// lead extends with these models after merging).
struct LearnedCase: Sendable, CustomTestStringConvertible {
  let label: String
  let make: @Sendable (UInt64) -> any Recommender
  let load: @Sendable (URL) throws -> any Recommender
  var testDescription: String { label }

  static func of<M: Recommender>(_ label: String, _ make: @escaping @Sendable (UInt64) -> M) -> LearnedCase {
    LearnedCase(label: label, make: { make($0) }, load: { try M.load(from: $0) })
  }
}

let learnedCases: [LearnedCase] = [
  .of("als-cg") { ImplicitALS(configuration: .init(factors: 8, iterations: 5, seed: $0)) },
  .of("als-cholesky") {
    ImplicitALS(
      configuration: .init(factors: 8, iterations: 5, confidence: .linear(alpha: 2), solver: .cholesky, seed: $0))
  },
  .of("bpr") { BPR(configuration: .init(factors: 8, epochs: 5, seed: $0)) },
  .of("neural-cosine") { NeuralHistoryScorer(configuration: .init(dimension: 8, epochs: 3, seed: $0)) },
  .of("neural-dot-bce") {
    NeuralHistoryScorer(
      configuration: .init(dimension: 8, similarity: .dot, loss: .binaryCrossEntropy, epochs: 3, seed: $0))
  },
]

@Suite("Learned models conformance")
struct LearnedModelsConformanceTests {
  let data = PlantedData(users: 70, items: 45, groups: 5)

  func fitted(_ c: LearnedCase, seed: UInt64 = 1) throws -> any Recommender {
    var model = c.make(seed)
    try model.fit(data.train)
    return model
  }

  @Test(arguments: learnedCases)
  func unfittedThrows(_ c: LearnedCase) throws {
    let model = c.make(1)
    #expect(!model.isFitted)
    #expect(throws: ModelError.self) { try model.scores(user: 0) }
    #expect(throws: ModelError.self) { try model.similarItems(to: 0, k: 5) }
    let directory = try TestSupport.temporaryDirectory("learned")
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(throws: ModelError.self) { try model.save(to: directory.appendingPathComponent("m.bin")) }
  }

  @Test(arguments: learnedCases)
  func scoresAndExclusions(_ c: LearnedCase) throws {
    let model = try fitted(c)
    #expect(try model.scores(user: 3).count == data.train.itemCount)
    #expect(try model.scores(user: 3).allSatisfy { $0.isFinite })
    #expect(throws: ModelError.self) { try model.scores(user: Int32(data.train.userCount)) }
    for user in Int32(0)..<10 {
      let seen = data.train.matrix.row(Int(user)).columns
      let excluded = try model.recommend(user: user, k: 20, seen: seen)
      #expect(excluded.count == 20 && Set(excluded.map(\.item)).isDisjoint(with: Set(seen)))
      let all = try model.recommend(
        user: user, k: data.train.itemCount, seen: seen, options: RecommendOptions(excludeSeen: false))
      #expect(Set(all.map(\.item)).isSuperset(of: Set(seen)))
    }
  }

  @Test(arguments: learnedCases)
  func deterministicAndRoundTrip(_ c: LearnedCase) throws {
    let a = try fitted(c, seed: 11)
    let b = try fitted(c, seed: 11)
    for user in Int32(0)..<8 { #expect(try a.scores(user: user) == b.scores(user: user)) }
    let directory = try TestSupport.temporaryDirectory("learned")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.bin")
    try a.save(to: url)
    let restored = try c.load(url)
    #expect(restored.isFitted && restored.name == a.name)
    for user in Int32(0)..<Int32(data.train.userCount) {
      #expect(try restored.scores(user: user) == a.scores(user: user))
    }
    #expect(try restored.similarItems(to: 3, k: 5) == a.similarItems(to: 3, k: 5))
    for item in Int32(0)..<Int32(data.train.itemCount) {
      let similar = try a.similarItems(to: item, k: 5)
      #expect(similar.count == 5 && !similar.contains { $0.item == item })
    }
    #expect(throws: ModelError.self) { try a.similarItems(to: Int32(data.train.itemCount), k: 5) }
  }
}
