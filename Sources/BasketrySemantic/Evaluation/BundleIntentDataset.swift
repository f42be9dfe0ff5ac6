import BasketryCore
import Foundation

/// One domain of the BundleRec intent-aware bundle data (Sun et al., SIGIR 2022): Amazon purchase sessions whose
/// co-purchased items crowd workers grouped into bundles, with item titles and category paths.
///
/// Files (comma-separated, header row, quoted fields): `item_titles.csv`, `item_categories.csv`, `bundle_item.csv`,
/// `session_item.csv`, `session_bundle.csv`.
public struct BundleIntentDataset: Sendable {
  /// Item ids with titles, in file order.
  public var items: [String]
  /// Titles parallel to ``items``.
  public var titles: [String]
  /// Leaf category (last element of the first category path) per item, when known.
  public var leafCategories: [String?]
  /// Bundles as item rows (indices into ``items``).
  public var bundles: [[Int]]
  /// Sessions as item rows.
  public var sessions: [[Int]]
  /// (session, bundle) pairs, as indices into ``sessions`` and ``bundles``.
  public var sessionBundles: [(session: Int, bundle: Int)]

  /// Reads one domain folder (e.g. `amazon-bundle-intent/electronic`).
  /// - Throws: `SemanticError` when a file is missing or lacks its columns.
  public static func load(from folder: URL) throws -> BundleIntentDataset {
    func records(_ name: String) throws -> [[String]] {
      let url = folder.appendingPathComponent(name)
      let text: String
      do { text = try String(contentsOf: url, encoding: .utf8) } catch {
        throw SemanticError(.notFound, "cannot read: \(error.localizedDescription)", file: url.path)
      }
      return Array(CSVReader.parse(text).dropFirst()).filter { $0.count >= 2 }
    }
    let titleRecords = try records("item_titles.csv")
    var row: [String: Int] = [:]
    var items: [String] = []
    var titles: [String] = []
    for record in titleRecords where row[record[0]] == nil {
      row[record[0]] = items.count
      items.append(record[0])
      titles.append(Self.unescapeHTML(record[1]))
    }
    var leaves = [String?](repeating: nil, count: items.count)
    for record in try records("item_categories.csv") {
      guard let index = row[record[0]] else { continue }
      leaves[index] = Self.leafCategory(record[1])
    }
    func groups(_ name: String) throws -> [String: [Int]] {
      var result: [String: [Int]] = [:]
      for record in try records(name) {
        guard let item = row[record[1]] else { continue }
        result[record[0], default: []].append(item)
      }
      return result
    }
    let bundleItems = try groups("bundle_item.csv")
    let sessionItems = try groups("session_item.csv")
    let bundleKeys = bundleItems.keys.sorted { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }
    let sessionKeys = sessionItems.keys.sorted { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }
    let bundleIndex = Dictionary(uniqueKeysWithValues: bundleKeys.enumerated().map { ($1, $0) })
    let sessionIndex = Dictionary(uniqueKeysWithValues: sessionKeys.enumerated().map { ($1, $0) })
    var pairs: [(session: Int, bundle: Int)] = []
    for record in try records("session_bundle.csv") {
      if let s = sessionIndex[record[0]], let b = bundleIndex[record[1]] { pairs.append((s, b)) }
    }
    return BundleIntentDataset(
      items: items, titles: titles, leafCategories: leaves,
      bundles: bundleKeys.map { Array(Set(bundleItems[$0] ?? [])).sorted() },
      sessions: sessionKeys.map { Array(Set(sessionItems[$0] ?? [])).sorted() }, sessionBundles: pairs)
  }

  /// The last element of the first path in a category string such as
  /// `[[Clothing, Shoes & Jewelry,Women,Shoes]]` (elements are separated by a comma not followed by a space).
  public static func leafCategory(_ text: String) -> String? {
    var body = Substring(text)
    while body.first == "[" { body = body.dropFirst() }
    let firstPath = body.prefix { $0 != "]" }
    var parts: [String] = []
    var current = ""
    let characters = Array(firstPath)
    for (index, character) in characters.enumerated() {
      if character == "," && (index + 1 >= characters.count || characters[index + 1] != " ") {
        parts.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    parts.append(current)
    let leaf = parts.last?.trimmingCharacters(in: .whitespaces) ?? ""
    return leaf.isEmpty ? nil : leaf
  }

  /// Decodes the few HTML entities Amazon titles carry (`&amp;`, `&quot;`, `&#39;`, `&lt;`, `&gt;`).
  static func unescapeHTML(_ text: String) -> String {
    guard text.contains("&") else { return text }
    return text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
      .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&amp;", with: "&")
  }
}
