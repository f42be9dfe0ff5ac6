import BasketryCore
import BasketryModels
import Foundation
import Testing

/// Damaged model archives that once crashed the reader (found by FuzzTesting's FuzzModelArtifact, through the
/// serving model's artifact): each must throw a ``ModelError`` instead.
@Suite struct ModelArchiveRobustnessTests {
  /// Archive bytes with a hand-written header: the magic, the header length, the JSON header, then `data`.
  static func archive(_ header: String, data: [UInt8] = []) -> [UInt8] {
    var bytes = Array("BSKTMDL1".utf8)
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
    return bytes + Array(header.utf8) + data
  }

  /// A one-by-two matrix `m` whose numbers and arrays are given as JSON and bytes.
  static func matrix(rows: String, columns: String, offsets: [Int64], indices: [Int32]) -> [UInt8] {
    let header =
      #"{"kind":"demo","numbers":{"m.rows":\#(rows),"m.columns":\#(columns)},"strings":{},"sections":["#
      + #"{"name":"m.values","type":"f32","count":\#(indices.count)},"#
      + #"{"name":"m.indices","type":"i32","count":\#(indices.count)},"#
      + #"{"name":"m.offsets","type":"i64","count":\#(offsets.count)}]}"#
    var data: [UInt8] = []
    for _ in indices { withUnsafeBytes(of: Float(1).bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    for index in indices { withUnsafeBytes(of: index.littleEndian) { data.append(contentsOf: $0) } }
    for offset in offsets { withUnsafeBytes(of: offset.littleEndian) { data.append(contentsOf: $0) } }
    return archive(header, data: data)
  }

  @Test func rejectsAnUnknownSectionType() {
    // Read as 4-byte elements, then loaded as 8-byte ones past the end of the file.
    let bytes = Self.archive(
      #"{"kind":"demo","numbers":{},"strings":{},"sections":[{"name":"t","type":"i65","count":2}]}"#,
      data: Array(repeating: 1, count: 8))
    #expect(throws: ModelError.self) { try ModelArchive.decode(bytes, kind: "demo", source: "test") }
  }

  @Test(arguments: [
    ("1e300", "2", [0, 1] as [Int64], [0] as [Int32]),  // a size no Int holds
    ("-1", "2", [0, 1], [0]),  // a negative size
    ("1.5", "2", [0, 1], [0]),  // a fractional size
    ("1", "2", [-1, 1], [0]),  // offsets that do not start at 0
    ("2", "2", [0, 2, 1], [0]),  // falling offsets
    ("1", "2", [0, 1], [5]),  // a column outside the matrix
    ("1", "2", [0, 1], [-3]),
  ])
  func rejectsInconsistentMatrices(rows: String, columns: String, offsets: [Int64], indices: [Int32]) throws {
    let archive = try ModelArchive.decode(
      Self.matrix(rows: rows, columns: columns, offsets: offsets, indices: indices), kind: "demo", source: "test")
    #expect(throws: ModelError.self) { try archive.matrix("m") }
  }

  @Test func readsAConsistentMatrix() throws {
    let archive = try ModelArchive.decode(
      Self.matrix(rows: "2", columns: "2", offsets: [0, 1, 1], indices: [1]), kind: "demo", source: "test")
    let matrix = try archive.matrix("m")
    #expect(matrix.rowCount == 2 && matrix.columnCount == 2 && matrix.columns == [1])
  }

  @Test func integersMustBeWholeAndInRange() throws {
    var archive = ModelArchive(kind: "demo")
    archive.numbers = ["a": 12, "b": 1e300, "c": -.infinity, "d": 2.5, "e": -1]
    #expect(try archive.integer("a") == 12)
    for key in ["b", "c", "d", "e", "missing"] {
      #expect(throws: ModelError.self) { try archive.integer(key) }
    }
  }
}
