import ArgumentParser
import BasketryTesting
import Foundation
import Testing

@testable import BasketryCLI

@Suite("basketry prices")
struct PricesCommandTests {
  static let sample = TestSupport.repositoryRoot + "/Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"

  @Test("the shipped sample: items with evidence and without, no price moved beyond the step")
  func sampleAdvice() async throws {
    let folder = try TestSupport.temporaryDirectory("prices")
    let output = folder.appendingPathComponent("advice.json")
    let command = try PricesCommand.parse(["--quiet", "--max-step", "0.1", "--output", output.path, Self.sample])
    try await command.run()
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [[String: Any]])
    var identified = 0
    var unidentified = 0
    var moved = 0
    for row in rows {
      let current = try #require(row["current_price"] as? Double)
      let advised = try #require(row["advised_price"] as? Double)
      let reason = try #require(row["reason"] as? String)
      let response = try #require(row["response"] as? [String: Any])
      #expect(abs(advised / current - 1) <= 0.1 + 1e-9, "\(row["item"] ?? "?"): \(current) → \(advised)")
      if response["not_identifiable"] != nil {
        unidentified += 1
        #expect(advised == current)
        #expect(reason.hasPrefix("not identifiable: "))
      } else {
        identified += 1
        if advised != current { moved += 1 }
      }
    }
    print("prices on the sample: \(rows.count) items, \(identified) identifiable, \(unidentified) not, \(moved) moved")
    #expect(identified > 0 && unidentified > 0)
    #expect(moved > 0)
  }

  @Test("CSV: one row per item with the advice, intervals, confidence and reason")
  func sampleCSV() async throws {
    let folder = try TestSupport.temporaryDirectory("prices")
    let output = folder.appendingPathComponent("advice.csv")
    let command = try PricesCommand.parse([
      "--quiet", "--max-step", "0.05", "--price-ending", "99", "--output", output.path, Self.sample,
    ])
    try await command.run()
    let text = try String(contentsOf: output, encoding: .utf8)
    let lines = text.split(separator: "\n")
    #expect(lines.first.map(String.init) == PricesCommand.csvHeader)
    #expect(lines.count > 1_000)
    #expect(text.contains(",not identifiable: ") || text.contains(",\"not identifiable: "))
  }

  @Test("bad options fail with a validation error")
  func errors() {
    #expect(throws: (any Error).self) { try PricesCommand.parse(["--max-step", "0", Self.sample]) }
    #expect(throws: (any Error).self) { try PricesCommand.parse(["--min-margin", "1.5", Self.sample]) }
    #expect(throws: (any Error).self) { try PricesCommand.parse(["--output", "x.txt", Self.sample]) }
    #expect(throws: (any Error).self) { try PricesCommand.parse(["--price-ending", "95", Self.sample]) }
  }
}
