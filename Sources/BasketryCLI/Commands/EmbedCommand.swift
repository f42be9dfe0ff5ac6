import ArgumentParser
import BasketryCore
import BasketrySemantic
import Foundation

/// `basketry embed`: encodes titles into sentence vectors.
struct EmbedCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embed",
    abstract: "Encode product titles into 384-dimensional sentence vectors (all-MiniLM-L6-v2).",
    discussion: """
      Input: a text file with one title per line, or a CSV catalog with id and title columns. Output: raw \
      little-endian float32, one unit-length row per input line (CSV: per record), in input order, empty titles \
      included (no header).
      """
  )

  @Option(name: .long, help: "Titles (one per line) or a CSV catalog with item and title columns.")
  var input: String

  @Option(name: .long, help: "Output file of raw little-endian float32 rows.")
  var output: String

  @OptionGroup var model: SemanticModelOptions

  func run() async throws {
    try await reportingErrors {
      let encoder = try model.loadEncoder()
      // One output row per input line or record, empty titles included (row r belongs to line r).
      let catalog = try TitleCatalog.load(from: URL(fileURLWithPath: input), everyRow: true)
      let start = Date()
      let vectors = encoder.encode(catalog.titles, batchSize: model.batchSize, threads: model.threads)
      let seconds = Date().timeIntervalSince(start)
      try vectors.write(to: URL(fileURLWithPath: output))
      FileHandleOutput.standardError(
        "embedded \(vectors.rows) titles × \(vectors.dimension) dims in \(String(format: "%.2f", seconds)) s "
          + "(\(String(format: "%.0f", Double(vectors.rows) / max(seconds, 1e-9))) titles/s) → \(output)")
    }
  }
}
