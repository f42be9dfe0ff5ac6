import BasketryCore
import Foundation
import Testing

@testable import BasketryIngest

/// Every cleaning rule on the hand-made fixture `online_retail_small.csv` (counts derived by hand,
/// see Scripts/fixtures/ingest_fixtures.py).
@Suite struct OnlineRetailCleaningTests {
  private func load(_ options: IngestOptions = IngestOptions(format: .onlineRetail)) throws -> IngestResult {
    try Ingest.load([Fixtures.path("online_retail_small.csv")], options: options)
  }

  @Test func totals() throws {
    let report = try load().report
    #expect(report.rowsRead == 20)
    #expect(report.badRowCount == 2)
    #expect(report.rowsKept == 8)
    #expect(report.linesKept == 7)
    #expect(report.ordersKept == 4)
    #expect(report.itemsKept == 4)
    #expect(report.usersKept == 2)
    #expect(report.eventsKept == 1)
    #expect(report.basketCap == 2)
  }

  @Test(arguments: [
    ("duplicate", 1, 1),
    ("adjustment", 1, 1),
    ("cancellation", 3, 3),
    ("non-product", 3, 3),
    ("non-positive-quantity", 1, 1),
    ("non-positive-price", 1, 1),
    ("merged-repeat", 1, 1),
    ("oversized-basket", 0, 0),
    ("missing-user", 3, 1),
  ])
  func ruleCounts(rule: String, rows: Int, orders: Int) throws {
    let count = try #require(try load().report.rule(rule))
    #expect(count.rowsAffected == rows)
    #expect(count.ordersAffected == orders)
  }

  @Test func rulesRunInDocumentedOrder() throws {
    #expect(
      try load().report.rules.map(\.rule) == [
        "duplicate", "adjustment", "cancellation", "non-product", "non-positive-quantity", "non-positive-price",
        "merged-repeat", "oversized-basket", "missing-user",
      ])
  }

  @Test func nettingReducesTheMostRecentPurchasesFirst() throws {
    let result = try load()
    let cancellation = try #require(result.report.rule("cancellation"))
    #expect(cancellation.details["invoice_rows_read"] == 2)
    #expect(cancellation.details["return_rows"] == 2)
    #expect(cancellation.details["netted_purchase_lines_removed"] == 1)
    #expect(cancellation.details["purchase_lines_reduced"] == 1)
    #expect(cancellation.details["unmatched_returns"] == 1)
    let data = result.dataset
    let baskets = data.baskets
    // C100003 returned 5 RED MUGs: order 100002's 2 are gone (line removed), 100001's 6 became 3.
    let first = try #require(baskets.orderIDs.firstIndex(of: "100001"))
    let redMug = try #require(data.catalog.id(of: "10001"))
    let line = try #require(baskets.lineRange(first).first { baskets.items[$0] == redMug })
    #expect(baskets.quantities[line] == 3)
    let second = try #require(baskets.orderIDs.firstIndex(of: "100002"))
    #expect(!baskets.items(of: second).contains(redMug))
    #expect(baskets.size(of: second) == 1)
    // The matched return becomes a return event of customer 1001.
    #expect(data.events.count == 1)
    #expect(data.events.first?.type == .return)
    #expect(data.events.first?.value == 5)
    #expect(data.events.first.map { data.users[$0.user] } == "1001")
  }

  @Test func mergedLinesSumQuantitiesWithWeightedPrice() throws {
    let data = try load().dataset
    let baskets = data.baskets
    let order = try #require(baskets.orderIDs.firstIndex(of: "100008"))
    #expect(baskets.users[order] == Baskets.noUser)
    let redMug = try #require(data.catalog.id(of: "10001"))
    let line = try #require(baskets.lineRange(order).first { baskets.items[$0] == redMug })
    #expect(baskets.quantities[line] == 3)
    #expect(abs(baskets.unitPrices[line] - 8.5 / 3) < 1e-12)
  }

  @Test func datasetShapeAndCatalog() throws {
    let data = try load().dataset
    #expect(data.baskets.orderIDs == ["100001", "100002", "100008", "100011"])
    #expect(data.baskets.timestamps == data.baskets.timestamps.sorted())
    #expect(data.baskets.timestamps.first == DateParser.parse("2011-01-01 09:00:00"))
    let large = try #require(data.catalog.id(of: "10006"))
    #expect(data.catalog[large].title == "MUG, \"LARGE\"")
    let redMug = try #require(data.catalog.id(of: "10001"))
    #expect(data.catalog[redMug].title == "RED MUG")
    #expect(data.catalog[redMug].price == 2.5)
    for code in ["POST", "SHIPPING", "gift_0001_10", "B", "10004", "10005", "10009"] {
      #expect(data.catalog.id(of: code) == nil, "\(code)")
    }
  }

  @Test func badRowsNameFileLineAndField() throws {
    let report = try load().report
    #expect(report.badRows.count == 2)
    let price = try #require(report.badRows.first)
    #expect(price.location.file.hasSuffix("online_retail_small.csv"))
    #expect(price.location.line == 17)
    #expect(price.location.field == "UnitPrice")
    let count = try #require(report.badRows.last)
    #expect(count.location.line == 20)
    #expect(count.message.contains("expected 8 fields"))
  }

  @Test func strictModeThrowsTheFirstBadRow() throws {
    let error = try #require(throws: IngestError.self) {
      try load(IngestOptions(format: .onlineRetail, strict: true))
    }
    #expect(error.location.line == 17)
    #expect(error.location.field == "UnitPrice")
    #expect(error.category == .invalidInput)
  }

  @Test func rulesCanBeSwitchedOff() throws {
    var cleaning = CleaningOptions()
    cleaning.dropDuplicates = false
    cleaning.dropNonProducts = false
    cleaning.nonProductPattern = nil
    let report = try load(IngestOptions(format: .onlineRetail, cleaning: cleaning)).report
    #expect(report.rule("duplicate") == nil)
    #expect(report.rule("non-product") == nil)
    // The duplicate BLUE MUG is now merged instead; POST, voucher and SHIPPING orders stay.
    #expect(report.rule("merged-repeat")?.rowsAffected == 2)
    #expect(report.ordersKept == 6)
  }

  @Test func customNonProductListAndPattern() throws {
    var cleaning = CleaningOptions()
    cleaning.nonProductCodes = ["10006"]
    cleaning.nonProductPrefixes = []
    cleaning.nonProductPattern = "^SHIP.*"
    let data = try load(IngestOptions(format: .onlineRetail, cleaning: cleaning)).dataset
    #expect(data.catalog.id(of: "10006") == nil)
    #expect(data.catalog.id(of: "SHIPPING") == nil)
    #expect(data.catalog.id(of: "POST") != nil)
    #expect(data.catalog.id(of: "gift_0001_10") != nil)
  }

  @Test func invalidPatternIsAnError() throws {
    var cleaning = CleaningOptions()
    cleaning.nonProductPattern = "(["
    #expect(throws: IngestError.self) { try load(IngestOptions(format: .onlineRetail, cleaning: cleaning)) }
  }

  @Test func onlineRetailIIHeadersExcelDatesAndFloatCustomerIDs() throws {
    let result = try Ingest.load(
      [Fixtures.path("online_retail_ii.csv")], options: IngestOptions(format: .onlineRetail))
    let data = result.dataset
    #expect(result.report.badRowCount == 0)
    #expect(data.baskets.count == 2)
    #expect(data.users.strings == ["13085"])
    #expect(data.baskets.timestamps.first == DateParser.parse("2009-12-01 07:45"))
    let bowl = try #require(data.catalog.id(of: "22350"))
    #expect(data.catalog[bowl].title == "CAT BOWL")
  }
}

@Suite struct BasketCapTests {
  @Test(arguments: [
    (CleaningOptions.BasketCap.percentile(50), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5 as Int?),
    (.percentile(99.9), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10),
    (.percentile(90), [1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 9),
    (.percentile(91), [1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 100),
    (.percentile(0), [3, 1, 2], 1),
    (.absolute(4), [1, 9], 4),
    (.none, [1, 9], nil),
    (.percentile(50), [], nil),
  ])
  func nearestRank(cap: CleaningOptions.BasketCap, sizes: [Int], expected: Int?) {
    #expect(Cleaner.resolveCap(cap, sizes: sizes) == expected)
  }

  @Test func absoluteCapDropsLargerOrders() throws {
    var cleaning = CleaningOptions()
    cleaning.basketCap = .absolute(1)
    let result = try Ingest.load(
      [Fixtures.path("online_retail_small.csv")], options: IngestOptions(format: .onlineRetail, cleaning: cleaning))
    let rule = try #require(result.report.rule("oversized-basket"))
    #expect(rule.ordersAffected == 3)
    #expect(rule.rowsAffected == 7)
    #expect(result.dataset.baskets.orderIDs == ["100002"])
  }
}
