import BasketryCore
import BasketrySemantic
import Foundation
import FuzzSupport

// BERT's WordPiece tokenizer over any text, with each normaliser option and sequence length. The first byte also
// says whether the vocabulary is a fixed small one or read (as `vocab.txt`) from the input's first part, before a
// `\n--\n` separator. Encoded ids must start with [CLS], end with [SEP], fit the length limit, index the
// vocabulary, and be the untruncated tokenisation cut to length.

private let fixedTokens: [String] = {
  var tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
  let letters = "abcdefghijklmnopqrstuvwxyz0123456789".map(String.init)
  tokens += letters + letters.map { "##" + $0 }
  tokens += [
    "white", "hanging", "heart", "light", "holder", "mug", "##s", "##ing", "tea", "set", "of", "3", "-", ",", ".",
    "café", "cafe", "ça", "日", "本", "##本", "über", "uber", "straße", "[", "]", "#", "##", "€", "£",
  ]
  return tokens
}()

private let fixedVocabulary = Vocabulary(tokens: fixedTokens)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  var input = FuzzInput(start, count)
  let flags = input.byte()
  let maxLength = input.choose([2, 3, 8, 256])
  var vocabulary = fixedVocabulary
  var text = input.bytes
  if flags & 1 != 0 {
    let parts = input.parts(limit: 2)
    guard let path = ScratchFiles.store(parts[0], to: "vocab.txt") else { return 0 }
    do {
      vocabulary = try Vocabulary.load(from: URL(fileURLWithPath: path))
    } catch is any BasketryError {
      return 0
    } catch {
      fatalError("the vocabulary threw an error that is not a BasketryError: \(error)")
    }
    text = parts.count > 1 ? parts[1] : []
  }
  let tokenizer: BertTokenizer
  do {
    tokenizer = try BertTokenizer(
      vocabulary: vocabulary, lowercase: flags & 2 != 0, stripAccents: [nil, true, false][Int(flags >> 2) % 3],
      tokenizeChineseCharacters: flags & 0x10 != 0, maxLength: maxLength)
  } catch is any BasketryError {
    return 0
  } catch {
    fatalError("the tokenizer threw an error that is not a BasketryError: \(error)")
  }
  let string = String(decoding: text, as: UTF8.self)
  let ids = tokenizer.encode(string)
  check(ids.count >= 2 && ids.count <= maxLength, "\(ids.count) ids for a limit of \(maxLength)")
  check(ids.first == tokenizer.clsID && ids.last == tokenizer.sepID, "ids do not start with [CLS] and end with [SEP]")
  check(ids.allSatisfy { $0 >= 0 && Int($0) < vocabulary.count }, "an id outside the vocabulary")
  let pieces = tokenizer.tokenize(string)
  let truncated = Array(pieces.prefix(maxLength - 2))
  let encodedPieces = ids.dropFirst().dropLast().map { vocabulary.tokens[Int($0)] }
  check(truncated == encodedPieces, "encode is not the tokenisation cut to length")
  return 0
}
