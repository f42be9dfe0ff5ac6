import BasketryBundles
import BasketryCore
import BasketryOnline
import BasketryStore
import BasketryTraining
import Foundation

/// What a bundle candidate list depends on besides the serving state: the anchors (in order),
/// the cart, and how many bundles were asked for.
struct CandidateKey: Hashable, Sendable {
  var anchors: [String]
  var cart: [String]
  var k: Int
  /// Whether every designed bundle is a candidate (a shopper's own bundles), not only those with an anchor.
  var everyDesigned = false
}

/// Derived per-anchor candidate lists, so a product page does not rebuild its bundles (catalog
/// look-ups, live-support checks, explanation sentences) on every request.
///
/// Only what is a pure function of the model, the live co-occurrence counts, the catalog and the
/// clock is cached; assignment, bandit draws, recommendation ids and impressions stay per request.
/// The cache is emptied whenever one of those inputs changes (see the observers on
/// ``EngineState``) and when an item's `expires_at` passes.
struct CandidateCache {
  /// Entries kept at most; the cache is emptied when full (no eviction bookkeeping per hit).
  static let capacity = 20_000

  private var entries: [CandidateKey: [Candidate]] = [:]
  /// Earliest `expires_at` after the time the entries were built (nil: none, or not yet known).
  private var nextExpiry: Int64?
  private var nextExpiryKnown = false

  /// Forgets every entry (the model or the co-occurrence counts changed).
  mutating func invalidate() {
    if !entries.isEmpty { entries.removeAll(keepingCapacity: true) }
  }

  /// Forgets every entry and the next expiry (the catalog changed).
  mutating func catalogChanged() {
    invalidate()
    nextExpiryKnown = false
  }

  /// The cached list for a key, if any (entries built before an item expired are dropped first).
  mutating func lookup(_ key: CandidateKey, now: Int64, catalog: [String: CatalogItem]) -> [Candidate]? {
    if !nextExpiryKnown || nextExpiry.map({ now >= $0 }) == true {
      if !entries.isEmpty { entries.removeAll(keepingCapacity: true) }
      nextExpiry = catalog.values.lazy.compactMap(\.expiresAt).filter { $0 > now }.min()
      nextExpiryKnown = true
    }
    return entries[key]
  }

  /// Remembers a list built at the time of the preceding ``lookup(_:now:catalog:)``.
  mutating func store(_ candidates: [Candidate], for key: CandidateKey) {
    if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
    entries[key] = candidates
  }
}

/// A bundle candidate before pricing, with everything that does not depend on the request
/// precomputed (a class: requests share cached candidates by reference).
final class Candidate: Sendable {
  let items: [String]
  let titles: [String]
  let prices: [Double]
  let listPrice: Double
  let cost: Double
  let modelDiscount: Double
  let source: String
  let rank: Double
  /// The trained bundle this candidate offers (nil for live co-occurrence pairs).
  let bundle: ProductBundle?
  /// The full explanation when offered at the designer's price (the evidence, then the designer's price reason).
  let explanation: String
  /// Bundle key: item ids joined by `+`.
  let key: String
  /// The items as offered.
  let offerItems: [OfferItem]
  /// Why the items belong together, without a price (used when another price is offered).
  let evidence: String
  /// The full explanation of a bandit-priced offer, per discount level.
  let banditExplanations: [String]
  /// `offerItems` as a JSON array, escaped once (the response copies the bytes).
  let itemsJSON: [UInt8]
  /// `banditExplanations` as JSON strings, escaped once.
  let banditExplanationsJSON: [[UInt8]]
  /// The trained bundle's items as the model's dense ids, when the bundle has pricing details and the model knows
  /// every item (so it can be ranked by a shopper's expected profit), with the model they refer to.
  let personalItems: (model: ObjectIdentifier, items: [Int32])?

  /// Creates a candidate and its derived fields.
  /// - Parameters:
  ///   - evidence: why the items belong together (no price).
  ///   - explanation: the explanation at the designer's price (default: the evidence alone).
  ///   - levels: the bandit's discount levels.
  init(
    items: [String], titles: [String], prices: [Double], listPrice: Double, cost: Double, modelDiscount: Double,
    source: String, rank: Double, evidence: String, explanation: String? = nil, bundle: ProductBundle? = nil,
    levels: [Double], model: ServingModel? = nil
  ) {
    self.bundle = bundle
    personalItems = model.flatMap { model in
      Self.personalItems(of: bundle, in: model).map { (ObjectIdentifier(model), $0) }
    }
    self.items = items
    self.titles = titles
    self.prices = prices
    self.listPrice = listPrice
    self.cost = cost
    self.modelDiscount = modelDiscount
    self.source = source
    self.rank = rank
    self.explanation = explanation ?? evidence
    key = items.joined(separator: "+")
    offerItems = items.indices.map { OfferItem(id: items[$0], title: titles[$0], price: prices[$0]) }
    self.evidence = evidence
    let banditExplanations = levels.map { discount in
      let price = ThompsonDiscountBandit.price(listPrice, discount)
      let marginRate = price > 0 ? (price - cost) / price : 0
      return Self.explanation(evidence: evidence, policy: "bandit", discount: discount, marginRate: marginRate)
    }
    self.banditExplanations = banditExplanations
    var json = FastJSON(capacity: 256)
    json.items(offerItems)
    itemsJSON = json.bytes
    banditExplanationsJSON = banditExplanations.map { text in
      var json = FastJSON(capacity: text.utf8.count + 8)
      json.string(text)
      return json.bytes
    }
  }

  /// The bundle's items as `model`'s dense ids, when a shopper's expected profit can be computed for it: a
  /// trained bundle with pricing details whose items the model all knows; else nil.
  static func personalItems(of bundle: ProductBundle?, in model: ServingModel) -> [Int32]? {
    guard let bundle, bundle.pricing != nil else { return nil }
    var dense: [Int32] = []
    dense.reserveCapacity(bundle.items.count)
    for item in bundle.items {
      guard let id = model.item(item.id) else { return nil }
      dense.append(id)
    }
    return dense
  }

  /// The bundle's items as `model`'s dense ids when it can be ranked for a shopper (see
  /// ``personalItems(of:in:)``): those kept at build time when built from this model, else looked up (the model
  /// was swapped meanwhile).
  func personalItems(in model: ServingModel) -> [Int32]? {
    if let personalItems, personalItems.model == ObjectIdentifier(model) { return personalItems.items }
    return Self.personalItems(of: bundle, in: model)
  }

  /// The pre-encoded JSON of an offer's explanation, when it is a bandit level's.
  func explanationJSON(policy: String, choice: DiscountChoice) -> [UInt8]? {
    guard policy == "bandit", banditExplanationsJSON.indices.contains(choice.arm) else { return nil }
    return banditExplanationsJSON[choice.arm]
  }

  /// The explanation of an offer at a discount under a policy.
  static func explanation(evidence: String, policy: String, discount: Double, marginRate: Double) -> String {
    let reason =
      switch policy {
      case "bandit": " Price chosen by Thompson sampling among discounts that keep the margin floor."
      case "fixed": " Fixed discount for this experiment variant."
      default: ""
      }
    return evidence + reason + " Offered at \(Int((discount * 100).rounded())) % off, margin "
      + "\(Int((marginRate * 100).rounded())) %."
  }

  /// The explanation of this candidate offered under `policy` with `choice`.
  func explanation(policy: String, choice: DiscountChoice) -> String {
    if policy == "bandit", banditExplanations.indices.contains(choice.arm) {
      return banditExplanations[choice.arm]
    }
    // The designer's own price sentence applies only when its price is the one offered.
    return Self.explanation(
      evidence: policy == "model" ? explanation : evidence, policy: policy, discount: choice.discount,
      marginRate: choice.marginRate)
  }
}

extension EngineState {
  /// Renders bundle evidence from its fields (no catalogue needed: titles travel with the bundle).
  static let explainer = BundleExplainer(options: BundleOptions(), catalog: Catalog())

  /// The bundle candidates for anchors and a cart, best first: trained bundles containing an
  /// anchor (ranked by expected incremental profit), then live co-occurrence pairs.
  func buildCandidates(
    anchors: [String], cart: Set<String>, k: Int, now: Int64, configuration: ServerConfiguration,
    everyDesigned: Bool = false
  ) -> [Candidate] {
    var candidates: [Candidate] = []
    var keys = Set<String>()
    let levels = configuration.banditLevels

    // 1. The anchor item's own trained bundles (a product page), in the trainer's order; then trained bundles
    // that contain an anchor, by expected incremental profit.
    if let model {
      var trained: [(bundle: ProductBundle, rank: Double)] = []
      if anchors.count == 1, cart.isEmpty || cart == Set(anchors), let own = model.anchorBundles[anchors[0]] {
        // Own bundles rank above every designed one, in the trainer's order.
        trained = own.enumerated().map { ($1, 1e300 - Double($0)) }
      }
      if everyDesigned {
        // A shopper's own bundles: their items' product-page bundles too, all ranked for them later.
        for anchor in anchors {
          trained += (model.anchorBundles[anchor] ?? []).map { ($0, $0.expectedIncrementalProfit) }
        }
      }
      var positions = everyDesigned ? Set(model.bundles.indices) : Set<Int>()
      for anchor in anchors { positions.formUnion(bundlesByItem[anchor] ?? []) }
      for position in positions.sorted() {
        trained.append((model.bundles[position], model.bundles[position].expectedIncrementalProfit))
      }
      for (bundle, rank) in trained {
        let sorted = bundle.items.sorted { $0.id < $1.id }
        let ids = sorted.map(\.id)
        guard ids.allSatisfy({ isServable($0, now: now) }), !Set(ids).isSubset(of: cart) else { continue }
        if modelNeedsLiveSupport {
          let supported = ids.indices.allSatisfy { i in
            ids.indices.allSatisfy { j in j <= i || cooccurrence.count(ids[i], ids[j]) > 0 }
          }
          guard supported else { continue }
        }
        let prices = sorted.map { catalog[$0.id]?.price ?? $0.price }
        let listPrice = prices.reduce(0, +)
        let cost = sorted.enumerated().reduce(0.0) { sum, entry in
          let (index, item) = entry
          let known = item.costAssumed ? prices[index] * (1 - configuration.assumedMargin) : item.cost
          return sum + (catalog[item.id]?.cost ?? known)
        }
        guard keys.insert(ids.joined(separator: "+")).inserted else { continue }
        candidates.append(
          Candidate(
            items: ids, titles: sorted.map { catalog[$0.id]?.title ?? $0.title }, prices: prices,
            listPrice: listPrice, cost: cost, modelDiscount: bundle.discount, source: "model", rank: rank,
            evidence: Self.explainer.evidenceSentence(bundle), explanation: bundle.explanation, bundle: bundle,
            levels: levels, model: model))
      }
    }
    candidates.sort { $0.rank > $1.rank }

    // 2. Live co-occurrence pairs: anchor + its best complement.
    if candidates.count < k {
      for anchor in anchors where isServable(anchor, now: now) {
        guard let anchorPrice = catalog[anchor]?.price, anchorPrice > 0 else { continue }
        let complements = cooccurrence.complements(of: anchor, k: k * 2) { other in
          !cart.contains(other) && isServable(other, now: now) && (catalog[other]?.price ?? 0) > 0
        }
        for neighbor in complements {
          let items = [anchor, neighbor.item].sorted()
          let key = items.joined(separator: "+")
          guard keys.insert(key).inserted else { continue }
          let prices = items.map { catalog[$0]?.price ?? 0 }
          let cost = items.enumerated().reduce(0.0) { sum, entry in
            sum + (catalog[entry.1]?.cost ?? prices[entry.0] * (1 - configuration.assumedMargin))
          }
          let titleA = catalog[anchor]?.title ?? anchor
          let titleB = catalog[neighbor.item]?.title ?? neighbor.item
          let explanation =
            "Shoppers who bought \(titleA) also bought \(titleB) in \(neighbor.together) of "
            + "\(cooccurrence.count(anchor)) orders (\(Int((neighbor.confidence * 100).rounded())) %, "
            + "lift \(Double((neighbor.lift * 10).rounded()) / 10))."
          candidates.append(
            Candidate(
              items: items, titles: items.map { catalog[$0]?.title ?? $0 }, prices: prices,
              listPrice: prices.reduce(0, +), cost: cost, modelDiscount: 0, source: "cooccurrence",
              rank: neighbor.score, evidence: explanation, levels: levels))
          if candidates.count >= k * 2 { break }
        }
      }
    }

    // 3. An item without sales: pairs with the complements of the items whose titles are nearest to its own.
    if candidates.count < k, anchors.count == 1, let cold = model?.titleNeighbors[anchors[0]],
      isServable(anchors[0], now: now)
    {
      let anchor = anchors[0]
      let anchorPrice = catalog[anchor]?.price ?? cold.item.price
      let anchorCost = catalog[anchor]?.cost ?? (cold.item.costAssumed ? nil : cold.item.cost)
      for partner in cold.partners where anchorPrice > 0 {
        let other = partner.item.id
        guard !cart.contains(other), isServable(other, now: now) else { continue }
        let otherPrice = catalog[other]?.price ?? partner.item.price
        guard otherPrice > 0 else { continue }
        let otherCost = catalog[other]?.cost ?? (partner.item.costAssumed ? nil : partner.item.cost)
        let entries = [(anchor, anchorPrice, anchorCost), (other, otherPrice, otherCost)].sorted { $0.0 < $1.0 }
        guard keys.insert(entries.map(\.0).joined(separator: "+")).inserted else { continue }
        let similar = cold.neighbors.first { $0.item == partner.via }
        let viaTitle = model?.title(of: partner.via) ?? partner.via
        let evidence =
          "New item without sales: its title is closest to \(viaTitle)'s "
          + "(similarity \(Double(((similar?.similarity ?? 0) * 100).rounded()) / 100)), "
          + "which shoppers often buy with \(catalog[other]?.title ?? partner.item.title)."
        candidates.append(
          Candidate(
            items: entries.map(\.0),
            titles: entries.map { catalog[$0.0]?.title ?? ($0.0 == anchor ? cold.item.title : partner.item.title) },
            prices: entries.map(\.1), listPrice: anchorPrice + otherPrice,
            cost: entries.reduce(0.0) { $0 + ($1.2 ?? $1.1 * (1 - configuration.assumedMargin)) }, modelDiscount: 0,
            source: "title", rank: partner.score, evidence: evidence, levels: levels))
        if candidates.count >= k * 2 { break }
      }
    }
    return candidates
  }
}
