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

  @OptionGroup var source: CatalogIndexOptions

  @Option(name: .short, help: "Number of results.")
  var k: Int = 10

  @OptionGroup var model: SemanticModelOptions

  func run() async throws {
    try await reportingErrors {
      let encoder = try model.loadEncoder()
      let items = try source.loadCatalog()
      let index = try source.index(of: items, encoder: encoder, model: model)
      let query = encoder.encode(text)
      let start = Date()
      let hits = index.search(query, k: k)
      FileHandleOutput.standardError(
        "ranked \(index.count) items in \(String(format: "%.2f", Date().timeIntervalSince(start) * 1000)) ms")
      for hit in hits {
        printHit(score: hit.score, row: hit.row, in: items)
      }
    }
  }
}
