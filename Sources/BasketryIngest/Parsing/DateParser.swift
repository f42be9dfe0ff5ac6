/// A fast, allocation-free parser of the timestamps found in shop exports, to Unix seconds.
///
/// Accepted forms (surrounding blanks allowed):
/// - `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS`, with `T` instead of the space, an
///   optional fraction of a second and an optional zone `Z`, `±HH`, `±HHMM` or `±HH:MM`;
/// - `M/D/YYYY` with an optional `H:MM` or `H:MM:SS` and optional `AM`/`PM` (Excel-style exports of
///   the UCI file). `a/b/YYYY` is read as month/day, as in the UCI export, unless `a > 12`, in which
///   case it can only be day/month;
/// - Unix time as a plain number: seconds, or milliseconds when its magnitude is ≥ 10¹¹ (later than
///   the year 5138 in seconds).
///
/// Times without a zone are taken as UTC (the UCI file's UK local time is therefore read as UTC).
public enum DateParser {
  /// Parses `text`; `nil` when it is not one of the accepted forms or names an impossible date.
  public static func parse(_ text: String) -> Int64? {
    var copy = text
    return copy.withUTF8 { parse($0) }
  }

  /// Parses raw UTF-8 bytes; `nil` when they are not one of the accepted forms.
  public static func parse(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
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
      return Int64(seconds.rounded(.down))
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
    guard let first = number(maxDigits: 4), i < n else { return nil }
    let year: Int
    let month: Int
    let day: Int
    if b[i] == 0x2D {
      // ISO: YYYY-MM-DD
      guard i == 4 else { return nil }
      year = first
      i += 1
      guard let m = number(maxDigits: 2), i < n, b[i] == 0x2D else { return nil }
      i += 1
      guard let d = number(maxDigits: 2) else { return nil }
      month = m
      day = d
    } else if b[i] == 0x2F {
      // a/b/YYYY
      i += 1
      guard let second = number(maxDigits: 2), i < n, b[i] == 0x2F else { return nil }
      i += 1
      let start = i
      guard let y = number(maxDigits: 4), i - start == 4 else { return nil }
      year = y
      if first > 12 {
        day = first
        month = second
      } else {
        month = first
        day = second
      }
    } else {
      return nil
    }
    guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
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
    return Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400 + Int64(seconds - offset)
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

  static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}
