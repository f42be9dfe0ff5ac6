import BasketryCore
import Foundation

/// A WordPiece vocabulary: one token per line of `vocab.txt`, the line number (from 0) being the token id.
public struct Vocabulary: Sendable {
  /// Tokens by id.
  public let tokens: [String]
  /// Ids by token (for a repeated token, the last line wins, as in Hugging Face's `load_vocab`).
  public let ids: [String: Int32]

  /// Creates a vocabulary from tokens in id order.
  public init(tokens: [String]) {
    self.tokens = tokens
    var ids: [String: Int32] = [:]
    ids.reserveCapacity(tokens.count)
    for (index, token) in tokens.enumerated() { ids[token] = Int32(index) }
    self.ids = ids
  }

  /// Reads a `vocab.txt` (UTF-8, one token per line; a trailing newline is optional).
  /// - Throws: `SemanticError` when the file is missing, not UTF-8 or empty.
  public static func load(from url: URL) throws -> Vocabulary {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw SemanticError(.notFound, "cannot read vocabulary: \(error.localizedDescription)", file: url.path)
    }
    // Split on LF bytes and drop a trailing CR, as the Rust tokenizers' reader does ("\r\n" is one Character in
    // Swift, so splitting a String on "\n" would miss it).
    var lines: [String] = []
    for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
      let bytes = line.last == 0x0D ? line.dropLast() : line
      guard let token = String(data: Data(bytes), encoding: .utf8) else {
        throw SemanticError(.invalidInput, "vocabulary line \(lines.count + 1) is not UTF-8", file: url.path)
      }
      lines.append(token)
    }
    if lines.last == "" { lines.removeLast() }
    guard !lines.isEmpty else { throw SemanticError(.invalidInput, "vocabulary is empty", file: url.path) }
    return Vocabulary(tokens: lines)
  }

  /// Number of tokens.
  public var count: Int { tokens.count }

  /// The id of a token, if present.
  public subscript(token: String) -> Int32? { ids[token] }
}
