import ArgumentParser
import BasketryCLI
import BasketryTesting
import Foundation
import Testing

@Suite("basketry customers")
struct CustomersCommandTests {
  static let sample = TestSupport.repositoryRoot + "/Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"

  @Test("profiles: one CSV row per customer with segment, lifecycle, P(alive), orders, CLV and interests")
  func profilesCSV() async throws {
    let folder = try TestSupport.temporaryDirectory("customers")
    let output = folder.appendingPathComponent("customers.csv")
    let command = try CustomersCommand.parse(["--quiet", "--top", "0", "--output", output.path, Self.sample])
    try await command.run()
    let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
    #expect(lines.first?.hasPrefix("customer,segment,lifecycle,p_alive,expected_orders") == true)
    #expect(lines.count > 1_000)
    let segments = Set(lines.dropFirst().map { $0.split(separator: ",")[1] })
    #expect(segments.isSubset(of: ["top", "high", "medium", "low", "dormant"]))
  }

  @Test("evaluate: JSON with the naive baseline, both models and the grouped table")
  func evaluateJSON() async throws {
    let folder = try TestSupport.temporaryDirectory("customers")
    let output = folder.appendingPathComponent("evaluation.json")
    let command = try CustomersCommand.parse([
      "--quiet", "--evaluate", "--calibration-end", "2011-10-31", "--output", output.path, Self.sample,
    ])
    try await command.run()
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    #expect(json["predictors"] as? [String] == ["naive", "bgnbd", "pareto-nbd"])
    #expect((json["groups"] as? [Any])?.count == 8)
  }

  @Test("bad options fail with a validation error")
  func errors() {
    #expect(throws: (any Error).self) { try CustomersCommand.parse(["--horizon", "soon", Self.sample]) }
    #expect(throws: (any Error).self) { try CustomersCommand.parse(["--evaluate", Self.sample]) }
    #expect(throws: (any Error).self) { try CustomersCommand.parse(["--output", "x.txt", Self.sample]) }
    #expect(throws: (any Error).self) { try CustomersCommand.parse(["--holdout-end", "2011-12-09", Self.sample]) }
  }
}
