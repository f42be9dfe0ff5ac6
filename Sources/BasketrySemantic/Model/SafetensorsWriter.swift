import BasketryCore
import Foundation

/// Writes tensors in the safetensors format (F32 or F16, little-endian), e.g. to build small test models.
public struct SafetensorsWriter: Sendable {
  /// One tensor to write.
  public struct Tensor: Sendable {
    /// Name in the header.
    public var name: String
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Row-major values; `shape.reduce(1, *)` of them.
    public var values: [Float]
    /// Store as binary16 instead of binary32.
    public var half: Bool

    /// Creates a tensor entry.
    public init(name: String, shape: [Int], values: [Float], half: Bool = false) {
      self.name = name
      self.shape = shape
      self.values = values
      self.half = half
    }
  }

  /// Tensors in file order.
  public var tensors: [Tensor] = []

  /// Creates an empty writer.
  public init() {}

  /// Adds a tensor.
  public mutating func add(_ name: String, shape: [Int], values: [Float], half: Bool = false) {
    tensors.append(Tensor(name: name, shape: shape, values: values, half: half))
  }

  /// The encoded file.
  /// - Throws: `SemanticError(.invalidInput)` when a tensor's value count does not match its shape.
  public func encoded() throws -> Data {
    var header = "{\"__metadata__\":{\"format\":\"pt\"}"
    var body = Data()
    for tensor in tensors {
      guard tensor.values.count == tensor.shape.reduce(1, *) else {
        throw SemanticError(.invalidInput, "tensor '\(tensor.name)': \(tensor.values.count) values for \(tensor.shape)")
      }
      let start = body.count
      if tensor.half {
        for value in tensor.values {
          withUnsafeBytes(of: SafetensorsFile.floatToHalf(value).littleEndian) { body.append(contentsOf: $0) }
        }
      } else {
        for value in tensor.values {
          withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) }
        }
      }
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      header += ",\"\(tensor.name)\":{\"dtype\":\"\(tensor.half ? "F16" : "F32")\",\"shape\":[\(shape)],"
      header += "\"data_offsets\":[\(start),\(body.count)]}"
    }
    header += "}"
    while (header.utf8.count + 8) % 8 != 0 { header += " " }
    var data = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    data.append(body)
    return data
  }

  /// Writes the file.
  /// - Throws: `SemanticError` on a shape mismatch; Foundation's error when writing fails.
  public func write(to url: URL) throws {
    try encoded().write(to: url)
  }
}
