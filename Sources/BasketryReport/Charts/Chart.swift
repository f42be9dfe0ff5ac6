/// One value of a chart: a bar, a point of a series, or a row of horizontal bars.
public struct ChartDatum: Sendable, Hashable {
  /// What the value is (a category, a bin, a date, a model name).
  public var label: String
  /// The value.
  public var value: Double
  /// Lower end of the value's interval (drawn as a whisker), when known.
  public var low: Double?
  /// Upper end of the value's interval, when known.
  public var high: Double?
  /// Drawn hatched and named in ``note`` (a baseline, the chosen model): never by colour alone.
  public var highlighted: Bool
  /// Words shown after the value and in the data table (`baseline`, `chosen`).
  public var note: String?

  /// Creates a datum.
  /// - Parameters:
  ///   - label: what the value is.
  ///   - value: the value.
  ///   - low: lower end of its interval.
  ///   - high: upper end of its interval.
  ///   - highlighted: whether to set it apart (hatched, with `note`).
  ///   - note: words shown after the value.
  public init(
    _ label: String, _ value: Double, low: Double? = nil, high: Double? = nil, highlighted: Bool = false,
    note: String? = nil
  ) {
    self.label = label
    self.value = value
    self.low = low
    self.high = high
    self.highlighted = highlighted
    self.note = note
  }
}

/// A labelled vertical line across horizontal bars (a baseline such as popularity, or "unit elastic").
public struct ReferenceLine: Sendable, Hashable {
  /// Where the line is, in the bars' units.
  public var value: Double
  /// What it marks, written next to it.
  public var label: String

  /// Creates a reference line.
  public init(value: Double, label: String) {
    self.value = value
    self.label = label
  }
}

/// A histogram bin: the values in `lower…upper` and how many there were.
public struct HistogramBin: Sendable, Hashable {
  /// Smallest value in the bin.
  public var lower: Int
  /// Largest value in the bin (equal to ``lower`` for a one-value bin).
  public var upper: Int
  /// How many observations fell in it.
  public var count: Int

  /// Creates a bin.
  public init(lower: Int, upper: Int, count: Int) {
    self.lower = lower
    self.upper = upper
    self.count = count
  }

  /// `3`, `4–7`, or `100+` for the open last bin.
  public var label: String {
    if upper == Int.max { return "\(lower)+" }
    return lower == upper ? "\(lower)" : "\(lower)–\(upper)"
  }
}

/// A node of a ``ChartKit/network(id:title:summary:nodes:edges:format:)`` graph.
public struct GraphNode: Sendable, Hashable {
  /// Stable key that edges refer to.
  public var key: String
  /// Text written next to the node.
  public var label: String
  /// Size of the node (e.g. orders with the item); scaled to the radius.
  public var weight: Double

  /// Creates a node.
  public init(key: String, label: String, weight: Double) {
    self.key = key
    self.label = label
    self.weight = weight
  }
}

/// An edge of a network graph between two ``GraphNode`` keys.
public struct GraphEdge: Sendable, Hashable {
  /// One end's key.
  public var from: String
  /// The other end's key.
  public var to: String
  /// Strength (e.g. lift); scaled to the stroke width and written in the data table.
  public var weight: Double
  /// A second number for the data table (e.g. orders together).
  public var count: Int?

  /// Creates an edge.
  public init(from: String, to: String, weight: Double, count: Int? = nil) {
    self.from = from
    self.to = to
    self.weight = weight
    self.count = count
  }
}

/// How a chart writes its values.
public enum ValueFormat: Sendable, Hashable {
  /// Grouped whole numbers.
  case count
  /// Money with two decimals.
  case money
  /// Whole money for large totals.
  case wholeMoney
  /// A fraction as a percentage.
  case percent
  /// A fixed number of decimals.
  case decimal(Int)
  /// About three significant digits.
  case short

  /// The value as text in `style`.
  public func text(_ value: Double, style: NumberStyle) -> String {
    switch self {
    case .count: style.count(Int(value.rounded()))
    case .money: style.money(value)
    case .wholeMoney: style.wholeMoney(value)
    case .percent: style.percent(value, decimals: abs(value) < 0.1 && value != 0 ? 1 : 0)
    case .decimal(let places): style.decimal(value, places)
    case .short: style.short(value)
    }
  }
}

/// A rendered chart: an accessible inline SVG and the same numbers as an HTML table.
///
/// The SVG has `role="img"`, a `<title>` and a `<desc>` that states the numbers in words; every data mark
/// has the class `mark` and the root carries `data-marks` with their count (browser tests read it). The table
/// is the text alternative for screen readers and for anyone who wants the exact numbers.
public struct Chart: Sendable, Hashable {
  /// Fragment id of the chart (unique on the page).
  public var id: String
  /// Short caption.
  public var title: String
  /// The SVG element.
  public var svg: String
  /// The data as an HTML `<table>`.
  public var table: String
  /// Number of data marks drawn (bars, points, edges).
  public var marks: Int

  /// The chart as a `<figure>`: caption, SVG, and the table behind a "Show the numbers" toggle.
  public var html: String {
    """
    <figure class="chart-figure" id="\(HTML.escape(id))"><figcaption>\(HTML.escape(title))</figcaption>\
    \(svg)<details class="chart-data"><summary>Show the numbers</summary>\(table)</details></figure>
    """
  }
}
