import BasketryCore
import Testing

@testable import BasketryIngest

@Suite struct ParsingTests {
  @Test(arguments: [
    ("2010-12-01 08:26:00", 1_291_191_960 as Int64?),
    ("2010-12-01 08:26", 1_291_191_960),
    ("2010-12-01T08:26:00Z", 1_291_191_960),
    ("2010-12-01T09:26:00+01:00", 1_291_191_960),
    ("2010-12-01T03:26:00-0500", 1_291_191_960),
    ("2010-12-01T08:26:00.123Z", 1_291_191_960),
    ("12/1/2010 8:26", 1_291_191_960),
    ("12/1/2010 08:26:00", 1_291_191_960),
    ("12/1/2010 8:26 AM", 1_291_191_960),
    ("12/1/2010 8:26 PM", 1_291_235_160),
    ("13/1/2010", 1_263_340_800),  // day > 12: day/month
    ("2010-12-01", 1_291_161_600),
    ("1291191960", 1_291_191_960),
    ("1291191960000", 1_291_191_960),
    ("2024-02-29", 1_709_164_800),
    ("2023-02-29", nil),
    ("2010-13-01", nil),
    ("yesterday", nil),
    ("2010-12-01 25:00", nil),
    ("", nil),
  ])
  func dates(text: String, expected: Int64?) {
    #expect(DateParser.parse(text) == expected, "\(text)")
  }

  @Test func numbers() {
    func parse(_ text: String) -> Double? {
      var copy = text
      return copy.withUTF8 { NumberParser.double($0) }
    }
    #expect(parse("2.55") == 2.55)
    #expect(parse("-11062.06") == -11062.06)
    #expect(parse(" 3 ") == 3)
    #expect(parse(".5") == 0.5)
    #expect(parse("1e3") == 1000)
    #expect(parse("0.1") == 0.1)
    #expect(parse("123456789012345678901234567890") == 123456789012345678901234567890.0)
    #expect(parse("1e400") == nil)
    #expect(parse("abc") == nil)
    #expect(parse("nan") == nil)
    #expect(parse("inf") == nil)
    #expect(parse("") == nil)
    #expect(parse("1.2.3") == nil)
    func int(_ text: String) -> Int64? {
      var copy = text
      return copy.withUTF8 { NumberParser.int($0) }
    }
    #expect(int("42") == 42)
    #expect(int("3.0") == 3)
    #expect(int("3.5") == nil)
    #expect(int("-7") == -7)
    #expect(int("99999999999999999999") == nil)
  }

  @Test func byteInternerMatchesStringIdentity() {
    var interner = ByteInterner()
    var ids: [Int32] = []
    var rng = SplitMix64(seed: 7)
    var words: [String] = []
    for _ in 0..<5_000 { words.append("w\(rng.next() % 1_500)") }
    for word in words { ids.append(interner.intern(word)) }
    for (word, id) in zip(words, ids) {
      #expect(interner[id] == word)
      #expect(interner.id(of: word) == id)
    }
    #expect(interner.count == Set(words).count)
  }
}
