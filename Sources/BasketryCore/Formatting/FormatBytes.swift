/// A byte count for people to read, in binary units with up to three significant digits:
/// 1536 → "1.5 KiB", 1610612736 → "1.5 GiB", 512 → "512 B".
public func formatBytes(_ value: Int) -> String {
  let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
  var scaled = Double(value.magnitude)
  var unit = 0
  while scaled >= 1024 && unit < units.count - 1 {
    scaled /= 1024
    unit += 1
  }
  let sign = value < 0 ? "-" : ""
  if unit == 0 { return "\(sign)\(value.magnitude) B" }
  let decimals = scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2
  var text = String(scaled.rounded(toPlaces: decimals))
  if text.hasSuffix(".0") { text.removeLast(2) }
  return "\(sign)\(text) \(units[unit])"
}

extension Double {
  /// The value rounded to `places` decimals, trailing zeros dropped by `String(_:)`.
  fileprivate func rounded(toPlaces places: Int) -> Double {
    var factor = 1.0
    for _ in 0..<places { factor *= 10 }
    return (self * factor).rounded() / factor
  }
}
