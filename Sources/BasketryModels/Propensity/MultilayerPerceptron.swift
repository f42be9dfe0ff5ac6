import BasketryCore
import Foundation

/// A fully connected binary classifier: ReLU hidden layers and a sigmoid output, trained on binary
/// cross-entropy with Adam.
///
/// For layer sizes [n₀, n₁, …, n_L = 1]: a₀ = x, z_l = W_l a_{l−1} + b_l, a_l = max(0, z_l) for hidden layers and
/// ŷ = σ(z_L). Loss L = −(1/B) Σ [y log ŷ + (1 − y) log(1 − ŷ)] + (λ/2) Σ_l ‖W_l‖². With no hidden layer this is
/// logistic regression. Weights start He-normal (N(0, 2/n_in); the output layer N(0, 1/n_in)), biases 0.
/// Parameters are stored flat: for each layer W_l (row-major n_l × n_{l−1}) then b_l.
public struct MultilayerPerceptron: Sendable, Hashable {
  /// Training options.
  public struct TrainingOptions: Sendable, Hashable, Codable {
    /// Adam learning rate. Default 0.01.
    public var learningRate: Float
    /// Mini-batch size. Default 128.
    public var batchSize: Int
    /// Passes over the data. Default 10.
    public var epochs: Int
    /// L2 penalty λ on weights (not biases). Default 0.
    public var l2: Float
    /// Seed for the per-epoch shuffles. Default 42.
    public var seed: UInt64

    /// Creates options; see the properties for defaults.
    public init(learningRate: Float = 0.01, batchSize: Int = 128, epochs: Int = 10, l2: Float = 0, seed: UInt64 = 42) {
      self.learningRate = learningRate
      self.batchSize = batchSize
      self.epochs = epochs
      self.l2 = l2
      self.seed = seed
    }
  }

  /// Layer widths, input first, ending in 1.
  public let layerSizes: [Int]
  /// All weights and biases, flat.
  public var parameters: [Float]

  /// Creates a network with seeded He-normal weights.
  /// - Parameters:
  ///   - layerSizes: widths, e.g. [13, 32, 16, 1]; must end in 1.
  ///   - seed: initialisation seed.
  public init(layerSizes: [Int], seed: UInt64 = 42) {
    self.layerSizes = layerSizes
    var rng = SplitMix64(seed: seed)
    var parameters: [Float] = []
    for l in 1..<max(1, layerSizes.count) {
      let fanIn = layerSizes[l - 1]
      let gain = l == layerSizes.count - 1 ? 1.0 : 2.0
      let std = (gain / Double(max(fanIn, 1))).squareRoot()
      for _ in 0..<(layerSizes[l] * fanIn) { parameters.append(Float(rng.nextGaussian() * std)) }
      parameters.append(contentsOf: [Float](repeating: 0, count: layerSizes[l]))
    }
    self.parameters = parameters
  }

  /// Creates a network from explicit parameters.
  public init(layerSizes: [Int], parameters: [Float]) {
    self.layerSizes = layerSizes
    self.parameters = parameters
  }

  /// The number of parameters implied by `layerSizes`.
  public static func parameterCount(_ layerSizes: [Int]) -> Int {
    var count = 0
    for l in 1..<max(1, layerSizes.count) { count += layerSizes[l] * layerSizes[l - 1] + layerSizes[l] }
    return count
  }

  var inputCount: Int { layerSizes.first ?? 0 }

  /// Offsets of W_l and b_l in `parameters`.
  func offsets(_ l: Int) -> (weights: Int, biases: Int) {
    var offset = 0
    for k in 1..<l { offset += layerSizes[k] * layerSizes[k - 1] + layerSizes[k] }
    return (offset, offset + layerSizes[l] * layerSizes[l - 1])
  }

  // MARK: - Forward

  /// Pre-activations and activations of every layer for a batch (row-major rows × width).
  func forward(_ inputs: ArraySlice<Float>, rows: Int) -> (z: [[Float]], a: [[Float]]) {
    var activations: [[Float]] = [Array(inputs)]
    var preActivations: [[Float]] = [[]]
    let last = layerSizes.count - 1
    parameters.withUnsafeBufferPointer { pBuffer in
      guard let p = pBuffer.baseAddress else { return }
      for l in 1...last {
        let n = layerSizes[l]
        let m = layerSizes[l - 1]
        let (wOffset, bOffset) = offsets(l)
        var z = [Float](repeating: 0, count: rows * n)
        activations[l - 1].withUnsafeBufferPointer { aBuffer in
          guard let a = aBuffer.baseAddress else { return }
          for r in 0..<rows {
            for j in 0..<n { z[r * n + j] = Kernels.dot(p + wOffset + j * m, a + r * m, m) + p[bOffset + j] }
          }
        }
        preActivations.append(z)
        activations.append(l == last ? z.map { 1 / (1 + Float(Foundation.exp(Double(-$0)))) } : z.map { max(0, $0) })
      }
    }
    return (preActivations, activations)
  }

  /// Predicted probabilities for row-major inputs (rows × input width).
  /// - Complexity: O(rows · parameters).
  public func predict(_ inputs: [Float]) -> [Float] {
    let rows = inputCount > 0 ? inputs.count / inputCount : 0
    guard rows > 0, layerSizes.count >= 2 else { return [] }
    return forward(inputs[...], rows: rows).a.last ?? []
  }

  // MARK: - Backward

  /// The mean binary cross-entropy (plus L2) over a batch and its gradient with respect to `parameters`.
  /// - Parameters:
  ///   - inputs: row-major rows × input width.
  ///   - labels: 0 or 1 per row.
  ///   - l2: the weight penalty λ.
  /// - Complexity: O(rows · parameters).
  public func lossAndGradient(
    inputs: ArraySlice<Float>, labels: ArraySlice<Float>, l2: Float = 0
  ) -> (
    loss: Double, gradient: [Float]
  ) {
    let rows = labels.count
    var gradient = [Float](repeating: 0, count: parameters.count)
    guard rows > 0, layerSizes.count >= 2 else { return (0, gradient) }
    let (z, a) = forward(inputs, rows: rows)
    let last = layerSizes.count - 1
    var loss = 0.0
    var delta = [Float](repeating: 0, count: rows)
    for (r, y) in labels.enumerated() {
      let s = Double(z[last][r])
      loss += max(s, 0) + log1p(exp(-abs(s))) - Double(y) * s
      delta[r] = (a[last][r] - y) / Float(rows)
    }
    loss /= Double(rows)
    for l in stride(from: last, through: 1, by: -1) {
      let n = layerSizes[l]
      let m = layerSizes[l - 1]
      let (wOffset, bOffset) = offsets(l)
      var previous = [Float](repeating: 0, count: l > 1 ? rows * m : 0)
      for r in 0..<rows {
        for j in 0..<n {
          let d = delta[r * n + j]
          if d == 0 { continue }
          gradient[bOffset + j] += d
          for k in 0..<m {
            gradient[wOffset + j * m + k] += d * a[l - 1][r * m + k]
            if l > 1 { previous[r * m + k] += d * parameters[wOffset + j * m + k] }
          }
        }
      }
      if l2 > 0 {
        for k in wOffset..<bOffset {
          gradient[k] += l2 * parameters[k]
          loss += Double(0.5 * l2 * parameters[k] * parameters[k])
        }
      }
      if l > 1 {
        // ReLU′(z) = 1 for z > 0.
        for k in previous.indices where z[l - 1][k] <= 0 { previous[k] = 0 }
        delta = previous
      }
    }
    return (loss, gradient)
  }

  // MARK: - Training

  /// Trains with Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) on shuffled mini-batches.
  /// - Parameters:
  ///   - inputs: row-major rows × input width (standardised).
  ///   - labels: 0 or 1 per row.
  ///   - options: learning rate, batch size, epochs, L2, seed.
  /// - Complexity: O(epochs · rows · parameters).
  public mutating func train(inputs: [Float], labels: [Float], options: TrainingOptions = TrainingOptions()) {
    let rows = labels.count
    let width = inputCount
    guard rows > 0, width > 0, inputs.count == rows * width, options.batchSize > 0 else { return }
    var rng = SplitMix64(seed: options.seed)
    var m = [Float](repeating: 0, count: parameters.count)
    var v = [Float](repeating: 0, count: parameters.count)
    var step = 0
    var order = Array(0..<rows)
    var batchInputs = [Float](repeating: 0, count: options.batchSize * width)
    var batchLabels = [Float](repeating: 0, count: options.batchSize)
    for _ in 0..<options.epochs {
      order.shuffle(using: &rng)
      var start = 0
      while start < rows {
        let end = min(rows, start + options.batchSize)
        let count = end - start
        for (slot, row) in order[start..<end].enumerated() {
          for c in 0..<width { batchInputs[slot * width + c] = inputs[row * width + c] }
          batchLabels[slot] = labels[row]
        }
        let (_, gradient) = lossAndGradient(
          inputs: batchInputs[0..<(count * width)], labels: batchLabels[0..<count], l2: options.l2)
        step += 1
        let correction1 = 1 - Float(Foundation.pow(0.9, Double(step)))
        let correction2 = 1 - Float(Foundation.pow(0.999, Double(step)))
        for k in parameters.indices {
          m[k] = 0.9 * m[k] + 0.1 * gradient[k]
          v[k] = 0.999 * v[k] + 0.001 * gradient[k] * gradient[k]
          parameters[k] -= options.learningRate * (m[k] / correction1) / ((v[k] / correction2).squareRoot() + 1e-8)
        }
        start = end
      }
    }
  }
}
