import BasketryCore
import Foundation

/// Small helpers for writing files and standard streams.
enum FileHandleOutput {
  static func standardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }

  /// Writes data to a path, creating parent folders; `-` writes to standard output.
  static func write(_ data: Data, to path: String) throws {
    if path == "-" {
      FileHandle.standardOutput.write(data)
      return
    }
    let url = URL(fileURLWithPath: path)
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try data.write(to: url, options: .atomic)
    } catch {
      throw CommandError("cannot write \(path): \(error.localizedDescription)", category: .io)
    }
  }

  /// Encodes a value as pretty, key-sorted JSON.
  static func json<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
      var data = try encoder.encode(value)
      data.append(0x0A)
      return data
    } catch {
      throw CommandError("cannot encode JSON: \(error)", category: .internal)
    }
  }
}
