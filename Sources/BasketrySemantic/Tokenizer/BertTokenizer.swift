import BasketryCore
import Foundation

/// BERT's tokenizer, exactly as Hugging Face's `BertTokenizer` (tokenizers' `BertNormalizer` + `BertPreTokenizer` +
/// `WordPiece`): special tokens are matched in the raw text; the rest is cleaned (control characters dropped,
/// whitespace made a space), CJK ideographs are spaced out, accents stripped (NFD, then nonspacing marks removed),
/// lower-cased, split on whitespace and punctuation, and each word is cut into the longest vocabulary pieces first
/// (continuations prefixed `##`; a word with an unknown piece, or over `maxCharactersPerWord`, becomes `[UNK]`).
public struct BertTokenizer: Sendable {
  /// The WordPiece vocabulary.
  public let vocabulary: Vocabulary
  /// Lower-case the text (`do_lower_case`, default true).
  public var lowercase: Bool
  /// Strip accents; nil follows `lowercase` (as `strip_accents=None` does).
  public var stripAccents: Bool?
  /// Put spaces around CJK ideographs (`tokenize_chinese_chars`, default true).
  public var tokenizeChineseCharacters: Bool
  /// Longest sequence, `[CLS]` and `[SEP]` included; longer inputs are truncated (default 256, all-MiniLM-L6-v2's
  /// `max_seq_length`).
  public var maxLength: Int
  /// Words longer than this many Unicode scalars become `[UNK]` (default 100).
  public var maxCharactersPerWord: Int
  /// Id of `[CLS]`.
  public let clsID: Int32
  /// Id of `[SEP]`.
  public let sepID: Int32
  /// Id of `[UNK]`.
  public let unknownID: Int32
  /// Special tokens present in the vocabulary, matched verbatim in raw text, longest first.
  let specialTokens: [(text: [Unicode.Scalar], id: Int32)]

  /// Creates a tokenizer.
  /// - Parameters:
  ///   - vocabulary: Must contain `[CLS]`, `[SEP]` and `[UNK]`.
  ///   - lowercase: `do_lower_case`.
  ///   - stripAccents: `strip_accents`; nil follows `lowercase`.
  ///   - tokenizeChineseCharacters: `tokenize_chinese_chars`.
  ///   - maxLength: Sequence length limit including `[CLS]` and `[SEP]` (at least 2).
  /// - Throws: `SemanticError(.invalidInput)` when a required special token is missing.
  public init(
    vocabulary: Vocabulary, lowercase: Bool = true, stripAccents: Bool? = nil, tokenizeChineseCharacters: Bool = true,
    maxLength: Int = 256
  ) throws {
    guard let cls = vocabulary["[CLS]"], let sep = vocabulary["[SEP]"], let unk = vocabulary["[UNK]"] else {
      throw SemanticError(.invalidInput, "vocabulary lacks [CLS], [SEP] or [UNK]")
    }
    guard maxLength >= 2 else { throw SemanticError(.invalidInput, "max length \(maxLength) is below 2") }
    self.vocabulary = vocabulary
    self.lowercase = lowercase
    self.stripAccents = stripAccents
    self.tokenizeChineseCharacters = tokenizeChineseCharacters
    self.maxLength = maxLength
    self.maxCharactersPerWord = 100
    clsID = cls
    sepID = sep
    unknownID = unk
    specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token in
      vocabulary[token].map { (Array(token.unicodeScalars), $0) }
    }
  }

  // MARK: - Encoding

  /// Token ids for one text: `[CLS]`, the word pieces (truncated to `maxLength - 2`), `[SEP]`.
  /// - Complexity: O(n · w) for n scalars and longest word w.
  public func encode(_ text: String) -> [Int32] {
    var ids: [Int32] = [clsID]
    appendPieceIDs(of: text, to: &ids, limit: maxLength - 2)
    ids.append(sepID)
    return ids
  }

  /// The word-piece strings of a text, without `[CLS]`/`[SEP]` and without truncation.
  public func tokenize(_ text: String) -> [String] {
    var ids: [Int32] = []
    appendPieceIDs(of: text, to: &ids, limit: Int.max)
    return ids.map { vocabulary.tokens[Int($0)] }
  }

  /// Appends the piece ids of `text` to `ids` until `limit` pieces were added.
  func appendPieceIDs(of text: String, to ids: inout [Int32], limit: Int) {
    let scalars = Array(text.unicodeScalars)
    var added = 0
    var segmentStart = 0
    var i = 0
    while i < scalars.count, added < limit {
      if scalars[i] == "[", let (length, id) = specialToken(in: scalars, at: i) {
        appendSegment(scalars[segmentStart..<i], to: &ids, added: &added, limit: limit)
        if added < limit {
          ids.append(id)
          added += 1
        }
        i += length
        segmentStart = i
      } else {
        i += 1
      }
    }
    if added < limit { appendSegment(scalars[segmentStart..<scalars.count], to: &ids, added: &added, limit: limit) }
  }

  private func specialToken(in scalars: [Unicode.Scalar], at start: Int) -> (Int, Int32)? {
    for special in specialTokens where start + special.text.count <= scalars.count {
      if scalars[start..<(start + special.text.count)].elementsEqual(special.text) {
        return (special.text.count, special.id)
      }
    }
    return nil
  }

  private func appendSegment(_ raw: ArraySlice<Unicode.Scalar>, to ids: inout [Int32], added: inout Int, limit: Int) {
    guard !raw.isEmpty, added < limit else { return }
    for word in preTokenize(normalize(raw)) {
      guard added < limit else { return }
      appendWordPieces(word, to: &ids, added: &added, limit: limit)
    }
  }

  // MARK: - Normalisation

  /// BertNormalizer: clean text, space out CJK, strip accents, lower-case.
  func normalize(_ raw: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
    var cleaned: [Unicode.Scalar] = []
    cleaned.reserveCapacity(raw.count + 8)
    var ascii = true
    for scalar in raw {
      let value = scalar.value
      if value < 0x80 {
        if value == 9 || value == 10 || value == 13 || value == 32 {
          cleaned.append(" ")
        } else if value < 32 || value == 127 {
          continue
        } else {
          cleaned.append(scalar)
        }
        continue
      }
      ascii = false
      if value == 0xFFFD || Self.isControl(scalar) { continue }
      if scalar.properties.isWhitespace {
        cleaned.append(" ")
      } else if tokenizeChineseCharacters && Self.isCJK(value) {
        cleaned.append(" ")
        cleaned.append(scalar)
        cleaned.append(" ")
      } else {
        cleaned.append(scalar)
      }
    }
    if ascii {
      if lowercase {
        for index in cleaned.indices where cleaned[index].value >= 65 && cleaned[index].value <= 90 {
          cleaned[index] = Unicode.Scalar(cleaned[index].value + 32) ?? cleaned[index]
        }
      }
      return cleaned
    }
    if stripAccents ?? lowercase {
      var text = String.UnicodeScalarView()
      text.append(contentsOf: cleaned)
      let decomposed = String(text).decomposedStringWithCanonicalMapping
      cleaned = decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
    }
    if lowercase {
      var lowered: [Unicode.Scalar] = []
      lowered.reserveCapacity(cleaned.count)
      for scalar in cleaned {
        if scalar.value < 0x80 {
          lowered.append(
            scalar.value >= 65 && scalar.value <= 90 ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar)
        } else if scalar.properties.changesWhenLowercased {
          lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        } else {
          lowered.append(scalar)
        }
      }
      cleaned = lowered
    }
    return cleaned
  }

  /// Control characters (general category C*, except tab, newline and carriage return).
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned: true
    default: false
    }
  }

  /// CJK Unified Ideographs and their extensions and compatibility blocks, as in BERT.
  static func isCJK(_ value: UInt32) -> Bool {
    (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value) || (0x20000...0x2A6DF).contains(value)
      || (0x2A700...0x2B73F).contains(value) || (0x2B740...0x2B81F).contains(value)
      || (0x2B820...0x2CEAF).contains(value) || (0xF900...0xFAFF).contains(value)
      || (0x2F800...0x2FA1F).contains(value)
  }

  // MARK: - Pre-tokenisation

  /// BertPreTokenizer: split on whitespace (dropped) and punctuation (kept, one scalar per word).
  func preTokenize(_ scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
    var words: [ArraySlice<Unicode.Scalar>] = []
    var start = 0
    for (index, scalar) in scalars.enumerated() {
      if Self.isWhitespace(scalar) {
        if start < index { words.append(scalars[start..<index]) }
        start = index + 1
      } else if Self.isPunctuation(scalar) {
        if start < index { words.append(scalars[start..<index]) }
        words.append(scalars[index..<(index + 1)])
        start = index + 1
      }
    }
    if start < scalars.count { words.append(scalars[start..<scalars.count]) }
    return words
  }

  static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x80 ? (scalar == " " || (scalar.value >= 9 && scalar.value <= 13)) : scalar.properties.isWhitespace
  }

  /// ASCII punctuation (33–47, 58–64, 91–96, 123–126) or any Unicode punctuation category (P*).
  static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    if v < 0x80 {
      return (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v)
    }
    switch scalar.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
      .finalPunctuation, .otherPunctuation:
      return true
    default: return false
    }
  }

  // MARK: - WordPiece

  /// Greedy longest-match-first WordPiece of one word.
  func appendWordPieces(_ word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32], added: inout Int, limit: Int) {
    if word.count > maxCharactersPerWord {
      ids.append(unknownID)
      added += 1
      return
    }
    var pieces: [Int32] = []
    var start = word.startIndex
    while start < word.endIndex {
      var end = word.endIndex
      var found: Int32?
      while start < end {
        var candidate = String.UnicodeScalarView()
        if start > word.startIndex { candidate.append(contentsOf: "##".unicodeScalars) }
        candidate.append(contentsOf: word[start..<end])
        if let id = vocabulary[String(candidate)] {
          found = id
          break
        }
        end -= 1
      }
      guard let id = found else {
        ids.append(unknownID)
        added += 1
        return
      }
      pieces.append(id)
      start = end
    }
    let room = limit - added
    ids.append(contentsOf: pieces.prefix(room))
    added += min(room, pieces.count)
  }
}
