import BasketryTesting
import Foundation
import Testing

/// `basketry campaign` end to end: a small order file with categories, a randomised log, bad input.
@Suite struct CampaignCommandTests {
  /// 300 customers over 120 days; category `garden` (items g1, g2) and `kitchen` (k1, k2). Customers who like
  /// the garden buy it often.
  static func orders(in folder: URL) throws -> URL {
    var rng = SplitMix64(seed: 11)
    var text = "order,user,item,time,price,category\n"
    var order = 0
    let start = 1_300_000_000
    for user in 0..<300 {
      let likesGarden = rng.nextUnit() < 0.4
      let orders = 1 + Int(rng.nextUnit() * 8)
      for _ in 0..<orders {
        order += 1
        let time = start + Int(rng.nextUnit() * 120 * 86_400)
        let garden = rng.nextUnit() < (likesGarden ? 0.7 : 0.1)
        let item = garden ? (rng.nextUnit() < 0.5 ? "g1" : "g2") : (rng.nextUnit() < 0.5 ? "k1" : "k2")
        let price = garden ? 20.0 : 8.0
        text += "o\(order),u\(user),\(item),\(time),\(price),\(garden ? "garden" : "kitchen")\n"
      }
    }
    let url = folder.appendingPathComponent("orders.csv")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url
  }

  @Test func fallbackWithoutALogSaysSoAndWritesTheAudience() throws {
    let folder = try TestSupport.temporaryDirectory()
    let orders = try Self.orders(in: folder)
    let output = folder.appendingPathComponent("audience.csv")
    let run = try CLI.run([
      "campaign", "--quiet", "--format", "orders", "--category", "garden", "--discount", "0.1", "--audience", "20",
      "--elasticity=-3", "--margin-rate", "0.5", "--output", output.path, orders.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("method: fallback"))
    #expect(run.stdout.contains("--campaign-log"))
    let csv = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
    #expect(csv.first?.hasPrefix("customer,uplift,p_buy_treated,p_buy_control") == true)
    #expect(csv.count >= 2 && csv.count <= 21)
  }

  @Test func campaignLogFitsAnUpliftModel() throws {
    let folder = try TestSupport.temporaryDirectory()
    let orders = try Self.orders(in: folder)
    var rng = SplitMix64(seed: 5)
    var log = "customer,treated,converted\n"
    for user in 0..<300 {
      let treated = rng.nextUnit() < 0.5
      log += "u\(user),\(treated ? 1 : 0),\(rng.nextUnit() < (treated ? 0.4 : 0.2) ? 1 : 0)\n"
    }
    let logURL = folder.appendingPathComponent("log.csv")
    try log.write(to: logURL, atomically: true, encoding: .utf8)
    let output = folder.appendingPathComponent("audience.json")
    let run = try CLI.run([
      "campaign", "--quiet", "--format", "orders", "--items", "g1,g2", "--coupon", "2", "--budget", "50",
      "--campaign-log", logURL.path, "--learner", "class-transformation", "--output", output.path, orders.path,
    ])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("method: uplift model (class-transformation)"))
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    #expect(json["method"] as? String == "uplift-model")
    let audience = try #require(json["audience"] as? [String: Any])
    #expect((audience["expected_coupon_spend"] as? Double ?? 100) <= 50)
  }

  @Test func badInputNamesTheProblem() throws {
    let folder = try TestSupport.temporaryDirectory()
    let orders = try Self.orders(in: folder)
    let base = ["campaign", "--quiet", "--format", "orders", "--audience", "5"]
    let unknown = try CLI.run(base + ["--category", "toys", "--discount", "0.1", orders.path])
    #expect(unknown.status == 66)
    #expect(unknown.stderr.contains("toys") && unknown.stderr.contains("garden"))
    let discount = try CLI.run(base + ["--category", "garden", "--discount", "1.5", orders.path])
    #expect(discount.status == 64)
    #expect(discount.stderr.contains("--discount"))
    let logURL = folder.appendingPathComponent("bad-log.csv")
    try "customer,treated,converted\nu1,1,0\nu2,maybe,1\n".write(to: logURL, atomically: true, encoding: .utf8)
    let bad = try CLI.run(
      base + ["--category", "garden", "--discount", "0.1", "--campaign-log", logURL.path, orders.path])
    #expect(bad.status == 65)
    #expect(bad.stderr.contains("bad-log.csv:3") && bad.stderr.contains("treated"), "\(bad.stderr)")
  }

  @Test func simulateComparesTheStrategies() throws {
    let run = try CLI.run(["campaign", "--quiet", "--simulate", "--seed", "2", "--customers", "2000"])
    #expect(run.status == 0, "\(run.stderr)")
    for name in ["random", "propensity", "clv", "t-learner", "class-transformation", "oracle", "Qini", "AUUC"] {
      #expect(run.stdout.contains(name), "missing \(name)")
    }
  }
}
