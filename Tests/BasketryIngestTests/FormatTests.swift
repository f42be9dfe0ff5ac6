import BasketryCore
import Foundation
import Testing

@testable import BasketryIngest

@Suite struct BasketsFormatTests {
  @Test func commaBasketsKeepNamesExactly() throws {
    let result = try Ingest.load([Fixtures.path("groceries_small.csv")], options: IngestOptions(format: .baskets))
    let data = result.dataset
    #expect(data.baskets.orderIDs == ["1", "2", "3", "4", "6"])
    #expect(data.baskets.count == 5)
    #expect(data.catalog.id(of: "whole milk") != nil)
    #expect(data.catalog.id(of: "cream cheese ") != nil)
    #expect(data.catalog.id(of: "cream cheese") == nil)
    #expect(data.catalog.id(of: "quoted, item") != nil)
    #expect(data.baskets.lineCount == 4 + 3 + 1 + 3 + 1)
    #expect(result.report.rule("empty-basket")?.rowsAffected == 1)
    #expect(result.report.rule("merged-repeat")?.rowsAffected == 1)
    #expect(result.report.rule("oversized-basket") == nil)
    #expect(result.report.rule("non-product") == nil)
    #expect(result.report.rowsRead == 6)
    #expect(result.report.rowsKept == 5)
  }

  @Test func whitespaceBaskets() throws {
    let result = try Ingest.load([Fixtures.path("retail_small.dat")], options: IngestOptions(format: .baskets))
    let data = result.dataset
    let baskets = (0..<data.baskets.count).map { b in data.baskets.items(of: b).map { data.catalog.externalID($0) } }
    #expect(baskets == [["0", "1", "2", "3"], ["4", "5"], ["6", "7", "8"], ["9"]])
    #expect(data.baskets.orderIDs == ["1", "2", "3", "5"])
  }

  @Test func defaultCleaningForBasketsHasNoCap() {
    #expect(CleaningOptions.default(for: .baskets).basketCap == .none)
    #expect(CleaningOptions.default(for: .onlineRetail).basketCap == .percentile(99.9))
    #expect(IngestOptions(format: .baskets).cleaning.basketCap == .none)
  }
}

@Suite struct OrdersFormatTests {
  @Test func defaultColumnNamesReturnsAndCategories() throws {
    let result = try Ingest.load([Fixtures.path("orders.csv")], options: IngestOptions(format: .orders))
    let data = result.dataset
    #expect(result.report.badRowCount == 0)
    #expect(data.baskets.orderIDs == ["o1", "o2", "o3"])
    #expect(data.baskets.timestamps == [1_704_103_200, DateParser.parse("2024-01-02 12:30"), 1_704_300_000])
    let spoon = try #require(data.catalog.id(of: "SKU-2"))
    let o1 = 0
    let spoonLine = try #require(data.baskets.lineRange(o1).first { data.baskets.items[$0] == spoon })
    #expect(data.baskets.quantities[spoonLine] == 1)  // 2 bought, 1 returned in o4
    #expect(result.report.rule("cancellation")?.details["purchase_lines_reduced"] == 1)
    #expect(result.report.rule("non-product")?.rowsAffected == 1)
    #expect(result.report.rule("missing-user")?.ordersAffected == 1)
    let mug = try #require(data.catalog.id(of: "SKU-1"))
    #expect(data.catalog[mug].categoryPath == ["Home", "Kitchen", "Mugs"])
    #expect(data.catalog[mug].cost == 4)
    #expect(data.catalog[mug].title == "Mug")
    #expect(data.catalog[spoon].categoryPath == ["Home", "Kitchen", "Cutlery"])
    let napkin = try #require(data.catalog.id(of: "SKU-3"))
    #expect(data.baskets.quantities[data.baskets.lineRange(2).lowerBound] == 1)
    #expect(data.catalog[napkin].price == 3)
  }

  @Test func explicitMappingAndSemicolons() throws {
    let path = try Fixtures.temporary(
      "Basket;Client;Article;When\nb1;u1;x;2024-03-01\nb1;u1;y;2024-03-01\nb2;u2;x;2024-02-01\n")
    let options = IngestOptions(
      format: .orders, columns: ColumnMapping(order: "Basket", user: "Client", item: "Article", time: "When"),
      delimiter: UInt8(ascii: ";"))
    let data = try Ingest.load([path], options: options).dataset
    #expect(data.baskets.orderIDs == ["b2", "b1"])  // sorted by time
    #expect(data.users.strings == ["u2", "u1"])
    #expect(data.baskets.quantities.allSatisfy { $0 == 1 })
    #expect(data.baskets.unitPrices.allSatisfy { $0.isNaN })
  }

  @Test func missingRequiredColumnIsAnError() throws {
    let path = try Fixtures.temporary("foo,bar\n1,2\n")
    let error = try #require(throws: IngestError.self) {
      try Ingest.load([path], options: IngestOptions(format: .orders))
    }
    #expect(error.message.contains("order id"))
    let explicit = try #require(throws: IngestError.self) {
      try Ingest.load([path], options: IngestOptions(format: .orders, columns: ColumnMapping(order: "nope")))
    }
    #expect(explicit.location.field == "nope")
  }

  @Test func suppliedCatalogFiltersUnknownItemsAndAddsAttributes() throws {
    let options = IngestOptions(format: .orders, catalogPath: try Fixtures.path("catalog.csv"))
    let result = try Ingest.load([Fixtures.path("orders.csv")], options: options)
    let data = result.dataset
    #expect(result.report.rule("unknown-item")?.rowsAffected == 1)
    #expect(data.baskets.orderIDs == ["o1", "o2"])
    #expect(result.report.itemsKept == 2)
    #expect(data.catalog.count == 3)
    let mug = try #require(data.catalog.id(of: "SKU-1"))
    #expect(data.catalog[mug].title == "Stoneware Mug")
    #expect(data.catalog[mug].price == 11)
    #expect(data.catalog[mug].stock == 12)
    let teapot = try #require(data.catalog.id(of: "SKU-4"))
    #expect(data.catalog[teapot].categoryPath == ["Home", "Kitchen"])
    #expect(data.catalog[teapot].stock == 5)
    let spoon = try #require(data.catalog.id(of: "SKU-2"))
    #expect(data.catalog[spoon].price == 5.5)  // from the data: the catalog has none
  }
}

@Suite struct InstacartFormatTests {
  @Test func folderOfTablesWithSyntheticTime() throws {
    let result = try Ingest.load([Fixtures.path("instacart")], options: IngestOptions(format: .instacart))
    let data = result.dataset
    #expect(result.report.badRowCount == 0)
    #expect(result.report.rowsRead == 6)
    #expect(result.report.rule("unknown-item")?.rowsAffected == 1)
    let epoch = InstacartFormat.epoch
    let hour: Int64 = 3_600
    let day: Int64 = 86_400
    #expect(data.baskets.orderIDs == ["10", "20", "11", "12"])
    #expect(
      data.baskets.timestamps == [
        epoch + 8 * hour, epoch + 9 * hour, epoch + 15 * day + 7 * hour, epoch + 36 * day + 12 * hour,
      ])
    #expect(data.baskets.users.map { data.users[$0] } == ["1", "2", "1", "1"])
    #expect(data.catalog.count == 3)
    let milk = try #require(data.catalog.id(of: "2"))
    #expect(data.catalog[milk].title == "Organic Milk, Whole")
    #expect(data.catalog[milk].categoryPath == ["dairy eggs", "milk"])
    #expect(result.report.notes.contains { $0.contains("per-user timeline") })
  }

  @Test func joinedSampleFindsCatalogBesideIt() throws {
    let folder = try TestSupportFolder.copyInstacartCatalog()
    let joined =
      ",order_id,user_id,order_number,order_dow,order_hour_of_day,days_since_prior_order,product_id,add_to_cart_order,reordered\n"
      + "0,10,1,1,2,8,,1,1.0,0.0\n1,10,1,1,2,8,,2,2.0,0.0\n2,11,1,2,3,7,15.0,1,1.0,1.0\n"
    let path = (folder as NSString).appendingPathComponent("sample.csv")
    try Data(joined.utf8).write(to: URL(fileURLWithPath: path))
    let result = try Ingest.load([path], options: IngestOptions(format: .instacart))
    #expect(result.report.badRowCount == 0)
    #expect(result.dataset.baskets.orderIDs == ["10", "11"])
    #expect(result.dataset.baskets.timestamps[1] - result.dataset.baskets.timestamps[0] == 15 * 86_400 - 3_600)
    #expect(result.dataset.catalog.count == 3)
  }
}

/// Copies the Instacart catalog fixtures into a fresh folder.
enum TestSupportFolder {
  static func copyInstacartCatalog() throws -> String {
    let source = try Fixtures.path("instacart")
    let target = try Fixtures.temporary("", name: "placeholder")
    let folder = (target as NSString).deletingLastPathComponent
    for name in ["products.csv", "aisles.csv", "departments.csv"] {
      try FileManager.default.copyItem(
        atPath: (source as NSString).appendingPathComponent(name),
        toPath: (folder as NSString).appendingPathComponent(name))
    }
    try FileManager.default.removeItem(atPath: target)
    return folder
  }
}

@Suite struct EventsFormatTests {
  @Test func purchasesBecomeOrdersOtherTypesEvents() throws {
    let result = try Ingest.load([Fixtures.path("events.jsonl")], options: IngestOptions(format: .events))
    let data = result.dataset
    #expect(result.report.rowsRead == 10)
    #expect(result.report.badRowCount == 3)
    try #require(data.baskets.count == 2)
    #expect(data.baskets.timestamps == [1_700_000_000, 1_700_000_300])
    let first = data.baskets.items(of: 0).map { data.catalog.externalID($0) }
    #expect(first == ["apple", "bread"])
    #expect(data.baskets.quantities[0] == 2)
    #expect(data.baskets.unitPrices[0] == 9.99)
    #expect(data.baskets.items(of: 1).map { data.catalog.externalID($0) } == ["apple", "cheese"])
    try #require(data.events.map(\.type) == [.view, .cart, .return])
    #expect(data.events[1].item == data.catalog.id(of: "7"))
    #expect(data.users[data.events[1].user] == "42")
    #expect(data.events[0].session == data.sessions.id(of: "s1"))
    #expect(data.events[1].session == Event.noSession)
  }

  @Test func resentPurchaseIsADuplicate() throws {
    let line = #"{"user": "u", "item": "x1", "type": "purchase", "timestamp": 5}"#
    let path = try Fixtures.temporary(
      [line, line, #"{"user": "u", "item": "x2", "type": "view"}"#].joined(separator: "\n"))
    let result = try Ingest.load([path], options: IngestOptions(format: .events))
    #expect(result.report.rule("duplicate")?.rowsAffected == 1)
    #expect(result.dataset.baskets.lineCount == 1)
    #expect(result.dataset.baskets.quantities == [1])
    #expect(result.dataset.events.count == 1)
  }

  @Test func badEventsNameLineAndKey() throws {
    let report = try Ingest.load([Fixtures.path("events.jsonl")], options: IngestOptions(format: .events)).report
    #expect(report.badRows.map(\.location.line) == [7, 8, 9])
    #expect(report.badRows.map(\.location.field) == ["item", "value", nil])
  }
}

@Suite struct OptionParsingTests {
  @Test(arguments: [
    ("none", CleaningOptions.BasketCap.none as CleaningOptions.BasketCap?),
    ("p99.9", .percentile(99.9)),
    ("95%", .percentile(95)),
    ("150", .absolute(150)),
    ("0", nil),
    ("p101", nil),
    ("many", nil),
  ])
  func basketCap(text: String, expected: CleaningOptions.BasketCap?) {
    let parsed = CleaningOptions.BasketCap(parsing: text)
    #expect(parsed == expected)
    if let parsed { #expect(CleaningOptions.BasketCap(parsing: parsed.description) == parsed) }
  }

  @Test func columnMapping() throws {
    let mapping = try ColumnMapping(parsing: "order=Basket, user=Client,item=Article")
    #expect(mapping == ColumnMapping(order: "Basket", user: "Client", item: "Article"))
    #expect(throws: IngestError.self) { try ColumnMapping(parsing: "colour=Red") }
    #expect(throws: IngestError.self) { try ColumnMapping(parsing: "order") }
  }
}
