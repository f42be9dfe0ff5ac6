import BasketryCore
import Foundation

/// Sessions whose items crowd workers grouped into bundles (the BundleRec / Amazon bundle-intent data of
/// Sun et al., SIGIR 2022), with item titles and category paths.
public struct MarkedSessions: Sendable {
  /// Items of each session (ascending ids).
  public var sessions: [[Int]]
  /// Marked bundles of each session, as item sets.
  public var bundles: [[Set<Int>]]
  /// Title by item id.
  public var titles: [Int: String]
  /// Category path by item id.
  public var categories: [Int: [String]]

  /// Reads a domain folder (`session_item.csv`, `session_bundle.csv`, `bundle_item.csv`,
  /// `item_titles.csv`, `item_categories.csv`; comma-separated with a header row).
  /// - Throws: ``BundleDataError`` when a file is missing or a row malformed.
  public static func load(folder: String) throws -> MarkedSessions {
    func rows(_ name: String) throws -> [[String]] {
      let path = folder + "/" + name
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw BundleDataError(file: path, line: 0, message: "cannot read the file")
      }
      return Array(parseCSV(text).dropFirst())
    }
    func int(_ text: String, _ file: String, _ line: Int) throws -> Int {
      guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
        throw BundleDataError(file: file, line: line, message: "not an integer: '\(text)'")
      }
      return value
    }
    var sessionItems: [Int: Set<Int>] = [:]
    for (line, row) in try rows("session_item.csv").enumerated() where row.count >= 2 {
      sessionItems[try int(row[0], "session_item.csv", line + 2), default: []].insert(
        try int(row[1], "session_item.csv", line + 2))
    }
    var bundleItems: [Int: Set<Int>] = [:]
    for (line, row) in try rows("bundle_item.csv").enumerated() where row.count >= 2 {
      bundleItems[try int(row[0], "bundle_item.csv", line + 2), default: []].insert(
        try int(row[1], "bundle_item.csv", line + 2))
    }
    var sessionBundles: [Int: [Int]] = [:]
    for (line, row) in try rows("session_bundle.csv").enumerated() where row.count >= 2 {
      sessionBundles[try int(row[0], "session_bundle.csv", line + 2), default: []].append(
        try int(row[1], "session_bundle.csv", line + 2))
    }
    var titles: [Int: String] = [:]
    for row in try rows("item_titles.csv") where row.count >= 2 {
      if let id = Int(row[0]) { titles[id] = row[1] }
    }
    var categories: [Int: [String]] = [:]
    for row in try rows("item_categories.csv") where row.count >= 2 {
      guard let id = Int(row[0]) else { continue }
      let cleaned = row[1].replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: "")
      categories[id] = cleaned.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
    var sessions: [[Int]] = []
    var bundles: [[Set<Int>]] = []
    for session in sessionItems.keys.sorted() {
      guard let items = sessionItems[session] else { continue }
      sessions.append(items.sorted())
      bundles.append((sessionBundles[session] ?? []).compactMap { bundleItems[$0] }.filter { $0.count >= 2 })
    }
    return MarkedSessions(sessions: sessions, bundles: bundles, titles: titles, categories: categories)
  }

  /// Splits CSV text into rows of fields (double-quoted fields may hold commas, quotes and newlines).
  static func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var iterator = text.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar?
    while let c = pending ?? iterator.next() {
      pending = nil
      if quoted {
        if c == "\"" {
          if let next = iterator.next() {
            if next == "\"" {
              field.unicodeScalars.append("\"")
            } else {
              quoted = false
              pending = next
            }
          } else {
            quoted = false
          }
        } else {
          field.unicodeScalars.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        row.append(field)
        field = ""
      } else if c == "\n" || c == "\r" {
        if c == "\r", let next = iterator.next(), next != "\n" { pending = next }
        row.append(field)
        field = ""
        if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
        row = []
      } else {
        field.unicodeScalars.append(c)
      }
    }
    if !field.isEmpty || !row.isEmpty {
      row.append(field)
      rows.append(row)
    }
    return rows
  }
}

/// A bundle data file that cannot be read.
public struct BundleDataError: BasketryError {
  /// The file.
  public var file: String
  /// 1-based line (0 for the whole file).
  public var line: Int
  /// What is wrong.
  public var message: String
  public var category: ErrorCategory { .invalidInput }
  public var description: String { "\(file):\(line): \(message)" }
}

/// How well predicted bundles recover marked ones.
public struct BundleRecoveryScore: Sendable, Hashable, Codable {
  /// Method name.
  public var method: String
  /// Sessions evaluated.
  public var sessions: Int
  /// Predicted same-bundle item pairs that are marked same-bundle pairs, over predicted pairs.
  public var pairPrecision: Double
  /// Marked same-bundle pairs predicted, over marked pairs.
  public var pairRecall: Double
  /// Harmonic mean of pair precision and recall.
  public var pairF1: Double
  /// Marked bundles reproduced exactly by a predicted bundle, over marked bundles.
  public var exactMatchRate: Double
}

/// Recovers marked bundles from each session's items and scores the result.
///
/// Methods:
/// - `co-occurrence`: link two items of a session when they appear together in at least one *other*
///   session; bundles are the connected components.
/// - `basketry`: pair score = wᶜ · [co-occur elsewhere] + wᵏ · category-path similarity (shared prefix over
///   the longer path) + wᵗ · title similarity (token Jaccard, or the semantic hook); average-link clustering
///   while the mean score between clusters is at least a threshold. Weights and threshold are chosen on the
///   even-numbered sessions and reported on the odd ones.
/// - `whole session`: every session is one bundle (reference).
public struct BundleRecoveryBenchmark: Sendable {
  /// The data.
  public let data: MarkedSessions
  /// Optional semantic title similarity (e.g. a sentence encoder), by item id.
  public let semanticSimilarity: (@Sendable (Int, Int) -> Double?)?

  let pairCounts: [Int64: Int]
  let tokens: [Int: Set<String>]

  /// Prepares the benchmark.
  public init(data: MarkedSessions, semanticSimilarity: (@Sendable (Int, Int) -> Double?)? = nil) {
    self.data = data
    self.semanticSimilarity = semanticSimilarity
    var counts: [Int64: Int] = [:]
    for items in data.sessions {
      for a in items.indices {
        for b in items.indices where b > a { counts[Self.key(items[a], items[b]), default: 0] += 1 }
      }
    }
    pairCounts = counts
    tokens = data.titles.mapValues { PairScorer.tokens($0) }
  }

  static func key(_ a: Int, _ b: Int) -> Int64 { Int64(min(a, b)) << 32 | Int64(max(a, b)) }

  /// Co-occurrences of two items in sessions other than the one being evaluated.
  func elsewhere(_ a: Int, _ b: Int) -> Int { max(0, (pairCounts[Self.key(a, b)] ?? 0) - 1) }

  func categorySimilarity(_ a: Int, _ b: Int) -> Double {
    guard let ca = data.categories[a], let cb = data.categories[b], !ca.isEmpty, !cb.isEmpty else { return 0 }
    var shared = 0
    while shared < min(ca.count, cb.count) && ca[shared] == cb[shared] { shared += 1 }
    return Double(shared) / Double(max(ca.count, cb.count))
  }

  func titleSimilarity(_ a: Int, _ b: Int) -> Double {
    if let semantic = semanticSimilarity?(a, b) { return semantic }
    return PairScorer.jaccard(tokens[a] ?? [], tokens[b] ?? [])
  }

  /// Runs all methods; `basketry` is tuned on even sessions and every method is scored on odd sessions.
  public func run() -> [BundleRecoveryScore] {
    let tune = data.sessions.indices.filter { $0 % 2 == 0 }
    let test = data.sessions.indices.filter { $0 % 2 == 1 }
    var best: (weights: (Double, Double, Double), threshold: Double, f1: Double) = ((1, 0, 0), 0.5, -1)
    for wc in [0.0, 0.3, 0.6] {
      for wk in [0.4, 0.8] {
        for wt in [0.0, 0.4] {
          for threshold in stride(from: 0.02, through: 0.5, by: 0.04) {
            let score = evaluate(tune, method: "tune") {
              self.cluster($0, weights: (wc, wk, wt), threshold: threshold)
            }
            if score.pairF1 > best.f1 { best = ((wc, wk, wt), threshold, score.pairF1) }
          }
        }
      }
    }
    return [
      evaluate(test, method: "whole session") { [Set($0)] },
      evaluate(test, method: "co-occurrence") { self.components($0) },
      evaluate(
        test,
        method:
          "basketry (w=\(best.weights.0),\(best.weights.1),\(best.weights.2); t=\(fixed(best.threshold, 2)))"
      ) {
        self.cluster($0, weights: best.weights, threshold: best.threshold)
      },
    ]
  }

  func components(_ items: [Int]) -> [Set<Int>] {
    var parent = Array(items.indices)
    func find(_ x: Int) -> Int {
      var x = x
      while parent[x] != x { x = parent[x] }
      return x
    }
    for a in items.indices {
      for b in items.indices where b > a && elsewhere(items[a], items[b]) > 0 { parent[find(a)] = find(b) }
    }
    var groups: [Int: Set<Int>] = [:]
    for i in items.indices { groups[find(i), default: []].insert(items[i]) }
    return groups.values.filter { $0.count >= 2 }
  }

  func cluster(_ items: [Int], weights: (Double, Double, Double), threshold: Double) -> [Set<Int>] {
    func score(_ a: Int, _ b: Int) -> Double {
      weights.0 * (elsewhere(a, b) > 0 ? 1 : 0) + weights.1 * categorySimilarity(a, b) + weights.2
        * titleSimilarity(a, b)
    }
    var clusters = items.map { [$0] }
    while clusters.count > 1 {
      var best: (i: Int, j: Int, value: Double)?
      for i in clusters.indices {
        for j in clusters.indices where j > i {
          var sum = 0.0
          for a in clusters[i] { for b in clusters[j] { sum += score(a, b) } }
          let mean = sum / Double(clusters[i].count * clusters[j].count)
          if best.map({ mean > $0.value }) ?? true { best = (i, j, mean) }
        }
      }
      guard let best, best.value >= threshold else { break }
      clusters[best.i] += clusters[best.j]
      clusters.remove(at: best.j)
    }
    return clusters.filter { $0.count >= 2 }.map { Set($0) }
  }

  func evaluate(_ sessions: [Int], method: String, predict: ([Int]) -> [Set<Int>]) -> BundleRecoveryScore {
    var predictedPairs = 0
    var truePairs = 0
    var hits = 0
    var marked = 0
    var exact = 0
    for s in sessions {
      let items = data.sessions[s]
      let truth = data.bundles[s]
      let predicted = predict(items)
      func pairs(_ groups: [Set<Int>]) -> Set<Int64> {
        var result: Set<Int64> = []
        for group in groups {
          let sorted = group.sorted()
          for a in sorted.indices {
            for b in sorted.indices where b > a { result.insert(Self.key(sorted[a], sorted[b])) }
          }
        }
        return result
      }
      let p = pairs(predicted)
      let t = pairs(truth)
      predictedPairs += p.count
      truePairs += t.count
      hits += p.intersection(t).count
      marked += truth.count
      exact += truth.filter { bundle in predicted.contains(bundle) }.count
    }
    let precision = predictedPairs > 0 ? Double(hits) / Double(predictedPairs) : 0
    let recall = truePairs > 0 ? Double(hits) / Double(truePairs) : 0
    return BundleRecoveryScore(
      method: method, sessions: sessions.count, pairPrecision: precision, pairRecall: recall,
      pairF1: precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0,
      exactMatchRate: marked > 0 ? Double(exact) / Double(marked) : 0)
  }
}
