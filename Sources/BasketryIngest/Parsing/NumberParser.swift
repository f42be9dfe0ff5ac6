/// Parses numbers from raw UTF-8 bytes without making strings.
enum NumberParser {
  private static let powersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
  }

  /// Trims ASCII spaces and tabs from both ends.
  @inline(__always) static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var start = 0
    var end = bytes.count
    while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
    while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
    return UnsafeBufferPointer(rebasing: bytes[start..<end])
  }

  /// A decimal number (`-12`, `3.50`, `1e3`, `.5`), surrounding blanks allowed; `nil` if malformed,
  /// empty or out of range (`1e400`). `inf`/`nan`/hex forms are rejected.
  ///
  /// Short inputs (≤ 15 significant digits, no exponent) take Clinger's exact fast path
  /// (integer mantissa divided by an exact power of ten, correctly rounded); others fall back to
  /// the standard library's correctly rounded parser.
  static func double(_ raw: UnsafeBufferPointer<UInt8>) -> Double? {
    let bytes = trimmed(raw)
    let count = bytes.count
    if count == 0 { return nil }
    var i = 0
    var negative = false
    if bytes[0] == 0x2D || bytes[0] == 0x2B {
      negative = bytes[0] == 0x2D
      i = 1
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var fractionDigits = 0
    var sawDigit = false
    while i < count, bytes[i] &- 0x30 < 10 {
      mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30)
      if mantissa != 0 { digits += 1 }
      sawDigit = true
      i += 1
    }
    if i < count && bytes[i] == 0x2E {
      i += 1
      while i < count, bytes[i] &- 0x30 < 10 {
        mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30)
        if mantissa != 0 { digits += 1 }
        fractionDigits += 1
        sawDigit = true
        i += 1
      }
    }
    if !sawDigit { return nil }
    if i == count && digits <= 15 && fractionDigits <= 22 {
      let value = Double(mantissa) / powersOfTen[fractionDigits]
      return negative ? -value : value
    }
    // Slow path: exponent or many digits; validate the characters first.
    for byte in bytes {
      let ok = (byte &- 0x30 < 10) || byte == 0x2E || byte == 0x2D || byte == 0x2B || byte == 0x65 || byte == 0x45
      if !ok { return nil }
    }
    guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
    return value
  }

  /// An integer (`42`, `-7`, also `3.0`), surrounding blanks allowed; `nil` if malformed, empty,
  /// fractional or out of range.
  static func int(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
    let bytes = trimmed(raw)
    let count = bytes.count
    if count == 0 { return nil }
    var i = 0
    var negative = false
    if bytes[0] == 0x2D || bytes[0] == 0x2B {
      negative = bytes[0] == 0x2D
      i = 1
    }
    if i == count { return nil }
    var value: Int64 = 0
    var sawDigit = false
    while i < count, bytes[i] &- 0x30 < 10 {
      let (times, o1) = value.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times.addingReportingOverflow(Int64(bytes[i] &- 0x30))
      if o1 || o2 { return nil }
      value = sum
      sawDigit = true
      i += 1
    }
    if !sawDigit { return nil }
    if i < count {
      // Allow a zero fraction such as "3.0" (pandas writes integer columns with NaN that way).
      guard bytes[i] == 0x2E else { return nil }
      i += 1
      while i < count {
        if bytes[i] != 0x30 { return nil }
        i += 1
      }
    }
    return negative ? -value : value
  }
}
