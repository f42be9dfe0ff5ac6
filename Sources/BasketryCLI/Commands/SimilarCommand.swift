import ArgumentParser
import BasketryCore
import BasketrySemantic
import Foundation

/// `basketry similar`: an item's semantic neighbours in a catalog.
struct SimilarCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "similar",
    abstract: "List the catalog items whose titles are closest in meaning to an item's title.",
    discussion: "Similarity above ~0.8 with the same category usually means a substitute (two phone cases)."
  )

  @Argument(help: "Item id in the catalog (or, when no id matches, a title to look up).")
  var item: String

  @OptionGroup var source: CatalogIndexOptions

  @Option(name: .short, help: "Number of neighbours.")
  var k: Int = 10

  @OptionGroup var model: SemanticModelOptions

  func run() async throws {
    try await reportingErrors {
      let encoder = try model.loadEncoder()
      let items = try source.loadCatalog()
      guard let row = items.row(of: item) ?? items.titles.firstIndex(of: item) else {
        throw SemanticError(.notFound, "item '\(item)' is not in the catalog", file: source.catalog)
      }
      let index = try source.index(of: items, encoder: encoder, model: model)
      print("\(items.ids[row])\t\(items.titles[row])")
      for hit in index.neighbours(of: row, k: k) {
        printHit(score: hit.score, row: hit.row, in: items)
      }
    }
  }
}
