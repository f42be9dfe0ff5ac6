import BasketryIngest
import BasketryTesting
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Throughput on the full Online Retail file; prints rows/s, asserts only counts (no timed
/// assertions). Run in release for meaningful numbers:
/// `BASKETRY_SLOW_TESTS=1 swift test -c release -Xswiftc -enable-testing --filter PerformanceTests`
@Suite(.serialized, .enabled(if: TestSupport.slowTestsEnabled && TestSupport.sharedDataRoot != nil))
struct PerformanceTests {
  private var path: String { (TestSupport.sharedDataRoot ?? "") + "/online-retail/online_retail.csv.gz" }

  /// CPU seconds of the calling thread (wall time is meaningless on a shared, loaded machine).
  private func seconds(_ body: () throws -> Void) rethrows -> Double {
    #if canImport(Glibc)
      var start = timespec()
      var end = timespec()
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
      try body()
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
      return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    #else
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    #endif
  }

  @Test func csvReaderThroughput() throws {
    var best = Double.infinity
    var records = 0
    var bytes = 0
    for _ in 0..<3 {
      records = 0
      bytes = 0
      best = min(
        best,
        try seconds {
          var reader = try CSVReader(path: path)
          while let record = try reader.next() {
            records += 1
            bytes += record.count
          }
        })
    }
    #expect(records == 541_910)
    print("CSVReader (gzip + parse): \(records) records in \(best) CPU s = \(Int(Double(records) / best)) rows/s")
  }

  @Test func fullIngestThroughput() throws {
    var best = Double.infinity
    var rows = 0
    for _ in 0..<3 {
      best = min(
        best,
        try seconds {
          let result = try Ingest.load([path], options: IngestOptions(format: .onlineRetail))
          rows = result.report.rowsRead
        })
    }
    #expect(rows == 541_909)
    print(
      "Ingest.load online-retail (read + clean + build): \(rows) rows in \(best) CPU s = \(Int(Double(rows) / best)) rows/s"
    )
  }

  @Test func fimiRetailThroughput() throws {
    let fimi = (TestSupport.sharedDataRoot ?? "") + "/fimi-retail/retail.dat"
    var best = Double.infinity
    var lines = 0
    for _ in 0..<3 {
      best = min(
        best,
        try seconds {
          let result = try Ingest.load([fimi], options: IngestOptions(format: .baskets))
          lines = result.dataset.baskets.lineCount
        })
    }
    #expect(lines == 908_576)
    print("Ingest.load baskets retail.dat: 88162 baskets, \(lines) items in \(best) CPU s")
  }
}
