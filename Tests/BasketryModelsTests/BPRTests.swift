import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("BPR")
struct BPRTests {
  static let small = BPR.Configuration(factors: 16, learningRate: 0.05, regularization: 0.01, epochs: 60)

  @Test(arguments: [true, false])
  func aucRisesOnPlantedStructure(itemBias: Bool) throws {
    let data = PlantedData()
    var configuration = Self.small
    configuration.itemBias = itemBias
    var untrained = BPR(configuration: .init(factors: 16, epochs: 0))
    try untrained.fit(data.train)
    var model = BPR(configuration: configuration)
    try model.fit(data.train)
    let before = try data.meanAUC(untrained)
    let after = try data.meanAUC(model)
    #expect(after > 0.8, "AUC \(after)")
    #expect(after > before + 0.2, "AUC \(before) → \(after)")
  }

  @Test func deterministicForSeed() throws {
    let data = PlantedData(users: 60, items: 40)
    var a = BPR(configuration: Self.small)
    var b = BPR(configuration: Self.small)
    try a.fit(data.train)
    try b.fit(data.train)
    #expect(a.userFactors == b.userFactors && a.itemFactors == b.itemFactors && a.itemBiases == b.itemBiases)
    var other = Self.small
    other.seed = 7
    var c = BPR(configuration: other)
    try c.fit(data.train)
    #expect(c.itemFactors != a.itemFactors)
  }

  @Test func saveLoadRoundTrip() throws {
    let data = PlantedData(users: 40, items: 30)
    var model = BPR(configuration: Self.small)
    try model.fit(data.train)
    let directory = try TestSupport.temporaryDirectory("bpr")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.bin")
    try model.save(to: url)
    let loaded = try BPR.load(from: url)
    #expect(loaded.configuration == model.configuration)
    #expect(try loaded.scores(user: 5) == model.scores(user: 5))
    #expect(try loaded.similarItems(to: 1, k: 5) == model.similarItems(to: 1, k: 5))
  }

  @Test func errors() throws {
    #expect(throws: ModelError.self) { try BPR().scores(user: 0) }
    var bad = BPR(configuration: .init(learningRate: 0))
    #expect(throws: ModelError.self) { try bad.fit(PlantedData(users: 10, items: 12).train) }
    var model = BPR(configuration: .init(factors: 4, epochs: 1))
    let empty = InteractionMatrix(matrix: SparseMatrix(rowCount: 2, columnCount: 3, triples: []))
    #expect(throws: ModelError.self) { try model.fit(empty) }
    try model.fit(PlantedData(users: 10, items: 12).train)
    #expect(throws: ModelError.self) { try model.scores(user: -1) }
    #expect(throws: ModelError.self) { try model.similarItems(to: 12, k: 2) }
  }
}
