import BasketryCore
import Foundation

/// A fitted model on disk: a small JSON header (kind, scalar parameters, strings) followed by raw
/// little-endian arrays (`Float`, `Int32`, `Int64`), so a 4k × 4k weight matrix loads in milliseconds.
///
/// Layout: the 8 bytes `BSKTMDL1`, a little-endian `UInt64` header length, the JSON header, then each
/// array's bytes in the order the header lists them. Models use it in ``Recommender/save(to:)``.
public struct ModelArchive: Sendable {
  /// The model kind (its ``Recommender/name``), checked on load.
  public var kind: String
  /// Scalar hyper-parameters and sizes.
  public var numbers: [String: Double]
  /// Text values.
  public var strings: [String: String]
  /// `Float` arrays by name.
  public var floats: [String: [Float]]
  /// `Int32` arrays by name.
  public var int32s: [String: [Int32]]
  /// `Int64` arrays by name.
  public var int64s: [String: [Int64]]
  /// Raw byte blobs by name (e.g. a nested archive).
  public var blobs: [String: [UInt8]]

  /// Creates an empty archive of a kind.
  public init(kind: String) {
    self.kind = kind
    numbers = [:]
    strings = [:]
    floats = [:]
    int32s = [:]
    int64s = [:]
    blobs = [:]
  }

  private static let magic = Array("BSKTMDL1".utf8)

  private struct Header: Codable {
    var kind: String
    var numbers: [String: Double]
    var strings: [String: String]
    var sections: [Section]
  }

  private struct Section: Codable {
    var name: String
    var type: String
    var count: Int
  }

  // MARK: - Writing

  /// Writes the archive.
  /// - Throws: ``ModelError`` (category `.io`) when the file cannot be written.
  public func write(to url: URL) throws {
    let data = try encoded()
    do { try data.write(to: url) } catch {
      throw ModelError(model: kind, "cannot write \(url.path): \(error)", category: .io)
    }
  }

  /// The archive's bytes.
  /// - Throws: ``ModelError`` (category `.internal`) when the header cannot be encoded.
  /// - Complexity: O(total array size).
  public func encoded() throws -> Data {
    var sections: [Section] = []
    for name in floats.keys.sorted() {
      sections.append(Section(name: name, type: "f32", count: floats[name]?.count ?? 0))
    }
    for name in int32s.keys.sorted() {
      sections.append(Section(name: name, type: "i32", count: int32s[name]?.count ?? 0))
    }
    for name in int64s.keys.sorted() {
      sections.append(Section(name: name, type: "i64", count: int64s[name]?.count ?? 0))
    }
    for name in blobs.keys.sorted() {
      sections.append(Section(name: name, type: "u8", count: blobs[name]?.count ?? 0))
    }
    let header = Header(kind: kind, numbers: numbers, strings: strings, sections: sections)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let headerData: Data
    do { headerData = try encoder.encode(header) } catch {
      throw ModelError(model: kind, "cannot encode archive header: \(error)", category: .internal)
    }
    var data = Data(Self.magic)
    var length = UInt64(headerData.count).littleEndian
    withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
    data.append(headerData)
    for section in sections {
      switch section.type {
      case "f32": floats[section.name]?.withUnsafeBytes { data.append(contentsOf: $0) }
      case "i32": int32s[section.name]?.withUnsafeBytes { data.append(contentsOf: $0) }
      case "u8": blobs[section.name].map { data.append(contentsOf: $0) }
      default: int64s[section.name]?.withUnsafeBytes { data.append(contentsOf: $0) }
      }
    }
    return data
  }

  // MARK: - Reading

  /// Reads an archive and checks its kind.
  /// - Parameters:
  ///   - url: the file.
  ///   - kind: the expected kind.
  /// - Throws: ``ModelError`` when the file is missing, truncated or of another kind.
  public static func read(from url: URL, kind: String) throws -> ModelArchive {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw ModelError(model: kind, "cannot read \(url.path): \(error)", category: .io)
    }
    return try decode([UInt8](data), kind: kind, source: url.path)
  }

  /// Decodes archive bytes and checks their kind.
  /// - Parameters:
  ///   - bytes: the archive.
  ///   - kind: the expected kind.
  ///   - source: a name for the bytes in error messages.
  /// - Throws: ``ModelError`` when the bytes are truncated, malformed or of another kind.
  /// - Complexity: O(bytes).
  public static func decode(_ bytes: [UInt8], kind: String, source: String) throws -> ModelArchive {
    guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
      throw ModelError(model: kind, "\(source) is not a Basketry model file")
    }
    var length: UInt64 = 0
    for i in 0..<8 { length |= UInt64(bytes[8 + i]) << (8 * UInt64(i)) }
    guard length <= UInt64(bytes.count - 16) else { throw ModelError(model: kind, "\(source): truncated header") }
    let headerEnd = 16 + Int(length)
    let header: Header
    do { header = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<headerEnd])) } catch {
      throw ModelError(model: kind, "\(source): bad header: \(error)")
    }
    guard header.kind == kind else {
      throw ModelError(model: kind, "\(source) holds a '\(header.kind)' model, not '\(kind)'")
    }
    var archive = ModelArchive(kind: kind)
    archive.numbers = header.numbers
    archive.strings = header.strings
    var offset = headerEnd
    for section in header.sections {
      guard let width = Self.width(of: section.type) else {
        throw ModelError(model: kind, "\(source): section '\(section.name)' has unknown type '\(section.type)'")
      }
      guard section.count >= 0, section.count <= (bytes.count - offset) / width else {
        throw ModelError(model: kind, "\(source): truncated section '\(section.name)'")
      }
      let size = section.count * width
      bytes.withUnsafeBytes { raw in
        let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size)])
        switch section.type {
        case "f32":
          archive.floats[section.name] = (0..<section.count).map {
            Float(bitPattern: UInt32(littleEndian: slice.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
          }
        case "i32":
          archive.int32s[section.name] = (0..<section.count).map {
            Int32(littleEndian: slice.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))
          }
        case "u8":
          archive.blobs[section.name] = [UInt8](slice)
        case "i64":
          archive.int64s[section.name] = (0..<section.count).map {
            Int64(littleEndian: slice.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))
          }
        default:
          break  // unreachable: width(of:) accepted the type
        }
      }
      offset += size
    }
    return archive
  }

  /// Bytes per element of a section type, or nil for a type this version does not know.
  private static func width(of type: String) -> Int? {
    switch type {
    case "f32", "i32": 4
    case "i64": 8
    case "u8": 1
    default: nil
    }
  }

  // MARK: - Typed access

  /// A required whole number in `range` (a size, a count): numbers are stored as doubles, and a damaged file can
  /// hold any double there.
  /// - Throws: ``ModelError`` when absent, fractional, not finite or outside `range`.
  public func integer(_ key: String, in range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int {
    let value = try number(key)
    guard value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
      throw ModelError(
        model: kind, "model file has '\(key)' = \(value), not a whole number in \(range.lowerBound)…\(range.upperBound)"
      )
    }
    return Int(value)
  }

  /// A required number.
  /// - Throws: ``ModelError`` when absent.
  public func number(_ key: String) throws -> Double {
    guard let value = numbers[key] else { throw ModelError(model: kind, "model file lacks '\(key)'") }
    return value
  }

  /// A required `Float` array.
  /// - Throws: ``ModelError`` when absent.
  public func floatArray(_ key: String) throws -> [Float] {
    guard let value = floats[key] else { throw ModelError(model: kind, "model file lacks '\(key)'") }
    return value
  }

  /// A required `Int32` array.
  /// - Throws: ``ModelError`` when absent.
  public func int32Array(_ key: String) throws -> [Int32] {
    guard let value = int32s[key] else { throw ModelError(model: kind, "model file lacks '\(key)'") }
    return value
  }

  /// Stores a sparse matrix under `key` (sizes, offsets, columns, values).
  public mutating func setMatrix(_ key: String, _ matrix: SparseMatrix) {
    numbers["\(key).rows"] = Double(matrix.rowCount)
    numbers["\(key).columns"] = Double(matrix.columnCount)
    int64s["\(key).offsets"] = matrix.rowOffsets.map { Int64($0) }
    int32s["\(key).indices"] = matrix.columns
    floats["\(key).values"] = matrix.values
  }

  /// A sparse matrix stored with ``setMatrix(_:_:)``.
  /// - Throws: ``ModelError`` when absent or inconsistent.
  public func matrix(_ key: String) throws -> SparseMatrix {
    let rows = try integer("\(key).rows")
    let columns = try integer("\(key).columns")
    guard let offsets = int64s["\(key).offsets"] else { throw ModelError(model: kind, "model file lacks '\(key)'") }
    let indices = try int32Array("\(key).indices")
    let values = try floatArray("\(key).values")
    // Compressed rows: offsets from 0 rising to the number of entries, every column index inside the matrix.
    guard offsets.count == rows + 1, indices.count == values.count, offsets.first == 0,
      offsets.last == Int64(indices.count), zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
      indices.allSatisfy({ $0 >= 0 && Int($0) < columns })
    else {
      throw ModelError(model: kind, "model file has an inconsistent matrix '\(key)'")
    }
    return SparseMatrix(
      rowCount: rows, columnCount: columns, rowOffsets: offsets.map { Int($0) }, columns: indices, values: values)
  }

  /// Stores an interaction matrix (with its times) under `key`.
  public mutating func setInteractions(_ key: String, _ interactions: InteractionMatrix) {
    setMatrix(key, interactions.matrix)
    if let times = interactions.lastTimes { int64s["\(key).times"] = times }
    if let reference = interactions.referenceTime { numbers["\(key).reference"] = Double(reference) }
  }

  /// An interaction matrix stored with ``setInteractions(_:_:)``.
  /// - Throws: ``ModelError`` when absent or inconsistent.
  public func interactions(_ key: String) throws -> InteractionMatrix {
    InteractionMatrix(
      matrix: try matrix(key), lastTimes: int64s["\(key).times"],
      referenceTime: numbers["\(key).reference"].map { Int64($0) })
  }
}
