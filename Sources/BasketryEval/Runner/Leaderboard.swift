import BasketryCore
import Foundation

/// One model's evaluation: timings and metric means over test users.
public struct ModelResult: Sendable, Codable, Hashable {
  /// Model label.
  public var model: String
  /// Seconds spent in `fit`.
  public var fitSeconds: Double
  /// Seconds spent scoring and ranking every test user.
  public var predictSeconds: Double
  /// Number of users evaluated.
  public var users: Int
  /// Metric means by name (`recall@20`, `ndcg@20`, …).
  public var metrics: [String: Double]

  /// Creates a result.
  public init(model: String, fitSeconds: Double, predictSeconds: Double, users: Int, metrics: [String: Double]) {
    self.model = model
    self.fitSeconds = fitSeconds
    self.predictSeconds = predictSeconds
    self.users = users
    self.metrics = metrics
  }

  private enum CodingKeys: String, CodingKey {
    case model, users, metrics
    case fitSeconds = "fit_seconds"
    case predictSeconds = "predict_seconds"
  }
}

/// Results of several models on one task: printed as a table, written as JSON
/// `{"dataset": …, "split": …, "results": [{"model": …, "fit_seconds": …, "metrics": {…}}]}`.
public struct Leaderboard: Sendable, Codable, Hashable {
  /// Dataset label.
  public var dataset: String
  /// Split label.
  public var split: String
  /// Per-model results, in evaluation order.
  public var results: [ModelResult]

  /// Creates a leaderboard.
  public init(dataset: String, split: String, results: [ModelResult]) {
    self.dataset = dataset
    self.split = split
    self.results = results
  }

  /// Models scoring below popularity (`pop`) on `metric`, with both scores, in evaluation order (empty without
  /// `pop` or the metric). Such a model is worse than showing every shopper the best sellers.
  public func belowPopularity(on metric: String) -> [(model: String, score: Double, popularity: Double)] {
    guard let pop = results.first(where: { $0.model == "pop" })?.metrics[metric] else { return [] }
    return results.compactMap { result in
      guard result.model != "pop", let score = result.metrics[metric], score < pop else { return nil }
      return (result.model, score, pop)
    }
  }

  /// Metric names in a stable order: by metric kind, then K.
  public var metricNames: [String] {
    let order = ["recall", "ndcg", "precision", "hit", "mrr", "map", "coverage", "gini", "novelty"]
    let names = Set(results.flatMap { $0.metrics.keys })
    return names.sorted { a, b in
      let (ka, na) = Self.parts(a)
      let (kb, nb) = Self.parts(b)
      let ia = order.firstIndex(of: ka) ?? order.count
      let ib = order.firstIndex(of: kb) ?? order.count
      return (ia, na, a) < (ib, nb, b)
    }
  }

  private static func parts(_ name: String) -> (String, Int) {
    let pieces = name.split(separator: "@")
    return (String(pieces.first ?? ""), pieces.count > 1 ? Int(pieces[1]) ?? 0 : 0)
  }

  /// A plain-text table: one row per model, a column per metric plus fit and predict seconds.
  /// - Parameter metrics: metric names to show; all by default.
  public func table(metrics: [String]? = nil) -> String {
    let columns = metrics ?? metricNames
    let header = ["model"] + columns + ["fit s", "predict s"]
    var rows: [[String]] = [header]
    for result in results {
      var row = [result.model]
      for name in columns { row.append(result.metrics[name].map { String(format: "%.4f", $0) } ?? "-") }
      row.append(String(format: "%.3f", result.fitSeconds))
      row.append(String(format: "%.3f", result.predictSeconds))
      rows.append(row)
    }
    var widths = [Int](repeating: 0, count: header.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    var lines = ["\(dataset) — \(split) — \(results.first?.users ?? 0) users"]
    for (index, row) in rows.enumerated() {
      let cells = row.enumerated().map { i, cell in
        i == 0
          ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[i] - cell.count) + cell
      }
      lines.append(cells.joined(separator: "  "))
      if index == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
    }
    return lines.joined(separator: "\n")
  }

  /// The JSON form (sorted keys, pretty-printed).
  /// - Throws: ``EvaluationError`` if encoding fails.
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do { return try encoder.encode(self) } catch {
      throw EvaluationError("cannot encode the leaderboard: \(error)", category: .internal)
    }
  }
}
