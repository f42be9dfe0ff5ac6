import BasketryCore
import BasketryOnline
import BasketryStore
import Foundation

/// Parameters of GET /v1/bundles.
public struct BundleQuery: Sendable, Hashable {
  /// Raw user id.
  public var user: String?
  /// Anchor item (product page).
  public var item: String?
  /// Cart items.
  public var cart: [String]
  /// How many bundles (1–50).
  public var k: Int
  /// Session id.
  public var session: String?

  /// Creates a query.
  public init(user: String? = nil, item: String? = nil, cart: [String] = [], k: Int = 3, session: String? = nil) {
    self.user = user
    self.item = item
    self.cart = cart
    self.k = k
    self.session = session
  }
}

extension Engine {
  /// The experiment and variant a unit falls in (first active experiment), else the default policy.
  func assignment(
    unit: String, now: Int64, experiments: [Experiment]
  ) -> (
    experiment: String?, variant: ExperimentVariant
  ) {
    let fallback = ExperimentVariant(name: "default", weight: 1, policy: configuration.defaultPolicy, discount: 0)
    guard let experiment = experiments.first(where: { $0.isActive(at: now) }),
      let index = VariantAssigner.assign(
        unit: unit, experiment: experiment.id, weights: experiment.variants.map(\.weight))
    else { return (nil, fallback) }
    return (experiment.id, experiment.variants[index])
  }

  /// Bundles for a product page, a cart, or a user.
  /// - Throws: store errors (when reading the user's history).
  public func bundles(_ query: BundleQuery) async throws -> BundlesResponse {
    let now = Self.now()
    let user = query.user.map { pseudonymizer.pseudonym($0) }
    var anchors = (query.item.map { [$0] } ?? []) + query.cart
    if anchors.isEmpty, let user {
      let history = try await store.events(user: user)
      var seen = Set<String>()
      for event in history.reversed() where event.type == .purchase || event.type == .cart {
        if seen.insert(event.item).inserted { anchors.append(event.item) }
        if anchors.count >= 5 { break }
      }
    }
    let cart = Set(query.cart)
    let unit = query.session ?? user ?? UUID().uuidString
    let configuration = self.configuration

    // Phase 1 (locked): candidates, assignment, a snapshot of their bandit arms, a random seed.
    let gathered = state.withLock { state -> Gathered in
      let (experiment, variant) = assignment(unit: unit, now: now, experiments: state.experiments)
      var candidates: [Candidate] = []
      var keys = Set<String>()

      // 1. Trained bundles that contain an anchor.
      if let model = state.model {
        var positions = Set<Int>()
        for anchor in anchors { positions.formUnion(state.bundlesByItem[anchor] ?? []) }
        for position in positions.sorted() {
          let bundle = model.bundles[position]
          guard bundle.items.allSatisfy({ state.isServable($0, now: now) }), !Set(bundle.items).isSubset(of: cart)
          else { continue }
          if state.modelNeedsLiveSupport {
            let supported = bundle.items.indices.allSatisfy { i in
              bundle.items.indices.allSatisfy { j in
                j <= i || state.cooccurrence.count(bundle.items[i], bundle.items[j]) > 0
              }
            }
            guard supported else { continue }
          }
          let prices = bundle.items.enumerated().map { index, item in
            state.catalog[item]?.price ?? bundle.prices[index]
          }
          let listPrice = prices.reduce(0, +)
          let cost = bundle.items.enumerated().reduce(0.0) { sum, entry in
            let (index, item) = entry
            return sum + (state.catalog[item]?.cost ?? prices[index] * (1 - configuration.assumedMargin))
          }
          guard keys.insert(bundle.key).inserted else { continue }
          candidates.append(
            Candidate(
              items: bundle.items,
              titles: bundle.items.enumerated().map { state.catalog[$1]?.title ?? bundle.titles[$0] },
              prices: prices, listPrice: listPrice, cost: cost, modelDiscount: bundle.discount, source: "model",
              rank: bundle.expectedIncrementalProfit, explanation: bundle.explanation))
        }
      }
      candidates.sort { $0.rank > $1.rank }

      // 2. Live co-occurrence pairs: anchor + its best complement.
      if candidates.count < query.k {
        for anchor in anchors where state.isServable(anchor, now: now) {
          guard let anchorPrice = state.catalog[anchor]?.price, anchorPrice > 0 else { continue }
          let complements = state.cooccurrence.complements(of: anchor, k: query.k * 2) { other in
            !cart.contains(other) && state.isServable(other, now: now) && (state.catalog[other]?.price ?? 0) > 0
          }
          for neighbor in complements {
            let items = [anchor, neighbor.item].sorted()
            let key = items.joined(separator: "+")
            guard keys.insert(key).inserted else { continue }
            let prices = items.map { state.catalog[$0]?.price ?? 0 }
            let cost = items.enumerated().reduce(0.0) { sum, entry in
              sum + (state.catalog[entry.1]?.cost ?? prices[entry.0] * (1 - configuration.assumedMargin))
            }
            let titleA = state.catalog[anchor]?.title ?? anchor
            let titleB = state.catalog[neighbor.item]?.title ?? neighbor.item
            let explanation =
              "Shoppers who bought \(titleA) also bought \(titleB) in \(neighbor.together) of "
              + "\(state.cooccurrence.count(anchor)) orders (\(Int((neighbor.confidence * 100).rounded())) %, "
              + "lift \(Double((neighbor.lift * 10).rounded()) / 10))."
            candidates.append(
              Candidate(
                items: items, titles: items.map { state.catalog[$0]?.title ?? $0 }, prices: prices,
                listPrice: prices.reduce(0, +), cost: cost, modelDiscount: 0, source: "cooccurrence",
                rank: neighbor.score, explanation: explanation))
            if candidates.count >= query.k * 2 { break }
          }
        }
      }

      var arms: [String: [ArmStatistics]] = [:]
      if variant.policy == "bandit" {
        for candidate in candidates.prefix(query.k * 2) {
          let key = candidate.items.joined(separator: "+")
          arms[key] = state.bandit.arms[key]
        }
      }
      return Gathered(
        experiment: experiment, variant: variant, candidates: candidates, arms: arms, seed: state.rng.next(),
        modelVersion: state.modelVersion)
    }

    // Phase 2 (unlocked): price each candidate under the variant's policy and build the offers.
    let variant = gathered.variant
    let experiment = gathered.experiment
    var rng = SplitMix64(seed: gathered.seed)
    var ids = RecommendationIDs()
    var offers: [BundleOffer] = []
    var impressions: [Impression] = []
    for candidate in gathered.candidates {
      guard offers.count < query.k else { break }
      let key = candidate.items.joined(separator: "+")
      guard let choice = price(candidate, arms: gathered.arms[key], variant: variant, rng: &rng) else { continue }
      let id = ids.next()
      let reason =
        switch variant.policy {
        case "bandit": " Price chosen by Thompson sampling among discounts that keep the margin floor."
        case "fixed": " Fixed discount for this experiment variant."
        default: ""
        }
      // The designer's own price sentence applies only when its price is the one offered.
      var evidence = candidate.explanation
      if variant.policy != "model", let cut = evidence.range(of: " Priced at ") {
        evidence = String(evidence[..<cut.lowerBound])
      }
      let explanation =
        evidence + reason
        + " Offered at \(Int((choice.discount * 100).rounded())) % off, margin "
        + "\(Int((choice.marginRate * 100).rounded())) %."
      offers.append(
        BundleOffer(
          recommendationId: id, experiment: experiment, variant: variant.name, policy: variant.policy,
          source: candidate.source,
          items: candidate.items.indices.map {
            OfferItem(id: candidate.items[$0], title: candidate.titles[$0], price: candidate.prices[$0])
          }, listPrice: candidate.listPrice, price: choice.price, discount: choice.discount,
          marginRate: choice.marginRate, explanation: explanation))
      impressions.append(
        Impression(
          recommendationID: id, experimentID: experiment, variant: experiment == nil ? nil : variant.name,
          user: user ?? "anonymous", session: query.session ?? user ?? id, kind: "bundle", key: key,
          arm: variant.policy == "bandit" ? choice.arm : -1, discount: choice.discount, price: choice.price,
          margin: choice.margin, propensity: choice.propensity, timestamp: now))
    }

    // Phase 3 (locked): log impressions and count bandit trials.
    state.withLock { state in
      for impression in impressions {
        state.remember(impression)
        if impression.arm >= 0 {
          state.bandit.recordImpression(key: impression.key, arm: impression.arm)
          state.addArm(key: impression.key, arm: impression.arm, trials: 1, successes: 0, reward: 0)
        }
      }
    }
    metrics.increment("bundle_impressions_total", by: Double(offers.count))
    return BundlesResponse(modelVersion: gathered.modelVersion, bundles: offers)
  }

  /// Prices a candidate under the variant's policy, never below the margin floor.
  private func price(
    _ candidate: Candidate, arms: [ArmStatistics]?, variant: ExperimentVariant, rng: inout SplitMix64
  ) -> DiscountChoice? {
    let levels = configuration.banditLevels
    let floor = configuration.marginFloor
    func fixed(_ discount: Double) -> DiscountChoice? {
      let price = ThompsonDiscountBandit.price(candidate.listPrice, discount)
      guard price > 0, (price - candidate.cost) / price >= floor - 1e-12 else { return nil }
      return DiscountChoice(
        arm: levels.firstIndex { abs($0 - discount) < 1e-9 } ?? -1, discount: discount, price: price,
        margin: price - candidate.cost, marginRate: (price - candidate.cost) / price, propensity: 1)
    }
    switch variant.policy {
    case "bandit":
      return ThompsonDiscountBandit.choose(
        statistics: arms, configuration: configuration.banditConfiguration, listPrice: candidate.listPrice,
        cost: candidate.cost, propensitySamples: configuration.propensitySamples, using: &rng)
    case "model":
      return fixed(candidate.modelDiscount) ?? fixed(0)
    default:
      return fixed(variant.discount ?? 0) ?? fixed(0)
    }
  }

  /// Recommended items for a user: co-occurrence with their history, else popular items.
  public func recommendations(
    user rawUser: String, k: Int, category: String?, excludeSeen: Bool
  ) async throws
    -> RecommendationsResponse
  {
    let now = Self.now()
    let user = pseudonymizer.pseudonym(rawUser)
    let history = try await store.events(user: user)
    var weights: [String: Double] = [:]
    for event in history {
      let weight: Double =
        switch event.type {
        case .purchase: 3
        case .cart: 2
        case .view: 1
        default: 0
        }
      weights[event.item, default: 0] += weight
    }
    let seen = Set(history.map(\.item))
    let wanted = category?.lowercased()
    return state.withLock { state -> RecommendationsResponse in
      func allowed(_ item: String) -> Bool {
        guard state.isServable(item, now: now), !(excludeSeen && seen.contains(item)) else { return false }
        guard let wanted else { return true }
        return state.catalog[item]?.category.contains { $0.lowercased() == wanted } ?? false
      }
      var scores: [String: (score: Double, because: String)] = [:]
      for (item, weight) in weights where weight > 0 {
        for neighbor in state.cooccurrence.complements(of: item, k: 50, isAllowed: allowed) {
          let contribution = weight * neighbor.score
          let current = scores[neighbor.item] ?? (0, item)
          let because = contribution > (current.score == 0 ? 0 : current.score / 2) ? item : current.because
          scores[neighbor.item] = (current.score + contribution, because)
        }
      }
      var ranked = scores.map { (item: $0.key, score: $0.value.score, because: $0.value.because) }
      ranked.sort { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }
      var picked = ranked.prefix(k).map { entry -> (String, Double, String) in
        let title = state.catalog[entry.because]?.title ?? entry.because
        return (entry.item, entry.score, "Often bought with \(title), which you interacted with.")
      }
      if picked.count < k {
        let have = Set(picked.map(\.0))
        for entry in state.cooccurrence.popular(k: k * 2, isAllowed: { allowed($0) && !have.contains($0) }) {
          guard picked.count < k else { break }
          picked.append((entry.item, 0, "Popular: bought in \(entry.count) orders."))
        }
      }
      let (experiment, variant) = assignment(unit: user, now: now, experiments: state.experiments)
      var result: [ItemRecommendation] = []
      for (item, score, explanation) in picked {
        let id = UUID().uuidString.lowercased()
        result.append(
          ItemRecommendation(
            recommendationId: id, item: item, title: state.catalog[item]?.title ?? item, score: score,
            experiment: experiment, variant: variant.name, explanation: explanation))
        state.remember(
          Impression(
            recommendationID: id, experimentID: experiment, variant: experiment == nil ? nil : variant.name, user: user,
            session: user, kind: "recommendation", key: item, arm: -1, discount: 0,
            price: state.catalog[item]?.price ?? 0, margin: 0, propensity: 1, timestamp: now))
      }
      metrics.increment("recommendation_impressions_total", by: Double(result.count))
      return RecommendationsResponse(modelVersion: state.modelVersion, recommendations: result)
    }
  }

  /// Complements and substitutes of an item (live counts; the trained model's when the item has none live).
  /// - Returns: nil when the item is unknown to both the catalog and the counts.
  public func neighbors(of item: String, k: Int) -> NeighborsResponse? {
    let now = Self.now()
    return state.withLock { state -> NeighborsResponse? in
      let known =
        state.catalog[item] != nil || state.cooccurrence.count(item) > 0 || state.model?.neighbors[item] != nil
      guard known else { return nil }
      let snapshot = state
      func allowed(_ other: String) -> Bool { snapshot.isServable(other, now: now) }
      var complements = state.cooccurrence.complements(of: item, k: k, isAllowed: allowed)
      if complements.isEmpty && !state.modelNeedsLiveSupport, let trained = state.model?.neighbors[item] {
        complements = Array(trained.filter { allowed($0.item) }.prefix(k))
      }
      let substitutes = state.cooccurrence.substitutes(of: item, k: k, isAllowed: allowed)
      return NeighborsResponse(item: item, complements: complements, substitutes: substitutes)
    }
  }
}

/// Random recommendation ids (UUID-shaped, 128 random bits): one system-random seed per
/// request, then SplitMix64 — Foundation's UUID() opened /dev/urandom on every call here.
struct RecommendationIDs {
  private var generator: SplitMix64

  init() {
    var system = SystemRandomNumberGenerator()
    generator = SplitMix64(seed: system.next())
  }

  mutating func next() -> String {
    let high = generator.next()
    let low = generator.next()
    let hex = String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
    let characters = Array(hex)
    return String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-" + String(characters[12..<16]) + "-"
      + String(characters[16..<20]) + "-" + String(characters[20..<32])
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}

/// What phase 1 of a bundle request gathers under the lock.
struct Gathered: Sendable {
  var experiment: String?
  var variant: ExperimentVariant
  var candidates: [Candidate]
  var arms: [String: [ArmStatistics]]
  var seed: UInt64
  var modelVersion: Int64?
}

/// A bundle candidate before pricing.
struct Candidate: Sendable {
  var items: [String]
  var titles: [String]
  var prices: [Double]
  var listPrice: Double
  var cost: Double
  var modelDiscount: Double
  var source: String
  var rank: Double
  var explanation: String
}
