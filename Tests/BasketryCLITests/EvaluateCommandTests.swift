import ArgumentParser
import BasketryCLI
import BasketryTesting
import Foundation
import Testing

@Suite("basketry evaluate")
struct EvaluateCommandTests {
  /// A tiny benchmark folder in the Youshu layout: 6 users, 5 bundles, 3 items.
  func youshuFolder() throws -> URL {
    let folder = try TestSupport.temporaryDirectory("youshu")
    let files = [
      "Tiny_data_size.txt": "6\t5\t3\n",
      "user_bundle_train.txt": "0\t0\n0\t1\n1\t0\n1\t1\n2\t0\n3\t2\n4\t0\n4\t3\n5\t1\n",
      "user_bundle_tune.txt": "0\t2\n",
      "user_bundle_test.txt": "0\t3\n2\t1\n3\t0\n",
      "user_item.txt": "0\t0\n1\t0\n2\t1\n3\t2\n",
      "bundle_item.txt": "0\t0\n1\t0\n2\t1\n3\t2\n4\t2\n",
    ]
    for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
    return folder
  }

  @Test("youshu: leaderboard JSON with the requested models and metrics")
  func youshu() async throws {
    let folder = try youshuFolder()
    let output = folder.appendingPathComponent("board.json")
    let command = try EvaluateCommand.parse([
      "--format", "youshu", "--models", "pop,itemknn,ease", "--k", "2,3", "--param", "ease.lambda=1",
      "--stacked-item-weight", "0.5", folder.path, "--output", output.path,
    ])
    try await command.run()
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    #expect(json["dataset"] as? String == "youshu")
    #expect((json["split"] as? String)?.contains("test") == true)
    let results = try #require(json["results"] as? [[String: Any]])
    #expect(results.compactMap { $0["model"] as? String } == ["pop", "itemknn", "itemknn+items", "ease", "ease+items"])
    for result in results {
      let metrics = try #require(result["metrics"] as? [String: Double])
      #expect(metrics["recall@3"] != nil && metrics["ndcg@2"] != nil)
      #expect(result["fit_seconds"] is Double)
    }
  }

  @Test("youshu: ease+bundles runs with its own parameters and is not stacked again")
  func bundleStructure() async throws {
    let folder = try youshuFolder()
    let output = folder.appendingPathComponent("board.json")
    let command = try EvaluateCommand.parse([
      "--format", "youshu", "--models", "ease,ease+bundles", "--k", "3", "--param", "ease.lambda=1",
      "--param", "ease+bundles.lambda=1", "--param", "ease+bundles.affiliation_weight=0.5", "--stacked-item-weight",
      "0.5", "--validation", folder.path, "--output", output.path,
    ])
    try await command.run()
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    #expect((json["split"] as? String)?.contains("tune") == true)
    let results = try #require(json["results"] as? [[String: Any]])
    #expect(results.compactMap { $0["model"] as? String } == ["pop", "ease", "ease+items", "ease+bundles"])
    let badWeight = try EvaluateCommand.parse([
      "--format", "youshu", "--models", "ease+bundles", "--param", "ease+bundles.item_weight=heavy", folder.path,
    ])
    await #expect(throws: (any Error).self) { try await badWeight.run() }
  }

  @Test("bad options fail with a validation error, unknown models with not-found")
  func errors() async throws {
    let folder = try youshuFolder()
    let unknown = try EvaluateCommand.parse(["--format", "youshu", "--models", "nope", folder.path])
    await #expect(throws: (any Error).self) { try await unknown.run() }
    let badK = try EvaluateCommand.parse(["--format", "youshu", "--k", "0", folder.path])
    await #expect(throws: (any Error).self) { try await badK.run() }
    let unwired = try EvaluateCommand.parse(["--format", "online-retail", "x.csv"])
    await #expect(throws: (any Error).self) { try await unwired.run() }
  }

  static let sample = TestSupport.repositoryRoot + "/Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"

  @Test("--rankings writes one line per test user and model with top-K external ids")
  func rankings() async throws {
    let folder = try TestSupport.temporaryDirectory("rankings")
    let output = folder.appendingPathComponent("board.json")
    let command = try EvaluateCommand.parse([
      "--format", "online-retail", "--models", "freq", "--k", "5,20", "--rankings", folder.path, "--output",
      output.path, Self.sample,
    ])
    try await command.run()
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    let results = try #require(json["results"] as? [[String: Any]])
    for result in results {
      let model = try #require(result["model"] as? String)
      let text = try String(contentsOf: folder.appendingPathComponent("\(model).tsv"), encoding: .utf8)
      let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
      #expect(lines.count == result["users"] as? Int)
      #expect(lines.allSatisfy { $0.count == 2 && $0[1].split(separator: ",").count == 20 })
    }
  }

  @Test("--select prints the validation leaderboard and writes the selection result")
  func select() async throws {
    let folder = try TestSupport.temporaryDirectory("select")
    let output = folder.appendingPathComponent("selection.json")
    let command = try EvaluateCommand.parse([
      "--format", "online-retail", "--select", "--models", "pop,freq", "--test-days", "14", "--output", output.path,
      Self.sample,
    ])
    try await command.run()
    let result = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    #expect(result["best"] as? String == "freq")
    #expect(result["metric"] as? String == "ndcg@20")
    let start = try #require(result["validation_start"] as? Int)
    let end = try #require(result["validation_end"] as? Int)
    #expect(end - start == 14 * 86_400)
    let rows = try #require(result["rows"] as? [[String: Any]])
    #expect(rows.count == 5)  // pop, then freq's four half-lives
  }
}
