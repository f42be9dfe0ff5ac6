import ArgumentParser
import BasketryCore
import BasketrySemantic
import Foundation

/// Options shared by the commands that run the sentence encoder.
struct SemanticModelOptions: ParsableArguments {
  @Option(
    name: .long,
    help: "Model folder (config.json, vocab.txt, model.safetensors); default $BASKETRY_MODEL_DIR or the cache.")
  var modelDir: String?

  @Option(
    name: .long,
    help: "Model cache folder (default $BASKETRY_MODEL_CACHE or ~/.cache/basketry/models/all-MiniLM-L6-v2).")
  var cache: String?

  @Option(name: .long, help: "Worker threads (default: all cores).")
  var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  @Option(name: .long, help: "Sequences per batch.")
  var batchSize: Int = 64

  /// Loads the encoder, or fails with "semantic features unavailable: …".
  func loadEncoder() throws -> SentenceEncoder {
    let store = ModelStore(cacheFolder: cache.map { URL(fileURLWithPath: $0) })
    let folder = try store.locate(explicit: modelDir.map { URL(fileURLWithPath: $0) })
    return try SentenceEncoder(modelFolder: folder)
  }
}

/// Loads a title catalog and its vectors: from `vectorsPath` when it exists with one row per item, else by encoding
/// (and then saved to `vectorsPath` when given).
func catalogVectors(
  catalog: TitleCatalog, encoder: SentenceEncoder, vectorsPath: String?, options: SemanticModelOptions
) throws -> EmbeddingMatrix {
  if let vectorsPath, FileManager.default.fileExists(atPath: vectorsPath) {
    let cached = try EmbeddingMatrix.read(from: URL(fileURLWithPath: vectorsPath), dimension: encoder.dimension)
    if cached.rows == catalog.count { return cached }
    FileHandleOutput.standardError(
      "note: \(vectorsPath) has \(cached.rows) rows for \(catalog.count) items; re-encoding")
  }
  let start = Date()
  let vectors = encoder.encode(catalog.titles, batchSize: options.batchSize, threads: options.threads)
  FileHandleOutput.standardError(
    String(format: "encoded %d titles in %.2f s", catalog.count, Date().timeIntervalSince(start)))
  if let vectorsPath { try vectors.write(to: URL(fileURLWithPath: vectorsPath)) }
  return vectors
}

/// The catalog a semantic lookup ranks (`--catalog`, `--vectors`), shared by `search` and `similar`.
struct CatalogIndexOptions: ParsableArguments {
  @Option(name: .long, help: "Catalog: CSV with item and title columns, or a text file with one title per line.")
  var catalog: String

  @Option(name: .long, help: "Cache of the catalog's vectors (raw float32); written when absent or stale.")
  var vectors: String?

  /// Loads the catalog's ids and titles.
  func loadCatalog() throws -> TitleCatalog { try TitleCatalog.load(from: URL(fileURLWithPath: catalog)) }

  /// The exact cosine index of a catalog's titles (encoded unless cached in `--vectors`).
  func index(of items: TitleCatalog, encoder: SentenceEncoder, model: SemanticModelOptions) throws -> EmbeddingIndex {
    EmbeddingIndex(
      try catalogVectors(catalog: items, encoder: encoder, vectorsPath: vectors, options: model), normalize: false)
  }
}

/// Prints one ranked catalog row: score, item id, title.
func printHit(score: Float, row: Int, in items: TitleCatalog) {
  print("\(String(format: "%.4f", score))\t\(items.ids[row])\t\(items.titles[row])")
}
