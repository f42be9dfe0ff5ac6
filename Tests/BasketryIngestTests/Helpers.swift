import BasketryTesting
import Foundation
import Testing

/// Fixture and temporary-file helpers for the ingest tests.
enum Fixtures {
  /// Absolute path of a committed fixture.
  static func path(_ name: String) throws -> String {
    let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    return folder.appendingPathComponent(name).path
  }

  /// Writes `bytes` to a fresh temporary file and returns its path.
  static func temporary(_ bytes: [UInt8], name: String = "input.csv") throws -> String {
    let folder = try TestSupport.temporaryDirectory("basketry-ingest")
    let url = folder.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  /// Writes `text` (UTF-8) to a fresh temporary file and returns its path.
  static func temporary(_ text: String, name: String = "input.csv") throws -> String {
    try temporary(Array(text.utf8), name: name)
  }
}
