import BasketryCore
import Foundation

// MARK: - Raw float32 files

extension EmbeddingMatrix {
  /// The matrix as raw little-endian float32, row after row (no header), as `basketry embed` writes it.
  public func rawData() -> Data {
    var data = Data(capacity: values.count * 4)
    #if _endian(little)
      values.withUnsafeBytes { data.append(contentsOf: $0) }
    #else
      for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    #endif
    return data
  }

  /// Writes ``rawData()`` to a file.
  /// - Throws: `SemanticError(.io)` when writing fails.
  public func write(to url: URL) throws {
    do {
      #if _endian(little)
        try values.withUnsafeBytes { bytes in
          guard let base = bytes.baseAddress else {
            try Data().write(to: url)
            return
          }
          // No copy: the array's storage is written as it is.
          try Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
            .write(to: url)
        }
      #else
        try rawData().write(to: url)
      #endif
    } catch {
      throw SemanticError(.io, "cannot write vectors: \(error.localizedDescription)", file: url.path)
    }
  }

  /// Reads a raw little-endian float32 file of rows of `dimension` values.
  /// - Throws: `SemanticError` when the file is missing or its size is not a multiple of a row.
  public static func read(from url: URL, dimension: Int) throws -> EmbeddingMatrix {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw SemanticError(.notFound, "cannot read vectors: \(error.localizedDescription)", file: url.path)
    }
    guard dimension > 0, data.count % (4 * dimension) == 0 else {
      throw SemanticError(
        .invalidInput, "\(data.count) bytes is not a whole number of \(dimension)-float rows", file: url.path)
    }
    let values: [Float] = data.withUnsafeBytes { bytes in
      (0..<(data.count / 4)).map {
        Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
      }
    }
    return EmbeddingMatrix(rows: values.count / dimension, dimension: dimension, values: values)
  }
}
