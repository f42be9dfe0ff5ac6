import BasketryCore
import Foundation
import Testing

@testable import BasketryIngest

@Suite struct RobustnessTests {
  /// Random bytes biased towards CSV syntax never crash the reader; every call either returns a
  /// record, returns nil, or throws an IngestError, and reading always terminates.
  @Test(arguments: [1 as UInt64, 2, 3, 4])
  func fuzzCSVReader(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let alphabet: [UInt8] = Array("ab,\"\n\r;\t 1".utf8) + [0xEF, 0xBB, 0xBF, 0xFF, 0xC3, 0x00]
    for round in 0..<50 {
      let length = Int(rng.next() % 400)
      let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
      let path = try Fixtures.temporary(bytes)
      for separator in [CSVReader.Separator.delimiter(UInt8(ascii: ",")), .whitespace] {
        var reader = try CSVReader(path: path, separator: separator, chunkSize: 16 + round)
        var steps = 0
        while steps < 10_000 {
          steps += 1
          do {
            guard let record = try reader.next() else { break }
            #expect(record.line >= 1)
          } catch let error as IngestError {
            #expect(error.location.line != nil)
          }
        }
        #expect(steps < 10_000)
      }
      // Every format survives the same bytes in lenient mode (it may reject a header).
      for format in InputFormat.allCases where format != .instacart {
        do {
          _ = try Ingest.load([path], options: IngestOptions(format: format))
        } catch let error as IngestError {
          #expect(error.category == .invalidInput)
        }
      }
    }
  }

  @Test func fuzzGzipBytesNeverCrash() throws {
    let original = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("edge.csv.gz")))
    var rng = SplitMix64(seed: 99)
    for _ in 0..<100 {
      var bytes = Array(original)
      for _ in 0..<3 {
        let index = 2 + Int(rng.next() % UInt64(bytes.count - 2))
        bytes[index] = UInt8(truncatingIfNeeded: rng.next())
      }
      let path = try Fixtures.temporary(bytes, name: "fuzz.gz")
      var reader = try CSVReader(path: path)
      var steps = 0
      while steps < 1_000 {
        steps += 1
        do {
          guard try reader.next() != nil else { break }
        } catch let error as IngestError {
          if error.location.line == nil { break }  // corrupt gzip: the stream is over
        }
      }
      #expect(steps < 1_000)
    }
  }

  @Test func lenientModeKeepsEverythingAlreadyAccepted() throws {
    let text = "order_id,item_id,price\n1,a,2\n1,b,x\n2,c,3\n3,\"d,4\n"
    let result = try Ingest.load([try Fixtures.temporary(text)], options: IngestOptions(format: .orders))
    #expect(result.report.rowsRead == 4)
    #expect(result.report.badRowCount == 2)
    #expect(result.dataset.baskets.orderIDs == ["1", "2"])
    #expect(result.report.badRows.map(\.location.line) == [3, 5])
  }
}

@Suite struct ReportTests {
  @Test func jsonUsesSnakeCaseKeys() throws {
    let report = try Ingest.load(
      [Fixtures.path("online_retail_small.csv")], options: IngestOptions(format: .onlineRetail)
    ).report
    let json = try #require(String(data: try report.jsonData(), encoding: .utf8))
    for key in [
      "\"rows_read\"", "\"rows_kept\"", "\"orders_kept\"", "\"bad_rows\"", "\"rows_affected\"", "\"orders_affected\"",
      "\"basket_cap\"",
    ] {
      #expect(json.contains(key), "\(key)")
    }
    let decoded = try JSONDecoder().decode(CleaningReport.self, from: try report.jsonData())
    #expect(decoded == report)
  }

  @Test func tableListsEveryRule() throws {
    let report = try Ingest.load(
      [Fixtures.path("online_retail_small.csv")], options: IngestOptions(format: .onlineRetail)
    ).report
    let table = report.table()
    for rule in report.rules { #expect(table.contains(rule.rule)) }
    #expect(table.contains("rows read"))
    #expect(table.contains("online_retail_small.csv:17"))
  }

  @Test func progressIsReported() throws {
    final class Box: @unchecked Sendable {
      var phases: [String] = []
      let lock = NSLock()
    }
    let box = Box()
    let options = IngestOptions(format: .onlineRetail) { progress in
      box.lock.lock()
      box.phases.append(progress.phase)
      box.lock.unlock()
    }
    _ = try Ingest.load([Fixtures.path("online_retail_small.csv")], options: options)
    #expect(box.phases.contains("clean"))
    #expect(box.phases.contains("build"))
  }
}
