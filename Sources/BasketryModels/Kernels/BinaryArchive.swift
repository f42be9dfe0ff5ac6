import BasketryCore
import Foundation

// MARK: - Writer

/// A little-endian binary writer for model files.
///
/// File layout: the magic `BSKM`, a format version (UInt32), the model name (UInt32 length + UTF-8),
/// then the model's fields in a fixed order (integers as Int64, reals as Float32/Float64, arrays as
/// an Int64 count followed by the elements).
public struct BinaryArchiveWriter: Sendable {
  /// The bytes written so far.
  public private(set) var data = Data()

  /// Starts an archive with the header.
  /// - Parameters:
  ///   - model: the model name stored in the header.
  ///   - version: the model's format version.
  public init(model: String, version: UInt32) {
    data.append(contentsOf: Array("BSKM".utf8))
    write(version)
    let name = Array(model.utf8)
    write(UInt32(name.count))
    data.append(contentsOf: name)
  }

  /// Appends a UInt32.
  public mutating func write(_ value: UInt32) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
  }

  /// Appends an integer as Int64.
  public mutating func write(_ value: Int) {
    withUnsafeBytes(of: Int64(value).littleEndian) { data.append(contentsOf: $0) }
  }

  /// Appends an Int64.
  public mutating func write(_ value: Int64) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
  }

  /// Appends a Float (IEEE-754 bits, little-endian).
  public mutating func write(_ value: Float) { write(value.bitPattern) }

  /// Appends a Double (IEEE-754 bits, little-endian).
  public mutating func write(_ value: Double) {
    withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
  }

  /// Appends a count and the floats.
  public mutating func write(_ values: [Float]) {
    write(values.count)
    #if _endian(little)
      values.withUnsafeBytes { data.append(contentsOf: $0) }
    #else
      for value in values { write(value) }
    #endif
  }

  /// Appends a count and the Int32 values.
  public mutating func write(_ values: [Int32]) {
    write(values.count)
    for value in values { write(UInt32(bitPattern: value)) }
  }

  /// Appends a count and the Int values (as Int64).
  public mutating func write(_ values: [Int]) {
    write(values.count)
    for value in values { write(value) }
  }

  /// Writes the archive to a file.
  /// - Throws: ``ModelError`` (category `io`) when writing fails.
  public func save(to url: URL, model: String) throws {
    do {
      try data.write(to: url, options: .atomic)
    } catch {
      throw ModelError(model: model, "cannot write \(url.path): \(error)", category: .io)
    }
  }
}

// MARK: - Reader

/// Reads archives written by ``BinaryArchiveWriter``; every read is bounds-checked.
public struct BinaryArchiveReader: Sendable {
  private let data: [UInt8]
  private var offset = 0
  private let model: String
  private let path: String
  /// The format version found in the header.
  public private(set) var version: UInt32 = 0

  /// Opens a file and checks the header.
  /// - Parameters:
  ///   - url: the file.
  ///   - model: the expected model name.
  ///   - supportedVersions: versions this build can read.
  /// - Throws: ``ModelError`` when the file is missing, truncated, of another model or an unknown version.
  public init(url: URL, model: String, supportedVersions: ClosedRange<UInt32>) throws {
    self.model = model
    self.path = url.path
    do {
      data = Array(try Data(contentsOf: url))
    } catch {
      throw ModelError(model: model, "cannot read \(url.path): \(error)", category: .io)
    }
    let magic = try bytes(4)
    guard Array(magic) == Array("BSKM".utf8) else {
      throw ModelError(model: model, "\(url.path) is not a Basketry model file (bad magic)")
    }
    version = try readUInt32()
    guard supportedVersions.contains(version) else {
      throw ModelError(model: model, "\(url.path): unsupported format version \(version)")
    }
    let nameLength = Int(try readUInt32())
    let name = String(decoding: try bytes(nameLength), as: UTF8.self)
    guard name == model else {
      throw ModelError(model: model, "\(url.path) holds a '\(name)' model, not '\(model)'")
    }
  }

  private mutating func bytes(_ count: Int) throws -> ArraySlice<UInt8> {
    guard count >= 0, offset + count <= data.count else {
      throw ModelError(model: model, "\(path): truncated at byte \(offset) (needed \(count) more)")
    }
    defer { offset += count }
    return data[offset..<(offset + count)]
  }

  /// Reads a UInt32.
  public mutating func readUInt32() throws -> UInt32 {
    var value: UInt32 = 0
    for (shift, byte) in try bytes(4).enumerated() { value |= UInt32(byte) << (8 * UInt32(shift)) }
    return value
  }

  /// Reads an Int64.
  public mutating func readInt64() throws -> Int64 {
    var value: UInt64 = 0
    for (shift, byte) in try bytes(8).enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
    return Int64(bitPattern: value)
  }

  /// Reads an integer stored as Int64, checking it lies in `range`.
  public mutating func readInt(in range: ClosedRange<Int> = 0...Int(Int32.max), field: String) throws -> Int {
    let value = try readInt64()
    guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
      throw ModelError(model: model, "\(path): field \(field) = \(value) is out of range \(range)")
    }
    return Int(value)
  }

  /// Reads a Float.
  public mutating func readFloat() throws -> Float { Float(bitPattern: try readUInt32()) }

  /// Reads a Double.
  public mutating func readDouble() throws -> Double { Double(bitPattern: UInt64(bitPattern: try readInt64())) }

  /// Reads a float array, checking its length when `count` is given.
  public mutating func readFloats(count expected: Int? = nil, field: String) throws -> [Float] {
    let count = try readInt(in: 0...(data.count / 4), field: field)
    if let expected, expected != count {
      throw ModelError(model: model, "\(path): field \(field) has \(count) values, expected \(expected)")
    }
    let raw = try bytes(count * 4)
    var values = [Float](repeating: 0, count: count)
    var index = raw.startIndex
    for k in 0..<count {
      let bits =
        UInt32(raw[index]) | UInt32(raw[index + 1]) << 8 | UInt32(raw[index + 2]) << 16 | UInt32(raw[index + 3]) << 24
      values[k] = Float(bitPattern: bits)
      index += 4
    }
    return values
  }

  /// Reads an Int32 array.
  public mutating func readInt32s(field: String) throws -> [Int32] {
    let count = try readInt(in: 0...(data.count / 4), field: field)
    var values = [Int32](repeating: 0, count: count)
    for k in 0..<count { values[k] = Int32(bitPattern: try readUInt32()) }
    return values
  }

  /// Reads an Int array (stored as Int64).
  public mutating func readInts(field: String) throws -> [Int] {
    let count = try readInt(in: 0...(data.count / 8), field: field)
    var values = [Int](repeating: 0, count: count)
    for k in 0..<count { values[k] = Int(try readInt64()) }
    return values
  }
}
