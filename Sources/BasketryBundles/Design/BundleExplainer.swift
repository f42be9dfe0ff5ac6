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

  /// Why the items belong together, from the bundle's evidence alone (no price): the first sentence of
  /// ``explain(_:)``, also shown by the service when it offers the bundle at another price.
  /// - Parameters:
  ///   - bundle: the bundle.
  ///   - anchorTitle: the display name of the evidence's anchor item (default: the catalog's name for it, else
  ///     the title of the bundle item with that id, else the id).
  public func evidenceSentence(_ bundle: ProductBundle, anchorTitle: String? = nil) -> String {
    let e = bundle.evidence
    let names = bundle.items.map { "\"\($0.title)\"" }
    let list: String
    if names.count <= 2 {
      list = names.joined(separator: " and ")
    } else {
      list = names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
    }
    let anchorName =
      anchorTitle ?? catalog.id(of: e.anchor).map { catalog.displayName($0) }
      ?? bundle.items.first { $0.id == e.anchor }?.title ?? e.anchor
    var text = "\(list) were bought together in \(count(e.ordersTogether)) of \(count(e.orders)) orders, "
    if bundle.items.count == 2 {
      text += "\(ratio(e.lift)) more often than if bought independently; "
    } else {
      text += "each bought with the others at least \(ratio(e.lift)) more often than if independent; "
    }
    text += "\(percent(e.confidence)) of orders with \"\(anchorName)\" also had "
    text += bundle.items.count == 2 ? "the other item." : "the others."
    return text
  }

  /// The explanation: why these items belong together, and why this price.
  public func explain(_ bundle: ProductBundle) -> String {
    let e = bundle.evidence
    var text = evidenceSentence(bundle) + " "
    text += "Priced at \(money(bundle.bundlePrice)) instead of \(money(bundle.listPrice))"
    text += bundle.discount > 0.0005 ? " (\(percent(bundle.discount)) off)" : " (no discount)"
    text += ", keeping a \(percent(bundle.marginRate)) margin (floor \(percent(options.marginFloor))"
    if bundle.items.contains(where: \.costAssumed) {
      text += "; unknown costs assumed at a \(percent(options.assumedMarginRate)) margin"
    }
    text += "). "
    if let pricing = bundle.pricing {
      text += priceReason(bundle, pricing) + " "
      text += "Expected \(money(bundle.expectedIncrementalProfit)) extra profit over the period, with "
      text += "\(percent(pricing.quote.attachRate)) of these items' buyers taking the bundle and their spend on them "
      text += "changing by \(money(pricing.quote.aovChange)) on average."
    } else {
      text += "Expected \(money(bundle.expectedIncrementalProfit)) extra profit over the period, "
      text += "by lifting completion among \(count(e.ordersTogether + e.ordersPartial)) orders that had "
      text +=
        "at least one of these items from \(percent(e.completionRate)) to \(percent(bundle.expectedCompletionRate))."
    }
    return text
  }

  /// Why this bundle for this shopper, in one sentence (``PersonalOffer``).
  public func personalReason(_ offer: PersonalOffer) -> String {
    let horizon = fixed(offer.horizonDays, 0)
    let precise = offer.bundleProbability < 0.1 || offer.averageBundleProbability < 0.1 ? 1 : 0
    var text = "For this shopper: a \(fixed(offer.bundleProbability * 100, precise))% chance to take the bundle "
    text += "within \(horizon) days (\(fixed(offer.averageBundleProbability * 100, precise))% for an average shopper), "
    text += "from their own purchase probabilities "
    text += "(" + offer.itemProbabilities.map { fixed($0 * 100, $0 < 0.1 ? 1 : 0) + "%" }.joined(separator: ", ")
    func small(_ value: Double) -> String { options.currency + fixed(value, abs(value) < 1 ? 3 : 2) }
    text += " per item); expected profit \(small(offer.expectedProfit)) = \(money(offer.bundleMargin)) bundle margin"
    text += " × \(fixed(offer.bundleProbability * 100, precise))% − \(small(offer.cannibalisedMargin))"
    text += " of margin they would have paid anyway."
    return text
  }

  /// Why this price under the willingness-to-pay model, in one sentence.
  ///
  /// Items whose elasticity was measured on their own prices are listed with their standard error; items
  /// whose own estimate was weaker than the margin's Lerner bound are named together in one clause with the
  /// estimates and the bound used; items whose history cannot identify it are named together once, with the
  /// kinds of missing evidence and the elasticities used instead (the category or overall estimate, or the
  /// margin's Lerner bound when that is larger in magnitude).
  public func priceReason(_ bundle: ProductBundle, _ pricing: BundlePricingDetail) -> String {
    var measured: [String] = []
    var raised: [(title: String, estimate: Double, used: Double)] = []
    var unidentified: [(title: String, used: Double)] = []
    var kinds: [NotIdentifiableReason.Kind] = []
    for (index, used) in pricing.elasticitiesUsed.enumerated() where index < pricing.responses.count {
      let response = pricing.responses[index]
      let title = index < bundle.items.count ? bundle.items[index].title : "item \(index + 1)"
      if !response.isIdentified {
        unidentified.append((title, used))
        if let kind = response.notIdentifiable?.kind, !kinds.contains(kind) { kinds.append(kind) }
      } else if used < response.elasticity - 1e-9 {
        raised.append((title, response.elasticity, used))
      } else {
        measured.append("\(fixed(used, 1)) (own prices, ±\(fixed(response.standardError, 1)))")
      }
    }
    func names(_ titles: [String]) -> String { titles.map { "\"\($0)\"" }.joined(separator: ", ") }
    func values(_ numbers: [Double]) -> String {
      let texts = numbers.map { fixed($0, 1) }
      return Set(texts).count == 1 && texts.count > 1 ? "\(texts[0]) each" : texts.joined(separator: ", ")
    }
    var clauses: [String] = []
    if !measured.isEmpty { clauses.append("price elasticities " + measured.joined(separator: ", ")) }
    if !raised.isEmpty {
      var clause = "own-price estimates " + values(raised.map(\.estimate)) + " for " + names(raised.map(\.title))
      clause += raised.count == 1 ? " is" : " are"
      clause += " weaker than the margin's Lerner bound (a shop facing such demand would gain from higher prices, "
      clause += "so the estimate is taken as confounded) and " + values(raised.map(\.used)) + " is used"
      clauses.append(clause)
    }
    if !unidentified.isEmpty {
      let why = kinds.isEmpty ? "" : " (" + kinds.map(\.summary).joined(separator: ", ") + ")"
      var clause = "price response not identifiable for \(names(unidentified.map(\.title)))\(why), so "
      clause += unidentified.count == 1 ? "its elasticity " : "their elasticities "
      clause += values(unidentified.map(\.used)) + (unidentified.count == 1 ? " is " : " are ")
      clause += "the pooled estimate or the margin's Lerner bound, whichever is larger in magnitude"
      clauses.append(clause)
    }
    if bundle.items.count == 2, pricing.correlations.count == 4 {
      clauses.append("valuation correlation \(fixed(pricing.correlations[1], 2)) from co-purchases")
    }
    var text = "The discount maximises expected profit for shoppers whose valuations are log-normal"
    if !clauses.isEmpty { text += ": " + clauses.joined(separator: "; ") }
    text += "; with elasticities one standard error either way it would be "
    text += "\(percent(pricing.discountRange.first ?? 0))–\(percent(pricing.discountRange.last ?? 0))."
    return text
  }

  /// The structured explanation.
  public func structured(_ bundle: ProductBundle, pairs: [PairScore] = []) -> BundleWhy {
    func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
    let reason: String
    if let pricing = bundle.pricing {
      reason = priceReason(bundle, pricing)
    } else {
      reason =
        "Completion-rate model: completion × e^(\(fixed(options.completionElasticity, 1)) × discount), "
        + "best discount under the margin floor."
    }
    return BundleWhy(
      ordersTogether: bundle.evidence.ordersTogether, ordersPartial: bundle.evidence.ordersPartial,
      lift: bundle.evidence.lift, complementScore: mean(pairs.map(\.complementScore)),
      titleSimilarity: mean(pairs.map(\.titleSimilarity)),
      embeddingSimilarity: mean(pairs.compactMap(\.embeddingSimilarity)),
      expectedUplift: bundle.expectedIncrementalProfit,
      expectedAttachRate: bundle.pricing?.quote.attachRate ?? bundle.expectedCompletionRate, priceReason: reason)
  }

  private func money(_ value: Double) -> String { options.currency + fixed(value, 2) }
  private func percent(_ value: Double) -> String { fixed(value * 100, 0) + "%" }
  private func ratio(_ value: Double) -> String { fixed(value, value < 10 ? 1 : 0) + "×" }
  private func count(_ value: Int) -> String { formatCount(value) }
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
