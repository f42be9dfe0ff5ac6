import BasketryIngest
import PropertyBased
import Testing

/// Records written by ``CSVWriter`` read back field for field through ``CSVReader``, for any text: delimiters,
/// quotes, CR, LF and CRLF inside fields, a leading byte-order mark, empty fields and one-field records, with each
/// delimiter and chunk sizes small enough that records straddle buffer refills.
@Suite struct CSVRoundTripPropertyTests {
  /// The characters that matter to the format, and a few that do not; shrinks towards "a".
  static let characters: [Character] = [
    "a", "Z", "1", " ", ",", ";", "\t", "\"", "\n", "\r", "\r\n", "é", "\u{FEFF}", "日", "\0",
  ]
  static let field = Gen.int(in: 0...(characters.count - 1)).map { characters[$0] }.string(of: 0...6)
  static let table = field.array(of: 1...4).array(of: 0...6)
  static let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]

  @Test func writtenRecordsReadBackFieldForField() async {
    await propertyCheck(
      count: 300, input: Self.table, Gen.int(in: 0...2).map { Self.delimiters[$0] }, Gen.int(in: 16...40)
    ) { records, delimiter, chunkSize in
      let text = records.map { CSVWriter.line($0, delimiter: delimiter) }.joined()
      let path = try Fixtures.temporary(text)
      var reader = try CSVReader(path: path, separator: .delimiter(delimiter), chunkSize: chunkSize)
      var read: [[String]] = []
      while let record = try reader.next() { read.append(record.fields) }
      #expect(read == records)
    }
  }

  @Test(arguments: [
    ([""], "\"\"\n"), (["a", ""], "a,\n"), (["a\r\nb"], "\"a\r\nb\"\n"), (["\u{FEFF}x"], "\"\u{FEFF}x\"\n"),
    (["say \"hi\""], "\"say \"\"hi\"\"\"\n"),
  ])
  func quotesOnlyWhatNeedsIt(fields: [String], written: String) {
    #expect(CSVWriter.line(fields) == written)
  }
}
