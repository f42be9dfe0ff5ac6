import BasketryCore
import Dispatch
import Foundation

/// A sentence-transformers style text encoder: BERT tokenizer → BERT encoder → mean pooling over the real tokens →
/// L2 normalisation, as `sentence-transformers/all-MiniLM-L6-v2` (384 dimensions) computes it, natively in Swift.
///
/// Loads a Hugging Face model folder: `config.json`, `vocab.txt`, `model.safetensors`, and when present
/// `sentence_bert_config.json` (`max_seq_length`, default 256 here), `tokenizer_config.json` (`do_lower_case`,
/// `strip_accents`, `tokenize_chinese_chars`) and `1_Pooling/config.json` (mean or CLS pooling).
public final class SentenceEncoder: Sendable {
  /// The tokenizer.
  public let tokenizer: BertTokenizer
  /// The encoder weights.
  public let model: BertModel
  /// Pool with the `[CLS]` row instead of the mean over tokens.
  public let clsPooling: Bool
  /// Normalise output vectors to unit length (a `Normalize` module in `modules.json`, or no `modules.json`).
  public let normalizes: Bool
  /// Lower-case texts before tokenising (`do_lower_case` in `sentence_bert_config.json`; false for all-MiniLM-L6-v2,
  /// whose tokenizer lower-cases anyway).
  public let lowercasesInput: Bool
  /// The folder the model was loaded from.
  public let folder: URL

  /// Width of the output vectors.
  public var dimension: Int { model.config.hiddenSize }

  /// Loads a model folder.
  /// - Parameters:
  ///   - modelFolder: Folder with `config.json`, `vocab.txt` and `model.safetensors`.
  ///   - maxSequenceLength: Overrides `max_seq_length` (tokens including `[CLS]` and `[SEP]`).
  ///   - normalize: L2-normalise outputs; nil follows `modules.json` (true when it lists a `Normalize` module, as
  ///     all-MiniLM-L6-v2's does, or when the file is absent).
  /// - Throws: `SemanticError` when a file is missing or malformed.
  public init(modelFolder: URL, maxSequenceLength: Int? = nil, normalize: Bool? = nil) throws {
    folder = modelFolder
    let config = try BertConfig.load(from: modelFolder.appendingPathComponent("config.json"))
    let vocabulary = try Vocabulary.load(from: modelFolder.appendingPathComponent("vocab.txt"))
    guard vocabulary.count <= config.vocabSize else {
      throw SemanticError(
        .invalidInput, "vocabulary has \(vocabulary.count) tokens but vocab_size is \(config.vocabSize)",
        file: modelFolder.appendingPathComponent("vocab.txt").path)
    }
    let tokenizerConfig = Self.jsonObject(modelFolder.appendingPathComponent("tokenizer_config.json"))
    let sentenceConfig = Self.jsonObject(modelFolder.appendingPathComponent("sentence_bert_config.json"))
    let poolingConfig = Self.jsonObject(modelFolder.appendingPathComponent("1_Pooling/config.json"))
    let configured =
      (sentenceConfig["max_seq_length"] as? NSNumber)?.intValue
      ?? (tokenizerConfig["model_max_length"] as? NSNumber)?.intValue ?? config.maxPositionEmbeddings
    let maxLength = min(maxSequenceLength ?? configured, config.maxPositionEmbeddings)
    tokenizer = try BertTokenizer(
      vocabulary: vocabulary, lowercase: (tokenizerConfig["do_lower_case"] as? Bool) ?? true,
      stripAccents: tokenizerConfig["strip_accents"] as? Bool,
      tokenizeChineseCharacters: (tokenizerConfig["tokenize_chinese_chars"] as? Bool) ?? true, maxLength: maxLength)
    let weights = try SafetensorsFile(path: modelFolder.appendingPathComponent("model.safetensors").path)
    model = try BertModel(file: weights, config: config)
    clsPooling =
      (poolingConfig["pooling_mode_cls_token"] as? Bool) == true
      && (poolingConfig["pooling_mode_mean_tokens"] as? Bool) != true
    lowercasesInput = (sentenceConfig["do_lower_case"] as? Bool) ?? false
    if let normalize {
      normalizes = normalize
    } else if let data = try? Data(contentsOf: modelFolder.appendingPathComponent("modules.json")),
      let modules = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
    {
      normalizes = modules.contains { ($0["type"] as? String)?.hasSuffix("Normalize") == true }
    } else {
      normalizes = true
    }
  }

  /// Loads the encoder from `explicit`, `$BASKETRY_MODEL_DIR` or the verified cache — without fetching — so callers
  /// that treat semantic features as optional can go on without them and report the failure once.
  /// - Returns: The encoder, or the error whose description begins "semantic features unavailable: …".
  public static func loadIfAvailable(
    store: ModelStore = ModelStore(), explicit: URL? = nil
  ) -> Result<SentenceEncoder, SemanticUnavailableError> {
    do {
      return .success(try SentenceEncoder(modelFolder: store.locate(explicit: explicit)))
    } catch let error as SemanticUnavailableError {
      return .failure(error)
    } catch {
      return .failure(SemanticUnavailableError(reasons: ["\(error)"]))
    }
  }

  private static func jsonObject(_ url: URL) -> [String: Any] {
    guard let data = try? Data(contentsOf: url), let object = try? JSONSerialization.jsonObject(with: data),
      let dictionary = object as? [String: Any]
    else { return [:] }
    return dictionary
  }

  // MARK: - Tokenising

  /// Token ids of a text, `[CLS]` … `[SEP]`, truncated to the maximum sequence length.
  public func tokenize(_ text: String) -> [Int32] { tokenizer.encode(lowercasesInput ? text.lowercased() : text) }

  // MARK: - Encoding

  /// Encodes one text.
  public func encode(_ text: String) -> [Float] { Array(encode([text], threads: 1)[0]) }

  /// Encodes texts into a `texts.count × dimension` matrix (row i for text i).
  ///
  /// Texts are tokenised, sorted by length and cut into batches of similar length; batches run concurrently on
  /// `threads` worker threads, each batch packed without padding through the SIMD kernels.
  /// - Parameters:
  ///   - texts: Input texts.
  ///   - batchSize: Sequences per batch (default 64); batches are also capped at 2,048 tokens.
  ///   - threads: Worker threads (default: active processors).
  /// - Returns: Unit-length rows (unless the encoder was created with `normalize: false`).
  /// - Complexity: O(T · L · h · (h + i)) for T tokens in all, as a BERT forward pass.
  public func encode(
    _ texts: [String], batchSize: Int = 64, threads: Int = ProcessInfo.processInfo.activeProcessorCount
  ) -> EmbeddingMatrix {
    let sequences = tokenizeAll(texts, threads: threads)
    return encode(tokenIDs: sequences, batchSize: batchSize, threads: threads)
  }

  /// Encodes pre-tokenised sequences (each `[CLS]` … `[SEP]`, as ``tokenize(_:)`` returns).
  public func encode(
    tokenIDs sequences: [[Int32]], batchSize: Int = 64, threads: Int = ProcessInfo.processInfo.activeProcessorCount
  ) -> EmbeddingMatrix {
    let h = dimension
    let count = sequences.count
    guard count > 0 else { return EmbeddingMatrix(rows: 0, dimension: h, values: []) }
    let order = (0..<count).sorted { sequences[$0].count < sequences[$1].count }
    // Few texts: smaller batches so every thread gets one.
    let perBatch = max(1, min(batchSize, (count + max(threads, 1) - 1) / max(threads, 1)))
    var batches: [[Int]] = []
    var current: [Int] = []
    var tokens = 0
    let tokenCap = 2048
    for index in order {
      let length = sequences[index].count
      if !current.isEmpty && (current.count >= perBatch || tokens + length > tokenCap) {
        batches.append(current)
        current = []
        tokens = 0
      }
      current.append(index)
      tokens += length
    }
    if !current.isEmpty { batches.append(current) }
    // Longest batches first, so the last ones to finish are short.
    batches.reverse()
    let plan = batches

    var values = [Float](repeating: 0, count: count * h)
    values.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      let output = SendablePointer(base)
      let queue = WorkQueue(count: plan.count)
      let workers = max(1, min(threads, plan.count))
      let body: @Sendable (Int) -> Void = { _ in
        while let b = queue.next() {
          let members = plan[b]
          let scratch = UnsafeMutablePointer<Float>.allocate(capacity: members.count * h)
          defer { scratch.deallocate() }
          self.encodeBatch(members.map { sequences[$0] }, into: scratch)
          for (slot, index) in members.enumerated() {
            (output.pointer + index * h).update(from: scratch + slot * h, count: h)
          }
        }
      }
      if workers == 1 {
        body(0)
      } else {
        DispatchQueue.concurrentPerform(iterations: workers, execute: body)
      }
    }
    return EmbeddingMatrix(rows: count, dimension: h, values: values)
  }

  private func encodeBatch(_ sequences: [[Int32]], into output: UnsafeMutablePointer<Float>) {
    model.encodeBatch(sequences, into: output, normalize: normalizes, clsOnly: clsPooling)
  }

  private func tokenizeAll(_ texts: [String], threads: Int) -> [[Int32]] {
    guard texts.count > 256, threads > 1 else { return texts.map(tokenize) }
    let chunks = threads * 4
    let chunkSize = (texts.count + chunks - 1) / chunks
    let results = ResultSlots<[[Int32]]>(count: chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
      let range = min(texts.count, chunk * chunkSize)..<min(texts.count, (chunk + 1) * chunkSize)
      results.set(chunk, texts[range].map(self.tokenize))
    }
    return results.values.flatMap { $0 ?? [] }
  }
}

// MARK: - Concurrency helpers

/// A raw pointer handed to worker threads that write disjoint ranges.
struct SendablePointer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
  init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}

/// Hands out indices 0..<count to worker threads, each once.
final class WorkQueue: @unchecked Sendable {
  private let lock = NSLock()
  private var nextIndex = 0
  private let count: Int

  init(count: Int) { self.count = count }

  func next() -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard nextIndex < count else { return nil }
    nextIndex += 1
    return nextIndex - 1
  }
}

/// Per-task result slots written by worker threads.
final class ResultSlots<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var values: [Value?]

  init(count: Int) { values = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ value: Value) {
    lock.lock()
    values[index] = value
    lock.unlock()
  }
}
