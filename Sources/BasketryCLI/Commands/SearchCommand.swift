import ArgumentParser
import BasketryCore
import BasketrySemantic
import Foundation

/// `basketry search`: ranks catalog items by meaning.
struct SearchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Rank catalog items by semantic similarity to a text (e.g. \"gift for a tea lover\")."
  )

  @Argument(help: "The query text.")
  var text: String

  @Option(name: .long, help: "Catalog: CSV with item and title columns, or a text file with one title per line.")
  var catalog: String

  @Option(name: .long, help: "Cache of the catalog's vectors (raw float32); written when absent or stale.")
  var vectors: String?

  @Option(name: .short, help: "Number of results.")
  var k: Int = 10

  @OptionGroup var model: SemanticModelOptions

  func run() async throws {
    try await reportingErrors {
      let encoder = try model.loadEncoder()
      let items = try TitleCatalog.load(from: URL(fileURLWithPath: catalog))
      let index = EmbeddingIndex(
        try catalogVectors(catalog: items, encoder: encoder, vectorsPath: vectors, options: model), normalize: false)
      let query = encoder.encode(text)
      let start = Date()
      let hits = index.search(query, k: k)
      FileHandleOutput.standardError(
        "ranked \(index.count) items in \(String(format: "%.2f", Date().timeIntervalSince(start) * 1000)) ms")
      for hit in hits {
        print("\(String(format: "%.4f", hit.score))\t\(items.ids[hit.row])\t\(items.titles[hit.row])")
      }
    }
  }
}
