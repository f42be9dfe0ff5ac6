/// One section of a page: a heading, an optional lead sentence, and its HTML body.
public struct ReportSection: Sendable, Hashable {
  /// Fragment id (`data`, `bundles`); also the section's `data-section` attribute.
  public var id: String
  /// Heading.
  public var title: String
  /// One plain sentence under the heading (empty for none).
  public var lead: String
  /// The body: trusted HTML built with ``HTML/escape(_:)``, ``ChartKit`` and ``SortableTable``.
  public var body: String

  /// Creates a section.
  /// - Parameters:
  ///   - id: fragment id, unique on the page.
  ///   - title: heading.
  ///   - lead: one plain sentence under the heading.
  ///   - body: trusted HTML.
  public init(id: String, title: String, lead: String = "", body: String) {
    self.id = id
    self.title = title
    self.lead = lead
    self.body = body
  }

  /// A section that says what was not computed and how to get it (a muted note, no charts).
  /// - Parameters:
  ///   - id: fragment id.
  ///   - title: heading.
  ///   - message: what is missing and why, in one or two sentences.
  /// - Returns: the section, marked `data-status="not-computed"`.
  public static func notComputed(id: String, title: String, message: String) -> ReportSection {
    ReportSection(
      id: id, title: title,
      body: "<p class=\"not-computed\" data-status=\"not-computed\">\(HTML.escape(message))</p>")
  }
}

/// An HTML table whose columns sort when their heading is clicked or activated by keyboard (Enter or Space on
/// the heading's button); the page shell's script does the sorting and sets `aria-sort`.
public struct SortableTable: Sendable, Hashable {
  /// A column heading.
  public struct Column: Sendable, Hashable {
    /// Heading text.
    public var title: String
    /// Numbers sort numerically and align right.
    public var numeric: Bool
    /// Hover text explaining the column (empty for none).
    public var help: String

    /// Creates a column.
    public init(_ title: String, numeric: Bool = false, help: String = "") {
      self.title = title
      self.numeric = numeric
      self.help = help
    }
  }

  /// A cell: what is shown, and the value it sorts by.
  public struct Cell: Sendable, Hashable {
    /// Shown text.
    public var text: String
    /// Sort key (a number for numeric columns; the text by default).
    public var sortKey: String

    /// A text cell sorted by its text.
    public init(_ text: String) {
      self.text = text
      self.sortKey = text
    }

    /// A numeric cell: `text` shown, sorted by `value`.
    public init(_ text: String, value: Double) {
      self.text = text
      self.sortKey = value.isFinite ? String(value) : (value > 0 ? "1e308" : "-1e308")
    }
  }

  /// Fragment id of the table.
  public var id: String
  /// What the table holds (its `<caption>`).
  public var caption: String
  /// Headings.
  public var columns: [Column]
  /// Rows of cells, one per column.
  public var rows: [[Cell]]
  /// Whether the table scrolls inside a box about 30 rows high (its headings stay in view); printing shows all.
  public var scrolls: Bool

  /// Creates a table.
  public init(id: String, caption: String, columns: [Column], rows: [[Cell]], scrolls: Bool = false) {
    self.id = id
    self.caption = caption
    self.columns = columns
    self.rows = rows
    self.scrolls = scrolls
  }

  /// The table, inside a horizontally scrolling wrapper that can take keyboard focus.
  /// - Complexity: O(cells).
  public var html: String {
    var html =
      "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-labelledby=\"\(HTML.escape(id))-caption\">"
    html += "<table class=\"sortable\" id=\"\(HTML.escape(id))\"><caption id=\"\(HTML.escape(id))-caption\">"
    html += "\(HTML.escape(caption)) <span class=\"hint\">(select a heading to sort)</span></caption><thead><tr>"
    for column in columns {
      let help = column.help.isEmpty ? "" : " title=\"\(HTML.escape(column.help))\""
      html += "<th scope=\"col\"\(column.numeric ? " class=\"num\" data-type=\"number\"" : "")\(help)>"
      html +=
        "<button type=\"button\">\(HTML.escape(column.title))<span class=\"sort-mark\" aria-hidden=\"true\"></span>"
      html += "</button></th>"
    }
    html += "</tr></thead><tbody>"
    for row in rows {
      html += "<tr>"
      for (index, cell) in row.enumerated() {
        let numeric = index < columns.count && columns[index].numeric
        html += "<td\(numeric ? " class=\"num\"" : "") data-sort=\"\(HTML.escape(cell.sortKey))\">"
        html += "\(HTML.escape(cell.text))</td>"
      }
      html += "</tr>"
    }
    return html + "</tbody></table></div>"
  }
}
