import ArgumentParser
import BasketryCore
import BasketrySemantic
import Foundation

/// `basketry semantic-eval`: title similarity against crowd-marked Amazon bundles.
struct SemanticEvalCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "semantic-eval",
    abstract: "Measure how title similarity ranks bundle partners and separates complements from substitutes.",
    discussion: """
      Reads the BundleRec intent-aware bundle data (a folder with electronic/, clothing/, food/ subfolders). Reports \
      the AUC of bundle partners above co-session non-partners and above random items, and the mean similarity of \
      complements (bundled together) and substitutes (same leaf category, never bundled) with the AUC between them.
      """
  )

  @Option(name: .long, help: "The amazon-bundle-intent folder.")
  var data: String

  @Option(name: .long, parsing: .upToNextOption, help: "Domains (subfolders) to evaluate.")
  var domains: [String] = ["electronic", "clothing", "food"]

  @Option(name: .long, help: "Seed for random negatives and the substitute sample.")
  var seed: UInt64 = 42

  @OptionGroup var model: SemanticModelOptions

  func run() async throws {
    try await reportingErrors {
      let encoder = try model.loadEncoder()
      for domain in domains {
        let dataset = try BundleIntentDataset.load(from: URL(fileURLWithPath: data).appendingPathComponent(domain))
        let start = Date()
        let vectors = encoder.encode(dataset.titles, batchSize: model.batchSize, threads: model.threads)
        FileHandleOutput.standardError(
          "\(domain): encoded \(dataset.titles.count) titles in \(String(format: "%.1f", Date().timeIntervalSince(start))) s"
        )
        print(BundleSemanticEvaluation.run(dataset: dataset, vectors: vectors, domain: domain, seed: seed))
      }
    }
  }
}
