import BasketryCore
import Foundation

/// The hyper-parameters of a BERT encoder, read from a Hugging Face `config.json`.
public struct BertConfig: Sendable, Hashable, Codable {
  /// Vocabulary size (rows of the word-embedding table).
  public var vocabSize: Int
  /// Hidden width (384 for all-MiniLM-L6-v2).
  public var hiddenSize: Int
  /// Number of transformer layers.
  public var layerCount: Int
  /// Attention heads per layer; `hiddenSize` must be a multiple.
  public var headCount: Int
  /// Width of the feed-forward layer.
  public var intermediateSize: Int
  /// Rows of the position-embedding table.
  public var maxPositionEmbeddings: Int
  /// Rows of the token-type table.
  public var typeVocabSize: Int
  /// Layer-norm epsilon (1e-12 in BERT).
  public var layerNormEps: Float
  /// Activation name; only `gelu` (exact erf) is supported.
  public var hiddenAct: String

  /// Creates a configuration.
  public init(
    vocabSize: Int, hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int,
    maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2, layerNormEps: Float = 1e-12, hiddenAct: String = "gelu"
  ) {
    self.vocabSize = vocabSize
    self.hiddenSize = hiddenSize
    self.layerCount = layerCount
    self.headCount = headCount
    self.intermediateSize = intermediateSize
    self.maxPositionEmbeddings = maxPositionEmbeddings
    self.typeVocabSize = typeVocabSize
    self.layerNormEps = layerNormEps
    self.hiddenAct = hiddenAct
  }

  enum CodingKeys: String, CodingKey {
    case vocabSize = "vocab_size"
    case hiddenSize = "hidden_size"
    case layerCount = "num_hidden_layers"
    case headCount = "num_attention_heads"
    case intermediateSize = "intermediate_size"
    case maxPositionEmbeddings = "max_position_embeddings"
    case typeVocabSize = "type_vocab_size"
    case layerNormEps = "layer_norm_eps"
    case hiddenAct = "hidden_act"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    vocabSize = try c.decode(Int.self, forKey: .vocabSize)
    hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
    layerCount = try c.decode(Int.self, forKey: .layerCount)
    headCount = try c.decode(Int.self, forKey: .headCount)
    intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
    maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 512
    typeVocabSize = try c.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? 2
    layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? 1e-12
    hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? "gelu"
  }

  /// Width of one attention head.
  public var headSize: Int { hiddenSize / headCount }

  /// Reads and validates a `config.json`.
  /// - Throws: `SemanticError` when the file is missing or malformed, or describes an unsupported model.
  public static func load(from url: URL) throws -> BertConfig {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw SemanticError(.notFound, "cannot read model config: \(error.localizedDescription)", file: url.path)
    }
    let config: BertConfig
    do { config = try JSONDecoder().decode(BertConfig.self, from: data) } catch {
      throw SemanticError(.invalidInput, "not a BERT config.json: \(error)", file: url.path)
    }
    try config.validate(file: url.path)
    return config
  }

  /// Checks the sizes are consistent and the activation is supported.
  /// - Throws: `SemanticError(.invalidInput)` naming the bad key and value.
  public func validate(file: String? = nil) throws {
    guard hiddenSize > 0, headCount > 0, hiddenSize % headCount == 0 else {
      throw SemanticError(
        .invalidInput, "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)", file: file)
    }
    guard hiddenSize % 16 == 0, intermediateSize % 16 == 0, intermediateSize > 0 else {
      throw SemanticError(
        .invalidInput, "hidden_size \(hiddenSize) and intermediate_size \(intermediateSize) must be multiples of 16",
        file: file)
    }
    guard vocabSize > 0, layerCount >= 0, maxPositionEmbeddings > 2, typeVocabSize > 0 else {
      throw SemanticError(
        .invalidInput, "vocab_size, num_hidden_layers, max_position_embeddings or type_vocab_size out of range",
        file: file)
    }
    guard hiddenAct == "gelu" else {
      throw SemanticError(.invalidInput, "hidden_act '\(hiddenAct)' is not supported (only exact 'gelu')", file: file)
    }
  }
}
