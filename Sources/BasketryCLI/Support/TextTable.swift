/// A plain-text table with aligned columns, for terminal output.
struct TextTable {
  enum Alignment { case left, right }

  var headers: [String]
  var alignments: [Alignment]
  var rows: [[String]] = []

  init(_ headers: [String], alignments: [Alignment]? = nil) {
    self.headers = headers
    self.alignments = alignments ?? headers.map { _ in .left }
  }

  mutating func add(_ row: [String]) { rows.append(row) }

  func render() -> String {
    var widths = headers.map(\.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      var parts: [String] = []
      for (i, width) in widths.enumerated() {
        let cell = i < cells.count ? cells[i] : ""
        let pad = String(repeating: " ", count: max(0, width - cell.count))
        parts.append(alignments[i] == .right ? pad + cell : cell + pad)
      }
      var text = parts.joined(separator: "  ")
      while text.last == " " { text.removeLast() }
      return text
    }
    var out = [line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
    out.append(contentsOf: rows.map(line))
    return out.joined(separator: "\n")
  }
}

/// Shortens text to `limit` characters with an ellipsis.
func truncate(_ text: String, _ limit: Int) -> String {
  text.count <= limit ? text : String(text.prefix(max(0, limit - 1))) + "…"
}
