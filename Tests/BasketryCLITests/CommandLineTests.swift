import BasketryTesting
import Foundation
import Testing

/// Runs the built `basketry` executable as a user would.
struct CLIRun {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum CLI {
  /// The `basketry` binary next to the test bundle.
  static var executable: URL? {
    var folder = Bundle.main.bundleURL
    for _ in 0..<3 {
      let candidate = folder.appendingPathComponent("basketry")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      folder.deleteLastPathComponent()
    }
    return nil
  }

  static func run(_ arguments: [String], in directory: URL? = nil) throws -> CLIRun {
    let process = Process()
    let binary: URL = try #require(executable, "basketry executable not found next to the tests")
    process.executableURL = binary
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIRun(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}

@Suite struct CommandLineTests {
  static let sample = TestSupport.repositoryRoot + "/Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"

  @Test(.enabled(if: TestSupport.sharedDataRoot != nil))
  func mineGroceriesMatchesArules() throws {
    let path = try #require(TestSupport.sharedDataRoot) + "/groceries/groceries.csv"
    let run = try CLI.run(["mine", "--format", "baskets", "--min-support", "0.001", "--min-confidence", "0.5", path])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("itemsets: 13492\n"))
    #expect(run.stdout.contains("rules: 5668\n"))
  }

  @Test func mineWritesJSON() throws {
    let folder = try TestSupport.temporaryDirectory()
    let input = folder.appendingPathComponent("b.csv")
    try "a,b,c\na,b\nb,c\na,b,c\n".write(to: input, atomically: true, encoding: .utf8)
    let output = folder.appendingPathComponent("out.json")
    let run = try CLI.run([
      "mine", "--quiet", "--format", "baskets", "--min-support", "0.5", "--min-confidence", "0.6", "--output",
      output.path, input.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    // a(3) b(4) c(3) ab(3) bc(3) ac(2) abc(2) with support ≥ 2 of 4.
    #expect(run.stdout.contains("itemsets: 7\n"))
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    #expect(json["transactions"] as? Int == 4)
    let itemsets = try #require(json["itemsets"] as? [[String: Any]])
    #expect(itemsets.count == 7)
    let rules = try #require(json["rules"] as? [[String: Any]])
    for rule in rules {
      for key in ["antecedent", "consequent", "support", "confidence", "lift", "leverage", "jaccard", "certainty"] {
        #expect(rule[key] != nil, "rule lacks \(key)")
      }
    }
  }

  @Test func demoWritesBundlesAndReport() throws {
    let folder = try TestSupport.temporaryDirectory()
    let run = try CLI.run(["demo", "--input", Self.sample, "--output-dir", folder.path])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("Top bundles"))
    let bundles = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("bundles.json")))
        as? [String: Any])
    let list = try #require(bundles["bundles"] as? [[String: Any]])
    #expect(list.count >= 5)
    for bundle in list {
      let explanation = try #require(bundle["explanation"] as? String)
      #expect(explanation.contains("bought together in"))
      let items = try #require(bundle["items"] as? [[String: Any]])
      for item in items {
        let id = try #require(item["id"] as? String)
        #expect(!["POST", "DOT", "M", "C2", "BANK CHARGES", "AMAZONFEE"].contains(id))
      }
    }
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("cleaning-report.json").path))
    // One shopper's bundles, ranked by their own expected profit.
    #expect(run.stdout.contains("Bundles for customer"))
    let shopper = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("shopper-bundles.json")))
        as? [String: Any])
    let offers = try #require(shopper["bundles"] as? [[String: Any]])
    #expect(!offers.isEmpty)
    for offer in offers { #expect(offer["personal"] is [String: Any]) }
  }

  @Test func badInputNamesFileLineAndField() throws {
    let folder = try TestSupport.temporaryDirectory()
    let input = folder.appendingPathComponent("bad.csv")
    try """
    InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
    536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom
    536365,71053,WHITE METAL LANTERN,six,2010-12-01 08:26:00,3.39,17850,United Kingdom

    """.write(to: input, atomically: true, encoding: .utf8)
    let strict = try CLI.run(["ingest", "--strict", input.path])
    #expect(strict.status == 65)
    #expect(strict.stderr.contains("bad.csv:3"))
    #expect(strict.stderr.contains("Quantity"))
    let lenient = try CLI.run(["ingest", input.path])
    #expect(lenient.status == 0, "\(lenient.stderr)")
  }

  @Test func missingFileIsNotFound() throws {
    let run = try CLI.run(["ingest", "/nonexistent/orders.csv"])
    #expect(run.status == 66 || run.status == 74)
    #expect(run.stderr.contains("/nonexistent/orders.csv"))
  }

  @Test func invalidOptionsAreRejected() throws {
    let run = try CLI.run(["mine", "--min-support", "0", "x.csv"])
    #expect(run.status == 64)
    #expect(run.stderr.contains("--min-support"))
  }
}
