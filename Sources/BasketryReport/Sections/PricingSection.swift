import BasketryBundles

/// The pricing section: how demand for the bundled items responds to price, with uncertainty; how far each
/// bundle's best discount moves with that uncertainty; and the market simulator's strategies.
public enum PricingSection {
  /// Renders the section.
  /// - Parameters:
  ///   - bundles: the bundles (their willingness-to-pay pricing carries the price responses).
  ///   - simulation: the simulator's result, or why it was skipped.
  ///   - kit: the chart kit.
  /// - Returns: the section with id `pricing`.
  /// - Complexity: O(bundle items + strategies).
  public static func render(
    bundles: BundleSummary, simulation: ShopReport.SimulationOutcome, kit: ChartKit
  ) -> ReportSection {
    let style = kit.style
    var body = ""
    var seen = Set<String>()
    var responses: [ChartDatum] = []
    var rows: [[SortableTable.Cell]] = []
    for bundle in bundles.bundles {
      guard let pricing = bundle.pricing else { continue }
      for (index, item) in bundle.items.enumerated() where index < pricing.responses.count && !seen.contains(item.id) {
        seen.insert(item.id)
        let response = pricing.responses[index]
        let spread = 1.96 * response.standardError
        let source =
          response.isIdentified
          ? "own prices"
          : "not identifiable (\(response.notIdentifiable?.kind.summary ?? "no own estimate")): "
            + "\(response.source.rawValue) estimate"
        responses.append(
          ChartDatum(
            item.title, response.elasticity, low: response.elasticity - spread, high: response.elasticity + spread,
            highlighted: response.source != .item, note: response.source == .item ? nil : "(\(source))"))
        rows.append([
          .init(item.title), .init(style.decimal(response.elasticity, 2), value: response.elasticity),
          .init(style.decimal(response.standardError, 2), value: response.standardError), .init(source),
          .init(style.count(response.observations), value: Double(response.observations)),
          .init(style.percent(response.ownWeight), value: response.ownWeight),
        ])
      }
    }
    if responses.isEmpty {
      body +=
        "<p class=\"not-computed\">No price-response estimates: the bundles were priced without the "
        + "willingness-to-pay model, or there are no bundles.</p>"
    } else {
      let chartRows = Array(responses.prefix(16))
      body +=
        kit.horizontalBars(
          id: "chart-elasticities", title: "Price elasticity of the bundled items (with 95% intervals)",
          summary:
            "How much demand for each item falls when its price rises 1%: estimates with 95% intervals; "
            + "hatched items had too little price variation of their own and borrow a pooled estimate.",
          data: chartRows, reference: ReferenceLine(value: -1, label: "−1: revenue-neutral"),
          valueName: "elasticity", labelName: "item", format: .decimal(2)
        ).html
      body +=
        SortableTable(
          id: "table-elasticities", caption: "Price-response estimates",
          columns: [
            .init("item"), .init("elasticity", numeric: true), .init("standard error", numeric: true),
            .init("from"), .init("observations", numeric: true),
            .init("own weight", numeric: true, help: "weight of the item's own estimate against the pooled one"),
          ], rows: rows
        ).html
      let ranges: [ChartDatum] = bundles.bundles.compactMap { bundle in
        guard let range = bundle.pricing?.discountRange, let low = range.min(), let high = range.max() else {
          return nil
        }
        return ChartDatum(
          "#\(bundle.rank) " + bundle.items.map(\.title).joined(separator: " + "), bundle.discount, low: low, high: high
        )
      }
      if !ranges.isEmpty {
        body +=
          kit.horizontalBars(
            id: "chart-discounts", title: "Chosen discount, and its range if elasticities are one standard error off",
            summary:
              "Each bundle's discount with the best discounts for elasticities one standard error lower and higher.",
            data: ranges, valueName: "discount", labelName: "bundle", format: .percent
          ).html
      }
    }
    switch simulation {
    case .skipped(let reason):
      body +=
        "<h3>Market simulation</h3><p class=\"not-computed\" data-status=\"not-computed\">\(HTML.escape(reason))</p>"
    case .result(let result, let visits):
      body += "<h3>Market simulation</h3>"
      let data = result.summaries.map { summary in
        ChartDatum(
          summary.name, summary.profitUplift.mean, low: summary.profitUplift.low, high: summary.profitUplift.high,
          highlighted: summary.name == "basketry", note: summary.name == "basketry" ? "(Basketry)" : nil)
      }
      body +=
        kit.horizontalBars(
          id: "chart-simulation", title: "Extra profit per strategy (95% interval over seeds)",
          summary:
            "Profit gained over no bundles on \(style.count(visits)) simulated visits per seed; Basketry earns "
            + "\(style.percent(result.upliftShareOfMeans)) of what an oracle that knows the shoppers' valuations earns.",
          data: data, reference: ReferenceLine(value: 0, label: "no bundles"), valueName: "profit uplift",
          labelName: "strategy", format: .wholeMoney
        ).html
      let rows: [[SortableTable.Cell]] = result.summaries.map { s in
        func interval(_ value: SeedSummary, _ text: (Double) -> String) -> SortableTable.Cell {
          .init("\(text(value.mean)) (\(text(value.low)) to \(text(value.high)))", value: value.mean)
        }
        return [
          .init(s.name), interval(s.revenue, style.wholeMoney), interval(s.profit, style.wholeMoney),
          interval(s.profitUplift, style.wholeMoney), interval(s.attachRate) { style.percent($0, decimals: 2) },
          interval(s.aov, style.money),
        ]
      }
      body +=
        SortableTable(
          id: "table-simulation", caption: "Strategies: mean (95% interval over seeds)",
          columns: [
            .init("strategy"), .init("revenue", numeric: true), .init("profit", numeric: true),
            .init("profit uplift", numeric: true), .init("attach rate", numeric: true),
            .init("average order", numeric: true),
          ], rows: rows
        ).html
    }
    let lead =
      "How sure the prices are: each item's price response with its uncertainty, and how bundle prices would move with it."
    return ReportSection(id: "pricing", title: "Pricing", lead: lead, body: body)
  }
}
