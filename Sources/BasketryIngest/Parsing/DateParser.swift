/// A fast, allocation-free parser of the timestamps found in shop exports, to Unix seconds.
///
/// Accepted forms (surrounding blanks allowed):
/// - ISO: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS`, with `T` instead of the space, an
///   optional fraction of a second and an optional zone `Z`, `±HH`, `±HHMM` or `±HH:MM`;
/// - slash dates `a/b/YYYY` with an optional `H:MM` or `H:MM:SS`, optional `AM`/`PM` and an optional
///   zone as above: month/day (``DateFormat/mdy``, the UCI Excel export) or day/month
///   (``DateFormat/dmy``);
/// - Unix time as a plain number: seconds, or milliseconds when its magnitude is ≥ 10¹¹ (later than
///   the year 5138 in seconds).
///
/// Times without a zone are taken as UTC (the UCI file's UK local time is therefore read as UTC).
/// Which forms a column may hold is set by ``DateFormat``; the ingest decides the order of slash dates
/// for a whole input in ``DateFormat/auto`` mode (see there).
public enum DateParser {
  /// Parses `text` in the given format; `nil` when it is not in that form or names an impossible date.
  ///
  /// In ``DateFormat/auto`` mode a single value cannot see the rest of its file, so `a/b/YYYY` is read
  /// as month/day unless `a > 12`, in which case it can only be day/month. The ingest does better: it
  /// decides the order once for the whole input (``DateFormat/auto``).
  /// - Parameters:
  ///   - text: the field's text.
  ///   - format: the accepted forms; default ``DateFormat/auto`` (all of them).
  /// - Returns: Unix seconds, or `nil`.
  /// - Complexity: O(length of `text`).
  public static func parse(_ text: String, format: DateFormat = .auto) -> Int64? {
    var copy = text
    return copy.withUTF8 { parse($0, format: format) }
  }

  /// Parses raw UTF-8 bytes in the given format; `nil` when they are not in that form.
  /// - Parameters:
  ///   - raw: the field's bytes.
  ///   - format: the accepted forms; default ``DateFormat/auto`` (all of them; see the `String` overload).
  /// - Returns: Unix seconds, or `nil`.
  /// - Complexity: O(`raw.count`).
  public static func parse(_ raw: UnsafeBufferPointer<UInt8>, format: DateFormat = .auto) -> Int64? {
    guard let fields = fields(raw) else { return nil }
    switch (fields.layout, format) {
    case (.unix, .auto), (.unix, .unix): return fields.unixSeconds
    case (.iso, .auto), (.iso, .iso): return fields.epoch(dayFirst: false)
    case (.slash, .mdy): return fields.epoch(dayFirst: false)
    case (.slash, .dmy): return fields.epoch(dayFirst: true)
    case (.slash, .auto): return fields.epoch(dayFirst: fields.first > 12)
    default: return nil
    }
  }

  /// Splits a timestamp into its written parts without deciding the order of a slash date's numbers.
  /// - Returns: the parts, or `nil` when the bytes are in none of the accepted layouts (a slash date's
  ///   day and month are checked later by ``DateFields/epoch(dayFirst:)``).
  /// - Complexity: O(`raw.count`).
  static func fields(_ raw: UnsafeBufferPointer<UInt8>) -> DateFields? {
    let b = NumberParser.trimmed(raw)
    let n = b.count
    if n == 0 { return nil }
    // Unix time: only digits, an optional sign and an optional fraction.
    var numeric = true
    for (index, byte) in b.enumerated() where !(byte &- 0x30 < 10 || byte == 0x2E) {
      if index == 0 && (byte == 0x2D || byte == 0x2B) { continue }
      numeric = false
      break
    }
    if numeric {
      guard let value = NumberParser.double(b), value.isFinite else { return nil }
      let seconds = abs(value) >= 1e11 ? value / 1000 : value
      guard abs(seconds) < 1e13 else { return nil }
      return DateFields(
        layout: .unix, first: 0, second: 0, year: 0, clockSeconds: 0, unixSeconds: Int64(seconds.rounded(.down)))
    }
    var i = 0
    @inline(__always) func number(maxDigits: Int) -> Int? {
      var value = 0
      var digits = 0
      while i < n, digits < maxDigits, b[i] &- 0x30 < 10 {
        value = value * 10 + Int(b[i] &- 0x30)
        digits += 1
        i += 1
      }
      return digits == 0 ? nil : value
    }
    guard let leading = number(maxDigits: 4), i < n else { return nil }
    let layout: DateFields.Layout
    let year: Int
    let first: Int
    let second: Int
    if b[i] == 0x2D {
      // ISO: YYYY-MM-DD
      guard i == 4 else { return nil }
      layout = .iso
      year = leading
      i += 1
      guard let m = number(maxDigits: 2), i < n, b[i] == 0x2D else { return nil }
      i += 1
      guard let d = number(maxDigits: 2) else { return nil }
      first = m
      second = d
    } else if b[i] == 0x2F {
      // a/b/YYYY
      guard i <= 2 else { return nil }
      layout = .slash
      i += 1
      guard let b2 = number(maxDigits: 2), i < n, b[i] == 0x2F else { return nil }
      i += 1
      let start = i
      guard let y = number(maxDigits: 4), i - start == 4 else { return nil }
      year = y
      first = leading
      second = b2
    } else {
      return nil
    }
    var seconds = 0
    var offset = 0
    if i < n {
      guard b[i] == 0x20 || b[i] == 0x54 || b[i] == 0x74 else { return nil }
      i += 1
      while i < n && b[i] == 0x20 { i += 1 }
      guard let hour = number(maxDigits: 2), i < n, b[i] == 0x3A else { return nil }
      i += 1
      guard let minute = number(maxDigits: 2) else { return nil }
      var second = 0
      if i < n && b[i] == 0x3A {
        i += 1
        guard let s = number(maxDigits: 2) else { return nil }
        second = s
        if i < n && (b[i] == 0x2E || b[i] == 0x2C) {
          i += 1
          while i < n && b[i] &- 0x30 < 10 { i += 1 }
        }
      }
      var hour24 = hour
      while i < n && b[i] == 0x20 { i += 1 }
      if i + 1 < n && (b[i] | 0x20 == 0x61 || b[i] | 0x20 == 0x70) && b[i + 1] | 0x20 == 0x6D {
        // AM / PM
        guard hour >= 1, hour <= 12 else { return nil }
        let pm = b[i] | 0x20 == 0x70
        hour24 = hour % 12 + (pm ? 12 : 0)
        i += 2
      }
      guard hour24 <= 23 || (hour24 == 24 && minute == 0 && second == 0), minute <= 59, second <= 60 else {
        return nil
      }
      seconds = hour24 * 3600 + minute * 60 + second
      while i < n && b[i] == 0x20 { i += 1 }
      if i < n {
        if b[i] == 0x5A || b[i] == 0x7A {
          i += 1
        } else if b[i] == 0x2B || b[i] == 0x2D {
          let sign = b[i] == 0x2D ? -1 : 1
          i += 1
          let start = i
          guard let zone = number(maxDigits: 4) else { return nil }
          var zoneHours = zone
          var zoneMinutes = 0
          if i - start == 4 {
            zoneHours = zone / 100
            zoneMinutes = zone % 100
          } else if i - start == 2, i < n, b[i] == 0x3A {
            i += 1
            guard let m = number(maxDigits: 2) else { return nil }
            zoneMinutes = m
          } else if i - start != 2 && i - start != 1 {
            return nil
          }
          guard zoneHours <= 18, zoneMinutes <= 59 else { return nil }
          offset = sign * (zoneHours * 3600 + zoneMinutes * 60)
        } else {
          return nil
        }
      }
    }
    guard i == n else { return nil }
    return DateFields(
      layout: layout, first: first, second: second, year: year, clockSeconds: seconds - offset, unixSeconds: 0)
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
  public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
  static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// `YYYY-MM-DD` of a Unix time (UTC).
  static func isoDay(_ seconds: Int64) -> String {
    let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    let (year, month, day) = civilFromDays(days)
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
    return "\(year)-\(two(month))-\(two(day))"
  }

  static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}

/// The parts of a timestamp as written, before the order of a slash date's numbers is decided.
struct DateFields {
  /// How the date part was written.
  enum Layout: UInt8 {
    /// `YYYY-MM-DD…`: ``DateFields/first`` is the month, ``DateFields/second`` the day.
    case iso
    /// `a/b/YYYY…`: ``DateFields/first`` is `a`, ``DateFields/second`` is `b`.
    case slash
    /// A plain number: ``DateFields/unixSeconds``.
    case unix
  }

  var layout: Layout
  var first: Int
  var second: Int
  var year: Int
  /// Seconds since midnight minus the zone offset (may be negative or exceed a day).
  var clockSeconds: Int
  /// The Unix time of a ``Layout/unix`` value.
  var unixSeconds: Int64

  /// Whether both orders of a slash date name a real date (so the value alone cannot decide).
  var isAmbiguous: Bool { layout == .slash && first <= 12 && second <= 12 && first >= 1 && second >= 1 }

  /// Unix seconds with `first`/`second` read as day/month (`dayFirst`) or month/day; `nil` for an
  /// impossible date.
  /// - Complexity: O(1).
  @inline(__always) func epoch(dayFirst: Bool) -> Int64? {
    if layout == .unix { return unixSeconds }
    let month = dayFirst ? second : first
    let day = dayFirst ? first : second
    guard month >= 1, month <= 12, day >= 1, day <= DateParser.daysInMonth(year: year, month: month) else {
      return nil
    }
    return Int64(DateParser.daysFromCivil(year: year, month: month, day: day)) * 86_400 + Int64(clockSeconds)
  }
}
