import BasketryTesting
import Foundation
import Testing

/// `basketry simulate` and `basketry bundles --item/--cart/--user` end to end on the shipped sample.
@Suite struct DesignCommandTests {
  static let sample = TestSupport.repositoryRoot + "/Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"

  @Test func simulateWritesTheStrategiesAsJSON() throws {
    let folder = try TestSupport.temporaryDirectory()
    let output = folder.appendingPathComponent("sim.json")
    let run = try CLI.run([
      "simulate", "--seeds", "2", "--items", "30", "--history-visits", "20000", "--evaluation-visits", "20000",
      "--output", output.path, "-q", Self.sample,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("oracle"))
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any]
    let strategies = try #require(json?["strategies"] as? [[String: Any]])
    #expect(strategies.map { $0["name"] as? String } == ["no bundles", "fixed discount", "basketry", "oracle"])
    for strategy in strategies {
      for key in ["revenue", "profit", "attach_rate", "aov"] { #expect(strategy[key] is Double, "\(key)") }
    }
  }

  @Test func bundlesForACartAreJSONWithPricesAndExplanations() throws {
    let folder = try TestSupport.temporaryDirectory()
    let output = folder.appendingPathComponent("cart.json")
    let run = try CLI.run([
      "bundles", "--cart", "22720,22666", "--k", "3", "--max-size", "3", "--output", output.path, "-q", Self.sample,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any]
    let bundles = try #require(json?["bundles"] as? [[String: Any]])
    #expect(!bundles.isEmpty && bundles.count <= 3)
    for bundle in bundles {
      for key in ["items", "price", "discount", "expected_attach_rate", "expected_profit", "explanation", "why"] {
        #expect(bundle[key] != nil, "\(key)")
      }
      let ids = (bundle["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
      #expect(ids.contains("22720") || ids.contains("22666"))
      #expect(ids.count >= 2 && ids.count <= 3)
    }
  }

  @Test func unknownItemIsNotFoundAndOneRequestAtATime() throws {
    let missing = try CLI.run(["bundles", "--item", "NOPE", "-q", Self.sample])
    #expect(missing.status == 66)
    #expect(missing.stderr.contains("NOPE"))
    let both = try CLI.run(["bundles", "--item", "22720", "--cart", "22666", Self.sample])
    #expect(both.status != 0)
    let badModel = try CLI.run(["bundles", "--user", "12347", "--recommender", "nope", Self.sample])
    #expect(badModel.status != 0)
    #expect(badModel.stderr.contains("--recommender"))
    let stranger = try CLI.run(["bundles", "--user", "NOBODY", "-q", Self.sample])
    #expect(stranger.status == 66)
    #expect(stranger.stderr.contains("NOBODY"))
  }

  @Test func userBundlesAreRankedByTheShoppersExpectedProfit() throws {
    let output = try TestSupport.temporaryDirectory().appendingPathComponent("user-bundles.json").path
    let run = try CLI.run([
      "bundles", "--user", "14911", "--item", "22720", "--k", "3", "-q", "--output", output, Self.sample,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let data = try Data(contentsOf: URL(fileURLWithPath: output))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect((json["request"] as? String) == "item 22720, user 14911")
    let bundles = try #require(json["bundles"] as? [[String: Any]])
    #expect(!bundles.isEmpty)
    for bundle in bundles {
      let personal = try #require(bundle["personal"] as? [String: Any])
      let p = try #require(personal["bundle_probability"] as? Double)
      let margin = try #require(personal["bundle_margin"] as? Double)
      let anyway = try #require(personal["cannibalised_margin"] as? Double)
      let expected = try #require(personal["expected_profit"] as? Double)
      #expect(abs(expected - (p * margin - anyway)) < 1e-9)
      #expect((bundle["score"] as? Double) == expected)
      #expect((bundle["explanation"] as? String)?.contains("For this shopper") == true)
      let ids = (bundle["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
      #expect(ids.contains("22720"))
    }
  }
}
