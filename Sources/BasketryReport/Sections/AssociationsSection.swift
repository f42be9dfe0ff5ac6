/// The associations section: the strongest rules with every metric in a sortable table, and a graph of the
/// strongest item pairs.
public enum AssociationsSection {
  /// Renders the section.
  /// - Parameters:
  ///   - summary: rules and pairs.
  ///   - kit: the chart kit.
  /// - Returns: the section with id `associations`.
  /// - Complexity: O(rules + pairs).
  public static func render(_ summary: AssociationSummary, kit: ChartKit) -> ReportSection {
    let style = kit.style
    var body = ""
    if !summary.pairs.isEmpty {
      var nodes: [GraphNode] = []
      var seen = Set<String>()
      for pair in summary.pairs {
        for index in 0..<2 where !seen.contains(pair.items[index]) {
          seen.insert(pair.items[index])
          nodes.append(
            GraphNode(key: pair.items[index], label: pair.titles[index], weight: Double(pair.itemCounts[index])))
        }
      }
      let edges = summary.pairs.map {
        GraphEdge(from: $0.items[0], to: $0.items[1], weight: $0.lift, count: $0.together)
      }
      let top = summary.pairs[0]
      body +=
        kit.network(
          id: "chart-pairs", title: "Strongest item pairs (thicker line = higher lift)",
          summary:
            "The \(summary.pairs.count) item pairs bought together most above chance; the strongest is "
            + "\(top.titles[0]) with \(top.titles[1]), \(style.decimal(top.lift, 1)) times as often as chance "
            + "(\(style.count(top.together)) orders).",
          nodes: nodes, edges: edges, format: .decimal(1)
        ).html
    }
    if summary.rules.isEmpty {
      body +=
        "<p class=\"not-computed\">No rule reaches \(style.percent(summary.minConfidence)) confidence at this support.</p>"
    } else {
      let rows: [[SortableTable.Cell]] = summary.rules.map { rule in
        [
          .init(rule.antecedent.joined(separator: " + ")), .init(rule.consequent.joined(separator: " + ")),
          .init(style.count(rule.count), value: Double(rule.count)),
          .init(style.percent(rule.support, decimals: 2), value: rule.support),
          .init(style.percent(rule.confidence), value: rule.confidence),
          .init(style.decimal(rule.lift, 1), value: rule.lift),
          .init(style.decimal(rule.leverage, 4), value: rule.leverage),
          .init(rule.conviction.isFinite ? style.short(rule.conviction) : "∞", value: rule.conviction),
          .init(style.decimal(rule.zhangsMetric, 2), value: rule.zhangsMetric),
          .init(style.decimal(rule.jaccard, 3), value: rule.jaccard),
          .init(style.decimal(rule.certainty, 2), value: rule.certainty),
          .init(style.decimal(rule.kulczynski, 2), value: rule.kulczynski),
        ]
      }
      body +=
        SortableTable(
          id: "table-rules",
          caption: "The \(summary.rules.count) rules with the highest lift (of \(style.count(summary.ruleCount)))",
          columns: [
            .init("if bought"), .init("then also"),
            .init("orders", numeric: true, help: "orders with every item of the rule"),
            .init("support", numeric: true, help: "share of all orders with every item"),
            .init("confidence", numeric: true, help: "share of orders with the first items that also had the rest"),
            .init("lift", numeric: true, help: "how many times more often than if bought independently"),
            .init("leverage", numeric: true, help: "support minus the support expected by chance"),
            .init("conviction", numeric: true, help: "(1 − support of the rest) / (1 − confidence)"),
            .init("Zhang", numeric: true, help: "Zhang's metric, −1 to 1"),
            .init("Jaccard", numeric: true), .init("certainty", numeric: true), .init("Kulczynski", numeric: true),
          ], rows: rows, scrolls: true
        ).html
    }
    let lead =
      "Which items sell together more than chance: \(style.count(summary.itemsetCount)) frequent item sets and "
      + "\(style.count(summary.ruleCount)) rules at \(style.percent(summary.minConfidence)) confidence or more."
    return ReportSection(id: "associations", title: "Associations", lead: lead, body: body)
  }
}
