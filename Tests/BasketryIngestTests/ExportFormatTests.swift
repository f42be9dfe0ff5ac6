import BasketryCore
import Foundation
import Testing

@testable import BasketryIngest

/// Real shop exports: baskets without an order id, line-total prices and costs, and slash dates.
@Suite struct ExportFormatTests {
  /// The supermarket fixture: household lines without a basket id, line totals, M/D/YYYY times.
  static func supermarket(_ basketBy: BasketGrouping, dateFormat: DateFormat = .auto) -> IngestOptions {
    var options = IngestOptions(
      format: .orders,
      columns: ColumnMapping(
        user: "household_id", item: "product_id", time: "transaction_timestamp", price: "sales_value",
        cost: "line_cost"))
    options.basketBy = basketBy
    options.priceIsLineTotal = true
    options.dateFormat = dateFormat
    return options
  }

  static func baskets(_ data: Dataset) -> [[String]] {
    (0..<data.baskets.count).map { b in data.baskets.items(of: b).map { data.catalog.externalID($0) } }
  }

  @Test func userDayBaskets() throws {
    let result = try Ingest.load([Fixtures.path("supermarket.csv")], options: Self.supermarket(.userDay))
    let data = result.dataset
    #expect(data.baskets.orderIDs == ["H1@2024-01-13", "H2@2024-01-13", "H2@2024-01-14", "H1@2024-02-03"])
    #expect(Self.baskets(data) == [["P1", "P2", "P3"], ["P1"], ["P2"], ["P1", "P2"]])
    #expect(data.baskets.timestamps.first == DateParser.parse("2024-01-13 09:05"))
    // The line without a household and the quantity-0 line are bad rows naming their field.
    #expect(result.report.badRowCount == 2)
    let fields = result.report.badRows.map { "\($0.location.line ?? 0) \($0.location.field ?? "")" }
    #expect(fields == ["7 quantity", "10 household_id"])
    #expect(result.report.badRows[0].message.contains("--price-is-line-total"))
    #expect(result.report.badRows[1].message.contains("--basket-by user-day"))
    #expect(result.report.notes.contains { $0.contains("M/D/YYYY") && $0.contains("supermarket.csv:2") })
  }

  @Test func sessionBaskets() throws {
    let data = try Ingest.load([Fixtures.path("supermarket.csv")], options: Self.supermarket(.session(minutes: 30)))
      .dataset
    // H1's 18:30 line is more than 30 minutes after 9:07: a new basket; 8:00 and 8:20 stay together.
    #expect(Self.baskets(data) == [["P1", "P2"], ["P1"], ["P3"], ["P2"], ["P1", "P2"]])
    let start = try #require(DateParser.parse("2024-01-13 09:05"))
    #expect(data.baskets.orderIDs.first == "H1@\(start)")
    let tight = try Ingest.load([Fixtures.path("supermarket.csv")], options: Self.supermarket(.session(minutes: 1)))
    #expect(tight.dataset.baskets.count == 7)
  }

  @Test func lineTotalsAreDividedByQuantity() throws {
    let data = try Ingest.load([Fixtures.path("supermarket.csv")], options: Self.supermarket(.userDay)).dataset
    let milk = try #require(data.catalog.id(of: "P1"))
    let bread = try #require(data.catalog.id(of: "P2"))
    let eggs = try #require(data.catalog.id(of: "P3"))
    #expect(data.catalog[milk].price == 1.5)
    #expect(data.catalog[milk].cost == 1.0)
    #expect(data.catalog[bread].price == 2.5)
    #expect(data.catalog[bread].cost == 1.0)
    #expect(data.catalog[eggs].cost == 2.4)
    #expect(data.baskets.unitPrices[0] == 1.5)
    #expect(data.baskets.quantities[0] == 2)
  }

  @Test func quantityZeroStopsStrictRuns() throws {
    var options = Self.supermarket(.userDay)
    options.strict = true
    let error = try #require(throws: IngestError.self) {
      try Ingest.load([Fixtures.path("supermarket.csv")], options: options)
    }
    #expect(error.location.line == 7)
    #expect(error.location.field == "quantity")
    #expect(error.location.file.hasSuffix("supermarket.csv"))
  }

  @Test func catalogCostWinsOverOrderCost() throws {
    let catalog = try Fixtures.temporary("item,cost\nP1,0.90\n", name: "catalog.csv")
    var options = Self.supermarket(.userDay)
    options.catalogPath = catalog
    options.cleaning.dropUnknownItems = false
    let data = try Ingest.load([Fixtures.path("supermarket.csv")], options: options).dataset
    #expect(data.catalog[try #require(data.catalog.id(of: "P1"))].cost == 0.9)
    #expect(data.catalog[try #require(data.catalog.id(of: "P2"))].cost == 1.0)
  }

  @Test func noOrderColumnWithoutGroupingIsAClearError() throws {
    let error = try #require(throws: IngestError.self) {
      try Ingest.load([Fixtures.path("supermarket.csv")], options: Self.supermarket(.orderColumn))
    }
    #expect(error.location.line == 1)
    #expect(error.message.contains("--basket-by user-day"))
    #expect(error.message.contains("--order-column"))
  }

  @Test func groupingNeedsUserAndTimeColumns() throws {
    let path = try Fixtures.temporary("customer_id,sku\nc1,a\n")
    var options = IngestOptions(format: .orders)
    options.basketBy = .userDay
    let error = try #require(throws: IngestError.self) { try Ingest.load([path], options: options) }
    #expect(error.message.contains("time column"))
    var online = IngestOptions(format: .onlineRetail)
    online.basketBy = .userDay
    #expect(throws: IngestError.self) { try Ingest.load([path], options: online) }
  }

  @Test func basketIdColumnAndHouseholdAreDefaultNames() throws {
    let path = try Fixtures.temporary(
      "household_id,basket_id,product_id,sales_value,transaction_timestamp\n"
        + "h1,b1,p1,2.0,2024-03-01 10:00\nh1,b1,p2,1.0,2024-03-01 10:00\nh2,b2,p1,2.0,2024-03-02 11:00\n")
    let data = try Ingest.load(
      [path], options: IngestOptions(format: .orders, columns: ColumnMapping(price: "sales_value"))
    )
    .dataset
    #expect(data.baskets.orderIDs == ["b1", "b2"])
    #expect(data.users.strings == ["h1", "h2"])
    #expect(data.catalog[try #require(data.catalog.id(of: "p1"))].price == 2)
  }

  @Test(arguments: [
    BasketGrouping.orderColumn, .userDay, .session(minutes: 0), .session(minutes: 45),
  ])
  func groupingRoundTrips(grouping: BasketGrouping) {
    #expect(BasketGrouping(parsing: grouping.description) == grouping)
  }

  @Test func groupingParsing() {
    #expect(BasketGrouping(parsing: "session:30") == .session(minutes: 30))
    #expect(BasketGrouping(parsing: "session:-1") == nil)
    #expect(BasketGrouping(parsing: "session") == nil)
    #expect(BasketGrouping(parsing: "week") == nil)
  }
}

/// `--date-format`: explicit forms and detection of the slash order.
@Suite struct DateFormatTests {
  @Test(arguments: [
    ("3/4/2024", DateFormat.mdy, "2024-03-04" as String?),
    ("3/4/2024", .dmy, "2024-04-03"),
    ("3/4/2024 7:05", .dmy, "2024-04-03 07:05"),
    ("3/4/2024 7:05:09", .mdy, "2024-03-04 07:05:09"),
    ("13/4/2024", .mdy, nil),
    ("13/4/2024", .dmy, "2024-04-13"),
    ("2024-04-13", .dmy, nil),
    ("2024-04-13", .iso, "2024-04-13"),
    ("1712966400", .iso, nil),
    ("1712966400", .unix, "2024-04-13"),
    ("4/13/2024", .unix, nil),
    ("2024-04-13", .unix, nil),
  ])
  func explicitFormats(text: String, format: DateFormat, expected: String?) {
    #expect(
      DateParser.parse(text, format: format) == expected.flatMap { DateParser.parse($0, format: .iso) }, "\(text)")
  }

  static func orders(_ dates: [String]) -> String {
    "order_id,customer_id,sku,date\n"
      + dates.enumerated().map { "o\($0.offset),c1,a,\($0.element)" }.joined(separator: "\n")
      + "\n"
  }

  @Test func detectsDayFirstAndCorrectsEarlierRows() throws {
    let path = try Fixtures.temporary(Self.orders(["3/4/2024", "5/6/2024 10:00", "25/12/2024"]))
    let result = try Ingest.load([path], options: IngestOptions(format: .orders))
    let times = result.dataset.baskets.timestamps
    #expect(times == ["2024-04-03", "2024-06-05 10:00", "2024-12-25"].map { DateParser.parse($0) })
    #expect(result.report.notes.contains { $0.contains("D/M/YYYY") && $0.contains(":4") })
  }

  @Test func detectsMonthFirst() throws {
    let path = try Fixtures.temporary(Self.orders(["3/4/2024", "12/25/2024"]))
    let times = try Ingest.load([path], options: IngestOptions(format: .orders)).dataset.baskets.timestamps
    #expect(times == ["2024-03-04", "2024-12-25"].map { DateParser.parse($0) })
  }

  @Test func ambiguousDatesStopWithTheOptionToSet() throws {
    let path = try Fixtures.temporary(Self.orders(["2024-01-01", "3/4/2024", "5/6/2024"]))
    let error = try #require(throws: IngestError.self) {
      try Ingest.load([path], options: IngestOptions(format: .orders))
    }
    #expect(error.location.file == path)
    #expect(error.location.line == 3)
    #expect(error.location.field == "date")
    #expect(error.message.contains("--date-format mdy"))
    var options = IngestOptions(format: .orders)
    options.dateFormat = .dmy
    let data = try Ingest.load([path], options: options).dataset
    #expect(data.baskets.timestamps.last == DateParser.parse("2024-06-05"))
  }

  @Test func contradictingRowIsABadRow() throws {
    let path = try Fixtures.temporary(Self.orders(["25/12/2024", "12/26/2024", "1/2/2025"]))
    let result = try Ingest.load([path], options: IngestOptions(format: .orders))
    #expect(result.report.badRowCount == 1)
    let bad = try #require(result.report.badRows.first)
    #expect(bad.location.line == 3)
    #expect(bad.location.field == "date")
    #expect(bad.message.contains("D/M/YYYY"))
    #expect(result.dataset.baskets.timestamps.last == DateParser.parse("2025-02-01"))
  }

  @Test func explicitFormatRejectsOtherForms() throws {
    let path = try Fixtures.temporary(Self.orders(["3/4/2024", "2024-03-05"]))
    var options = IngestOptions(format: .orders)
    options.dateFormat = .mdy
    let result = try Ingest.load([path], options: options)
    #expect(result.report.badRowCount == 1)
    #expect(result.report.badRows.first?.message.contains("--date-format mdy") == true)
  }

  @Test func onlineRetailKeepsMonthFirstWhenUndecided() throws {
    let result = try Ingest.load([Fixtures.path("online_retail_ii.csv")], options: IngestOptions(format: .onlineRetail))
    #expect(result.dataset.baskets.timestamps.first == DateParser.parse("2009-12-01 07:45"))
    #expect(result.report.notes.contains { $0.contains("M/D/YYYY") })
  }
}
