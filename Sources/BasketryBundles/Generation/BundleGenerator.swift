import BasketryCore
import Foundation

/// Settings of ``BundleGenerator``.
///
/// Defaults: the bundle options' sizes, count, discount and margin floor; 30 co-purchase partners and
/// 20 embedding neighbours per anchor; MMR trade-off λ = 0.7; distinct leaf categories required where
/// categories are known.
public struct GeneratorOptions: Sendable, Hashable {
  /// Sizes, count, discounts, margin floor, pricing.
  public var bundle: BundleOptions
  /// Co-purchase partners considered per anchor item.
  public var partners: Int
  /// Embedding neighbours considered per anchor item (0 to skip).
  public var embeddingNeighbours: Int
  /// Smallest embedding similarity for a neighbour that is not a proven complement.
  public var minEmbeddingSimilarity: Double
  /// MMR trade-off: λ · relevance − (1 − λ) · max similarity to the bundles already chosen.
  public var mmrLambda: Double
  /// No two items of a bundle may share a known leaf category.
  public var distinctCategories: Bool

  /// Creates options with the documented defaults.
  public init(
    bundle: BundleOptions = BundleOptions(), partners: Int = 30, embeddingNeighbours: Int = 20,
    minEmbeddingSimilarity: Double = 0.6, mmrLambda: Double = 0.7, distinctCategories: Bool = true
  ) {
    self.bundle = bundle
    self.partners = partners
    self.embeddingNeighbours = embeddingNeighbours
    self.minEmbeddingSimilarity = minEmbeddingSimilarity
    self.mmrLambda = mmrLambda
    self.distinctCategories = distinctCategories
  }
}

/// A generated bundle with the pair scores behind it.
public struct GeneratedBundle: Sendable, Hashable, Codable {
  /// The priced, explained bundle.
  public var bundle: ProductBundle
  /// Scores of every item pair in the bundle.
  public var pairs: [PairScore]
  /// Where the bundle's partners came from: "co-purchase" or "embedding".
  public var source: String
  /// Ranking score: expected profit per offer (personalised when a probability model is given).
  public var score: Double
  /// The offer's expected effect for the requesting user, when personalised.
  public var personal: PersonalOffer?
}

/// Generates bundles of 2 to `maxSize` complements for an anchor item, a cart, or a user, under hard
/// constraints, priced by the willingness-to-pay model and diversified by maximal marginal relevance.
///
/// For each anchor item: partners are its most co-purchased items and its nearest embedding neighbours;
/// a partner is kept when it is available (not hidden, in stock, priced), not owned or already in the
/// cart, of another leaf category (when known), and a complement of the anchor (``PairScorer``; an
/// embedding neighbour may also pass with similarity ≥ `minEmbeddingSimilarity`, lift > 1 and no substitute
/// signal). Bundles grow greedily by the partner with the best mean complement score against every member
/// (complement or embedding-passed, never a substitute of any member). Bundles bought together in fewer than
/// the scorer's `minTogether` orders, or without an admissible price (margin floor), are dropped.
/// Score = expected incremental profit per shopper (``WillingnessToPayQuote``), or, for a user known to a
/// ``PersonalPurchaseModel`` (``PersonalOffer``):
///
///     P(user takes the bundle | offered) · (price − cost) − E[margin of items they would have bought anyway]
///
/// The price itself is the shop-wide profit-maximising price (no personalised prices).
/// Selection: MMR over Jaccard similarity of item sets.
public struct BundleGenerator: Sendable {
  /// The shop's data.
  public let dataset: Dataset
  /// Pair scoring (with the transactions and embeddings).
  public let scorer: PairScorer
  /// Settings.
  public let options: GeneratorOptions
  /// Personalised probabilities, when available.
  public let probabilities: (any PersonalPurchaseModel)?

  let pricer: WTPPricer
  /// Prices already computed, by sorted item set (a bundle's price does not depend on who asks).
  let prices = PriceCache()

  /// Creates a generator.
  /// - Throws: ``BundleError`` for invalid options.
  public init(
    dataset: Dataset, scorer: PairScorer, options: GeneratorOptions = GeneratorOptions(),
    probabilities: (any PersonalPurchaseModel)? = nil
  ) throws {
    try options.bundle.validate()
    self.dataset = dataset
    self.scorer = scorer
    self.options = options
    self.probabilities = probabilities
    pricer = WTPPricer(
      dataset: dataset, options: options.bundle, shoppers: scorer.transactions.count,
      count: { [scorer] in scorer.together($0) })
  }

  // MARK: - Entry points

  /// Bundles containing `item`.
  public func bundles(forItem item: Int32, user: Int32? = nil, owned: Set<Int32> = []) -> [GeneratedBundle] {
    generate(anchors: [item], cart: [item], owned: owned, user: user)
  }

  /// The user's purchase probabilities, when a model knows them.
  func personalProbabilities(_ user: Int32?) -> [Double]? {
    guard let user, let probabilities else { return nil }
    return probabilities.purchaseProbabilities(user: user)
  }

  /// Bundles that complete a cart: each contains a cart item and adds items not in the cart.
  public func bundles(forCart cart: [Int32], user: Int32? = nil, owned: Set<Int32> = []) -> [GeneratedBundle] {
    generate(anchors: cart, cart: Set(cart), owned: owned, user: user)
  }

  /// Bundles for a user: anchors are the user's most recent purchases and, with a ``PersonalPurchaseModel``,
  /// the items they are most likely to buy next that they do not own yet; owned items are never added as
  /// partners.
  /// - Parameters:
  ///   - user: dense user id.
  ///   - maxAnchors: most anchors from the purchase history.
  ///   - likelyAnchors: most anchors from the purchase model.
  public func bundles(forUser user: Int32, maxAnchors: Int = 10, likelyAnchors: Int = 5) -> [GeneratedBundle] {
    let baskets = dataset.baskets
    var history: [Int32] = []
    var seen: Set<Int32> = []
    for b in (0..<baskets.count).reversed() where baskets.users[b] == user {
      for item in baskets.items(of: b) where seen.insert(item).inserted { history.append(item) }
    }
    var anchors = Array(history.prefix(maxAnchors))
    let personal = probabilities?.purchaseProbabilities(user: user)
    if let personal, likelyAnchors > 0 {
      let likely = personal.indices.filter { !seen.contains(Int32($0)) && isAvailable(Int32($0)) }
        .sorted { personal[$0] > personal[$1] || (personal[$0] == personal[$1] && $0 < $1) }
      anchors += likely.prefix(likelyAnchors).map { Int32($0) }
    }
    return generate(anchors: anchors, cart: seen, owned: seen, user: user, personal: personal)
  }

  // MARK: - Generation

  func isAvailable(_ item: Int32) -> Bool {
    let attributes = dataset.catalog[item]
    if attributes.hidden { return false }
    if let stock = attributes.stock, stock <= 0 { return false }
    return (attributes.price ?? 0) > 0
  }

  func generate(
    anchors: [Int32], cart: Set<Int32>, owned: Set<Int32>, user: Int32?, personal known: [Double]? = nil
  ) -> [GeneratedBundle] {
    let personal = known ?? personalProbabilities(user)
    let maxSize = options.bundle.maxSize
    var candidates: [[Int32]: (source: String, pairs: [PairScore])] = [:]
    for anchor in anchors where Int(anchor) < dataset.catalog.count && isAvailable(anchor) {
      var partners: [(item: Int32, score: PairScore, source: String)] = []
      var considered: Set<Int32> = [anchor]
      func consider(_ other: Int32, source: String) {
        guard considered.insert(other).inserted, !cart.contains(other), !owned.contains(other), isAvailable(other),
          categoriesDiffer(anchor, other)
        else { return }
        let score = scorer.score(anchor, other)
        if acceptable(score) { partners.append((other, score, source)) }
      }
      for partner in scorer.coPurchased(with: anchor, limit: options.partners) {
        consider(partner.item, source: "co-purchase")
      }
      if let embeddings = scorer.embeddings, options.embeddingNeighbours > 0 {
        for neighbour in embeddings.neighbours(of: anchor, count: options.embeddingNeighbours) {
          consider(neighbour.item, source: "embedding")
        }
      }
      partners.sort { $0.score.complementScore > $1.score.complementScore }
      for seed in partners {
        var members = [anchor, seed.item]
        var pairs = [seed.score]
        record(members, pairs: pairs, source: seed.source, into: &candidates)
        while members.count < maxSize {
          var best: (item: Int32, scores: [PairScore], mean: Double)?
          for next in partners where !members.contains(next.item) {
            guard members.allSatisfy({ categoriesDiffer($0, next.item) }) else { continue }
            let scores = members.map { scorer.score($0, next.item) }
            guard scores.allSatisfy(acceptable) else { continue }
            let mean = scores.reduce(0) { $0 + $1.complementScore } / Double(scores.count)
            if best.map({ mean > $0.mean }) ?? true { best = (next.item, scores, mean) }
          }
          guard let best else { break }
          members.append(best.item)
          pairs += best.scores
          record(members, pairs: pairs, source: seed.source, into: &candidates)
        }
      }
    }
    // Price and score.
    var scored: [GeneratedBundle] = []
    for (members, info) in candidates where members.count >= options.bundle.minSize {
      guard let generated = priced(members, pairs: info.pairs, source: info.source, personal: personal) else {
        continue
      }
      scored.append(generated)
    }
    scored.sort {
      $0.score != $1.score
        ? $0.score > $1.score : $0.bundle.items.map(\.item).lexicographicallyPrecedes($1.bundle.items.map(\.item))
    }
    var chosen = Self.maximalMarginalRelevance(scored, count: options.bundle.count, lambda: options.mmrLambda)
    for index in chosen.indices { chosen[index].bundle.rank = index + 1 }
    return chosen
  }

  func acceptable(_ score: PairScore) -> Bool {
    if score.relation == .complement { return true }
    guard score.relation == .unrelated, let similarity = score.embeddingSimilarity else { return false }
    return similarity >= options.minEmbeddingSimilarity && score.lift > 1
  }

  func categoriesDiffer(_ a: Int32, _ b: Int32) -> Bool {
    guard options.distinctCategories, let ca = dataset.catalog[a].category, let cb = dataset.catalog[b].category else {
      return true
    }
    return ca != cb
  }

  func record(
    _ members: [Int32], pairs: [PairScore], source: String,
    into candidates: inout [[Int32]: (source: String, pairs: [PairScore])]
  ) {
    let key = members.sorted()
    if candidates[key] == nil { candidates[key] = (source, pairs) }
  }

  func priced(_ members: [Int32], pairs: [PairScore], source: String, personal: [Double]?) -> GeneratedBundle? {
    let catalog = dataset.catalog
    let items = members.sorted()
    let bundleItems = items.map { item -> BundleItem in
      let attributes = catalog[item]
      let price = attributes.price ?? 0
      let knownCost = attributes.cost.flatMap { $0 >= 0 ? $0 : nil }
      return BundleItem(
        item: item, id: catalog.externalID(item), title: catalog.displayName(item), price: price,
        cost: knownCost ?? price * (1 - options.bundle.assumedMarginRate), costAssumed: knownCost == nil)
    }
    let together = scorer.together(items)
    guard together >= scorer.options.minTogether,
      let detail = prices.price(items, compute: { pricer.price(items: items, bundleItems: bundleItems) })
    else { return nil }
    let quote = detail.quote
    let n = scorer.transactions.count
    let partial = scorer.ordersWithAny(items) - together
    let minLift = pairs.map(\.lift).min() ?? 0
    let evidence = BundleEvidence(
      orders: n, ordersTogether: together, ordersPartial: partial,
      expectedTogether: items.reduce(Double(n)) { $0 * Double(scorer.count($1)) / Double(max(n, 1)) },
      lift: minLift, confidence: Double(together) / Double(max(scorer.count(items[0]), 1)),
      anchor: catalog.externalID(members[0]), completionRate: quote.attachRate)
    var bundle = ProductBundle(
      rank: 0, items: bundleItems, listPrice: quote.listPrice, bundlePrice: quote.price, discount: quote.discount,
      margin: quote.price - quote.cost, marginRate: quote.marginRate, expectedCompletionRate: quote.attachRate,
      expectedIncrementalProfit: quote.expectedIncrementalProfit, evidence: evidence, explanation: "",
      pricing: detail)
    let explainer = BundleExplainer(options: options.bundle, catalog: catalog)
    bundle.explanation = explainer.explain(bundle)
    bundle.why = explainer.structured(bundle, pairs: pairs)
    var score = quote.expectedIncrementalProfit / Double(max(n, 1))
    var offer: PersonalOffer?
    if let personal, let probabilities {
      let evaluated = PersonalOffer.evaluate(
        items: bundleItems, pricing: detail, bundlePrice: quote.price,
        probabilities: items.map { Int($0) < personal.count ? personal[Int($0)] : 0 },
        averageProbabilities: items.map {
          Int($0) < probabilities.averageProbabilities.count ? probabilities.averageProbabilities[Int($0)] : 0
        }, horizonDays: probabilities.horizonDays)
      score = evaluated.expectedProfit
      bundle.explanation += " " + explainer.personalReason(evaluated)
      offer = evaluated
    }
    return GeneratedBundle(bundle: bundle, pairs: pairs, source: source, score: score, personal: offer)
  }

  /// Maximal marginal relevance: repeatedly picks the bundle maximising
  /// λ · score / max score − (1 − λ) · max Jaccard(items, chosen items).
  /// - Complexity: O(count · candidates · size).
  public static func maximalMarginalRelevance(
    _ candidates: [GeneratedBundle], count: Int, lambda: Double
  ) -> [GeneratedBundle] {
    guard !candidates.isEmpty else { return [] }
    let top = candidates.map(\.score).max() ?? 1
    let scale = abs(top) > 1e-12 ? abs(top) : 1
    var remaining = candidates
    var chosen: [GeneratedBundle] = []
    var chosenSets: [Set<Int32>] = []
    while chosen.count < count, !remaining.isEmpty {
      var bestIndex = 0
      var bestValue = -Double.infinity
      for (index, candidate) in remaining.enumerated() {
        let items = Set(candidate.bundle.items.map(\.item))
        let similarity =
          chosenSets.map { Double($0.intersection(items).count) / Double($0.union(items).count) }.max() ?? 0
        let value = lambda * candidate.score / scale - (1 - lambda) * similarity
        if value > bestValue {
          bestValue = value
          bestIndex = index
        }
      }
      let pick = remaining.remove(at: bestIndex)
      chosenSets.append(Set(pick.bundle.items.map(\.item)))
      chosen.append(pick)
    }
    return chosen
  }
}

/// A thread-safe memo of bundle prices by sorted item set.
final class PriceCache: @unchecked Sendable {
  // Guarded by `lock`.
  private var storage: [[Int32]: BundlePricingDetail?] = [:]
  private let lock = NSLock()

  /// The cached price of `items`, computing and storing it on first use.
  func price(_ items: [Int32], compute: () -> BundlePricingDetail?) -> BundlePricingDetail? {
    if let cached = lock.withLock({ storage[items] }) { return cached }
    let value = compute()
    lock.withLock { storage[items] = value }
    return value
  }
}
