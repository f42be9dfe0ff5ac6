import BasketryIngest

/// The data and cleaning section: headline counts, the cleaning funnel, basket sizes, orders per customer,
/// and revenue (or orders) over time.
public enum DataSection {
  /// Renders the section.
  /// - Parameters:
  ///   - cleaning: what ingest read and dropped.
  ///   - profile: the cleaned orders' shape.
  ///   - kit: the chart kit (and its number style).
  /// - Returns: the section with id `data`.
  /// - Complexity: O(rules + bins + periods).
  public static func render(cleaning: CleaningReport, profile: DatasetProfile, kit: ChartKit) -> ReportSection {
    let style = kit.style
    var body = "<ul class=\"kpis\">"
    let kpis: [(String, String)] = [
      ("rows read", style.count(cleaning.rowsRead)), ("rows kept", style.count(cleaning.rowsKept)),
      ("orders", style.count(profile.orders)), ("items", style.count(profile.items)),
      ("customers", style.count(profile.customers)),
      profile.hasPrices ? ("revenue", style.wholeMoney(profile.revenue)) : ("order lines", style.count(profile.lines)),
    ]
    for (name, value) in kpis { body += "<li>\(HTML.escape(name))<strong>\(HTML.escape(value))</strong></li>" }
    body += "</ul>"

    // The funnel: rows read, then what is left after each dropping rule.
    var remaining = cleaning.rowsRead
    var funnel = [ChartDatum("rows read", Double(remaining))]
    if cleaning.badRowCount > 0 {
      remaining -= cleaning.badRowCount
      funnel.append(ChartDatum("after unreadable rows", Double(remaining)))
    }
    for rule in cleaning.rules where rule.action == "dropped" && rule.rowsAffected > 0 {
      remaining -= rule.rowsAffected
      funnel.append(ChartDatum("after \(rule.rule)", Double(max(remaining, 0))))
    }
    funnel.append(ChartDatum("rows kept", Double(cleaning.rowsKept), highlighted: true, note: "kept"))
    let dropped = cleaning.rowsRead - cleaning.rowsKept
    let funnelChart = kit.horizontalBars(
      id: "chart-funnel", title: "Rows kept after each cleaning rule",
      summary:
        "Of \(style.count(cleaning.rowsRead)) rows read, \(style.count(cleaning.rowsKept)) were kept and "
        + "\(style.count(dropped)) dropped by the rules listed in the table below.",
      data: funnel, valueName: "rows", labelName: "step", format: .count)
    body += funnelChart.html

    var rows: [[SortableTable.Cell]] = []
    for rule in cleaning.rules {
      rows.append([
        .init(rule.rule), .init(rule.action), .init(style.count(rule.rowsAffected), value: Double(rule.rowsAffected)),
        .init(style.count(rule.ordersAffected), value: Double(rule.ordersAffected)), .init(rule.description),
      ])
    }
    if cleaning.badRowCount > 0 {
      rows.insert(
        [
          .init("unreadable"), .init("dropped"),
          .init(style.count(cleaning.badRowCount), value: Double(cleaning.badRowCount)), .init("", value: 0),
          .init("rows that could not be read (bad numbers, dates or missing fields)"),
        ], at: 0)
    }
    body +=
      SortableTable(
        id: "table-cleaning", caption: "Cleaning rules",
        columns: [
          .init("rule"), .init("action"), .init("rows", numeric: true), .init("orders", numeric: true),
          .init("what it does"),
        ], rows: rows
      ).html
    if !cleaning.notes.isEmpty {
      body += "<ul class=\"notes muted\">"
      for note in cleaning.notes { body += "<li>\(HTML.escape(note))</li>" }
      body += "</ul>"
    }

    // Two charts side by side: drawn narrower so their text stays the size of the page's.
    var half = kit
    half.width = 480
    body += "<div class=\"grid2\">"
    body +=
      half.histogram(
        id: "chart-basket-sizes", title: "Items per order",
        summary:
          "Distinct items per order; half the orders have \(profile.medianBasketSize) or fewer "
          + "(\(style.count(profile.orders)) orders).",
        bins: profile.basketSizes, valueName: "orders", labelName: "distinct items in the order"
      ).html
    if profile.customers > 0 {
      let once = profile.ordersPerCustomer.first?.lower == 1 ? profile.ordersPerCustomer.first?.count ?? 0 : 0
      body +=
        half.histogram(
          id: "chart-orders-per-customer", title: "Orders per customer",
          summary:
            "\(style.count(profile.customers)) customers; \(style.count(once)) of them ordered once"
            + (profile.anonymousOrders > 0
              ? "; \(style.count(profile.anonymousOrders)) orders had no customer id." : "."),
          bins: profile.ordersPerCustomer, valueName: "customers", labelName: "orders by the customer"
        ).html
    } else {
      body += "<p class=\"not-computed\">No customer ids in the data: orders per customer not shown.</p>"
    }
    body += "</div>"

    if !profile.periods.isEmpty {
      let useRevenue = profile.hasPrices
      let points = profile.periods.map { ChartDatum($0.start, useRevenue ? $0.revenue : Double($0.orders)) }
      let best = profile.periods.max { useRevenue ? $0.revenue < $1.revenue : $0.orders < $1.orders }
      let what = useRevenue ? "Revenue" : "Orders"
      var summary = "\(what) per \(profile.periodName) from \(profile.periods.first?.start ?? "") "
      summary += "to \(profile.periods.last?.start ?? "")"
      if let best {
        summary +=
          "; the highest was the \(profile.periodName) of \(best.start) with "
          + (useRevenue ? style.wholeMoney(best.revenue) : style.count(best.orders)) + "."
      }
      body +=
        kit.timeSeries(
          id: "chart-revenue",
          title: "\(what) per \(profile.periodName)" + (useRevenue ? "" : " (the data has no prices)"),
          summary: summary, points: points, valueName: useRevenue ? "revenue" : "orders",
          labelName: "\(profile.periodName) starting", format: useRevenue ? .wholeMoney : .count
        ).html
    } else {
      body += "<p class=\"not-computed\">The orders have no dates: nothing to show over time.</p>"
    }
    let lead =
      "What was read, what was thrown away and why, and what the remaining \(style.count(profile.orders)) orders look like."
    return ReportSection(id: "data", title: "Data and cleaning", lead: lead, body: body)
  }
}
