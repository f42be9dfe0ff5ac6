import BasketryCore

/// A weight matrix `W` (`outputs × inputs`, PyTorch's `[out, in]` layout) repacked for ``GEMM``: columns of `Wᵀ` in
/// panels of 16 outputs, each panel stored input by input (`panel[k][j] = W[16p + j][k]`), so the micro-kernel reads
/// it contiguously.
public struct PackedMatrix: Sendable {
  /// Width of a panel (outputs per SIMD16 register).
  public static let panelWidth = 16
  /// Number of outputs (rows of `W`); a multiple of 16.
  public let outputs: Int
  /// Number of inputs (columns of `W`).
  public let inputs: Int
  /// Packed values, `outputs × inputs`.
  public let values: [Float]
  /// Bias per output (zeros when the layer has none).
  public let bias: [Float]

  /// Packs a row-major `[outputs, inputs]` weight matrix.
  /// - Parameters:
  ///   - weights: `outputs × inputs` values, row-major.
  ///   - outputs: Rows; must be a multiple of 16.
  ///   - inputs: Columns.
  ///   - bias: `outputs` values, or nil for zeros.
  /// - Throws: `SemanticError(.invalidInput)` on mismatched sizes.
  /// - Complexity: O(outputs · inputs).
  public init(weights: [Float], outputs: Int, inputs: Int, bias: [Float]?) throws {
    guard outputs % Self.panelWidth == 0, weights.count == outputs * inputs, bias.map({ $0.count == outputs }) ?? true
    else {
      throw SemanticError(.invalidInput, "cannot pack \(weights.count) weights as [\(outputs), \(inputs)]")
    }
    self.outputs = outputs
    self.inputs = inputs
    self.bias = bias ?? [Float](repeating: 0, count: outputs)
    let width = Self.panelWidth
    values = [Float](unsafeUninitializedCapacity: outputs * inputs) { buffer, initialized in
      for panel in 0..<(outputs / width) {
        let base = panel * inputs * width
        for k in 0..<inputs {
          for j in 0..<width { buffer[base + k * width + j] = weights[(panel * width + j) * inputs + k] }
        }
      }
      initialized = outputs * inputs
    }
  }

  /// Stacks several layers' weights along the output axis (e.g. query, key and value into one matrix).
  /// - Throws: `SemanticError(.invalidInput)` when the parts differ in input width.
  public static func concatenating(_ parts: [PackedMatrix]) throws -> PackedMatrix {
    guard let first = parts.first, parts.allSatisfy({ $0.inputs == first.inputs }) else {
      throw SemanticError(.invalidInput, "cannot stack matrices of different input widths")
    }
    return PackedMatrix(
      outputs: parts.reduce(0) { $0 + $1.outputs }, inputs: first.inputs, values: parts.flatMap(\.values),
      bias: parts.flatMap(\.bias))
  }

  private init(outputs: Int, inputs: Int, values: [Float], bias: [Float]) {
    self.outputs = outputs
    self.inputs = inputs
    self.values = values
    self.bias = bias
  }
}
