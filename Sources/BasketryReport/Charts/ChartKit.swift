#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Draws small, accessible, dependency-free SVG charts: vertical bars, histograms, time series, horizontal bars
/// with intervals and a reference line, and a network graph of item pairs.
///
/// Charts scale to their container (`viewBox`, `width="100%"`), carry their own default colours (pages may
/// restyle the classes `bar`, `bar hl`, `line`, `point`, `whisker`, `ref`, `edge`, `node`), and never rely on
/// colour alone: highlighted values are hatched and named, reference lines are dashed and labelled, and
/// every chart comes with a data table (``Chart/table``).
public struct ChartKit: Sendable {
  /// How numbers are written.
  public var style: NumberStyle
  /// Width of the drawing in SVG units (the SVG itself scales to its container).
  public var width: Double = 640

  /// Creates a kit.
  /// - Parameter style: number formatting (currency).
  public init(style: NumberStyle = NumberStyle()) { self.style = style }

  // MARK: - Vertical bars

  /// A vertical bar chart of labelled values (all ≥ 0).
  /// - Parameters:
  ///   - id: fragment id, unique on the page.
  ///   - title: caption and SVG title.
  ///   - summary: one sentence saying what the chart shows (the SVG's description).
  ///   - data: the bars, left to right.
  ///   - valueName: column heading of the values in the table.
  ///   - labelName: column heading of the labels in the table.
  ///   - format: how values are written.
  /// - Returns: the chart.
  /// - Complexity: O(data).
  public func bars(
    id: String, title: String, summary: String, data: [ChartDatum], valueName: String, labelName: String = "",
    format: ValueFormat = .count
  ) -> Chart {
    verticalBars(
      id: id, title: title, summary: summary, data: data, valueName: valueName, labelName: labelName,
      format: format, gap: 0.25)
  }

  /// A histogram: adjacent bars, one per bin.
  /// - Parameters:
  ///   - id: fragment id, unique on the page.
  ///   - title: caption and SVG title.
  ///   - summary: what the chart shows, in one sentence.
  ///   - bins: the bins, smallest values first.
  ///   - valueName: what is counted (`orders`).
  ///   - labelName: what is binned (`distinct items`).
  /// - Returns: the chart.
  /// - Complexity: O(bins).
  public func histogram(
    id: String, title: String, summary: String, bins: [HistogramBin], valueName: String, labelName: String
  ) -> Chart {
    verticalBars(
      id: id, title: title, summary: summary, data: bins.map { ChartDatum($0.label, Double($0.count)) },
      valueName: valueName, labelName: labelName, format: .count, gap: 0.04)
  }

  private func verticalBars(
    id: String, title: String, summary: String, data: [ChartDatum], valueName: String, labelName: String,
    format: ValueFormat, gap: Double
  ) -> Chart {
    let height = 240.0
    let left = 60.0
    let right = 12.0
    let top = 18.0
    let bottom = 40.0
    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    let maxValue = Self.niceCeiling(data.map(\.value).max() ?? 0)
    var body = axisY(left: left, right: width - right, top: top, bottom: height - bottom, max: maxValue, format: format)
    let step = plotWidth / Double(max(data.count, 1))
    // About one label per 55 units of width, so labels never overlap.
    let labelEvery = max(1, Int((Double(data.count) / (width / 55).rounded(.down)).rounded(.up)))
    for (index, datum) in data.enumerated() {
      let barHeight = maxValue > 0 ? max(0, datum.value) / maxValue * plotHeight : 0
      let x = left + Double(index) * step + step * gap / 2
      let y = height - bottom - barHeight
      let text = format.text(datum.value, style: style)
      body +=
        "<rect class=\"mark bar\(datum.highlighted ? " hl" : "")\" x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" "
        + "width=\"\(Self.n(step * (1 - gap)))\" height=\"\(Self.n(barHeight))\" "
        + "fill=\"\(datum.highlighted ? "url(#\(id)-hatch)" : Self.barColour)\" stroke=\"\(Self.barColour)\">"
        + "<title>\(HTML.escape(datum.label)): \(HTML.escape(text))</title></rect>"
      if index % labelEvery == 0 {
        body +=
          "<text x=\"\(Self.n(x + step * (1 - gap) / 2))\" y=\"\(Self.n(height - bottom + 14))\" "
          + "text-anchor=\"middle\" class=\"tick\">\(HTML.escape(Self.truncate(datum.label, 12)))</text>"
      }
      if data.count <= 12 {
        body +=
          "<text x=\"\(Self.n(x + step * (1 - gap) / 2))\" y=\"\(Self.n(y - 4))\" text-anchor=\"middle\" "
          + "class=\"value\">\(HTML.escape(text + (datum.note.map { " (\($0))" } ?? "")))</text>"
      }
    }
    if !labelName.isEmpty {
      body +=
        "<text x=\"\(Self.n(left + plotWidth / 2))\" y=\"\(Self.n(height - 6))\" text-anchor=\"middle\" "
        + "class=\"axis-name\">\(HTML.escape(labelName))</text>"
    }
    return Chart(
      id: id, title: title,
      svg: svg(id: id, height: height, title: title, summary: summary, marks: data.count, body: body),
      table: table(data, labelName: labelName.isEmpty ? "" : labelName, valueName: valueName, format: format),
      marks: data.count)
  }

  // MARK: - Time series

  /// A line over evenly spaced periods (weeks, months), starting at zero.
  /// - Parameters:
  ///   - id: fragment id, unique on the page.
  ///   - title: caption and SVG title.
  ///   - summary: what the chart shows, in one sentence.
  ///   - points: the periods in time order, labelled (`2011-03`).
  ///   - valueName: what the values are (`revenue`).
  ///   - labelName: what a period is (`week starting`).
  ///   - format: how values are written.
  /// - Returns: the chart (one mark per point).
  /// - Complexity: O(points).
  public func timeSeries(
    id: String, title: String, summary: String, points: [ChartDatum], valueName: String, labelName: String,
    format: ValueFormat = .count
  ) -> Chart {
    let height = 240.0
    let left = 64.0
    let right = 16.0
    let top = 18.0
    let bottom = 40.0
    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    let maxValue = Self.niceCeiling(points.map(\.value).max() ?? 0)
    var body = axisY(left: left, right: width - right, top: top, bottom: height - bottom, max: maxValue, format: format)
    let step = points.count > 1 ? plotWidth / Double(points.count - 1) : 0
    func position(_ index: Int, _ value: Double) -> (Double, Double) {
      let x = points.count > 1 ? left + Double(index) * step : left + plotWidth / 2
      let y = height - bottom - (maxValue > 0 ? max(0, value) / maxValue * plotHeight : 0)
      return (x, y)
    }
    let path = points.enumerated().map { index, point in
      let (x, y) = position(index, point.value)
      return "\(Self.n(x)),\(Self.n(y))"
    }.joined(separator: " ")
    if points.count > 1 {
      body +=
        "<polyline class=\"line\" fill=\"none\" stroke=\"\(Self.barColour)\" stroke-width=\"2\" points=\"\(path)\"/>"
    }
    let labelEvery = max(1, Int((Double(points.count) / 8).rounded(.up)))
    for (index, point) in points.enumerated() {
      let (x, y) = position(index, point.value)
      body +=
        "<circle class=\"mark point\" cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"3\" fill=\"\(Self.barColour)\">"
        + "<title>\(HTML.escape(point.label)): \(HTML.escape(format.text(point.value, style: style)))</title></circle>"
      if index % labelEvery == 0 {
        body +=
          "<text x=\"\(Self.n(x))\" y=\"\(Self.n(height - bottom + 14))\" text-anchor=\"middle\" class=\"tick\">"
          + "\(HTML.escape(point.label))</text>"
      }
    }
    body +=
      "<text x=\"\(Self.n(left + plotWidth / 2))\" y=\"\(Self.n(height - 6))\" text-anchor=\"middle\" "
      + "class=\"axis-name\">\(HTML.escape(labelName))</text>"
    return Chart(
      id: id, title: title,
      svg: svg(id: id, height: height, title: title, summary: summary, marks: points.count, body: body),
      table: table(points, labelName: labelName, valueName: valueName, format: format), marks: points.count)
  }

  // MARK: - Horizontal bars

  /// Horizontal bars, one row per datum, with optional intervals (whiskers) and a labelled reference line.
  /// Values may be negative (bars then grow left from zero).
  /// - Parameters:
  ///   - id: fragment id, unique on the page.
  ///   - title: caption and SVG title.
  ///   - summary: what the chart shows, in one sentence.
  ///   - data: rows, top to bottom.
  ///   - reference: a dashed, labelled vertical line (a baseline), if any.
  ///   - valueName: what the values are.
  ///   - labelName: what a row is.
  ///   - format: how values are written.
  /// - Returns: the chart (one mark per row).
  /// - Complexity: O(data).
  public func horizontalBars(
    id: String, title: String, summary: String, data: [ChartDatum], reference: ReferenceLine? = nil,
    valueName: String, labelName: String, format: ValueFormat = .short
  ) -> Chart {
    let rowHeight = 26.0
    let top = reference == nil ? 8.0 : 24.0
    let labelWidth = min(200, width * 0.3)
    let valueWidth = min(120, max(72, width * 0.2))
    let labelCharacters = Int(labelWidth / 7.4)
    let height = top + rowHeight * Double(max(data.count, 1)) + 8
    let plotLeft = labelWidth + 8
    let plotRight = width - valueWidth
    var values: [Double] = [0]
    for datum in data { values += [datum.value, datum.low ?? datum.value, datum.high ?? datum.value] }
    if let reference { values.append(reference.value) }
    let lower: Double = values.min() ?? 0
    let upper: Double = values.max() ?? 0
    let span: Double = upper - lower > 0 ? upper - lower : 1
    func x(_ value: Double) -> Double { plotLeft + (value - lower) / span * (plotRight - plotLeft) }
    var body =
      "<line class=\"axis\" x1=\"\(Self.n(x(0)))\" x2=\"\(Self.n(x(0)))\" y1=\"\(Self.n(top - 4))\" "
      + "y2=\"\(Self.n(height - 4))\" stroke=\"#767676\"/>"
    for (index, datum) in data.enumerated() {
      let y = top + Double(index) * rowHeight
      let from = min(x(0), x(datum.value))
      let barWidth = abs(x(datum.value) - x(0))
      var text = format.text(datum.value, style: style)
      if let low = datum.low, let high = datum.high {
        text += " (\(format.text(low, style: style)) to \(format.text(high, style: style)))"
      }
      let shown = format.text(datum.value, style: style) + (datum.note.map { " \($0)" } ?? "")
      body +=
        "<text x=\"\(Self.n(labelWidth))\" y=\"\(Self.n(y + rowHeight / 2 + 4))\" text-anchor=\"end\" class=\"tick\">"
        + "\(HTML.escape(Self.truncate(datum.label, labelCharacters)))</text>"
        + "<rect class=\"mark bar\(datum.highlighted ? " hl" : "")\" x=\"\(Self.n(from))\" y=\"\(Self.n(y + 5))\" "
        + "width=\"\(Self.n(max(barWidth, 1)))\" height=\"\(Self.n(rowHeight - 10))\" "
        + "fill=\"\(datum.highlighted ? "url(#\(id)-hatch)" : Self.barColour)\" stroke=\"\(Self.barColour)\">"
        + "<title>\(HTML.escape(datum.label)): \(HTML.escape(text))</title></rect>"
      if let low = datum.low, let high = datum.high {
        let middle = y + rowHeight / 2
        body +=
          "<path class=\"whisker\" stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\" d=\"M\(Self.n(x(low))),"
          + "\(Self.n(middle))H\(Self.n(x(high)))M\(Self.n(x(low))),\(Self.n(middle - 5))v10M\(Self.n(x(high))),"
          + "\(Self.n(middle - 5))v10\"/>"
      }
      body +=
        "<text x=\"\(Self.n(plotRight + 6))\" y=\"\(Self.n(y + rowHeight / 2 + 4))\" class=\"value\">"
        + "\(HTML.escape(shown))</text>"
    }
    if let reference {
      let position = x(reference.value)
      body +=
        "<line class=\"ref\" x1=\"\(Self.n(position))\" x2=\"\(Self.n(position))\" y1=\"\(Self.n(top - 6))\" "
        + "y2=\"\(Self.n(height - 4))\" stroke=\"#b3261e\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
        + "<text x=\"\(Self.n(position))\" y=\"12\" text-anchor=\"middle\" class=\"ref-label\">"
        + "\(HTML.escape(reference.label))</text>"
    }
    var rows = data
    if let reference { rows.append(ChartDatum(reference.label, reference.value, note: "reference line")) }
    return Chart(
      id: id, title: title,
      svg: svg(id: id, height: height, title: title, summary: summary, marks: data.count, body: body),
      table: table(rows, labelName: labelName, valueName: valueName, format: format), marks: data.count)
  }

  // MARK: - Network

  /// A graph of the strongest pairs: nodes on a circle, edges as lines whose width grows with their weight.
  /// - Parameters:
  ///   - id: fragment id, unique on the page.
  ///   - title: caption and SVG title.
  ///   - summary: what the chart shows, in one sentence.
  ///   - nodes: the nodes (at most about 16 stay readable).
  ///   - edges: the edges between node keys; unknown keys are skipped.
  ///   - format: how edge weights are written.
  /// - Returns: the chart (one mark per edge drawn).
  /// - Complexity: O(nodes + edges).
  public func network(
    id: String, title: String, summary: String, nodes: [GraphNode], edges: [GraphEdge], format: ValueFormat = .short
  ) -> Chart {
    var wide = self
    wide.width = max(width, 760)
    return wide.drawNetwork(id: id, title: title, summary: summary, nodes: nodes, edges: edges, format: format)
  }

  private func drawNetwork(
    id: String, title: String, summary: String, nodes: [GraphNode], edges: [GraphEdge], format: ValueFormat
  ) -> Chart {
    let height = 440.0
    let centreX = width / 2
    let centreY = height / 2
    let radius = 150.0
    var positions: [String: (x: Double, y: Double)] = [:]
    for (index, node) in nodes.enumerated() {
      let angle = -Double.pi / 2 + 2 * Double.pi * Double(index) / Double(max(nodes.count, 1))
      positions[node.key] = (centreX + radius * cos(angle), centreY + radius * sin(angle))
    }
    let weights = edges.map(\.weight)
    let low = weights.min() ?? 0
    let high = weights.max() ?? 1
    let maxNode = nodes.map(\.weight).max() ?? 1
    let names = Dictionary(nodes.map { ($0.key, $0.label) }, uniquingKeysWith: { first, _ in first })
    var body = ""
    var drawn: [GraphEdge] = []
    for edge in edges {
      guard let a = positions[edge.from], let b = positions[edge.to] else { continue }
      drawn.append(edge)
      let strength = high > low ? (edge.weight - low) / (high - low) : 1
      let label =
        "\(names[edge.from] ?? edge.from) + \(names[edge.to] ?? edge.to): \(format.text(edge.weight, style: style))"
      body +=
        "<line class=\"mark edge\" x1=\"\(Self.n(a.x))\" y1=\"\(Self.n(a.y))\" x2=\"\(Self.n(b.x))\" "
        + "y2=\"\(Self.n(b.y))\" stroke=\"\(Self.barColour)\" stroke-opacity=\"0.7\" "
        + "stroke-width=\"\(Self.n(1 + 6 * strength))\"><title>\(HTML.escape(label))</title></line>"
    }
    for node in nodes {
      guard let point = positions[node.key] else { continue }
      let size = 4 + 8 * sqrt(max(node.weight, 0) / max(maxNode, 1e-9))
      let anchor = point.x < centreX - 1 ? "end" : (point.x > centreX + 1 ? "start" : "middle")
      let dx = anchor == "end" ? -(size + 4) : (anchor == "start" ? size + 4 : 0)
      let dy = anchor == "middle" ? (point.y < centreY ? -(size + 4) : size + 12) : 4
      body +=
        "<circle class=\"node\" cx=\"\(Self.n(point.x))\" cy=\"\(Self.n(point.y))\" r=\"\(Self.n(size))\" "
        + "fill=\"#fff\" stroke=\"#222\" stroke-width=\"1.5\"><title>\(HTML.escape(node.label))</title></circle>"
        + "<text x=\"\(Self.n(point.x + dx))\" y=\"\(Self.n(point.y + dy))\" text-anchor=\"\(anchor)\" class=\"tick\">"
        + "\(HTML.escape(Self.truncate(node.label, 26)))</text>"
    }
    var rows = "<table><thead><tr><th scope=\"col\">item</th><th scope=\"col\">item</th>"
    rows += "<th scope=\"col\" class=\"num\">strength</th><th scope=\"col\" class=\"num\">orders together</th>"
    rows += "</tr></thead><tbody>"
    for edge in drawn {
      rows +=
        "<tr><td>\(HTML.escape(names[edge.from] ?? edge.from))</td><td>\(HTML.escape(names[edge.to] ?? edge.to))</td>"
      rows += "<td class=\"num\">\(HTML.escape(format.text(edge.weight, style: style)))</td>"
      rows += "<td class=\"num\">\(edge.count.map { style.count($0) } ?? "")</td></tr>"
    }
    rows += "</tbody></table>"
    return Chart(
      id: id, title: title,
      svg: svg(id: id, height: height, title: title, summary: summary, marks: drawn.count, body: body),
      table: rows, marks: drawn.count)
  }

  // MARK: - Pieces

  /// The default mark colour (a blue with 5.9:1 contrast on white).
  static let barColour = "#2f5f98"

  private func svg(id: String, height: Double, title: String, summary: String, marks: Int, body: String) -> String {
    let key = HTML.escape(id)
    return
      "<svg class=\"chart\(width >= 500 ? " wide" : "")\" id=\"\(key)-svg\" "
      + "viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" width=\"100%\" style=\"max-width:\(Int(width * 1.3))px\" "
      + "role=\"img\" aria-labelledby=\"\(key)-title \(key)-desc\" data-marks=\"\(marks)\" "
      + "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
      + "<title id=\"\(key)-title\">\(HTML.escape(title))</title><desc id=\"\(key)-desc\">\(HTML.escape(summary))</desc>"
      + "<defs><pattern id=\"\(key)-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
      + "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
      + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"\(Self.barColour)\" stroke-width=\"3\"/></pattern></defs>"
      + body + "</svg>"
  }

  private func axisY(
    left: Double, right: Double, top: Double, bottom: Double, max: Double, format: ValueFormat
  )
    -> String
  {
    var body = ""
    for step in 0...4 {
      let value = max * Double(step) / 4
      let y = bottom - (bottom - top) * Double(step) / 4
      body +=
        "<line class=\"grid\" x1=\"\(Self.n(left))\" x2=\"\(Self.n(right))\" y1=\"\(Self.n(y))\" y2=\"\(Self.n(y))\" "
        + "stroke=\"#d0d0d0\"/><text x=\"\(Self.n(left - 6))\" y=\"\(Self.n(y + 4))\" text-anchor=\"end\" "
        + "class=\"tick\">\(HTML.escape(format.text(value, style: style)))</text>"
    }
    return body
  }

  private func table(_ data: [ChartDatum], labelName: String, valueName: String, format: ValueFormat) -> String {
    let intervals = data.contains { $0.low != nil && $0.high != nil }
    let notes = data.contains { $0.note != nil }
    var html = "<table><thead><tr><th scope=\"col\">\(HTML.escape(labelName))</th>"
    html += "<th scope=\"col\" class=\"num\">\(HTML.escape(valueName))</th>"
    if intervals { html += "<th scope=\"col\" class=\"num\">interval</th>" }
    if notes { html += "<th scope=\"col\">note</th>" }
    html += "</tr></thead><tbody>"
    for datum in data {
      html += "<tr><th scope=\"row\">\(HTML.escape(datum.label))</th>"
      html += "<td class=\"num\">\(HTML.escape(format.text(datum.value, style: style)))</td>"
      if intervals {
        let interval = datum.low.flatMap { low in
          datum.high.map { "\(format.text(low, style: style)) to \(format.text($0, style: style))" }
        }
        html += "<td class=\"num\">\(HTML.escape(interval ?? ""))</td>"
      }
      if notes { html += "<td>\(HTML.escape(datum.note ?? ""))</td>" }
      html += "</tr>"
    }
    return html + "</tbody></table>"
  }

  /// The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `value` (1 for 0), so axis ticks are round.
  static func niceCeiling(_ value: Double) -> Double {
    guard value > 0, value.isFinite else { return 1 }
    let magnitude = pow(10, floor(log10(value)))
    for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= value * (1 - 1e-12) {
      return factor * magnitude
    }
    return 10 * magnitude
  }

  /// A coordinate with at most one decimal.
  static func n(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let tenths = Int((value * 10).rounded())
    let sign = tenths < 0 ? "-" : ""
    let magnitude = abs(tenths)
    return magnitude % 10 == 0 ? sign + String(magnitude / 10) : sign + "\(magnitude / 10).\(magnitude % 10)"
  }

  /// Text cut to `limit` characters with an ellipsis.
  static func truncate(_ text: String, _ limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
  }
}
