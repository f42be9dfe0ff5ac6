import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

/// The real all-MiniLM-L6-v2 weights for parity tests: `BASKETRY_MODEL_DIR`, else the verified cache, else — when
/// `CI=true` or `BASKETRY_FETCH_MODEL=1` — fetched through ``ModelStore`` (which must then succeed).
enum ReferenceModel {
  static var environment: [String: String] { ProcessInfo.processInfo.environment }
  static var required: Bool { environment["CI"] == "true" || environment["BASKETRY_FETCH_MODEL"] == "1" }

  static func folder() async throws -> URL? {
    let store = ModelStore()
    if let folder = try? store.locate() { return folder }
    guard required else {
      print(
        "note: all-MiniLM-L6-v2 weights absent (set BASKETRY_MODEL_DIR or run `basketry model fetch`); "
          + "parity checks ran on the tiny model only")
      return nil
    }
    do {
      return try await store.fetch(log: { print("model fetch: \($0)") })
    } catch {
      Issue.record("CI requires the all-MiniLM-L6-v2 weights and fetching them failed: \(error)")
      throw error
    }
  }

  /// The committed reference fixture.
  struct Fixture: Decodable {
    var titles: [String]
    var sources: [String]
    var token_ids: [[Int32]]
    var dimension: Int
  }

  static func fixture() throws -> (Fixture, [[Float]]) {
    let json = try #require(
      Bundle.module.url(forResource: "semantic_reference", withExtension: "json", subdirectory: "Fixtures"))
    let f16 = try #require(
      Bundle.module.url(forResource: "semantic_reference", withExtension: "f16", subdirectory: "Fixtures"))
    let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: json))
    let raw = try Data(contentsOf: f16)
    let values: [Float] = raw.withUnsafeBytes { bytes in
      (0..<(raw.count / 2)).map {
        SafetensorsFile.halfToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))
      }
    }
    let d = fixture.dimension
    let vectors = (0..<(values.count / d)).map { Array(values[($0 * d)..<(($0 + 1) * d)]) }
    return (fixture, vectors)
  }
}
