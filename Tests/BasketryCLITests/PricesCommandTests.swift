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

  /// 12 weeks of orders: item A100's price varies ±10 % around 10 while its purchase rate does not move
  /// (inelastic), so the advice is a rise, held at the catalogue's msrp of 10.40; B200 sells at one price only
  /// (single-letter codes would be read as Online Retail's non-product codes).
  @Test("catalogue price cap and stock from --catalog")
  func catalogueCapAndStock() async throws {
    let folder = try TestSupport.temporaryDirectory("prices")
    let orders = folder.appendingPathComponent("orders.csv")
    let catalog = folder.appendingPathComponent("catalog.csv")
    var text = "order_id,customer_id,item,time,price,quantity\n"
    var order = 0
    for week in 0..<12 {
      let ratio = [0.9, 1.0, 1.1, 0.95, 1.05, 1.0][week % 6]
      for k in 0..<200 {
        order += 1
        let day = 1 + week * 7 + k % 7
        let month = day <= 31 ? 1 : (day <= 59 ? 2 : 3)
        let dayOfMonth = day <= 31 ? day : (day <= 59 ? day - 31 : day - 59)
        let date = "2024-\(month < 10 ? "0" : "")\(month)-\(dayOfMonth < 10 ? "0" : "")\(dayOfMonth)T10:00:00"
        text += "o\(order),c\(k),F300,\(date),1.00,1\n"
        if k % 3 == 0 { text += "o\(order),c\(k),A100,\(date),\(String(format: "%.2f", 10 * ratio)),1\n" }
        if k % 5 == 0 { text += "o\(order),c\(k),B200,\(date),4.00,1\n" }
      }
    }
    try text.write(to: orders, atomically: true, encoding: .utf8)
    try "item,price,cost,msrp,stock\nA100,10.00,4.00,10.40,5000\nB200,4.00,2.00,,30\nF300,1.00,0.50,,\n".write(
      to: catalog, atomically: true, encoding: .utf8)
    let output = folder.appendingPathComponent("advice.json")
    let command = try PricesCommand.parse([
      "--quiet", "--format", "orders", "--catalog", catalog.path, "--output", output.path, orders.path,
    ])
    try await command.run()
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [[String: Any]])
    let a = try #require(rows.first { $0["item"] as? String == "A100" })
    #expect(a["advised_price"] as? Double == 10.4, "\(a)")
    #expect(a["guardrail"] as? String == "price-cap")
    #expect(a["stock"] as? Int == 5000)
    #expect((a["weeks_of_stock"] as? Double ?? 0) > 26)
    let b = try #require(rows.first { $0["item"] as? String == "B200" })
    #expect(b["advised_price"] as? Double == 4.0)
    #expect((b["reason"] as? String)?.hasPrefix("not identifiable: too few distinct prices") == true, "\(b)")
  }

  @Test("bad options fail with a validation error")
  func errors() {
    #expect(throws: (any Error).self) { try PricesCommand.parse(["--max-step", "0", Self.sample]) }
    #expect(throws: (any Error).self) { try PricesCommand.parse(["--min-margin", "1.5", Self.sample]) }
    #expect(throws: (any Error).self) { try PricesCommand.parse(["--output", "x.txt", Self.sample]) }
    #expect(throws: (any Error).self) { try PricesCommand.parse(["--price-ending", "95", Self.sample]) }
  }
}
