import BasketryCore
import Foundation
import Testing

@testable import BasketryIngest

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct CSVReaderTests {
  private func readAll(
    _ path: String, separator: CSVReader.Separator = .delimiter(UInt8(ascii: ","))
  )
    throws -> [(line: Int, fields: [String])]
  {
    var reader = try CSVReader(path: path, separator: separator)
    var records: [(line: Int, fields: [String])] = []
    while let record = try reader.next() { records.append((record.line, record.fields)) }
    return records
  }

  @Test func quotesEscapesEmbeddedNewlinesCRLFAndBOM() throws {
    let records = try readAll(Fixtures.path("edge.csv"))
    #expect(
      records.map(\.fields) == [
        ["name", "note", "qty"],
        ["Smith, J.", "said \"hi\"\nand left", "3"],
        ["", "", ""],
        ["plain", "", "7"],
      ])
    // The quoted newline advances the physical line: the empty record starts on line 4.
    #expect(records.map(\.line) == [1, 2, 4, 5])
  }

  @Test func gzipFixtureWithConcatenatedMembersEqualsPlain() throws {
    let plain = try readAll(Fixtures.path("edge.csv"))
    var reader = try CSVReader(path: Fixtures.path("edge.csv.gz"))
    #expect(reader.isCompressed)
    var gz: [[String]] = []
    while let record = try reader.next() { gz.append(record.fields) }
    #expect(gz == plain.map(\.fields))
  }

  /// Random CSV larger than several read chunks, compressed as three gzip members, reads back
  /// exactly like the plain text.
  @Test func gzipRoundTripAcrossChunksAndMembers() throws {
    var rng = SplitMix64(seed: 2024)
    var rows: [[String]] = []
    var text = ""
    let pieces = ["a", "bc", "d,e", "say \"hi\"", "multi\nline", "", "ü€", "12.50"]
    for _ in 0..<60_000 {
      let row = (0..<4).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] + String(rng.next() % 1000) }
      rows.append(row)
      text += row.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") + "\r\n"
    }
    let bytes = Array(text.utf8)
    #expect(bytes.count > 2 << 20)  // more than two 1 MiB read chunks
    let third = bytes.count / 3
    let gz =
      try Gzip.compress(Array(bytes[..<third])) + Gzip.compress(Array(bytes[third..<(2 * third)]))
      + Gzip.compress(Array(bytes[(2 * third)...]), level: 1)
    let path = try Fixtures.temporary(gz, name: "round-trip.csv.gz")
    var reader = try CSVReader(path: path)
    var read: [[String]] = []
    var lines: [Int] = []
    while let record = try reader.next() {
      read.append(record.fields)
      lines.append(record.line)
    }
    #expect(read == rows)
    // Each row holds one quoted newline or none: physical lines advance accordingly.
    var expectedLine = 1
    var expectedLines: [Int] = []
    for row in rows {
      expectedLines.append(expectedLine)
      expectedLine += 1 + row.filter { $0.contains("\n") }.count
    }
    #expect(lines == expectedLines)
  }

  #if canImport(Glibc)
    /// `"-"` reads standard input (here a gzip file put on descriptor 0 for the test).
    @Test func standardInput() throws {
      let fd = open(try Fixtures.path("edge.csv.gz"), O_RDONLY)
      try #require(fd >= 0)
      let saved = dup(0)
      dup2(fd, 0)
      defer {
        dup2(saved, 0)
        close(saved)
        close(fd)
      }
      var reader = try CSVReader(path: "-")
      #expect(reader.file == "<stdin>")
      var count = 0
      while try reader.next() != nil { count += 1 }
      #expect(count == 4)
    }
  #endif

  @Test func gzipDetectedByContentNotName() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("edge.csv.gz")))
    let path = try Fixtures.temporary(Array(bytes), name: "no-extension.txt")
    #expect(try readAll(path).count == 4)
  }

  @Test func tinyChunksGiveTheSameRecords() throws {
    let text = "a,\"b\"\"c\",d\r\n\"x\ny\",,z\nlast,\"q\"\r\n"
    let path = try Fixtures.temporary(text)
    for chunk in [16, 17, 19, 23, 1 << 20] {
      var reader = try CSVReader(path: path, chunkSize: chunk)
      var records: [[String]] = []
      while let record = try reader.next() { records.append(record.fields) }
      #expect(records == [["a", "b\"c", "d"], ["x\ny", "", "z"], ["last", "q"]], "chunk \(chunk)")
    }
  }

  @Test(arguments: [
    ("a,b\n1,2", [["a", "b"], ["1", "2"]]),
    ("a,b\n1,2\n", [["a", "b"], ["1", "2"]]),
    ("a,b\n1,2\n\n", [["a", "b"], ["1", "2"]]),
    ("a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]]),
    ("a,,\n", [["a", "", ""]]),
    ("\"\"\n", [[""]]),
    ("x\n\n\ny\n", [["x"], ["y"]]),
  ])
  func lineEndsAndEmptyFields(text: String, expected: [[String]]) throws {
    #expect(try readAll(Fixtures.temporary(text)).map(\.fields) == expected)
  }

  @Test func otherDelimitersAndWhitespace() throws {
    let semicolon = try readAll(Fixtures.temporary("a;\"b;c\"\n1;2\n"), separator: .delimiter(UInt8(ascii: ";")))
    #expect(semicolon.map(\.fields) == [["a", "b;c"], ["1", "2"]])
    let tab = try readAll(Fixtures.temporary("a\tb c\n"), separator: .delimiter(UInt8(ascii: "\t")))
    #expect(tab.map(\.fields) == [["a", "b c"]])
    let blanks = try readAll(Fixtures.temporary("  1 2\t 3  \n4\n"), separator: .whitespace)
    #expect(blanks.map(\.fields) == [["1", "2", "3"], ["4"]])
  }

  @Test func automaticSeparatorPicksCommaOrWhitespace() throws {
    var comma = try CSVReader(path: Fixtures.path("groceries_small.csv"), separator: .automatic)
    #expect(try comma.next()?.fields == ["citrus fruit", "semi-finished bread", "margarine", "ready soups"])
    #expect(comma.separator == .delimiter(UInt8(ascii: ",")))
    var blanks = try CSVReader(path: Fixtures.path("retail_small.dat"), separator: .automatic)
    #expect(try blanks.next()?.fields == ["0", "1", "2", "3"])
    #expect(blanks.separator == .whitespace)
    var empty = try CSVReader(path: Fixtures.temporary(""), separator: .automatic)
    #expect(try empty.next() == nil)
  }

  @Test func unterminatedQuoteNamesTheLineWhereItOpened() throws {
    let path = try Fixtures.temporary("a,b\n1,2\n3,\"open\nmore\nlines\n")
    var reader = try CSVReader(path: path)
    #expect(try reader.next()?.fields == ["a", "b"])
    #expect(try reader.next()?.fields == ["1", "2"])
    let error = try #require(throws: IngestError.self) { try reader.next() }
    #expect(error.location.line == 3)
    #expect(error.location.field == "2")
    #expect(error.location.file == path)
    #expect(error.message.contains("unterminated"))
    #expect(try reader.next() == nil)
  }

  @Test func strayQuoteSkipsTheLineAndReadingContinues() throws {
    let path = try Fixtures.temporary("a,b\"c,d\nx,y\n\"q\"z,1\nlast,row\n")
    var reader = try CSVReader(path: path)
    let stray = try #require(throws: IngestError.self) { try reader.next() }
    #expect(stray.location.line == 1)
    #expect(stray.location.field == "2")
    #expect(try reader.next()?.fields == ["x", "y"])
    let afterQuote = try #require(throws: IngestError.self) { try reader.next() }
    #expect(afterQuote.location.line == 3)
    let last = try #require(try reader.next())
    #expect(last.fields == ["last", "row"])
    #expect(last.line == 4)
  }

  @Test func invalidUTF8IsReportedNotRepaired() throws {
    let path = try Fixtures.temporary([0x61, 0x2C, 0xFF, 0xFE, 0x0A])
    var reader = try CSVReader(path: path)
    let record = try #require(try reader.next())
    #expect(record.string(0) == "a")
    #expect(record.string(1) == nil)
  }

  @Test func missingFileIsNotFound() throws {
    let error = try #require(throws: IngestError.self) { try CSVReader(path: "/nonexistent/basketry.csv") }
    #expect(error.category == .notFound)
  }

  @Test func truncatedGzipIsAnError() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("edge.csv.gz")))
    let path = try Fixtures.temporary(Array(bytes.prefix(30)), name: "cut.gz")
    #expect(throws: IngestError.self) { _ = try readAll(path) }
  }
}
