import BasketryCore
import Foundation

/// Ranked lists as text: one line per test user, `user<TAB>item1,item2,…` (external ids, best first), in the
/// order of the evaluated users. Ids must not contain a tab, comma or line break.
public enum RankingsFile {
  /// One user's line as read back: the external user id and its ranked external item ids.
  public struct Line: Sendable, Hashable {
    /// External user id.
    public var user: String
    /// External item ids, best first.
    public var items: [String]

    /// Creates a line.
    public init(user: String, items: [String]) {
      self.user = user
      self.items = items
    }
  }

  /// The text of a rankings file.
  /// - Parameters:
  ///   - users: dense user ids, one per line.
  ///   - lists: each user's ranked dense item ids, aligned with `users`.
  ///   - userID: the external id of a dense user id.
  ///   - itemID: the external id of a dense item id.
  /// - Returns: the lines, each ended by a newline.
  /// - Throws: ``EvaluationError`` when an external id contains a tab, comma or line break.
  /// - Complexity: O(Σ list lengths).
  public static func text(
    users: [Int32], lists: [[Int32]], userID: (Int32) -> String, itemID: (Int32) -> String
  ) throws -> String {
    var output = ""
    for (user, list) in zip(users, lists) {
      let userText = try checked(userID(user))
      let items = try list.map { try checked(itemID($0)) }
      output += userText + "\t" + items.joined(separator: ",") + "\n"
    }
    return output
  }

  /// Writes the rankings of every model of `run` to `directory/<label>.tsv` (a `/` in a label becomes `_`).
  /// - Parameters:
  ///   - run: the evaluated models and their lists.
  ///   - directory: created when missing.
  ///   - userID: the external id of a dense user id.
  ///   - itemID: the external id of a dense item id.
  /// - Returns: the files written, in model order.
  /// - Throws: ``EvaluationError`` (`.io`) when the folder or a file cannot be written, or for an id that
  ///   cannot be written (see ``text(users:lists:userID:itemID:)``).
  public static func write(
    _ run: EvaluationRun, to directory: URL, userID: (Int32) -> String, itemID: (Int32) -> String
  ) throws -> [URL] {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw EvaluationError("cannot create \(directory.path): \(error.localizedDescription)", category: .io)
    }
    var files: [URL] = []
    for model in run.models {
      let name = model.result.model.replacingOccurrences(of: "/", with: "_") + ".tsv"
      let url = directory.appendingPathComponent(name)
      let text = try text(users: run.users, lists: model.lists, userID: userID, itemID: itemID)
      do { try Data(text.utf8).write(to: url) } catch {
        throw EvaluationError("cannot write \(url.path): \(error.localizedDescription)", category: .io)
      }
      files.append(url)
    }
    return files
  }

  /// Reads rankings text back.
  /// - Parameter text: lines as written by ``text(users:lists:userID:itemID:)``.
  /// - Returns: one entry per non-empty line, in file order.
  /// - Throws: ``EvaluationError`` for a line without a tab.
  /// - Complexity: O(text length).
  public static func parse(_ text: String) throws -> [Line] {
    var lines: [Line] = []
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where !line.isEmpty {
      let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2 else {
        throw EvaluationError("rankings line \(number + 1) has no tab between user and items")
      }
      let items = parts[1].isEmpty ? [] : parts[1].split(separator: ",").map(String.init)
      lines.append(Line(user: String(parts[0]), items: items))
    }
    return lines
  }

  private static func checked(_ id: String) throws -> String {
    guard !id.contains(where: { $0 == "\t" || $0 == "," || $0 == "\n" || $0 == "\r" }) else {
      throw EvaluationError("id '\(id)' contains a tab, comma or line break and cannot be written to a rankings file")
    }
    return id
  }
}
