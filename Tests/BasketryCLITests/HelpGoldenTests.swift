import ArgumentParser
import Foundation
import Testing

@testable import BasketryCLI

/// Full `--help` text of every command, compared with committed golden files.
/// Regenerate after an intentional change with `BASKETRY_UPDATE_GOLDEN=1 swift test --filter HelpGolden`.
@Suite struct HelpGoldenTests {
  static let commands: [(String, any ParsableCommand.Type)] = [
    ("basketry", BasketryCommand.self),
    ("demo", DemoCommand.self),
    ("ingest", IngestCommand.self),
    ("customers", CustomersCommand.self),
    ("prices", PricesCommand.self),
    ("mine", MineCommand.self),
    ("bundles", BundlesCommand.self),
    ("report", ReportCommand.self),
    ("evaluate", EvaluateCommand.self),
    ("bench-ingest", BenchCommand.Ingest.self),
    ("bench-customers", BenchCommand.Customers.self),
    ("embed", EmbedCommand.self),
    ("model", ModelCommand.self),
    ("model-fetch", ModelCommand.Fetch.self),
    ("search", SearchCommand.self),
    ("similar", SimilarCommand.self),
    ("semantic-eval", SemanticEvalCommand.self),
    ("simulate", SimulateCommand.self),
    ("campaign", CampaignCommand.self),
    ("train", TrainCommand.self),
    ("serve", ServeCommand.self),
  ]

  static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

  @Test(arguments: commands.map(\.0))
  func helpMatchesGolden(name: String) throws {
    let command = try #require(Self.commands.first { $0.0 == name }?.1)
    let help =
      (name == "basketry"
        ? BasketryCommand.helpMessage(columns: 100) : BasketryCommand.helpMessage(for: command, columns: 100)) + "\n"
    let file = Self.goldenFolder.appendingPathComponent("\(name).txt")
    if ProcessInfo.processInfo.environment["BASKETRY_UPDATE_GOLDEN"] == "1" {
      try help.write(to: file, atomically: true, encoding: .utf8)
    }
    let golden = try String(contentsOf: file, encoding: .utf8)
    #expect(help == golden, "help for \(name) changed; regenerate with BASKETRY_UPDATE_GOLDEN=1 if intended")
  }
}
