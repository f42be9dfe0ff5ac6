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
    guard let text = String(data: data, encoding: .utf8) else {
      throw SemanticError(.invalidInput, "vocabulary is not UTF-8", file: url.path)
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
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
