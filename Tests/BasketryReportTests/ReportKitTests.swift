import BasketryBundles
import BasketryCore
import BasketryMining
import BasketryReport
import Foundation
import Testing

@Suite struct HTMLTests {
  @Test(arguments: [
    ("plain", "plain"), ("<b>&\"'", "&lt;b&gt;&amp;&quot;&#39;"), ("PINK <3 MUG", "PINK &lt;3 MUG"), ("", ""),
  ])
  func escapes(input: String, expected: String) {
    #expect(HTML.escape(input) == expected)
  }

  @Test func slugs() {
    #expect(HTML.slug("Data and cleaning!") == "data-and-cleaning")
    #expect(HTML.slug("***") == "section")
  }

  @Test func numbers() {
    let style = NumberStyle(currency: "£")
    #expect(style.money(1234.5) == "£1,234.50")
    #expect(style.money(-0.5) == "−£0.50")
    #expect(style.percent(0.153) == "15%")
    #expect(style.short(0.01234) == "0.012")
    #expect(style.short(12345.6) == "12,346")
  }
}

@Suite struct ChartKitTests {
  let kit = ChartKit(style: NumberStyle(currency: "£"))

  @Test func barsHaveOneMarkPerValueAndATable() {
    let chart = kit.bars(
      id: "c", title: "T <x>", summary: "S", data: [ChartDatum("a", 1), ChartDatum("b", 3), ChartDatum("<c>", 0)],
      valueName: "orders")
    #expect(chart.marks == 3)
    #expect(chart.svg.components(separatedBy: "class=\"mark bar").count - 1 == 3)
    #expect(chart.svg.contains("data-marks=\"3\""))
    #expect(chart.svg.contains("role=\"img\""))
    #expect(chart.svg.contains("<title id=\"c-title\">T &lt;x&gt;</title>"))
    #expect(!chart.svg.contains("<c>"))
    #expect(chart.table.contains("&lt;c&gt;"))
    #expect(chart.html.contains("<details class=\"chart-data\">"))
  }

  @Test func horizontalBarsDrawIntervalsAndALabelledReference() {
    let chart = kit.horizontalBars(
      id: "h", title: "T", summary: "S",
      data: [ChartDatum("x", -1.5, low: -2, high: -1), ChartDatum("y", 0.5, highlighted: true, note: "(base)")],
      reference: ReferenceLine(value: -1, label: "unit"), valueName: "v", labelName: "l", format: .decimal(1))
    #expect(chart.marks == 2)
    #expect(chart.svg.contains("class=\"whisker\""))
    #expect(chart.svg.contains("class=\"ref\""))
    #expect(chart.svg.contains(">unit</text>"))
    // The highlighted bar is hatched and named, not only coloured.
    #expect(chart.svg.contains("url(#h-hatch)"))
    #expect(chart.svg.contains("0.5 (base)"))
    #expect(chart.table.contains("reference line"))
  }

  @Test func timeSeriesAndHistogram() {
    let series = kit.timeSeries(
      id: "t", title: "T", summary: "S", points: (0..<10).map { ChartDatum("w\($0)", Double($0)) }, valueName: "v",
      labelName: "week", format: .wholeMoney)
    #expect(series.marks == 10)
    #expect(series.svg.contains("<polyline"))
    let histogram = kit.histogram(
      id: "h", title: "T", summary: "S",
      bins: [HistogramBin(lower: 1, upper: 1, count: 4), .init(lower: 2, upper: 3, count: 2)],
      valueName: "orders", labelName: "items")
    #expect(histogram.marks == 2)
    #expect(histogram.table.contains("2–3"))
  }

  @Test func networkSkipsEdgesToUnknownNodes() {
    let chart = kit.network(
      id: "n", title: "T", summary: "S",
      nodes: [GraphNode(key: "a", label: "A", weight: 3), GraphNode(key: "b", label: "B", weight: 1)],
      edges: [GraphEdge(from: "a", to: "b", weight: 2, count: 5), GraphEdge(from: "a", to: "zz", weight: 9)])
    #expect(chart.marks == 1)
    #expect(chart.table.contains("<td>A</td><td>B</td>"))
  }
}

@Suite struct PageShellTests {
  @Test func pageHasNavigationSectionsAndNoExternalResources() throws {
    let table = SortableTable(
      id: "t", caption: "Rules", columns: [.init("rule"), .init("lift", numeric: true)],
      rows: [[.init("a → b"), .init("2.0", value: 2)]])
    let html = try PageShell(title: "Shop <1>", subtitle: "sub").render([
      ReportSection(id: "one", title: "First", lead: "Lead.", body: table.html),
      .notComputed(id: "two", title: "Second", message: "not computed"),
    ])
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("<title>Shop &lt;1&gt;</title>"))
    #expect(html.contains("<a href=\"#one\">First</a>"))
    #expect(html.contains("<section id=\"two\" data-section=\"two\""))
    #expect(html.contains("data-status=\"not-computed\""))
    #expect(html.contains("<th scope=\"col\" class=\"num\" data-type=\"number\"><button type=\"button\">lift"))
    #expect(html.contains("@media print"))
    for external in ["http://", "https://", "<link", "@import", "src=\""] {
      #expect(!html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains(external))
    }
  }
}

@Suite struct DatasetProfileTests {
  @Test func binsSizesOrdersAndWeeks() {
    var dataset = Dataset()
    let user = dataset.users.intern("u1")
    let a = dataset.catalog.intern("A")
    let b = dataset.catalog.intern("B")
    // 2011-10-03 (a Monday) and 2011-10-12: two weeks; the second order has two items.
    dataset.baskets.append(
      orderID: "1", user: user, timestamp: 1_317_600_000, lines: [(item: a, quantity: 2.0, unitPrice: 1.5)])
    dataset.baskets.append(
      orderID: "2", user: Baskets.noUser, timestamp: 1_318_400_000,
      lines: [(item: a, quantity: 1.0, unitPrice: 1.0), (item: b, quantity: 1.0, unitPrice: 2.0)])
    let profile = DatasetProfile(dataset: dataset)
    #expect(profile.orders == 2)
    #expect(profile.customers == 1)
    #expect(profile.anonymousOrders == 1)
    #expect(profile.revenue == 6)
    #expect(profile.basketSizes.map(\.count) == [1, 1])
    #expect(profile.periodName == "day")
    #expect(profile.periods.first?.start == "2011-10-03")
    #expect(profile.periods.count == 10)
    #expect(profile.periods.last?.revenue == 3)
  }
}

@Suite struct BundleCardTests {
  /// A two-item bundle as the designer's JSON writes it.
  static func bundle() throws -> ProductBundle {
    let json = """
      {"rank": 1, "list_price": 5, "bundle_price": 4.5, "discount": 0.1, "margin": 1.25, "margin_rate": 0.28,
       "expected_completion_rate": 0.2, "expected_incremental_profit": 12.3,
       "explanation": "RED MUG and RED PLATE were bought together in 40 of 1,000 orders. Priced at £4.50.",
       "items": [
         {"item_index": 0, "id": "A", "title": "RED MUG", "price": 2, "cost": 1.3, "cost_assumed": true},
         {"item_index": 1, "id": "B", "title": "RED PLATE", "price": 3, "cost": 1.95, "cost_assumed": true}],
       "evidence": {"orders": 1000, "orders_together": 40, "orders_partial": 200, "expected_together": 8,
         "lift": 5, "confidence": 0.4, "anchor": "A", "completion_rate": 0.1667}}
      """
    return try JSONDecoder().decode(ProductBundle.self, from: Data(json.utf8))
  }

  @Test func cardSaysEachThingOnceAndHidesTheDerivation() throws {
    let summary = BundleSummary(
      bundles: [try Self.bundle()], design: BundleDesignReport(), options: BundleOptions(), dataset: Dataset(),
      transactions: TransactionSet(Baskets(), itemCount: 0),
      itemsets: FrequentItemsets(transactionCount: 0, itemsets: []))
    let section = try BundlesSection.render(summary, kit: ChartKit(style: NumberStyle(currency: "£")))
    #expect(section.body.contains("data-count=\"1\""))
    #expect(section.body.contains("data-price=\"4.50\""))
    #expect(section.body.contains("Bought together in 40 of 1,000 orders, 5.0 times as often as chance."))
    #expect(section.body.components(separatedBy: "bought together in 40").count - 1 == 1)
    let details = try #require(section.body.range(of: "<details><summary>How this was worked out"))
    #expect(section.body[details.upperBound...].contains("were bought together in 40 of 1,000 orders"))
    #expect(section.body.contains("No look-alikes"))
  }
}
