import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes the plain-language explanation of a bundle from its evidence and price.
public struct BundleExplainer: Sendable {
  /// Settings (currency, margin floor, assumed margin).
  public let options: BundleOptions
  /// The catalog, for display names.
  public let catalog: Catalog

  /// Creates an explainer.
  public init(options: BundleOptions, catalog: Catalog) {
    self.options = options
    self.catalog = catalog
  }

  /// The explanation: why these items belong together, and why this price.
  public func explain(_ bundle: ProductBundle) -> String {
    let e = bundle.evidence
    let names = bundle.items.map { "\"\($0.title)\"" }
    let list: String
    if names.count <= 2 {
      list = names.joined(separator: " and ")
    } else {
      list = names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
    }
    let anchorName = catalog.id(of: e.anchor).map { catalog.displayName($0) } ?? e.anchor
    var text = "\(list) were bought together in \(count(e.ordersTogether)) of \(count(e.orders)) orders, "
    if bundle.items.count == 2 {
      text += "\(ratio(e.lift)) more often than if bought independently; "
    } else {
      text += "each bought with the others at least \(ratio(e.lift)) more often than if independent; "
    }
    text += "\(percent(e.confidence)) of orders with \"\(anchorName)\" also had "
    text += bundle.items.count == 2 ? "the other item. " : "the others. "
    text += "Priced at \(money(bundle.bundlePrice)) instead of \(money(bundle.listPrice))"
    text += bundle.discount > 0.0005 ? " (\(percent(bundle.discount)) off)" : " (no discount)"
    text += ", keeping a \(percent(bundle.marginRate)) margin (floor \(percent(options.marginFloor))"
    if bundle.items.contains(where: \.costAssumed) {
      text += "; unknown costs assumed at a \(percent(options.assumedMarginRate)) margin"
    }
    text += "). Expected \(money(bundle.expectedIncrementalProfit)) extra profit over the period, "
    text += "by lifting completion among \(count(e.ordersTogether + e.ordersPartial)) orders that had "
    text +=
      "at least one of these items from \(percent(e.completionRate)) to \(percent(bundle.expectedCompletionRate))."
    return text
  }

  private func money(_ value: Double) -> String { options.currency + fixed(value, 2) }
  private func percent(_ value: Double) -> String { fixed(value * 100, 0) + "%" }
  private func ratio(_ value: Double) -> String { fixed(value, value < 10 ? 1 : 0) + "×" }
  private func count(_ value: Int) -> String {
    let digits = String(value)
    var out = ""
    for (i, ch) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(ch)
    }
    return out
  }
}

/// Formats a number with a fixed number of decimals, without Foundation.
func fixed(_ value: Double, _ decimals: Int) -> String {
  guard value.isFinite else { return value > 0 ? "∞" : (value < 0 ? "-∞" : "n/a") }
  let scale = pow(10.0, Double(decimals))
  let scaled = (abs(value) * scale).rounded()
  let integer = Int(scaled / scale)
  let fraction = Int(scaled - Double(integer) * scale)
  var text = (value < 0 && scaled > 0 ? "-" : "") + String(integer)
  if decimals > 0 {
    let f = String(fraction)
    text += "." + String(repeating: "0", count: decimals - f.count) + f
  }
  return text
}
