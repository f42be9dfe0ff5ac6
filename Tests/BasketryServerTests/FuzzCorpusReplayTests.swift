import BasketryCore
import BasketryServer
import BasketryTesting
import Foundation
import HummingbirdCore
import Testing

/// The committed fuzz corpora of the server's parsers (`FuzzTesting/Corpus/FuzzRequestBodies` and
/// `FuzzServerConfiguration`, crash regressions included) replayed through the same entry points as the fuzz
/// targets, in the ordinary test build: every input must parse or fail with the parser's own error.
@Suite struct FuzzCorpusReplayTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../FuzzTesting/Corpus").standardizedFileURL

  static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
    let folder = corpus.appendingPathComponent(target)
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    return try names.map { ($0, Array(try Data(contentsOf: folder.appendingPathComponent($0)))) }
  }

  @Test func requestBodiesParseOrFailWithAnAPIError() throws {
    let inputs = try Self.inputs("FuzzRequestBodies")
    #expect(!inputs.isEmpty)
    for (name, bytes) in inputs {
      let body = Array(bytes.dropFirst())
      do {
        switch (bytes.first ?? 0) % 4 {
        case 0: _ = try EventParsing.parse(body, maxBatch: 1000)
        case 1: _ = try ExperimentParsing.parse(body, now: 1_700_000_000)
        case 2: _ = try ItemParsing.parse(body, id: "sku-1")
        default:
          _ = try BundleQueryParsing.parse(URI("/v1/bundles?" + String(decoding: body, as: UTF8.self)).queryParameters)
        }
      } catch is APIError {
        continue
      } catch {
        Issue.record("\(name): \(type(of: error)) \(error)")
      }
    }
  }

  @Test func configurationFilesApplyOrFailWithAConfigurationError() throws {
    let inputs = try Self.inputs("FuzzServerConfiguration")
    #expect(!inputs.isEmpty)
    let folder = try TestSupport.temporaryDirectory("fuzz-config")
    for (name, bytes) in inputs {
      let path = folder.appendingPathComponent(name).path
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      var configuration = ServerConfiguration()
      do {
        try configuration.apply(file: path)
        try configuration.checkExposure()
      } catch is ConfigurationError {
        continue
      } catch {
        Issue.record("\(name): \(type(of: error)) \(error)")
      }
    }
  }
}
