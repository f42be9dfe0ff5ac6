import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("NeuralHistoryScorer")
struct NeuralScorerTests {
  typealias Model = NeuralHistoryScorer

  static func tinyModel(
    _ similarity: Model.Similarity, _ loss: Model.Loss, _ weighting: Model.HistoryWeighting
  )
    throws -> (Model, [Model.TrainingGroup])
  {
    var rng = SplitMix64(seed: 5)
    let items = 7
    let d = 5
    let configuration = Model.Configuration(dimension: d, similarity: similarity, loss: loss, weighting: weighting)
    let parameters = Model.Parameters(
      embeddings: (0..<(items * d)).map { _ in Float(rng.nextGaussian()) * 0.7 }, weight: 1.3, bias: -0.4)
    let histories = SparseMatrix(rowCount: 1, columnCount: items, triples: [(0, 0, 1)])
    let model = try Model(configuration: configuration, parameters: parameters, histories: histories)
    let groups = [
      Model.TrainingGroup(
        history: [0, 2, 4], strengths: [1, 2, 0.5],
        examples: [
          .init(heldOut: 1, item: 2, label: 1), .init(heldOut: 1, item: 5, label: 0),
          .init(heldOut: 0, item: 0, label: 1), .init(heldOut: nil, item: 6, label: 0),
          .init(heldOut: nil, item: 4, label: 1),
        ]),
      Model.TrainingGroup(
        history: [1, 3, 5, 6], strengths: [3, 1, 1, 2],
        examples: [.init(heldOut: 2, item: 5, label: 1), .init(heldOut: 2, item: 0, label: 0)]),
    ]
    return (model, groups)
  }

  @Test(arguments: [Model.Similarity.dot, .cosine], [Model.Loss.squaredError, .binaryCrossEntropy])
  func gradientMatchesFiniteDifferences(similarity: Model.Similarity, loss: Model.Loss) throws {
    for weighting in [Model.HistoryWeighting.normalized, .raw] {
      let (model, groups) = try Self.tinyModel(similarity, loss, weighting)
      let (_, gradient) = try model.lossAndGradient(groups: groups)
      func lossAt(_ change: (inout Model.Parameters) -> Void) throws -> Double {
        var parameters = model.parameters
        change(&parameters)
        let shifted = try Model(
          configuration: model.configuration, parameters: parameters, histories: model.histories)
        return try shifted.lossAndGradient(groups: groups).loss
      }
      let h: Float = 1e-2
      func check(_ analytic: Float, _ change: @escaping (inout Model.Parameters, Float) -> Void, _ label: String) throws
      {
        let plus = try lossAt { change(&$0, h) }
        let minus = try lossAt { change(&$0, -h) }
        let numeric = (plus - minus) / Double(2 * h)
        #expect(
          abs(numeric - Double(analytic)) <= 5e-5 + 5e-3 * abs(numeric),
          "\(similarity) \(loss) \(weighting) \(label): analytic \(analytic), numeric \(numeric)")
      }
      try check(gradient.weight, { $0.weight += $1 }, "W")
      try check(gradient.bias, { $0.bias += $1 }, "b")
      for index in 0..<gradient.embeddings.count {
        try check(gradient.embeddings[index], { $0.embeddings[index] += $1 }, "x[\(index)]")
      }
      // Item 0 is used and its gradient is not trivially zero.
      #expect(gradient.embeddings[0..<5].contains { $0 != 0 })
    }
  }

  @Test(arguments: [Model.Similarity.dot, .cosine], [Model.Loss.squaredError, .binaryCrossEntropy])
  func learnsPlantedStructure(similarity: Model.Similarity, loss: Model.Loss) throws {
    let data = PlantedData()
    var model = Model(
      configuration: .init(dimension: 16, similarity: similarity, loss: loss, epochs: 15, usersPerBatch: 16))
    try model.fit(data.train)
    let auc = try data.meanAUC(model)
    #expect(auc > 0.85, "AUC \(auc)")
    // Training lowers the loss on fresh examples compared with the initial parameters.
    var untrained = model
    untrained.configuration.epochs = 0
    try untrained.fit(data.train)
    let groups = (0..<20).map { u in
      let row = data.train.matrix.row(u)
      return Model.TrainingGroup(
        history: Array(row.columns), strengths: Array(row.values),
        examples: data.heldOut[u].map { .init(heldOut: nil, item: $0, label: 1) }
          + [.init(heldOut: nil, item: Int32((u * 37 + 11) % data.train.itemCount), label: 0)])
    }
    #expect(try model.lossAndGradient(groups: groups).loss < untrained.lossAndGradient(groups: groups).loss)
  }

  @Test func probabilitiesThresholdAndSoftmax() throws {
    let data = PlantedData(users: 60, items: 30, groups: 3)
    var model = Model(configuration: .init(dimension: 8, epochs: 5))
    try model.fit(data.train)
    let probabilities = try model.probabilities(user: 4)
    let scores = try model.scores(user: 4)
    for (p, s) in zip(probabilities, scores) { #expect(abs(p - 1 / (1 + exp(-s))) < 1e-6) }
    let chosen = try model.recommend(user: 4, threshold: 0.5)
    let seen = Set(data.train.matrix.row(4).columns)
    #expect(chosen.allSatisfy { $0.score >= 0.5 && !seen.contains($0.item) })
    let expected = probabilities.indices.filter { probabilities[$0] >= 0.5 && !seen.contains(Int32($0)) }.count
    #expect(chosen.count == expected)
    let distribution = try model.purchaseDistribution(user: 4, candidates: [0, 1, 2, 3])
    #expect(abs(distribution.reduce(0, +) - 1) < 1e-5)
    #expect((distribution[0] > distribution[1]) == (scores[0] > scores[1]))
  }

  @Test func deterministicAndRoundTrips() throws {
    let data = PlantedData(users: 50, items: 30)
    let configuration = Model.Configuration(dimension: 8, similarity: .dot, loss: .binaryCrossEntropy, epochs: 3)
    var a = Model(configuration: configuration)
    var b = Model(configuration: configuration)
    try a.fit(data.train)
    try b.fit(data.train)
    #expect(a.parameters == b.parameters)
    let directory = try TestSupport.temporaryDirectory("neural")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.bin")
    try a.save(to: url)
    let loaded = try Model.load(from: url)
    #expect(loaded.configuration == a.configuration)
    #expect(try loaded.scores(user: 3) == a.scores(user: 3))
    #expect(try loaded.similarItems(to: 2, k: 3) == a.similarItems(to: 2, k: 3))
    #expect(throws: ModelError.self) { try ImplicitALS.load(from: url) }
  }

  @Test func errors() throws {
    let model = Model()
    #expect(throws: ModelError.self) { try model.scores(user: 0) }
    var fitted = Model(configuration: .init(dimension: 4, epochs: 1))
    let single = InteractionMatrix(matrix: SparseMatrix(rowCount: 2, columnCount: 3, triples: [(0, 1, 1), (1, 2, 1)]))
    #expect(throws: ModelError.self) { try fitted.fit(single) }
    try fitted.fit(PlantedData(users: 10, items: 12).train)
    #expect(throws: ModelError.self) { try fitted.scores(user: 10) }
    #expect(throws: ModelError.self) { try fitted.scores(history: [(item: 99, strength: 1)]) }
  }
}
