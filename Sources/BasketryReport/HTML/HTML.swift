import BasketryCore

/// Escaping and number formatting for hand-built HTML and SVG.
///
/// Everything the report or the dashboard writes from data (titles, ids, rule text) goes through
/// ``escape(_:)``; Mustache's `{{value}}` escapes the same five characters.
public enum HTML {
  /// Escapes text for an HTML or SVG element body or a double- or single-quoted attribute value:
  /// `&`, `<`, `>`, `"` and `'` become character references.
  /// - Parameter text: any text.
  /// - Returns: the escaped text.
  /// - Complexity: O(text length).
  public static func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      default: result.unicodeScalars.append(character)
      }
    }
    return result
  }

  /// A fragment id made of lowercase ASCII letters, digits and hyphens, for `id` and `href="#…"`.
  /// - Parameter text: any text.
  /// - Returns: the slug (`section` when nothing usable is left).
  public static func slug(_ text: String) -> String {
    var result = ""
    var hyphen = false
    for scalar in text.lowercased().unicodeScalars {
      if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
        if hyphen && !result.isEmpty { result += "-" }
        result.unicodeScalars.append(scalar)
        hyphen = false
      } else {
        hyphen = true
      }
    }
    return result.isEmpty ? "section" : result
  }
}

/// Numbers as the pages print them: grouped counts, money, percentages and short decimals.
public struct NumberStyle: Sendable, Hashable {
  /// Currency symbol or code put before amounts (may be empty).
  public var currency: String

  /// Creates a style.
  /// - Parameter currency: symbol or code for amounts.
  public init(currency: String = "") { self.currency = currency }

  /// A count with thousands separators (`12,345`).
  public func count(_ value: Int) -> String { formatCount(value) }

  /// An amount with two decimals and grouped thousands (`£1,234.50`); negative amounts get a leading minus.
  public func money(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let cents = Int((abs(value) * 100).rounded())
    let fraction = cents % 100
    return (value < 0 && cents > 0 ? "−" : "") + currency + formatCount(cents / 100) + "."
      + (fraction < 10 ? "0" : "") + String(fraction)
  }

  /// A whole amount with grouped thousands (`£1,235`), for large totals.
  public func wholeMoney(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let whole = Int(abs(value).rounded())
    return (value < 0 && whole > 0 ? "−" : "") + currency + formatCount(whole)
  }

  /// A fraction as a percentage with `decimals` decimals (`0.153` → `15%`).
  public func percent(_ value: Double, decimals: Int = 0) -> String { decimal(value * 100, decimals) + "%" }

  /// A number with a fixed number of decimals (`n/a` when not finite).
  public func decimal(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return "n/a" }
    var scale = 1.0
    for _ in 0..<max(0, decimals) { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let integer = Int(scaled / scale)
    let fraction = Int(scaled - Double(integer) * scale)
    var text = (value < 0 && scaled > 0 ? "−" : "") + String(integer)
    if decimals > 0 {
      let digits = String(fraction)
      text += "." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }
    return text
  }

  /// A number with about three significant digits (`0.0123`, `1.23`, `123`, `12,345`).
  public func short(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let magnitude = abs(value)
    if magnitude >= 1000 { return (value < 0 ? "−" : "") + formatCount(Int(magnitude.rounded())) }
    if magnitude >= 100 { return decimal(value, 0) }
    if magnitude >= 10 { return decimal(value, 1) }
    if magnitude >= 1 || magnitude == 0 { return decimal(value, 2) }
    if magnitude >= 0.01 { return decimal(value, 3) }
    return decimal(value, 4)
  }
}
