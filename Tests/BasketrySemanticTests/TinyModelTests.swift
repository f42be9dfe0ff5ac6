import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

/// The whole encoder on a tiny random BERT written by the test, against a naive padded-and-masked reference.
@Suite struct TinyModelTests {
  static let texts = [
    "the green tea cup", "Phone case, red!", "a", "", "gift for a tea lover", "Crème café set – box of 12",
    "日本茶 teas", "charger charger charger charger charger charger charger charger charger charger charger charger",
    "reddish bags", "unknownword tea",
  ]

  @Test(arguments: [false, true])
  func matchesNaiveReference(half: Bool) throws {
    let tiny = try TinyModel.make(half: half)
    let encoder = try SentenceEncoder(modelFolder: tiny.folder)
    #expect(encoder.dimension == 32)
    let ids = Self.texts.map(encoder.tokenize)
    let reference = tiny.reference(ids)
    let batched = encoder.encode(Self.texts, batchSize: 4, threads: 2)
    #expect(batched.rows == Self.texts.count)
    for index in Self.texts.indices {
      let similarity = cosine(Array(batched[index]), reference[index])
      #expect(similarity > 0.99999, "text \(index): cosine \(similarity)")
      let maxDifference = zip(batched[index], reference[index]).map { abs($0 - $1) }.max() ?? 0
      #expect(maxDifference < 1e-4, "text \(index): max difference \(maxDifference)")
    }
  }

  @Test func batchingAndThreadsDoNotChangeResults() throws {
    let tiny = try TinyModel.make(seed: 11, layers: 3)
    let encoder = try SentenceEncoder(modelFolder: tiny.folder)
    let texts = (0..<40).map { Self.texts[$0 % Self.texts.count] + String(repeating: " tea", count: $0 % 7) }
    let one = encoder.encode(texts, batchSize: 1, threads: 1)
    let many = encoder.encode(texts, batchSize: 16, threads: 2)
    for index in texts.indices { #expect(cosine(Array(one[index]), Array(many[index])) > 0.999999) }
    #expect(abs(cosine(Array(one[0]), Array(one[0])) - 1) < 1e-6)
  }

  @Test func truncatesToMaxSequenceLength() throws {
    let tiny = try TinyModel.make(maxLength: 24)
    let encoder = try SentenceEncoder(modelFolder: tiny.folder)
    let ids = encoder.tokenize(String(repeating: "tea ", count: 100))
    #expect(ids.count == 24)
    #expect(ids.first == 2 && ids.last == 3)
    #expect(encoder.encode([String(repeating: "tea ", count: 100)]).rows == 1)
  }

  @Test func modulesJSONDecidesNormalisation() throws {
    let tiny = try TinyModel.make()
    try #"[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]"#.write(
      to: tiny.folder.appendingPathComponent("modules.json"), atomically: true, encoding: .utf8)
    let raw = try SentenceEncoder(modelFolder: tiny.folder)
    #expect(!raw.normalizes)
    let vector = raw.encode("green tea")
    #expect(abs(vector.map { $0 * $0 }.reduce(0, +) - 1) > 1e-3)
    #expect(try SentenceEncoder(modelFolder: tiny.folder, normalize: true).normalizes)
  }

  @Test func missingTensorIsReported() throws {
    let tiny = try TinyModel.make()
    var writer = SafetensorsWriter()
    writer.add(
      "embeddings.word_embeddings.weight", shape: [tiny.config.vocabSize, 32],
      values: [Float](repeating: 0, count: tiny.config.vocabSize * 32))
    try writer.write(to: tiny.folder.appendingPathComponent("model.safetensors"))
    #expect(throws: SemanticError.self) { try SentenceEncoder(modelFolder: tiny.folder) }
  }
}
