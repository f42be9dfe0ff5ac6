import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - Forward pass

extension BertModel {
  /// Scratch buffers for one batch, sized for `rows` tokens.
  final class Workspace {
    let rows: Int
    var hidden: UnsafeMutablePointer<Float>
    var spare: UnsafeMutablePointer<Float>
    let qkv: UnsafeMutablePointer<Float>
    let context: UnsafeMutablePointer<Float>
    let intermediate: UnsafeMutablePointer<Float>
    let scores: UnsafeMutablePointer<Float>

    init(rows: Int, config: BertConfig, longest: Int) {
      self.rows = rows
      let h = config.hiddenSize
      hidden = .allocate(capacity: max(1, rows * h))
      spare = .allocate(capacity: max(1, rows * h))
      qkv = .allocate(capacity: max(1, rows * 3 * h))
      context = .allocate(capacity: max(1, rows * h))
      intermediate = .allocate(capacity: max(1, rows * config.intermediateSize))
      scores = .allocate(capacity: max(1, longest))
    }

    deinit {
      hidden.deallocate()
      spare.deallocate()
      qkv.deallocate()
      context.deallocate()
      intermediate.deallocate()
      scores.deallocate()
    }
  }

  /// Encodes a batch of token sequences and writes each one's pooled (mean over its tokens) and optionally
  /// L2-normalised vector to `output + i · hiddenSize`.
  ///
  /// Sequences are packed row after row without padding: the position-wise layers run on all rows at once, attention
  /// runs per sequence over its own rows only — the same result as padding with an attention mask.
  /// - Parameters:
  ///   - sequences: Token ids, each at most `maxPositionEmbeddings` long and non-empty; ids must be `< vocabSize`.
  ///   - output: `sequences.count × hiddenSize` floats.
  ///   - normalize: Scale each vector to unit length.
  ///   - clsOnly: Pool with the first (`[CLS]`) row instead of the mean.
  /// - Complexity: O(T · L · (h² + h · i) + Σ n² · h) for T tokens, L layers, width h, feed-forward i.
  func encodeBatch(
    _ sequences: [[Int32]], into output: UnsafeMutablePointer<Float>, normalize: Bool, clsOnly: Bool = false
  ) {
    let h = config.hiddenSize
    let rows = sequences.reduce(0) { $0 + $1.count }
    guard rows > 0 else { return }
    let longest = sequences.map(\.count).max() ?? 0
    let work = Workspace(rows: rows, config: config, longest: longest)
    let words = wordTable.assumingMemoryBound(to: Float.self)
    positionTable.withUnsafeBufferPointer { positions in
      embeddingNormGamma.withUnsafeBufferPointer { gamma in
        embeddingNormBeta.withUnsafeBufferPointer { beta in
          guard let positions = positions.baseAddress, let gamma = gamma.baseAddress, let beta = beta.baseAddress
          else { return }
          var row = 0
          for sequence in sequences {
            for (position, token) in sequence.enumerated() {
              let target = work.hidden + row * h
              let id = Int(token) < config.vocabSize && token >= 0 ? Int(token) : 0
              memcpy(target, UnsafeRawPointer(words) + id * h * 4, h * 4)
              VectorMath.addLayerNorm(
                target, residual: positions + min(position, config.maxPositionEmbeddings - 1) * h, width: h,
                gamma: gamma, beta: beta, epsilon: config.layerNormEps)
              row += 1
            }
          }
        }
      }
    }
    for layer in layers { runLayer(layer, sequences: sequences, work: work) }
    var row = 0
    for (index, sequence) in sequences.enumerated() {
      let target = output + index * h
      if clsOnly {
        target.update(from: work.hidden + row * h, count: h)
      } else {
        target.initialize(repeating: 0, count: h)
        for r in row..<(row + sequence.count) { VectorMath.axpy(1, work.hidden + r * h, target, count: h) }
        let inverse = 1 / Float(max(sequence.count, 1))
        for j in 0..<h { target[j] *= inverse }
      }
      if normalize { VectorMath.normalize(target, count: h) }
      row += sequence.count
    }
  }

  private func runLayer(_ layer: Layer, sequences: [[Int32]], work: Workspace) {
    let h = config.hiddenSize
    let rows = work.rows
    GEMM.multiply(work.hidden, lda: h, rows: rows, weights: layer.qkv, into: work.qkv, ldc: 3 * h)
    attention(sequences: sequences, work: work)
    GEMM.multiply(work.context, lda: h, rows: rows, weights: layer.attentionOutput, into: work.spare, ldc: h)
    normalizeRows(
      work.spare, residual: work.hidden, rows: rows, gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta)
    swap(&work.hidden, &work.spare)
    GEMM.multiply(
      work.hidden, lda: h, rows: rows, weights: layer.intermediate, into: work.intermediate,
      ldc: config.intermediateSize, activation: .gelu)
    GEMM.multiply(
      work.intermediate, lda: config.intermediateSize, rows: rows, weights: layer.output, into: work.spare, ldc: h)
    normalizeRows(
      work.spare, residual: work.hidden, rows: rows, gamma: layer.outputNormGamma, beta: layer.outputNormBeta)
    swap(&work.hidden, &work.spare)
  }

  private func normalizeRows(
    _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>, rows: Int, gamma: [Float], beta: [Float]
  ) {
    let h = config.hiddenSize
    gamma.withUnsafeBufferPointer { g in
      beta.withUnsafeBufferPointer { b in
        guard let g = g.baseAddress, let b = b.baseAddress else { return }
        for r in 0..<rows {
          VectorMath.addLayerNorm(
            x + r * h, residual: residual + r * h, width: h, gamma: g, beta: b, epsilon: config.layerNormEps)
        }
      }
    }
  }

  /// Multi-head self-attention of each sequence over its own rows: `softmax(QKᵀ/√d) V` per head.
  private func attention(sequences: [[Int32]], work: Workspace) {
    let h = config.hiddenSize
    let d = config.headSize
    let stride = 3 * h
    let scale = 1 / Float(d).squareRoot()
    var offset = 0
    for sequence in sequences {
      let n = sequence.count
      for head in 0..<config.headCount {
        let q = work.qkv + offset * stride + head * d
        let k = q + h
        let v = q + 2 * h
        for i in 0..<n {
          let qi = q + i * stride
          var maximum = -Float.infinity
          for j in 0..<n {
            let s = VectorMath.dot(qi, k + j * stride, count: d) * scale
            work.scores[j] = s
            maximum = max(maximum, s)
          }
          var total: Float = 0
          for j in 0..<n {
            let e = expf(work.scores[j] - maximum)
            work.scores[j] = e
            total += e
          }
          let out = work.context + (offset + i) * h + head * d
          out.initialize(repeating: 0, count: d)
          let inverse = 1 / total
          for j in 0..<n { VectorMath.axpy(work.scores[j] * inverse, v + j * stride, out, count: d) }
        }
      }
      offset += n
    }
  }
}
