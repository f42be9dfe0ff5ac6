import BasketryCore
import Foundation

/// A BERT encoder's weights, loaded from a safetensors file: the word-embedding table stays memory-mapped, the
/// transformer layers are repacked once for the SIMD kernels (query, key and value stacked into one matrix).
public final class BertModel: @unchecked Sendable {
  /// One transformer layer.
  struct Layer: Sendable {
    var qkv: PackedMatrix
    var attentionOutput: PackedMatrix
    var attentionNormGamma: [Float]
    var attentionNormBeta: [Float]
    var intermediate: PackedMatrix
    var output: PackedMatrix
    var outputNormGamma: [Float]
    var outputNormBeta: [Float]
  }

  /// The hyper-parameters.
  public let config: BertConfig
  let file: SafetensorsFile
  /// Word embeddings, `vocabSize × hiddenSize`, inside the mapping (F32) or converted (F16/BF16).
  let wordTable: UnsafeRawPointer
  private let ownsWordTable: Bool
  /// Position embedding + token-type-0 embedding, `maxPositionEmbeddings × hiddenSize`.
  let positionTable: [Float]
  let embeddingNormGamma: [Float]
  let embeddingNormBeta: [Float]
  let layers: [Layer]

  /// Loads the weights of a `BertModel` (tensor names with or without a `bert.` prefix).
  /// - Parameters:
  ///   - file: The opened safetensors file.
  ///   - config: The model's configuration.
  /// - Throws: `SemanticError` when a tensor is missing or has the wrong shape.
  public init(file: SafetensorsFile, config: BertConfig) throws {
    try config.validate(file: file.path)
    self.file = file
    self.config = config
    let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
    let h = config.hiddenSize
    func vector(_ name: String, _ count: Int) throws -> [Float] { try file.floats(prefix + name, shape: [count]) }
    func dense(_ name: String, outputs: Int, inputs: Int) throws -> PackedMatrix {
      try PackedMatrix(
        weights: file.floats(prefix + name + ".weight", shape: [outputs, inputs]), outputs: outputs, inputs: inputs,
        bias: vector(name + ".bias", outputs))
    }

    let wordName = prefix + "embeddings.word_embeddings.weight"
    guard let wordInfo = file.tensors[wordName] else {
      throw SemanticError(.notFound, "tensor '\(wordName)' not in file", file: file.path)
    }
    guard wordInfo.shape == [config.vocabSize, h] else {
      throw SemanticError(
        .invalidInput, "tensor '\(wordName)' has shape \(wordInfo.shape), expected [\(config.vocabSize), \(h)]",
        file: file.path)
    }
    var littleEndian = true
    #if _endian(big)
      littleEndian = false
    #endif
    if wordInfo.dtype == "F32" && littleEndian, let base = try file.rawBytes(wordName).baseAddress {
      wordTable = base
      ownsWordTable = false
    } else {
      let converted = try file.floats(wordName)
      let storage = UnsafeMutablePointer<Float>.allocate(capacity: max(converted.count, 1))
      storage.initialize(from: converted, count: converted.count)
      wordTable = UnsafeRawPointer(storage)
      ownsWordTable = true
    }

    let positions = try file.floats(
      prefix + "embeddings.position_embeddings.weight", shape: [config.maxPositionEmbeddings, h])
    let types = try file.floats(prefix + "embeddings.token_type_embeddings.weight", shape: [config.typeVocabSize, h])
    positionTable = positions.enumerated().map { $0.element + types[$0.offset % h] }
    embeddingNormGamma = try vector("embeddings.LayerNorm.weight", h)
    embeddingNormBeta = try vector("embeddings.LayerNorm.bias", h)

    var layers: [Layer] = []
    for index in 0..<config.layerCount {
      let p = "encoder.layer.\(index)."
      let qkv = try PackedMatrix.concatenating([
        dense(p + "attention.self.query", outputs: h, inputs: h),
        dense(p + "attention.self.key", outputs: h, inputs: h),
        dense(p + "attention.self.value", outputs: h, inputs: h),
      ])
      layers.append(
        Layer(
          qkv: qkv,
          attentionOutput: try dense(p + "attention.output.dense", outputs: h, inputs: h),
          attentionNormGamma: try vector(p + "attention.output.LayerNorm.weight", h),
          attentionNormBeta: try vector(p + "attention.output.LayerNorm.bias", h),
          intermediate: try dense(p + "intermediate.dense", outputs: config.intermediateSize, inputs: h),
          output: try dense(p + "output.dense", outputs: h, inputs: config.intermediateSize),
          outputNormGamma: try vector(p + "output.LayerNorm.weight", h),
          outputNormBeta: try vector(p + "output.LayerNorm.bias", h)))
      // Keep the peak resident set low: this layer's mapped pages are no longer needed.
      if wordInfo.dtype == "F32" && littleEndian { file.releaseResidentPages() }
    }
    self.layers = layers
    // The layers now live in packed copies; only the word-embedding rows that tokens touch need to be resident.
    if !ownsWordTable { file.releaseResidentPages() }
  }

  deinit {
    if ownsWordTable { UnsafeMutableRawPointer(mutating: wordTable).deallocate() }
  }
}
