import BasketryTesting
import Foundation

@testable import BasketrySemantic

/// A tiny randomly-initialised BERT written to a temporary folder, plus a naive reference forward pass.
struct TinyModel {
  let folder: URL
  let config: BertConfig
  let tensors: [String: [Float]]
  let vocabulary: [String]

  static let words = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "tea", "cup", "##s", "green", "phone", "case", "charger",
    "red", "##dish", "bag", ",", "!", "-", ".", "a", "b", "c", "##a", "##b", "##c", "gift", "for", "lover", "set",
    "cafe", "creme", "日", "本", "茶", "##ing", "box", "of", "12", "pack",
  ]

  /// Writes the model (F32, or F16 for the layer weights when `half`).
  static func make(seed: UInt64 = 7, layers: Int = 2, half: Bool = false, maxLength: Int = 24) throws -> TinyModel {
    let config = BertConfig(
      vocabSize: words.count + 3, hiddenSize: 32, layerCount: layers, headCount: 4, intermediateSize: 48,
      maxPositionEmbeddings: 40, typeVocabSize: 2)
    var rng = SplitMix64(seed: seed)
    func random(_ count: Int, scale: Double = 0.5) -> [Float] {
      (0..<count).map { _ in Float(rng.nextGaussian() * scale) }
    }
    var tensors: [String: [Float]] = [:]
    var writer = SafetensorsWriter()
    func add(_ name: String, _ shape: [Int], _ values: [Float], halfStorage: Bool = false) {
      // Round through half precision so the reference sees the stored values.
      let stored = halfStorage ? values.map { SafetensorsFile.halfToFloat(SafetensorsFile.floatToHalf($0)) } : values
      tensors[name] = stored
      writer.add(name, shape: shape, values: stored, half: halfStorage)
    }
    let h = config.hiddenSize
    let i = config.intermediateSize
    add("embeddings.word_embeddings.weight", [config.vocabSize, h], random(config.vocabSize * h))
    add(
      "embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, h],
      random(config.maxPositionEmbeddings * h))
    add("embeddings.token_type_embeddings.weight", [2, h], random(2 * h))
    add("embeddings.LayerNorm.weight", [h], random(h, scale: 0.1).map { $0 + 1 })
    add("embeddings.LayerNorm.bias", [h], random(h, scale: 0.1))
    for layer in 0..<layers {
      let p = "encoder.layer.\(layer)."
      for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
        add(p + name + ".weight", [h, h], random(h * h, scale: 0.3), halfStorage: half)
        add(p + name + ".bias", [h], random(h, scale: 0.1))
      }
      add(p + "attention.output.LayerNorm.weight", [h], random(h, scale: 0.1).map { $0 + 1 })
      add(p + "attention.output.LayerNorm.bias", [h], random(h, scale: 0.1))
      add(p + "intermediate.dense.weight", [i, h], random(i * h, scale: 0.3), halfStorage: half)
      add(p + "intermediate.dense.bias", [i], random(i, scale: 0.1))
      add(p + "output.dense.weight", [h, i], random(h * i, scale: 0.3), halfStorage: half)
      add(p + "output.dense.bias", [h], random(h, scale: 0.1))
      add(p + "output.LayerNorm.weight", [h], random(h, scale: 0.1).map { $0 + 1 })
      add(p + "output.LayerNorm.bias", [h], random(h, scale: 0.1))
    }
    let folder = try TestSupport.temporaryDirectory("tiny-bert")
    try writer.write(to: folder.appendingPathComponent("model.safetensors"))
    let configJSON = """
      {"architectures": ["BertModel"], "hidden_act": "gelu", "hidden_size": \(h), "intermediate_size": \(i),
       "layer_norm_eps": 1e-12, "max_position_embeddings": \(config.maxPositionEmbeddings), "model_type": "bert",
       "num_attention_heads": \(config.headCount), "num_hidden_layers": \(layers), "type_vocab_size": 2,
       "vocab_size": \(config.vocabSize)}
      """
    try configJSON.write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
    try (words.joined(separator: "\n") + "\n").write(
      to: folder.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
    try "{\"max_seq_length\": \(maxLength), \"do_lower_case\": false}".write(
      to: folder.appendingPathComponent("sentence_bert_config.json"), atomically: true, encoding: .utf8)
    return TinyModel(folder: folder, config: config, tensors: tensors, vocabulary: words)
  }

  // MARK: - Naive reference

  /// Reference forward pass over a zero-padded batch with an additive attention mask, in Double, as PyTorch does it:
  /// embeddings → LayerNorm → per layer (self-attention, add & norm, GELU feed-forward, add & norm) → masked mean →
  /// L2 normalise.
  func reference(_ batch: [[Int32]]) -> [[Float]] {
    let h = config.hiddenSize
    let heads = config.headCount
    let d = h / heads
    let length = batch.map(\.count).max() ?? 0
    func t(_ name: String) -> [Double] { (tensors[name] ?? []).map(Double.init) }
    func layerNorm(_ x: [Double], _ gamma: [Double], _ beta: [Double]) -> [Double] {
      let mean = x.reduce(0, +) / Double(x.count)
      let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)
      return x.indices.map { (x[$0] - mean) / (variance + 1e-12).squareRoot() * gamma[$0] + beta[$0] }
    }
    func linear(_ x: [Double], _ name: String, outputs: Int) -> [Double] {
      let w = t(name + ".weight")
      let b = t(name + ".bias")
      let inputs = x.count
      return (0..<outputs).map { o in (0..<inputs).reduce(b[o]) { $0 + w[o * inputs + $1] * x[$1] } }
    }
    func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }
    var results: [[Float]] = []
    let words = t("embeddings.word_embeddings.weight")
    let positions = t("embeddings.position_embeddings.weight")
    let types = t("embeddings.token_type_embeddings.weight")
    for sequence in batch {
      let mask = (0..<length).map { $0 < sequence.count }
      var states: [[Double]] = (0..<length).map { position in
        let token = position < sequence.count ? Int(sequence[position]) : 0
        let x = (0..<h).map { words[token * h + $0] + positions[position * h + $0] + types[$0] }
        return layerNorm(x, t("embeddings.LayerNorm.weight"), t("embeddings.LayerNorm.bias"))
      }
      for layer in 0..<config.layerCount {
        let p = "encoder.layer.\(layer)."
        let q = states.map { linear($0, p + "attention.self.query", outputs: h) }
        let k = states.map { linear($0, p + "attention.self.key", outputs: h) }
        let v = states.map { linear($0, p + "attention.self.value", outputs: h) }
        var context = [[Double]](repeating: [Double](repeating: 0, count: h), count: length)
        for head in 0..<heads {
          for i in 0..<length {
            var scores = (0..<length).map { j -> Double in
              let s = (0..<d).reduce(0.0) { $0 + q[i][head * d + $1] * k[j][head * d + $1] } / Double(d).squareRoot()
              return mask[j] ? s : s - 1e9
            }
            let top = scores.max() ?? 0
            scores = scores.map { exp($0 - top) }
            let total = scores.reduce(0, +)
            for j in 0..<length {
              for c in 0..<d { context[i][head * d + c] += scores[j] / total * v[j][head * d + c] }
            }
          }
        }
        states = (0..<length).map { i in
          let projected = linear(context[i], p + "attention.output.dense", outputs: h)
          return layerNorm(
            projected.indices.map { projected[$0] + states[i][$0] }, t(p + "attention.output.LayerNorm.weight"),
            t(p + "attention.output.LayerNorm.bias"))
        }
        states = states.map { x in
          let inner = linear(x, p + "intermediate.dense", outputs: config.intermediateSize).map(gelu)
          let out = linear(inner, p + "output.dense", outputs: h)
          return layerNorm(
            out.indices.map { out[$0] + x[$0] }, t(p + "output.LayerNorm.weight"), t(p + "output.LayerNorm.bias"))
        }
      }
      var pooled = [Double](repeating: 0, count: h)
      for i in 0..<length where mask[i] { for c in 0..<h { pooled[c] += states[i][c] } }
      pooled = pooled.map { $0 / Double(sequence.count) }
      let norm = pooled.map { $0 * $0 }.reduce(0, +).squareRoot()
      results.append(pooled.map { Float($0 / max(norm, 1e-12)) })
    }
    return results
  }
}

/// Cosine similarity of two vectors.
func cosine(_ a: [Float], _ b: [Float]) -> Double {
  var dot = 0.0
  var na = 0.0
  var nb = 0.0
  for i in a.indices {
    dot += Double(a[i]) * Double(b[i])
    na += Double(a[i]) * Double(a[i])
    nb += Double(b[i]) * Double(b[i])
  }
  return dot / max((na * nb).squareRoot(), 1e-30)
}
