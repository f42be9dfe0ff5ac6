import BasketryCore
import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// How closely a model's fold-in reproduces ``Recommender/scores(user:)`` for a fit-time user's row.
enum FoldInAgreement: Sendable {
  /// Within 1e-4 relative (‖a − b‖∞ ≤ 1e-4 · ‖b‖∞).
  case exact
  /// Within the given relative tolerance (same norm).
  case approximate(Float)
  /// Not compared value by value (the model documents why).
  case unchecked

  /// The relative tolerance checked, when any.
  var tolerance: Float? {
    switch self {
    case .exact: 1e-4
    case .approximate(let tolerance): tolerance
    case .unchecked: nil
    }
  }
}

/// A model under conformance test: a label and a factory from a seed.
struct ConformanceCase: Sendable, CustomTestStringConvertible {
  let label: String
  let make: @Sendable (UInt64) throws -> any Recommender
  /// Restores a saved model of the same type.
  let load: @Sendable (URL) throws -> any Recommender
  /// How fold-in of a fit-time row compares with the user's scores.
  let foldIn: FoldInAgreement

  var testDescription: String { label }

  static func of<M: Recommender>(
    _ label: String, foldIn: FoldInAgreement = .exact, _ make: @escaping @Sendable (UInt64) throws -> M
  ) -> ConformanceCase {
    ConformanceCase(label: label, make: { try make($0) }, load: { try M.load(from: $0) }, foldIn: foldIn)
  }
}

/// Every recommender in Basketry. ADD NEW MODELS HERE (one line each), e.g.
/// `.of("als") { seed in ALSRecommender(factors: 8, iterations: 5, seed: seed) },`
let conformanceCases: [ConformanceCase] = [
  .of("pop") { _ in PopularityRecommender() },
  .of("pop-recent") { _ in PopularityRecommender(halfLifeDays: 30) },
  .of("freq") { _ in PersonalFrequencyRecommender() },
  .of("freq-decay") { _ in PersonalFrequencyRecommender(halfLifeDays: 20) },
  .of("itemknn-cosine") { _ in ItemKNNRecommender(similarity: .cosine, neighbours: 10, shrink: 1) },
  .of("itemknn-bm25") { _ in ItemKNNRecommender(similarity: .bm25, neighbours: 10) },
  .of("itemknn-lift") { _ in ItemKNNRecommender(similarity: .lift, neighbours: 10, shrink: 2) },
  .of("itemknn-decay") { _ in ItemKNNRecommender(similarity: .cooccurrence, neighbours: 10, halfLifeDays: 30) },
  .of("tifuknn") { _ in TIFUKNNRecommender(neighbours: 10, groupSize: 3) },
  .of("tifuknn-cosine") { _ in TIFUKNNRecommender(neighbours: 10, groupSize: 3, distance: .cosine) },
  .of("repeat-explore") { _ in
    RepeatExploreRecommender(halfLifeDays: 30, explore: ItemKNNRecommender(neighbours: 10))
  },
  .of("ease-primal") { _ in EASERecommender(lambda: 20, solver: .primal) },
  .of("ease-dual") { _ in EASERecommender(lambda: 20, solver: .dual) },
  .of("ease-binary") { _ in EASERecommender(lambda: 20, binary: true) },
  .of("ease+bundles") { _ in
    BundleEASERecommender(bundleItems: BundleEASETests.fixtureAffiliation, lambda: 20, affiliationWeight: 0.5)
  },
  // Fit-time ALS factors come from the last user half-sweep (against the previous sweep's item factors, by
  // 3 conjugate-gradient steps); fold-in solves exactly against the final ones.
  .of("als", foldIn: .approximate(ALSFoldInTolerance.conformance)) {
    ImplicitALS(configuration: .init(factors: 8, iterations: 5, seed: $0))
  },
  // BPR folds in by a fresh SGD run on the user factor: close in ranking, not in value.
  .of("bpr", foldIn: .unchecked) { BPR(configuration: .init(factors: 8, epochs: 5, seed: $0)) },
  .of("neural") { NeuralHistoryScorer(configuration: .init(dimension: 8, epochs: 3, seed: $0)) },
  .of("registry-ease") { seed in
    try #require(
      try ModelRegistry.make(name: "ease", parameters: ModelParameters(["lambda": "20"], seed: seed))
        as? EASERecommender)
  },
]

@Suite("Recommender conformance")
struct RecommenderConformanceTests {
  let data = ModelFixtures.interactions()

  func fitted(_ c: ConformanceCase, seed: UInt64 = 1) throws -> any Recommender {
    var model = try c.make(seed)
    try model.fit(data)
    return model
  }

  @Test("unfitted model throws", arguments: conformanceCases)
  func unfitted(_ c: ConformanceCase) throws {
    let model = try c.make(1)
    #expect(!model.isFitted)
    #expect(throws: ModelError.self) { try model.scores(user: 0) }
    #expect(throws: ModelError.self) { try model.recommend(user: 0, k: 5) }
    #expect(throws: ModelError.self) { try model.similarItems(to: 0, k: 5) }
    let url = try TestSupport.temporaryDirectory().appendingPathComponent("m.bin")
    #expect(throws: ModelError.self) { try model.save(to: url) }
  }

  @Test("scores cover the catalog; unknown users throw", arguments: conformanceCases)
  func scoresShape(_ c: ConformanceCase) throws {
    let model = try fitted(c)
    #expect(model.isFitted)
    #expect(try model.scores(user: 3).count == data.itemCount)
    #expect(throws: ModelError.self) { try model.scores(user: Int32(data.userCount)) }
    #expect(throws: ModelError.self) { try model.scores(user: -1) }
  }

  @Test("excludes seen items when asked, keeps them otherwise", arguments: conformanceCases)
  func excludesSeen(_ c: ConformanceCase) throws {
    let model = try fitted(c)
    for user in Int32(0)..<10 {
      let seen = data.items(of: user)
      let excluded = try model.recommend(user: user, k: 20, seen: seen)
      #expect(excluded.count == 20)
      #expect(Set(excluded.map(\.item)).isDisjoint(with: Set(seen)))
      let all = try model.recommend(
        user: user, k: data.itemCount, seen: seen, options: RecommendOptions(excludeSeen: false))
      #expect(Set(all.map(\.item)).isSuperset(of: Set(seen)))
      let filtered = try model.recommend(
        user: user, k: 5, seen: seen,
        options: RecommendOptions(excluded: [1, 2], allowed: Set((0..<20).map { Int32($0) })))
      #expect(filtered.allSatisfy { $0.item < 20 && $0.item != 1 && $0.item != 2 })
      #expect(zip(excluded, excluded.dropFirst()).allSatisfy { $0.score >= $1.score })
    }
  }

  @Test("batch equals single", arguments: conformanceCases)
  func batchEqualsSingle(_ c: ConformanceCase) throws {
    let model = try fitted(c)
    let users: [Int32] = [0, 5, 17, 33, 59]
    let batch = try model.recommend(users: users, k: 10, seen: { data.items(of: $0) })
    for (user, list) in zip(users, batch) {
      #expect(list == (try model.recommend(user: user, k: 10, seen: data.items(of: user))))
    }
    let scoreBatch = try model.scores(users: users)
    for (user, scores) in zip(users, scoreBatch) { #expect(scores == (try model.scores(user: user))) }
  }

  @Test("deterministic for a seed", arguments: conformanceCases)
  func deterministic(_ c: ConformanceCase) throws {
    let a = try fitted(c, seed: 11)
    let b = try fitted(c, seed: 11)
    for user in Int32(0)..<8 { #expect(try a.scores(user: user) == b.scores(user: user)) }
  }

  @Test("save/load round trip", arguments: conformanceCases)
  func roundTrip(_ c: ConformanceCase) throws {
    let model = try fitted(c)
    let url = try TestSupport.temporaryDirectory().appendingPathComponent("model.bin")
    try model.save(to: url)
    let restored = try c.load(url)
    #expect(restored.isFitted)
    #expect(restored.name == model.name)
    for user in Int32(0)..<Int32(data.userCount) {
      #expect(try restored.scores(user: user) == model.scores(user: user))
    }
    #expect(try restored.similarItems(to: 3, k: 5) == model.similarItems(to: 3, k: 5))
  }

  @Test("fold-in of a fit-time row reproduces the user's scores", arguments: conformanceCases)
  func foldInReproducesUser(_ c: ConformanceCase) throws {
    let model = try fitted(c)
    for user in Int32(0)..<Int32(data.userCount) {
      let folded = try model.scores(history: data.history(of: user), referenceTime: nil)
      #expect(folded.count == data.itemCount)
      #expect(folded.allSatisfy { $0.isFinite })
      guard let tolerance = c.foldIn.tolerance else { continue }
      let expected = try model.scores(user: user)
      let error = zip(folded, expected).map { abs($0 - $1) }.max() ?? 0
      let scale = expected.map { abs($0) }.max() ?? 0
      #expect(error <= tolerance * scale, "user \(user): ‖Δ‖∞ \(error), ‖scores‖∞ \(scale)")
    }
  }

  @Test("fold-in scores a new user; bad histories throw", arguments: conformanceCases)
  func foldInNewUser(_ c: ConformanceCase) throws {
    let unfitted = try c.make(1)
    #expect(throws: ModelError.self) {
      try unfitted.scores(history: [HistoryEntry(item: 0, strength: 1)], referenceTime: nil)
    }
    let model = try fitted(c)
    let now = try #require(data.referenceTime)
    let history = [
      HistoryEntry(item: 2, strength: 2, lastTime: now - 3 * 86_400),
      HistoryEntry(item: 11, strength: 1),
      HistoryEntry(item: 27, strength: 0.5, lastTime: now - 40 * 86_400),
    ]
    for referenceTime in [nil, now + 30 * 86_400] {
      let scores = try model.scores(history: history, referenceTime: referenceTime)
      #expect(scores.count == data.itemCount)
      #expect(scores.allSatisfy { $0.isFinite })
    }
    let empty = try model.scores(history: [], referenceTime: nil)
    #expect(empty.count == data.itemCount && empty.allSatisfy { $0.isFinite })
    let bad: [[HistoryEntry]] = [
      [HistoryEntry(item: Int32(data.itemCount), strength: 1)],
      [HistoryEntry(item: -1, strength: 1)],
      [HistoryEntry(item: 3, strength: .nan)],
      [HistoryEntry(item: 3, strength: 1), HistoryEntry(item: 3, strength: 2)],
    ]
    for history in bad {
      #expect(throws: ModelError.self) { try model.scores(history: history, referenceTime: nil) }
    }
  }

  @Test("similar items exclude the item", arguments: conformanceCases)
  func similarItems(_ c: ConformanceCase) throws {
    let model = try fitted(c)
    for item in Int32(0)..<Int32(data.itemCount) {
      let similar = try model.similarItems(to: item, k: 5)
      #expect(!similar.contains { $0.item == item })
      #expect(similar.count <= 5)
    }
    #expect(throws: ModelError.self) { try model.similarItems(to: Int32(data.itemCount), k: 5) }
  }
}
