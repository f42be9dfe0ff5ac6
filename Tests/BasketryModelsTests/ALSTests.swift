import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("ImplicitALS")
struct ALSTests {
  static let small = ImplicitALS.Configuration(factors: 16, regularization: 0.1, iterations: 8, threads: 2)

  @Test(arguments: [ImplicitALS.Solver.conjugateGradient(steps: 3), .cholesky])
  func objectiveDecreasesEveryIteration(solver: ImplicitALS.Solver) throws {
    let data = PlantedData()
    var configuration = Self.small
    configuration.solver = solver
    configuration.confidence = .linear(alpha: 2)
    var model = ImplicitALS(configuration: configuration)
    var losses: [Double] = []
    var failure: (any Error)?
    try model.fit(data.train) { _, snapshot in
      do { losses.append(try snapshot.objective(data.train)) } catch { failure = error }
    }
    #expect(failure == nil)
    #expect(losses.count == configuration.iterations)
    for (before, after) in zip(losses, losses.dropFirst()) {
      #expect(after <= before * (1 + 1e-5), "objective rose from \(before) to \(after)")
    }
    #expect(try data.meanAUC(model) > 0.85)
  }

  @Test func conjugateGradientWithManyStepsMatchesCholesky() throws {
    let data = PlantedData(users: 60, items: 40, groups: 4)
    var exact = Self.small
    exact.factors = 8
    exact.iterations = 3
    exact.solver = .cholesky
    var cg = exact
    cg.solver = .conjugateGradient(steps: 30)
    var a = ImplicitALS(configuration: exact)
    var b = ImplicitALS(configuration: cg)
    try a.fit(data.train)
    try b.fit(data.train)
    let la = try a.objective(data.train)
    let lb = try b.objective(data.train)
    #expect(abs(la - lb) <= 1e-3 * la)
  }

  @Test(arguments: [
    ImplicitALS.Confidence.scaled(alpha: 1), .linear(alpha: 5), .logarithmic(alpha: 5, epsilon: 1),
  ])
  func learnsPlantedStructure(confidence: ImplicitALS.Confidence) throws {
    let data = PlantedData()
    var configuration = Self.small
    configuration.confidence = confidence
    var model = ImplicitALS(configuration: configuration)
    try model.fit(data.train)
    #expect(try data.meanAUC(model) > 0.85)
    // Similar items come mostly from the item's own group (chance: 1/6).
    var sameGroup = 0
    for item in 0..<data.train.itemCount {
      let similar = try model.similarItems(to: Int32(item), k: 5)
      #expect(similar.count == 5 && !similar.contains { $0.item == Int32(item) })
      sameGroup += similar.filter { Int($0.item) / data.itemsPerGroup == item / data.itemsPerGroup }.count
    }
    #expect(Double(sameGroup) / Double(5 * data.train.itemCount) > 0.6)
  }

  @Test func deterministicForSeedAndThreads() throws {
    let data = PlantedData(users: 1100, items: 60)
    var one = Self.small
    one.threads = 1
    var a = ImplicitALS(configuration: one)
    var b = ImplicitALS(configuration: Self.small)
    try a.fit(data.train)
    try b.fit(data.train)
    #expect(a.userFactors == b.userFactors)
    #expect(a.itemFactors == b.itemFactors)
    var other = Self.small
    other.seed = 99
    var c = ImplicitALS(configuration: other)
    try c.fit(data.train)
    #expect(c.itemFactors != a.itemFactors)
  }

  @Test func saveLoadRoundTrip() throws {
    let data = PlantedData(users: 50, items: 30)
    var configuration = Self.small
    configuration.confidence = .logarithmic(alpha: 3, epsilon: 2)
    configuration.solver = .cholesky
    var model = ImplicitALS(configuration: configuration)
    try model.fit(data.train)
    let directory = try TestSupport.temporaryDirectory("als")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.bin")
    try model.save(to: url)
    let loaded = try ImplicitALS.load(from: url)
    #expect(loaded.configuration == model.configuration)
    #expect(try loaded.scores(user: 7) == model.scores(user: 7))
    #expect(try loaded.similarItems(to: 3, k: 4) == model.similarItems(to: 3, k: 4))
    // A truncated file and a file of another model are rejected.
    let bytes = try Data(contentsOf: url)
    try bytes.prefix(bytes.count - 3).write(to: url)
    #expect(throws: ModelError.self) { try ImplicitALS.load(from: url) }
  }

  @Test func errors() throws {
    let model = ImplicitALS()
    #expect(throws: ModelError.self) { try model.scores(user: 0) }
    #expect(throws: ModelError.self) { try model.similarItems(to: 0, k: 3) }
    var bad = ImplicitALS(configuration: .init(factors: 0))
    #expect(throws: ModelError.self) { try bad.fit(PlantedData(users: 10, items: 12).train) }
    var fitted = ImplicitALS(configuration: Self.small)
    try fitted.fit(PlantedData(users: 10, items: 12).train)
    #expect(throws: ModelError.self) { try fitted.scores(user: 10) }
    let empty = InteractionMatrix(matrix: SparseMatrix(rowCount: 3, columnCount: 3, triples: []))
    #expect(throws: ModelError.self) { try fitted.fit(empty) }
  }
}

@Suite("Learned model options")
struct LearnedModelOptionsTests {
  @Test func parsesOptionsAndRejectsUnknownKeys() throws {
    let als = try ImplicitALS(
      options: ["factors": "8", "reg": "0.5", "confidence": "log", "alpha": "5", "solver": "cholesky"], seed: 3)
    #expect(als.configuration.factors == 8 && als.configuration.regularization == 0.5)
    #expect(als.configuration.confidence == .logarithmic(alpha: 5, epsilon: 1))
    #expect(als.configuration.solver == .cholesky && als.configuration.seed == 3)
    #expect(throws: ModelError.self) { try ImplicitALS(options: ["factor": "8"]) }
    #expect(throws: ModelError.self) { try ImplicitALS(options: ["solver": "lu"]) }
    let bpr = try BPR(options: ["lr": "0.1", "item_bias": "no", "epochs": "3"])
    #expect(bpr.configuration.learningRate == 0.1 && !bpr.configuration.itemBias && bpr.configuration.epochs == 3)
    #expect(throws: ModelError.self) { try BPR(options: ["factors": "x"]) }
    let neural = try NeuralHistoryScorer(options: ["similarity": "dot", "loss": "bce", "dimension": "16"])
    #expect(neural.configuration.similarity == .dot && neural.configuration.loss == .binaryCrossEntropy)
    #expect(neural.configuration.dimension == 16)
    #expect(throws: ModelError.self) { try NeuralHistoryScorer(options: ["loss": "hinge"]) }
  }
}

@Suite("ImplicitALS batch scoring")
struct ALSBatchTests {
  @Test func batchScoresMatchSingleScores() throws {
    var model = ImplicitALS(configuration: .init(factors: 12, iterations: 3, threads: 1))
    let data = PlantedData(users: 30, items: 25)
    try model.fit(data.train)
    let users: [Int32] = [0, 3, 4, 9, 17, 29, 2]
    let batch = try model.scores(users: users)
    for (user, scores) in zip(users, batch) {
      let single = try model.scores(user: user)
      // Bit-identical: the conformance suite compares batch and single scores with ==.
      #expect(scores == single)
    }
    #expect(throws: ModelError.self) { try model.scores(users: [0, 30]) }
  }
}

@Suite("ImplicitALS new users")
struct ALSNewUserTests {
  @Test func recalculatedFactorsMatchTrainedUserAfterConvergence() throws {
    let data = PlantedData(users: 60, items: 30, groups: 3)
    var model = ImplicitALS(
      configuration: .init(
        factors: 6, regularization: 0.5, iterations: 60, confidence: .linear(alpha: 2), solver: .cholesky))
    try model.fit(data.train)
    for user in [0, 7, 31] {
      let row = data.train.matrix.row(user)
      let history = zip(row.columns, row.values).map { (item: $0, strength: $1) }
      let x = try model.userFactors(forHistory: history)
      let stored = Array(model.userFactors[(user * 6)..<((user + 1) * 6)])
      for (a, b) in zip(x, stored) { #expect(abs(a - b) < 1e-3, "user \(user): \(x) vs \(stored)") }
      let scores = try model.scores(history: history)
      #expect(scores.count == data.train.itemCount)
    }
    #expect(throws: ModelError.self) { try model.scores(history: [(item: 30, strength: 1)]) }
    #expect(try model.scores(history: []).allSatisfy { $0 == 0 })
  }
}
