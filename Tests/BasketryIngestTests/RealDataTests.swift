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
}
