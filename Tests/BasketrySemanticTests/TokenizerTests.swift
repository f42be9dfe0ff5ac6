import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

@Suite struct TokenizerTests {
  static let vocabulary = Vocabulary(tokens: [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##want", "##ed", "want", "running", "runn", "##ing", ",",
    "!", "cafe", "creme", "日", "本", "the", "-", "12", "pack", "$", "4", ".", "99", "a", "##a", "ς", "σ", "i",
    "istanbul",
  ])

  static func tokenizer(maxLength: Int = 256) throws -> BertTokenizer {
    try BertTokenizer(vocabulary: vocabulary, maxLength: maxLength)
  }

  @Test(arguments: [
    ("unwanted running", ["un", "##want", "##ed", "running"]),
    ("UNwanted,running!", ["un", "##want", "##ed", ",", "running", "!"]),
    ("Café Crème", ["cafe", "creme"]),
    ("日本", ["日", "本"]),
    ("the12-pack", ["[UNK]", "-", "pack"]),
    ("$4.99", ["$", "4", ".", "99"]),
    ("  the\t\nthe\u{00A0}the ", ["the", "the", "the"]),
    ("the\u{0000}\u{0007}\u{200B}the", ["[UNK]"]),
    ("unknownword the", ["[UNK]", "the"]),
    ("", []),
  ])
  func wordPieces(text: String, expected: [String]) throws {
    #expect(try Self.tokenizer().tokenize(text) == expected)
  }

  @Test func controlAndFormatCharactersAreRemovedNotSplit() throws {
    // U+200B (format) is dropped, so "the" + "the" join into one unknown word; NBSP splits.
    let tokenizer = try Self.tokenizer()
    #expect(tokenizer.tokenize("the\u{200B}the") == ["[UNK]"])
    #expect(tokenizer.tokenize("the\u{00A0}the") == ["the", "the"])
  }

  @Test func specialTokensInRawTextAreKept() throws {
    let tokenizer = try Self.tokenizer()
    #expect(tokenizer.encode("[CLS] the [MASK]") == [2, 2, 18, 4, 3])
    // Lower-case variants are ordinary punctuation and words.
    #expect(tokenizer.tokenize("[cls]") == ["[UNK]", "[UNK]", "[UNK]"])
  }

  @Test func encodeAddsClsSepAndTruncates() throws {
    let tokenizer = try Self.tokenizer(maxLength: 5)
    #expect(tokenizer.encode("the the the the the the") == [2, 18, 18, 18, 3])
    #expect(tokenizer.encode("") == [2, 3])
    // A word cut by truncation keeps its first pieces.
    #expect(tokenizer.encode("the unwanted") == [2, 18, 5, 6, 3])
  }

  @Test func longWordsBecomeUnknown() throws {
    let tokenizer = try Self.tokenizer()
    #expect(tokenizer.tokenize(String(repeating: "a", count: 100)) == ["a"] + Array(repeating: "##a", count: 99))
    #expect(tokenizer.tokenize(String(repeating: "a", count: 101)) == ["[UNK]"])
  }

  @Test func lowercasingUsesPerCharacterMappings() throws {
    let tokenizer = try Self.tokenizer()
    // Σ lower-cases to σ character by character (no final-sigma rule), as tokenizers does.
    #expect(tokenizer.tokenize("Σ") == ["σ"])
    // İ: NFD gives I + combining dot, the mark is stripped, then lower-cased.
    #expect(tokenizer.tokenize("İstanbul") == ["istanbul"])
  }

  @Test func punctuationClasses() {
    for scalar in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¿¡«»—“”…、。".unicodeScalars {
      #expect(BertTokenizer.isPunctuation(scalar), "\(scalar)")
    }
    for scalar in "a1 €£©®™°½日".unicodeScalars { #expect(!BertTokenizer.isPunctuation(scalar), "\(scalar)") }
    #expect(BertTokenizer.isCJK(0x65E5))
    #expect(!BertTokenizer.isCJK(0x3042))  // Hiragana is not spaced out.
  }

  @Test func vocabularyFileLoads() throws {
    let folder = try TestSupport.temporaryDirectory("vocab")
    let url = folder.appendingPathComponent("vocab.txt")
    try "[PAD]\r\n[UNK]\n[CLS]\n[SEP]\nthe\n".write(to: url, atomically: true, encoding: .utf8)
    let vocabulary = try Vocabulary.load(from: url)
    #expect(vocabulary.count == 5)
    #expect(vocabulary["[PAD]"] == 0 && vocabulary["the"] == 4)
    #expect(throws: SemanticError.self) { try Vocabulary.load(from: folder.appendingPathComponent("missing.txt")) }
    #expect(throws: SemanticError.self) { try BertTokenizer(vocabulary: Vocabulary(tokens: ["a", "b"])) }
  }
}
