import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

/// Parity with sentence-transformers on the real all-MiniLM-L6-v2 weights (fixture from
/// Scripts/fixtures/semantic_reference.py: 500 product titles plus edge cases).
@Suite struct ParityTests {
  @Test func fixtureIsComplete() throws {
    let (fixture, vectors) = try ReferenceModel.fixture()
    #expect(fixture.titles.count >= 500)
    #expect(fixture.sources.filter { $0 == "instacart" }.count == 250)
    #expect(fixture.sources.filter { $0 == "online-retail" }.count == 250)
    #expect(vectors.count == fixture.titles.count)
    #expect(fixture.token_ids.count == fixture.titles.count)
  }

  @Test func tokenIDsAndEmbeddingsMatchSentenceTransformers() async throws {
    guard let folder = try await ReferenceModel.folder() else { return }
    let encoder = try SentenceEncoder(modelFolder: folder)
    #expect(encoder.dimension == 384)
    #expect(encoder.tokenizer.maxLength == 256)
    let (fixture, reference) = try ReferenceModel.fixture()
    var mismatches: [String] = []
    for (index, title) in fixture.titles.enumerated() where encoder.tokenize(title) != fixture.token_ids[index] {
      mismatches.append("\(index) \(title.debugDescription): \(encoder.tokenize(title)) vs \(fixture.token_ids[index])")
    }
    #expect(mismatches.isEmpty, "token ids differ:\n\(mismatches.prefix(10).joined(separator: "\n"))")
    let embeddings = encoder.encode(fixture.titles, batchSize: 32, threads: 2)
    var worst = 1.0
    var worstIndex = 0
    for index in fixture.titles.indices {
      let similarity = cosine(Array(embeddings[index]), reference[index])
      if similarity < worst {
        worst = similarity
        worstIndex = index
      }
    }
    print("parity: \(fixture.titles.count) titles, \(mismatches.count) token mismatches, lowest cosine \(worst)")
    #expect(worst >= 0.9999, "lowest cosine \(worst) for \(fixture.titles[worstIndex].debugDescription)")
    // One at a time gives the same vectors as batched.
    for index in [0, 250, 499, fixture.titles.count - 1] {
      #expect(cosine(encoder.encode(fixture.titles[index]), Array(embeddings[index])) > 0.99999)
    }
  }
}
