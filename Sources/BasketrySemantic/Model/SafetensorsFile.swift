import BasketryCore
import Foundation

/// A `.safetensors` file (Hugging Face): an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian tensor data. The file is memory-mapped; tensors are read
/// on demand and converted to `Float`.
public final class SafetensorsFile: Sendable {
  /// One tensor's header entry.
  public struct TensorInfo: Sendable, Hashable {
    /// Element type as written in the header (`F32`, `F16`, `BF16`, `I64`, …).
    public var dtype: String
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Byte range inside the data section.
    public var dataRange: Range<Int>

    /// Number of elements (the header's shape is checked on reading, so the product does not overflow).
    public var elementCount: Int { shape.reduce(1, *) }
  }

  /// Tensors by name.
  public let tensors: [String: TensorInfo]
  /// The `__metadata__` string map, if any.
  public let metadata: [String: String]
  private let file: MappedFile
  private let dataOffset: Int

  /// Opens and memory-maps a safetensors file and parses its header.
  /// - Parameter path: The file.
  /// - Throws: `SemanticError` when the file is missing, truncated or its header is malformed.
  public init(path: String) throws {
    file = try MappedFile(path: path)
    let bytes = file.bytes
    guard bytes.count >= 8 else {
      throw SemanticError(.invalidInput, "file too short for a safetensors header", file: path)
    }
    // The length is compared as written (a UInt64) before it becomes an Int: a corrupt file can hold any value.
    let writtenLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
    guard writtenLength > 0, writtenLength <= UInt64(bytes.count - 8) else {
      throw SemanticError(.invalidInput, "header length \(writtenLength) exceeds file size \(bytes.count)", file: path)
    }
    let headerLength = Int(writtenLength)
    dataOffset = 8 + headerLength
    let headerData = Data(bytes[8..<(8 + headerLength)])
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: headerData)
    } catch {
      throw SemanticError(.invalidInput, "header is not valid JSON: \(error)", file: path)
    }
    guard let header = object as? [String: Any] else {
      throw SemanticError(.invalidInput, "header is not a JSON object", file: path)
    }
    var tensors: [String: TensorInfo] = [:]
    var metadata: [String: String] = [:]
    let dataSize = bytes.count - dataOffset
    for (name, value) in header {
      guard let entry = value as? [String: Any] else {
        throw SemanticError(.invalidInput, "header entry '\(name)' is not an object", file: path)
      }
      if name == "__metadata__" {
        for (key, item) in entry { metadata[key] = "\(item)" }
        continue
      }
      guard let dtype = entry["dtype"] as? String, let shape = entry["shape"] as? [Any],
        let offsets = entry["data_offsets"] as? [Any], offsets.count == 2
      else {
        throw SemanticError(.invalidInput, "tensor '\(name)' lacks dtype, shape or data_offsets", file: path)
      }
      let dims = shape.compactMap(Self.integer)
      let range = offsets.compactMap(Self.integer)
      guard dims.count == shape.count, dims.allSatisfy({ $0 >= 0 }), Self.product(dims) != nil, range.count == 2,
        range[0] >= 0, range[0] <= range[1], range[1] <= dataSize
      else {
        throw SemanticError(
          .invalidInput, "tensor '\(name)' has a bad shape \(shape) or byte range \(offsets)", file: path)
      }
      let info = TensorInfo(dtype: dtype, shape: dims, dataRange: range[0]..<range[1])
      if let width = Self.elementSize(dtype), Self.product([width, info.elementCount]) != info.dataRange.count {
        throw SemanticError(
          .invalidInput, "tensor '\(name)': \(info.dataRange.count) bytes for shape \(dims) of \(dtype)", file: path)
      }
      tensors[name] = info
    }
    self.tensors = tensors
    self.metadata = metadata
  }

  /// Drops the mapping's pages from the resident set (they are re-read on demand); see
  /// ``MappedFile/releaseResidentPages()``.
  public func releaseResidentPages() { file.releaseResidentPages() }

  /// Path of the mapped file.
  public var path: String { file.path }

  /// A header number that is a whole number of bytes or elements (below 2⁵³, so exact as a JSON double), or nil.
  static func integer(_ value: Any) -> Int? {
    guard let number = value as? NSNumber else { return nil }
    let double = number.doubleValue
    guard double.isFinite, double == double.rounded(), abs(double) < 0x1p53 else { return nil }
    return Int(double)
  }

  /// The product of non-negative numbers, or nil when it overflows `Int`.
  static func product(_ numbers: [Int]) -> Int? {
    var result = 1
    for number in numbers {
      let (next, overflow) = result.multipliedReportingOverflow(by: number)
      if overflow { return nil }
      result = next
    }
    return result
  }

  /// Bytes per element of a dtype, or nil when unknown.
  static func elementSize(_ dtype: String) -> Int? {
    switch dtype {
    case "F64", "I64", "U64": 8
    case "F32", "I32", "U32": 4
    case "F16", "BF16", "I16", "U16": 2
    case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2": 1
    default: nil
    }
  }

  // MARK: - Reading

  /// The raw bytes of a tensor, inside the mapping (valid while this object lives).
  /// - Throws: `SemanticError(.notFound)` when the tensor is absent.
  public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
    guard let info = tensors[name] else {
      throw SemanticError(.notFound, "tensor '\(name)' not in file", file: path)
    }
    return UnsafeRawBufferPointer(
      rebasing: file.bytes[(dataOffset + info.dataRange.lowerBound)..<(dataOffset + info.dataRange.upperBound)])
  }

  /// A tensor converted to `Float` (from F32, F16, BF16 or F64), in row-major order.
  /// - Parameters:
  ///   - name: Tensor name.
  ///   - shape: The expected shape; nil accepts any.
  /// - Throws: `SemanticError` when the tensor is absent, has another shape or an unsupported dtype.
  public func floats(_ name: String, shape: [Int]? = nil) throws -> [Float] {
    guard let info = tensors[name] else {
      throw SemanticError(.notFound, "tensor '\(name)' not in file", file: path)
    }
    if let shape, shape != info.shape {
      throw SemanticError(.invalidInput, "tensor '\(name)' has shape \(info.shape), expected \(shape)", file: path)
    }
    let raw = try rawBytes(name)
    let n = info.elementCount
    switch info.dtype {
    case "F32":
      return [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
        if let target = buffer.baseAddress, let source = raw.baseAddress { memcpy(target, source, n * 4) }
        #if _endian(big)
          for i in 0..<n { buffer[i] = Float(bitPattern: UInt32(littleEndian: buffer[i].bitPattern)) }
        #endif
        initialized = n
      }
    case "F16":
      return (0..<n).map {
        Self.halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))
      }
    case "BF16":
      return (0..<n).map {
        Float(
          bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) << 16)
      }
    case "F64":
      return (0..<n).map {
        Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))))
      }
    default:
      throw SemanticError(.invalidInput, "tensor '\(name)' has unsupported dtype \(info.dtype)", file: path)
    }
  }

  // MARK: - Half precision

  /// Converts IEEE 754 binary16 bits to `Float` (exact; handles subnormals, infinities and NaN).
  public static func halfToFloat(_ bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = Int((bits >> 10) & 0x1F)
    let mantissa = UInt32(bits & 0x3FF)
    if exponent == 0 {
      let magnitude = Float(mantissa) * 0x1p-24
      return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
    return Float(bitPattern: sign | (UInt32(exponent + 112) << 23) | (mantissa << 13))
  }

  /// Converts a `Float` to IEEE 754 binary16 bits, rounding to nearest even.
  public static func floatToHalf(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    let sign = UInt16((bits >> 16) & 0x8000)
    let exponent = Int((bits >> 23) & 0xFF)
    var mantissa = bits & 0x7F_FFFF
    if exponent == 255 { return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0) }
    let e = exponent - 112
    if e >= 31 { return sign | 0x7C00 }
    if e <= 0 {
      if e < -10 { return sign }
      mantissa |= 0x80_0000
      let shift = UInt32(14 - e)
      var half = mantissa >> shift
      let remainder = mantissa & ((1 << shift) - 1)
      let halfway = UInt32(1) << (shift - 1)
      if remainder > halfway || (remainder == halfway && (half & 1) == 1) { half += 1 }
      return sign | UInt16(half)
    }
    var half = UInt32(e << 10) | (mantissa >> 13)
    let remainder = mantissa & 0x1FFF
    if remainder > 0x1000 || (remainder == 0x1000 && (half & 1) == 1) { half += 1 }
    return sign | UInt16(truncatingIfNeeded: half)
  }
}
