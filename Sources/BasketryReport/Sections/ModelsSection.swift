import BasketryEval

/// The models section: the offline leaderboard as a chart with popularity marked, recall on items bought before
/// and on new items when the split has both, and every metric in a sortable table.
public enum ModelsSection {
  /// Renders the section.
  /// - Parameters:
  ///   - outcome: the leaderboard, or why it was skipped.
  ///   - kit: the chart kit.
  /// - Returns: the section with id `models`.
  /// - Complexity: O(models · metrics).
  public static func render(_ outcome: ShopReport.ModelsOutcome, kit: ChartKit) -> ReportSection {
    switch outcome {
    case .skipped(let reason):
      return .notComputed(id: "models", title: "Recommendation models", message: reason)
    case .leaderboard(let board, let k, let split):
      return leaderboard(board, k: k, split: split, kit: kit)
    }
  }

  /// The leaderboard's part of the page (also usable on its own, e.g. for a served model's validation table).
  /// - Parameters:
  ///   - board: the leaderboard (popularity, `pop`, is the baseline when present).
  ///   - k: the cut-off to chart.
  ///   - split: one sentence on how the data was split.
  ///   - kit: the chart kit.
  /// - Returns: the section with id `models`.
  public static func leaderboard(_ board: Leaderboard, k: Int, split: String, kit: ChartKit) -> ReportSection {
    let style = kit.style
    let metric = "ndcg@\(k)"
    let results = board.results.sorted { ($0.metrics[metric] ?? 0) > ($1.metrics[metric] ?? 0) }
    let popularity = board.results.first { $0.model == "pop" }?.metrics[metric]
    var body = ""
    let data = results.map { result in
      ChartDatum(
        result.model, result.metrics[metric] ?? 0, highlighted: result.model == "pop",
        note: result.model == "pop" ? "(popularity)" : nil)
    }
    let best = results.first
    var summary = "NDCG@\(k) per model"
    if let best { summary += "; best: \(best.model) with \(style.decimal(best.metrics[metric] ?? 0, 3))" }
    if let popularity { summary += ", against \(style.decimal(popularity, 3)) for showing everyone the best sellers" }
    body +=
      kit.horizontalBars(
        id: "chart-leaderboard", title: "Ranking quality (NDCG@\(k); higher is better)", summary: summary + ".",
        data: data, reference: popularity.map { ReferenceLine(value: $0, label: "popularity \(style.decimal($0, 3))") },
        valueName: metric, labelName: "model", format: .decimal(3)
      ).html
    let repeatKey = "recall_repeat@\(k)"
    let exploreKey = "recall_explore@\(k)"
    if results.contains(where: { $0.metrics[repeatKey] != nil && $0.metrics[exploreKey] != nil }) {
      var rows: [ChartDatum] = []
      for result in results {
        guard let again = result.metrics[repeatKey], let new = result.metrics[exploreKey] else { continue }
        rows.append(ChartDatum("\(result.model): bought before", again))
        rows.append(ChartDatum("\(result.model): new to them", new, highlighted: true, note: "(new)"))
      }
      body +=
        kit.horizontalBars(
          id: "chart-repeat-new", title: "Recall@\(k) on items bought before vs new items",
          summary:
            "Share of each shopper's next purchases found in the top \(k), split into items they had bought "
            + "before and items new to them; new items are hatched.",
          data: rows, valueName: "recall", labelName: "model and items", format: .decimal(3)
        ).html
    }
    let names = board.metricNames
    let rows: [[SortableTable.Cell]] = results.map { result in
      [SortableTable.Cell(result.model + (result.model == "pop" ? " (baseline)" : ""))]
        + names.map { name in
          result.metrics[name].map { SortableTable.Cell(style.decimal($0, 4), value: $0) }
            ?? SortableTable.Cell("", value: -1)
        }
        + [SortableTable.Cell(style.decimal(result.fitSeconds, 2), value: result.fitSeconds)]
    }
    body +=
      SortableTable(
        id: "table-models", caption: "Every metric",
        columns: [.init("model")] + names.map { SortableTable.Column($0, numeric: true) }
          + [.init("fit s", numeric: true, help: "seconds to fit")],
        rows: rows
      ).html
    let users = results.first?.users ?? 0
    let lead =
      "How well each recommender predicts what shoppers buy next: \(split), \(style.count(users)) shoppers tested."
    return ReportSection(id: "models", title: "Recommendation models", lead: lead, body: body)
  }
}
