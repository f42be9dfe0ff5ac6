import BasketryCore

/// Which written forms a date column holds (`--date-format`).
///
/// ``auto`` (the default) accepts ISO dates, Unix seconds and slash dates, and decides the order of
/// slash dates (`a/b/YYYY`) once for the whole input: the first value with `a > 12` makes it
/// day/month, the first with `b > 12` month/day; a later value that contradicts the decision is a bad
/// row. When every slash date read fits both orders (day and month ≤ 12) the ingest stops with an
/// error naming the first such value and asking for ``mdy`` or ``dmy`` — except for the
/// `online-retail` format, whose UCI export is known to be month/day (said in the report's notes).
public enum DateFormat: String, CaseIterable, Sendable, Hashable {
  /// ISO, Unix seconds or slash dates; the slash order is detected from the input.
  case auto
  /// `YYYY-MM-DD` with an optional time (`T` or a space) and zone.
  case iso
  /// `M/D/YYYY` with an optional `H:MM[:SS]`, `AM`/`PM` and zone.
  case mdy
  /// `D/M/YYYY` with an optional `H:MM[:SS]`, `AM`/`PM` and zone.
  case dmy
  /// Unix seconds (milliseconds when ≥ 10¹¹), possibly fractional.
  case unix

  /// How the format is written for a person (`M/D/YYYY`, …).
  var label: String {
    switch self {
    case .auto: "a date"
    case .iso: "an ISO date (YYYY-MM-DD[ HH:MM[:SS]])"
    case .mdy: "an M/D/YYYY date"
    case .dmy: "a D/M/YYYY date"
    case .unix: "a Unix time in seconds"
    }
  }
}

/// Reads the date fields of one ingest, deciding the order of slash dates for the whole input in
/// ``DateFormat/auto`` mode.
///
/// Values read before the order is known are taken as month/day and remembered (row and day/month
/// reading); when a later value proves the order is day/month those rows are corrected, and when the
/// input ends undecided ``finish(inputFormat:table:notes:)`` throws or, for `online-retail`, keeps month/day.
struct DateReader {
  let format: DateFormat
  /// The decided order of slash dates in `auto` mode: `true` for day/month.
  private(set) var dayFirst: Bool?
  /// Where the order was decided.
  private(set) var decidedAt: SourceLocation?
  /// Rows read as month/day before the order was known, with their day/month reading.
  private var pendingRows: [Int] = []
  private var pendingDayFirst: [Int64] = []
  /// The first undecidable value, for the error.
  private var firstAmbiguous: (location: SourceLocation, text: String)?

  init(format: DateFormat) {
    self.format = format
  }

  /// Parses one date field.
  /// - Parameters:
  ///   - raw: the field's bytes (not empty).
  ///   - row: the index the line will have in the ``LineTable`` if it is kept.
  ///   - location: file, line and field, for errors.
  /// - Returns: Unix seconds and, for a value whose order is not known yet, its day/month reading to
  ///   pass to ``remember(row:dayFirst:location:raw:)`` once the line is appended.
  /// - Throws: ``IngestError`` naming file, line and field when the value is not in the format (or
  ///   contradicts the detected order).
  /// - Complexity: O(`raw.count`).
  @inline(__always)
  mutating func read(
    _ raw: UnsafeBufferPointer<UInt8>, location: @autoclosure () -> SourceLocation
  ) throws -> (
    time: Int64, dayFirst: Int64?
  ) {
    guard let fields = DateParser.fields(raw) else { throw notADate(raw, location()) }
    let value: Int64?
    var alternative: Int64? = nil
    switch (fields.layout, format) {
    case (.iso, .auto), (.iso, .iso), (.unix, .auto), (.unix, .unix): value = fields.epoch(dayFirst: false)
    case (.slash, .mdy): value = fields.epoch(dayFirst: false)
    case (.slash, .dmy): value = fields.epoch(dayFirst: true)
    case (.slash, .auto):
      if let dayFirst {
        value = fields.epoch(dayFirst: dayFirst)
        if value == nil { throw contradicts(raw, location(), dayFirst: dayFirst) }
      } else if fields.isAmbiguous {
        value = fields.epoch(dayFirst: false)
        alternative = fields.epoch(dayFirst: true)
      } else {
        // Decide: a > 12 can only be a day, b > 12 only a day.
        let decided = fields.first > 12
        guard let parsed = fields.epoch(dayFirst: decided) else { throw notADate(raw, location()) }
        dayFirst = decided
        decidedAt = location()
        value = parsed
      }
    default: value = nil
    }
    guard let value else { throw notADate(raw, location()) }
    return (value, alternative)
  }

  /// Remembers a line read before the slash order was known; call right after appending it.
  /// - Parameters:
  ///   - row: the line's index in the table.
  ///   - dayFirst: its day/month reading from ``read(_:location:)``.
  ///   - location: file, line and field (kept for the first such value only).
  ///   - raw: the field's bytes (kept for the first such value only).
  mutating func remember(
    row: Int, dayFirst: Int64, location: @autoclosure () -> SourceLocation,
    raw: @autoclosure () -> String
  ) {
    if firstAmbiguous == nil { firstAmbiguous = (location(), raw()) }
    pendingRows.append(row)
    pendingDayFirst.append(dayFirst)
  }

  /// Applies the decided order to the remembered lines once reading is done.
  /// - Parameters:
  ///   - inputFormat: the format read (`online-retail` keeps month/day when undecided).
  ///   - table: the lines, whose times are corrected for a day/month input.
  ///   - notes: the report's notes.
  /// - Throws: ``IngestError`` at the first ambiguous value when the order could not be decided.
  /// - Complexity: O(number of lines read before the decision).
  mutating func finish(inputFormat: InputFormat, table: inout LineTable, notes: inout [String]) throws {
    if let dayFirst { notes.append(dayFirstNote(dayFirst)) }
    guard !pendingRows.isEmpty else { return }
    defer {
      pendingRows = []
      pendingDayFirst = []
    }
    switch dayFirst {
    case .some(true):
      for (k, row) in pendingRows.enumerated() where row < table.count { table.time[row] = pendingDayFirst[k] }
    case .some(false):
      break
    case .none:
      if inputFormat == .onlineRetail {
        notes.append(
          "Every slash date fits both M/D/YYYY and D/M/YYYY; read as M/D/YYYY, the UCI Online Retail export's order "
            + "(set --date-format dmy if that is wrong).")
        return
      }
      let first = firstAmbiguous
      throw IngestError(
        first?.location ?? SourceLocation(file: "<input>"),
        "ambiguous date '\(first?.text ?? "")': every slash date read has day and month ≤ 12, so M/D/YYYY and "
          + "D/M/YYYY both fit; set --date-format mdy or --date-format dmy")
    }
  }

  private func dayFirstNote(_ dayFirst: Bool) -> String {
    let decided = decidedAt.map { ", decided at \($0)" } ?? ""
    return "Slash dates read as \(dayFirst ? "D/M/YYYY" : "M/D/YYYY")\(decided); --date-format sets it."
  }

  private func notADate(_ raw: UnsafeBufferPointer<UInt8>, _ location: SourceLocation) -> IngestError {
    let text = String(decoding: raw.prefix(40), as: UTF8.self)
    if format == .auto { return IngestError(location, "not a date: '\(text)'") }
    return IngestError(location, "not \(format.label): '\(text)' (--date-format \(format.rawValue))")
  }

  private func contradicts(
    _ raw: UnsafeBufferPointer<UInt8>, _ location: SourceLocation, dayFirst: Bool
  )
    -> IngestError
  {
    let text = String(decoding: raw.prefix(40), as: UTF8.self)
    let order = dayFirst ? "D/M/YYYY" : "M/D/YYYY"
    let decided = decidedAt.map { " at \($0)" } ?? ""
    return IngestError(
      location,
      "'\(text)' is not a \(order) date, the order detected\(decided); set --date-format mdy or dmy")
  }
}
