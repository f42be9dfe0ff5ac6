import BasketryBundles
import BasketryCore
import BasketryMining
import BasketryTraining
import Foundation
import Testing

/// Writes small serving-model artifacts, one per recommender, as seeds for the `FuzzModelArtifact` target when
/// `BASKETRY_WRITE_FUZZ_SEEDS` names a folder (`FuzzTesting/Corpus/FuzzModelArtifact`); otherwise only checks that
/// each artifact decodes.
@Suite struct FuzzSeedTests {
  @Test(arguments: ["pop", "freq", "itemknn", "ease", "als", "bpr", "repeat-explore"])
  func smallArtifactsDecode(recommender: String) throws {
    var dataset = smallShop()
    dataset.baskets = dataset.baskets.filter { $0 < 60 }
    // One bundle, no per-item bundles and two neighbours per item keep each artifact a few KB.
    var options = TrainingOptions(minSupport: .absolute(3), anchorItems: 0)
    options.bundles.count = 1
    options.neighborsPerItem = 2
    options.model = recommender
    let (model, _) = try TrainingPipeline.train(
      dataset: dataset, provenance: .files(["shop.csv"], format: "orders"), options: options, now: 1)
    let bytes = try model.encoded()
    #expect(try ServingModel.decode(bytes).items == model.items)
    if let folder = ProcessInfo.processInfo.environment["BASKETRY_WRITE_FUZZ_SEEDS"] {
      try Data(bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent("small-\(recommender)"))
    }
  }

  /// The artifacts that crashed the decoder or serving under fuzzing (`regression-*` in the FuzzModelArtifact
  /// corpus: an unknown section type, an EASE model whose interactions name items outside its weight matrix) are
  /// rejected with an ``ArtifactError``.
  @Test func artifactsThatOnceCrashedAreRejected() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../FuzzTesting/Corpus/FuzzModelArtifact").standardizedFileURL
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("regression-") }
    #expect(names.count >= 2)
    for name in names {
      let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
      #expect(throws: ArtifactError.self, "\(name)") { try ServingModel.decode(bytes) }
    }
  }
}
