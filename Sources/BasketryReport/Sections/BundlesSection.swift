import BasketryBundles
import Mustache

/// The bundles section: one card per bundle, in a shopkeeper's words, with the full derivation behind a toggle.
///
/// A card says each thing once: the items with their prices, the bundle price against the list price, three
/// facts (margin, extra profit, take-up), one sentence of evidence with a three-bar chart, the look-alikes
/// left out, and under "How this was worked out" the designer's complete explanation.
public enum BundlesSection {
  /// Renders the section.
  /// - Parameters:
  ///   - summary: bundles, design counts and refused partners.
  ///   - kit: the chart kit.
  /// - Returns: the section with id `bundles`; its `.bundle-count` element carries `data-count`, and each card
  ///   `data-rank` and `data-price` (the bundle price as a plain number).
  /// - Throws: ``ReportError`` if the card template does not parse.
  /// - Complexity: O(bundles).
  public static func render(_ summary: BundleSummary, kit: ChartKit) throws -> ReportSection {
    let style = kit.style
    let design = summary.design
    var body =
      "<p class=\"bundle-count\" data-count=\"\(summary.bundles.count)\"><strong>\(summary.bundles.count)</strong> "
      + "bundle\(summary.bundles.count == 1 ? "" : "s"), best first.</p>"
    guard !summary.bundles.isEmpty else {
      body += "<p class=\"not-computed\">No bundle: \(HTML.escape(design.noBundleReason ?? "no candidate"))</p>"
      return ReportSection(id: "bundles", title: "Bundles", lead: "", body: body)
    }
    let template = try ReportTemplates.template(ReportTemplates.bundleCard, named: "bundle-card")
    body += "<div class=\"cards\">"
    for (index, bundle) in summary.bundles.enumerated() {
      let rejected = index < summary.rejected.count ? summary.rejected[index] : []
      body += template.render(card(bundle, rejected: rejected, kit: kit))
    }
    body += "</div>"
    var dropped: [String] = []
    for (count, words) in [
      (design.droppedVariants, "variants of one product"), (design.droppedSubstitutes, "substitutes"),
      (design.droppedWeak, "weakly linked"), (design.droppedUnprofitable, "unprofitable at any allowed discount"),
      (design.droppedUnpriced, "without a price"), (design.droppedUnavailable, "hidden or out of stock"),
      (design.droppedRedundant, "repeating a better bundle"),
    ] where count > 0 {
      dropped.append("\(style.count(count)) \(words)")
    }
    let lead =
      "Ranked by the extra profit each is expected to earn over the period. Of \(style.count(design.candidates)) "
      + "item sets bought together often enough, design left out " + dropped.joined(separator: ", ") + "."
    return ReportSection(id: "bundles", title: "Bundles", lead: lead, body: body)
  }

  /// The evidence in one sentence: how often the items were bought together, and how that compares with chance.
  /// - Parameters:
  ///   - bundle: the bundle.
  ///   - style: number style.
  /// - Returns: the sentence.
  public static func evidenceSentence(_ bundle: ProductBundle, style: NumberStyle) -> String {
    let evidence = bundle.evidence
    let times = style.decimal(evidence.lift, evidence.lift < 10 ? 1 : 0)
    if bundle.items.count == 2 {
      return "Bought together in \(style.count(evidence.ordersTogether)) of \(style.count(evidence.orders)) orders, "
        + "\(times) times as often as chance."
    }
    return "All \(bundle.items.count) bought together in \(style.count(evidence.ordersTogether)) of "
      + "\(style.count(evidence.orders)) orders; each goes with the others at least \(times) times as often as chance."
  }

  private struct ItemContext {
    var title: String
    var id: String
    var price: String
  }

  private struct RejectedContext {
    var partner: String
    var why: String
    var together: String
  }

  private struct CardContext {
    var rank: Int
    var name: String
    var items: [ItemContext]
    var price: String
    var priceValue: String
    var listPrice: String
    var discount: String
    var marginRate: String
    var profit: String
    var attachRate: String
    var evidence: String
    var chart: String
    var hasRejected: Bool
    var rejected: [RejectedContext]
    var derivation: String
  }

  private static func card(
    _ bundle: ProductBundle, rejected: [BundleSummary.RejectedPartner], kit: ChartKit
  )
    -> CardContext
  {
    let style = kit.style
    let evidence = bundle.evidence
    var small = kit
    small.width = 320
    let chart = small.horizontalBars(
      id: "chart-bundle-\(bundle.rank)", title: "Orders behind bundle #\(bundle.rank)",
      summary:
        "\(style.count(evidence.ordersTogether)) orders had all items, \(style.short(evidence.expectedTogether)) "
        + "would by chance, and \(style.count(evidence.ordersPartial)) had only some of them.",
      data: [
        ChartDatum("all items", Double(evidence.ordersTogether)),
        ChartDatum("by chance", evidence.expectedTogether, highlighted: true),
        ChartDatum("only some", Double(evidence.ordersPartial)),
      ], valueName: "orders", labelName: "orders with", format: .short)
    let left = rejected.map { partner in
      RejectedContext(
        partner: partner.partner,
        why: partner.reason == .variant
          ? "another version of \(partner.item)"
          : "too much like \(partner.item) (\(style.percent(partner.titleSimilarity)) of the title shared)",
        together: style.count(partner.together))
    }
    let attach = bundle.pricing?.quote.attachRate ?? bundle.expectedCompletionRate
    return CardContext(
      rank: bundle.rank, name: bundle.items.count == 2 ? "A pair" : "\(bundle.items.count) items",
      items: bundle.items.map { ItemContext(title: $0.title, id: $0.id, price: style.money($0.price)) },
      price: style.money(bundle.bundlePrice), priceValue: String(format2(bundle.bundlePrice)),
      listPrice: style.money(bundle.listPrice), discount: style.percent(bundle.discount),
      marginRate: style.percent(bundle.marginRate), profit: style.wholeMoney(bundle.expectedIncrementalProfit),
      attachRate: style.percent(attach, decimals: attach < 0.1 ? 1 : 0),
      evidence: evidenceSentence(bundle, style: style), chart: chart.html, hasRejected: !left.isEmpty, rejected: left,
      derivation: bundle.explanation)
  }

  /// A price with two decimals and a dot, no grouping (`1234.50`), for `data-price`.
  static func format2(_ value: Double) -> String {
    let cents = Int((value * 100).rounded())
    let fraction = abs(cents) % 100
    return "\(cents / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }
}
