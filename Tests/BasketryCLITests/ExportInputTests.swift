import ArgumentParser
import BasketryIngest
import BasketryTesting
import Foundation
import Testing

@testable import BasketryCLI

/// A supermarket export read by every command through the shared ``InputOptions``: household lines
/// without a basket id, line-total prices and costs, and M/D/YYYY times.
@Suite struct ExportInputTests {
  /// The options that read ``supermarket(households:days:)``.
  static let options = [
    "--format", "orders", "--basket-by", "user-day", "--user-column", "household_id", "--item-column", "product_id",
    "--price-column", "sales_value", "--price-is-line-total", "--cost-column", "line_cost", "--time-column",
    "transaction_timestamp", "--date-format", "mdy",
  ]

  /// Unit price and cost of the five products.
  static let products: [(id: String, price: Double, cost: Double)] = [
    ("P1", 1.5, 1.0), ("P2", 2.5, 1.0), ("P3", 4.0, 2.4), ("P4", 3.0, 1.2), ("P5", 5.0, 3.5),
  ]

  /// A deterministic export: milk and bread bought together in about a third of the baskets, and
  /// each alone in some others.
  static func supermarket(households: Int = 30, days: Int = 80) throws -> String {
    var text = "household_id,product_id,quantity,sales_value,line_cost,transaction_timestamp\n"
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
    for day in 0..<days {
      let date = Date(timeIntervalSince1970: 1_704_067_200 + Double(day) * 86_400)  // 2024-01-01 + day
      let parts = calendar.dateComponents([.year, .month, .day], from: date)
      let (year, month, dayOfMonth) = (parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
      for household in 1...households where (household * 7 + day * 3) % 4 == 0 {
        var items: [Int] = []
        if (household + day) % 3 == 0 {
          items += [0, 1]
        } else if (household + day) % 7 == 1 {
          items.append(0)
        } else if (household + day) % 5 == 2 {
          items.append(1)
        }
        if (household * day) % 4 == 1 { items.append(2) }
        if (household + 2 * day) % 5 == 0 { items.append(3) }
        if items.isEmpty { items.append(4) }
        for (k, item) in items.enumerated() {
          let quantity = 1 + (household + k) % 3
          let product = products[item]
          text +=
            "H\(household),\(product.id),\(quantity),\(Double(quantity) * product.price),"
            + "\(Double(quantity) * product.cost),\(month)/\(dayOfMonth)/\(year) 9:\(10 + k)\n"
        }
      }
    }
    let folder = try TestSupport.temporaryDirectory("supermarket")
    let url = folder.appendingPathComponent("supermarket.csv")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  // MARK: - Every command takes the shared options

  static func check(_ input: InputOptions) {
    #expect(input.format == .orders)
    #expect(input.basketBy == .userDay)
    #expect(input.priceIsLineTotal)
    #expect(input.costColumn == "line_cost")
    #expect(input.dateFormat == .mdy)
    #expect(input.userColumn == "household_id")
    #expect(input.paths == ["x.csv"])
  }

  @Test func everyCommandParsesTheInputOptions() throws {
    let arguments = Self.options + ["x.csv"]
    Self.check(try IngestCommand.parse(arguments).input)
    Self.check(try MineCommand.parse(arguments).input)
    Self.check(try BundlesCommand.parse(arguments).input)
    Self.check(try EvaluateCommand.parse(arguments).input)
    Self.check(try TrainCommand.parse(arguments).input)
    Self.check(try SimulateCommand.parse(arguments).input)
    Self.check(try DemoCommand.parse(arguments).input)
  }

  @Test func optionsReachTheIngest() throws {
    let input = try IngestCommand.parse(Self.options + ["--basket-by", "session:45", "x.csv"]).input
    let options = try input.ingestOptions(console: Console(quiet: true, verbose: false))
    #expect(options.basketBy == .session(minutes: 45))
    #expect(options.priceIsLineTotal)
    #expect(options.dateFormat == .mdy)
    #expect(options.columns.cost == "line_cost")
    #expect(options.columns.user == "household_id")
  }

  @Test func badGroupingAndMisplacedOptionsAreValidationErrors() {
    #expect(throws: (any Error).self) { try IngestCommand.parse(["--basket-by", "week", "x.csv"]) }
    #expect(throws: (any Error).self) { try IngestCommand.parse(["--date-format", "ymd", "x.csv"]) }
    #expect(throws: (any Error).self) { try IngestCommand.parse(["--basket-by", "user-day", "x.csv"]) }
    #expect(throws: (any Error).self) { try MineCommand.parse(["--price-is-line-total", "x.csv"]) }
  }

  @Test func youshuIsForEvaluateOnly() throws {
    let command = try IngestCommand.parse(["--format", "youshu", "x"])
    #expect(throws: ValidationError.self) {
      try command.input.ingestOptions(console: Console(quiet: true, verbose: false))
    }
  }

  // MARK: - End to end

  @Test func ingestAndMineTheExport() throws {
    let path = try Self.supermarket()
    let ingest = try CLI.run(["ingest", "-q"] + Self.options + [path])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    #expect(ingest.stdout.contains("Cleaning report (orders)"))
    let mine = try CLI.run(["mine", "-q", "--min-support", "0.1"] + Self.options + [path])
    #expect(mine.status == 0, "\(mine.stderr)")
    #expect(mine.stdout.contains("itemsets: "))
  }

  @Test func ambiguousDatesStopTheCommandNamingTheOption() throws {
    let folder = try TestSupport.temporaryDirectory("ambiguous")
    let url = folder.appendingPathComponent("a.csv")
    try "order_id,customer_id,sku,date\no1,c1,a,3/4/2024\n".write(to: url, atomically: true, encoding: .utf8)
    let run = try CLI.run(["ingest", "--format", "orders", url.path])
    #expect(run.status == 65)
    #expect(run.stderr.contains("a.csv:2 (field date)"))
    #expect(run.stderr.contains("--date-format mdy"))
  }

  @Test func bundleMarginsUseTheGivenCosts() throws {
    let path = try Self.supermarket()
    let folder = try TestSupport.temporaryDirectory("bundle-costs")
    func bundles(_ extra: [String]) throws -> [[String: Any]] {
      let output = folder.appendingPathComponent("b\(extra.count).json")
      let run = try CLI.run(
        ["bundles", "-q", "--min-support", "0.05", "--pricing-model", "completion-elasticity", "--output", output.path]
          + extra + [path])
      #expect(run.status == 0, "\(run.stderr)")
      let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any]
      return try #require(json?["bundles"] as? [[String: Any]])
    }
    let costed = try bundles(Self.options)
    let pair = try #require(
      costed.first { bundle in
        let ids = (bundle["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        return Set(ids) == ["P1", "P2"]
      }, "no milk + bread bundle")
    let items = try #require(pair["items"] as? [[String: Any]])
    for item in items {
      #expect(item["cost_assumed"] as? Bool == false)
      let product = try #require(Self.products.first { $0.id == item["id"] as? String })
      #expect(abs((item["cost"] as? Double ?? 0) - product.cost) < 1e-9)
      #expect(abs((item["price"] as? Double ?? 0) - product.price) < 1e-9)
    }
    let price = try #require(pair["bundle_price"] as? Double)
    let margin = try #require(pair["margin"] as? Double)
    #expect(abs(margin - (price - 2.0)) < 1e-6)

    // Without the cost column the same bundle falls back to the assumed 35 % margin.
    let assumed = try bundles(Self.options.filter { $0 != "--cost-column" && $0 != "line_cost" })
    let fallback = try #require(
      assumed.first { bundle in
        let ids = (bundle["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        return Set(ids) == ["P1", "P2"]
      })
    let fallbackItems = try #require(fallback["items"] as? [[String: Any]])
    #expect(fallbackItems.allSatisfy { $0["cost_assumed"] as? Bool == true })
  }

  @Test func evaluateAndTrainTheExport() async throws {
    let path = try Self.supermarket()
    let folder = try TestSupport.temporaryDirectory("export-eval")
    let output = folder.appendingPathComponent("board.json")
    let evaluate = try CLI.run(
      ["evaluate", "--split", "next-basket", "--models", "pop,freq", "--k", "3", "--output", output.path]
        + Self.options + [path])
    #expect(evaluate.status == 0, "\(evaluate.stderr)")
    #expect(evaluate.stdout.contains("freq"))
    let store = folder.appendingPathComponent("shop.sqlite").path
    let train = try CLI.run(["train", "-q", "--store", store, "--min-support", "0.05"] + Self.options + [path])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stdout.contains("published model version"))
  }
}
