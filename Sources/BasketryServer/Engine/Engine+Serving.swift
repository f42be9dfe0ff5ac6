import BasketryBundles
import BasketryCore
import BasketryModels
import BasketryOnline
import BasketryStore
import BasketryTraining
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
  /// The experiment and variant a unit falls in (first active experiment that is neither a campaign experiment,
  /// which assigns the audiences that name it, nor a price test, which assigns the sessions that ask for its
  /// item's price), else the default policy.
  /// `unit` is evaluated only when an experiment is active.
  func assignment(
    unit: @autoclosure () -> String, now: Int64, experiments: [Experiment]
  ) -> (
    experiment: String?, variant: ExperimentVariant
  ) {
    let fallback = ExperimentVariant(name: "default", weight: 1, policy: configuration.defaultPolicy, discount: 0)
    guard let experiment = experiments.first(where: { $0.isActive(at: now) && !$0.isCampaign && !$0.isPriceTest }),
      let index = VariantAssigner.assign(
        unit: unit(), experiment: experiment.id, weights: experiment.variants.map(\.weight))
    else { return (nil, fallback) }
    return (experiment.id, experiment.variants[index])
  }

  /// Bundles for a product page, a cart, or a user.
  /// - Throws: store errors (when reading the user's history).
  public func bundles(_ query: BundleQuery) async throws -> BundlesResponse {
    let milliseconds = RecommendationIDs.nowMilliseconds()
    let now = Int64(milliseconds / 1000)
    let user = query.user.map { pseudonymizer.pseudonym($0) }
    var anchors = (query.item.map { [$0] } ?? []) + query.cart
    // A shopper's own bundles are ranked by what each is expected to earn from them.
    var personal: (model: ServingModel, user: String?, events: [StoredEvent])?
    if anchors.isEmpty, let user {
      let history = try await storeEvents(of: user)
      let (model, erased, version) = state.withLock { ($0.model, $0.erasedUsers.contains(user), $0.modelVersion) }
      if let model, model.personal != nil { personal = (model, erased ? nil : user, history) }
      // The anchors depend on the model and the shopper's events only: kept per shopper while those stay.
      let stamp = HistoryStamp(modelVersion: version, events: history, erased: erased)
      if let known = personalAnchors.value(of: user, stamp: stamp) {
        anchors = known
      } else {
        anchors = Self.personalAnchors(history: history, model: erased ? nil : model, user: user)
        personalAnchors.store(anchors, of: user, stamp: stamp)
      }
    }
    let cart = Set(query.cart)
    // A shopper's own bundles consider every designed bundle (ranked for them below), not only their items'.
    let key = CandidateKey(anchors: anchors, cart: cart.sorted(), k: query.k, everyDesigned: personal != nil)
    let configuration = self.configuration

    // Phase 1 (locked): candidates (cached per anchors), assignment, a snapshot of their bandit
    // arms, random seeds.
    let gathered = state.withLock { state -> Gathered in
      let idSeed = state.idSeeds.next()
      // Without a session or user, a random unit (only drawn when an experiment is active).
      let (experiment, variant) = assignment(
        unit: query.session ?? user ?? Self.randomUnit(seed: idSeed), now: now, experiments: state.experiments)
      let catalog = state.catalog
      let candidates: [Candidate]
      if let cached = state.candidateCache.lookup(key, now: now, catalog: catalog) {
        candidates = cached
      } else {
        candidates = state.buildCandidates(
          anchors: anchors, cart: cart, k: query.k, now: now, configuration: configuration,
          everyDesigned: key.everyDesigned)
        state.candidateCache.store(candidates, for: key)
      }
      var arms: [[ArmStatistics]?] = []
      if variant.policy == "bandit" {
        arms = candidates.prefix(query.k * 2).map { state.bandit.arms[$0.key] }
      }
      return Gathered(
        experiment: experiment, variant: variant, candidates: candidates, arms: arms, seed: state.rng.next(),
        idSeed: idSeed, firstSequence: state.reserveRecent(query.k), modelVersion: state.modelVersion)
    }

    // Phase 2 (unlocked): rank a shopper's own bundles by their expected profit, price each candidate under the
    // variant's policy and build the offers.
    let candidates = gathered.candidates
    // The candidates in offer order: `head` (a shopper's own ranking of the first `limit`), then the rest.
    var head = candidates[...]
    var limit = 0
    var fits: [ObjectIdentifier: PersonalBundleFit] = [:]
    var encodedFits: [ObjectIdentifier: [UInt8]] = [:]
    if let personal {
      limit = min(query.k * 3, candidates.count)
      // Fits depend on the model and the shopper's events; they are added to what is kept for this stamp, with the
      // ranking of this candidate list.
      let stamp = HistoryStamp(modelVersion: gathered.modelVersion, events: personal.events, erased: false)
      let memo = personal.user.flatMap { personalFits.value(of: $0, stamp: stamp) }
      if let memo, memo.ranks(candidates, limit: limit) {
        head = memo.head[...]
        fits = memo.byCandidate
        encodedFits = memo.encoded
      } else {
        var computed: [String: PersonalBundleFit] = [:]
        let known = memo?.fits ?? [:]
        let ranked: [Candidate]
        (ranked, fits) = try Self.personalRanking(
          candidates, model: personal.model, user: personal.user, events: personal.events, limit: limit,
          known: known, computed: &computed)
        head = ranked[...]
        if let user = personal.user {
          encodedFits = fits.mapValues { $0.fastJSON() }
          personalFits.store(
            PersonalRankingMemo(
              fits: known.merging(computed) { _, new in new }, source: candidates, limit: limit,
              head: Array(head), byCandidate: fits, encoded: encodedFits),
            of: user, stamp: stamp)
        }
      }
    } else {
      head = candidates[..<0]
    }
    let variant = gathered.variant
    let experiment = gathered.experiment
    var rng = SplitMix64(seed: gathered.seed)
    // The offers' ids share one list id: the response is stored as one row (`OfferList`).
    var ids = RecommendationIDs(seed: gathered.idSeed, milliseconds: milliseconds)
    let list = ids.list(first: gathered.firstSequence, count: query.k)
    var offers: [BundleOffer] = []
    var impressions: [Impression] = []
    var sequences: [UInt64] = []
    offers.reserveCapacity(query.k)
    sequences.reserveCapacity(query.k)
    impressions.reserveCapacity(query.k)
    let variantName = experiment == nil ? nil : variant.name
    let impressionUser = user ?? "anonymous"
    // Bandit statistics were gathered by the cached order.
    let armsByCandidate = Dictionary(
      zip(gathered.candidates.prefix(gathered.arms.count).map(ObjectIdentifier.init), gathered.arms),
      uniquingKeysWith: { first, _ in first })
    for candidate in [head, candidates[limit...]].joined() {
      guard offers.count < query.k else { break }
      let arms = armsByCandidate[ObjectIdentifier(candidate)] ?? nil
      guard let choice = price(candidate, arms: arms, variant: variant, rng: &rng) else { continue }
      let sequence = gathered.firstSequence &+ UInt64(offers.count)
      let id = list.ids[offers.count]
      sequences.append(sequence)
      offers.append(
        BundleOffer(
          recommendationId: id, experiment: experiment, variant: variant.name, policy: variant.policy,
          source: candidate.source, items: candidate.offerItems, listPrice: candidate.listPrice, price: choice.price,
          discount: choice.discount, marginRate: choice.marginRate,
          explanation: candidate.explanation(policy: variant.policy, choice: choice),
          personal: fits[ObjectIdentifier(candidate)], encodedItems: candidate.itemsJSON,
          encodedExplanation: candidate.explanationJSON(policy: variant.policy, choice: choice),
          encodedPersonal: encodedFits[ObjectIdentifier(candidate)]))
      impressions.append(
        Impression(
          recommendationID: id, experimentID: experiment, variant: variantName, user: impressionUser,
          session: query.session ?? user ?? list.prefix, kind: "bundle", key: candidate.key,
          arm: variant.policy == "bandit" ? choice.arm : -1, discount: choice.discount, price: choice.price,
          margin: choice.margin, propensity: choice.propensity, timestamp: now))
    }

    // Phase 3 (locked): log the offers (one row) and count bandit trials.
    let offerList = OfferList(
      id: list.prefix, firstSequence: UInt32(truncatingIfNeeded: gathered.firstSequence), experimentID: experiment,
      variant: variantName, user: impressionUser, session: query.session ?? user ?? list.prefix, kind: "bundle",
      offers: impressions.map {
        OfferList.Offer(
          key: $0.key, arm: $0.arm, discount: $0.discount, price: $0.price, margin: $0.margin,
          propensity: $0.propensity)
      }, timestamp: now)
    state.withLock { state in
      if !impressions.isEmpty { state.queue(offerList) }
      for (impression, sequence) in zip(impressions, sequences) {
        state.keep(recent: impression, sequence: sequence)
        if impression.arm >= 0 {
          state.bandit.recordImpression(key: impression.key, arm: impression.arm)
          state.addArm(key: impression.key, arm: impression.arm, trials: 1, successes: 0, reward: 0)
        }
      }
    }
    metrics.increment("bundle_impressions_total", by: Double(offers.count))
    activity.recordOffers(keys: impressions.lazy.map(\.key))
    return BundlesResponse(modelVersion: gathered.modelVersion, bundles: offers)
  }

  /// The items a shopper's own bundles are built around: the latest distinct items of their purchases and carts
  /// in the store, then (up to five in all) the latest of their trained history (e.g. a shop's order files).
  /// - Parameter model: the served model, nil when the shopper was erased.
  /// - Complexity: O(e + h log h) for e store events and h trained history entries.
  static func personalAnchors(history: [StoredEvent], model: ServingModel?, user: String) -> [String] {
    var anchors: [String] = []
    var seen = Set<String>()
    for event in history.reversed() where event.type == .purchase || event.type == .cart {
      if seen.insert(event.item).inserted { anchors.append(event.item) }
      if anchors.count >= 5 { return anchors }
    }
    guard let model else { return anchors }
    let latest = model.trainingHistory(of: user).sorted {
      $0.lastTime != $1.lastTime ? $0.lastTime > $1.lastTime : $0.item < $1.item
    }
    for entry in latest where anchors.count < 5 {
      let item = model.items[Int(entry.item)]
      if seen.insert(item).inserted { anchors.append(item) }
    }
    return anchors
  }

  /// A random experiment unit for an anonymous request without a session.
  static func randomUnit(seed: UInt64) -> String {
    var ids = RecommendationIDs(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
    return ids.next(sequence: seed >> 32)
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

  /// Recommended items for a user.
  ///
  /// With a trained model: the model's recommender ranks every item it was trained on for the user's whole
  /// history, the training history plus the user's store events after the model's data end (folded in on every
  /// request: a purchase changes the list at once on the replica that stored it, and within
  /// `history_cache_seconds` on the others); a user without any history gets the most popular items. Without a model: co-occurrence with the user's store events, then popular items.
  /// Hidden, expired, out-of-stock and deleted items are never returned; `category` keeps one category;
  /// `excludeSeen` drops items in the history.
  /// - Throws: store errors (reading the user's events) and recommender errors.
  public func recommendations(
    user rawUser: String, k: Int, category: String?, excludeSeen: Bool
  ) async throws
    -> RecommendationsResponse
  {
    let now = Self.now()
    let user = pseudonymizer.pseudonym(rawUser)
    let history = try await storeEvents(of: user)
    let wanted = category?.lowercased()
    // The user's experiment variant decides which model version ranks for them (the newest by default).
    let (model, version, catalog, erased, experiment, variant, catalogEpoch) = state.withLock { state in
      let (experiment, variant) = assignment(unit: user, now: now, experiments: state.experiments)
      var model = state.model
      var version = state.modelVersion
      if let wanted = variant.modelVersion, wanted != state.modelVersion, let pinned = state.variantModels[wanted] {
        model = pinned
        version = wanted
      }
      return (
        model, version, state.catalog, state.erasedUsers.contains(user), experiment, variant, state.catalogEpoch
      )
    }
    var modelPicks: [(String, Double, String)]?
    // A store-trained model serves only items that still have live purchases, so an erased user's items
    // disappear before the next retrain (as its bundles do): it ranks a few more, filtered under the lock below.
    let needsLiveSupport = model?.metadata.provenance.isStore ?? false
    if let model {
      func isAllowed(_ item: String) -> Bool {
        guard catalog[item].map({ $0.isServable(at: now) }) ?? true else { return false }
        guard let wanted else { return true }
        return catalog[item]?.category.contains { $0.lowercased() == wanted } ?? false
      }
      let stamp = RankingStamp(
        history: HistoryStamp(modelVersion: version, events: history, erased: erased), catalogEpoch: catalogEpoch,
        k: k, excludeSeen: excludeSeen, category: wanted)
      if let cached = rankings.value(of: user, stamp: stamp), cached.allSatisfy({ isAllowed($0.0) }) {
        modelPicks = cached
      } else {
        let picks = try Self.modelRecommendations(
          model: model, user: user, erased: erased, events: history, k: needsLiveSupport ? k + 50 : k,
          excludeSeen: excludeSeen, now: now, isAllowed: isAllowed)
        rankings.store(picks, of: user, stamp: stamp)
        modelPicks = picks
      }
    }
    var weights: [String: Double] = [:]
    if modelPicks == nil {
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
    }
    let seen = Set(history.map(\.item))
    return state.withLock { state -> RecommendationsResponse in
      func allowed(_ item: String) -> Bool {
        guard state.isServable(item, now: now), !(excludeSeen && seen.contains(item)) else { return false }
        guard let wanted else { return true }
        return state.catalog[item]?.category.contains { $0.lowercased() == wanted } ?? false
      }
      var picked: [(String, Double, String)]
      if let modelPicks {
        picked =
          needsLiveSupport ? Array(modelPicks.filter { state.cooccurrence.count($0.0) > 0 }.prefix(k)) : modelPicks
      } else {
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
        picked = ranked.prefix(k).map { entry -> (String, Double, String) in
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
      }
      // One stored row for the whole list; its items' ids share the list id (their first 28 characters).
      var generator = RecommendationIDs(seed: state.idSeeds.next())
      let first = state.reserveRecent(picked.count)
      let list = generator.list(first: first, count: picked.count)
      var result: [ItemRecommendation] = []
      result.reserveCapacity(picked.count)
      for (index, (item, score, explanation)) in picked.enumerated() {
        result.append(
          ItemRecommendation(
            recommendationId: list.ids[index], item: item,
            title: state.catalog[item]?.title ?? model?.title(of: item) ?? item, score: score,
            experiment: experiment, variant: variant.name, explanation: explanation))
      }
      if !picked.isEmpty {
        state.queue(
          RecommendationList(
            id: list.prefix, firstSequence: UInt32(truncatingIfNeeded: first), experimentID: experiment,
            variant: experiment == nil ? nil : variant.name, user: user, items: picked.map(\.0),
            modelVersion: version, timestamp: now))
      }
      metrics.increment("recommendation_impressions_total", by: Double(result.count))
      return RecommendationsResponse(modelVersion: version, recommendations: result)
    }
  }

  /// A shopper's bundle candidates reordered by what each offer is expected to earn from them: the first `limit`
  /// trained bundles with pricing details get P(take | offered) · margin − cannibalised margin
  /// (``PersonalOffer``, at the designer's price, with the shopper's purchase probabilities from the model's rank
  /// calibration) and are ranked by it, best first; the other candidates of the first `limit` follow in their order.
  /// - Parameters:
  ///   - known: fits already computed for this shopper's current history, by bundle key (not recomputed).
  ///   - computed: receives the fits computed here, by bundle key.
  /// - Returns: the first `limit` candidates in the shopper's order (the rest keep theirs), and each evaluated
  ///   one's fit (unchanged order, with no fits, when the shopper has no history the model can score).
  /// - Throws: recommender errors.
  static func personalRanking(
    _ candidates: [Candidate], model: ServingModel, user: String?, events: [StoredEvent], limit: Int,
    known: [String: PersonalBundleFit] = [:], computed: inout [String: PersonalBundleFit]
  ) throws -> ([Candidate], [ObjectIdentifier: PersonalBundleFit]) {
    guard let calibration = model.personal else { return (Array(candidates.prefix(limit)), [:]) }
    let eligible = candidates.prefix(limit).compactMap { candidate in
      candidate.personalItems(in: model).map { (candidate: candidate, items: $0) }
    }
    let evaluated = eligible.map(\.candidate)
    guard !evaluated.isEmpty else { return (Array(candidates.prefix(limit)), [:]) }
    var fits: [ObjectIdentifier: PersonalBundleFit] = [:]
    for candidate in evaluated { fits[ObjectIdentifier(candidate)] = known[candidate.key] }
    if fits.count < evaluated.count {
      try simulateFits(
        eligible.filter { fits[ObjectIdentifier($0.candidate)] == nil }, model: model, calibration: calibration,
        user: user, events: events, fits: &fits, computed: &computed)
    }
    // The evaluated candidates (all among the first `limit`) by expected profit, ties in their order; then the
    // others in theirs.
    let profits = evaluated.map { fits[ObjectIdentifier($0)]?.expectedProfit ?? 0 }
    let byProfit = evaluated.indices.sorted { a, b in
      profits[a] != profits[b] ? profits[a] > profits[b] : a < b
    }
    var ranked = byProfit.map { evaluated[$0] }
    ranked.reserveCapacity(limit)
    let chosen = Set(evaluated.map(ObjectIdentifier.init))
    for candidate in candidates.prefix(limit) where !chosen.contains(ObjectIdentifier(candidate)) {
      ranked.append(candidate)
    }
    return (ranked, fits)
  }

  /// Simulates the offers of `candidates` to the shopper (``PersonalOffer``) into `fits` and `computed`.
  /// - Parameter candidates: each with its bundle's items as the model's dense ids.
  private static func simulateFits(
    _ candidates: [(candidate: Candidate, items: [Int32])], model: ServingModel, calibration: PersonalCalibration,
    user: String?, events: [StoredEvent], fits: inout [ObjectIdentifier: PersonalBundleFit],
    computed: inout [String: PersonalBundleFit]
  ) throws {
    var items: [Int32] = []
    var position: [Int32: Int] = [:]
    for (_, dense) in candidates {
      for item in dense where position[item] == nil {
        position[item] = items.count
        items.append(item)
      }
    }
    let live = liveInteractions(events, model: model)
    guard let probabilities = try model.purchaseProbabilities(user: user, live: live, items: items) else { return }
    for (candidate, dense) in candidates {
      guard let bundle = candidate.bundle, let pricing = bundle.pricing else { continue }
      let offer = PersonalOffer.evaluate(
        items: bundle.items, pricing: pricing, bundlePrice: bundle.bundlePrice,
        probabilities: dense.map { position[$0].map { probabilities[$0] } ?? 0 },
        averageProbabilities: dense.map {
          Int($0) < calibration.averageProbabilities.count ? calibration.averageProbabilities[Int($0)] : 0
        },
        horizonDays: calibration.calibration.horizonDays, draws: personalDraws)
      let fit = PersonalBundleFit(
        takeProbability: offer.bundleProbability, averageTakeProbability: offer.averageBundleProbability,
        cannibalisedMargin: offer.cannibalisedMargin, expectedProfit: offer.expectedProfit,
        horizonDays: offer.horizonDays)
      fits[ObjectIdentifier(candidate)] = fit
      computed[candidate.key] = fit
    }
  }

  /// Simulated valuation vectors per bundle of three or more items in a personal ranking (pairs are integrated
  /// exactly); the training-time default is 4,000, a request affords fewer.
  public static let personalDraws = 1000

  /// A user's store events as the model's live interactions: all of them for a model trained from files, those after
  /// the model's data end for a store-trained one (the earlier ones are already in its history).
  static func liveInteractions(_ events: [StoredEvent], model: ServingModel) -> [LiveInteraction] {
    let dataEnd = model.metadata.dataEnd ?? .min
    let fromStore = model.metadata.provenance.isStore
    return events.filter { !fromStore || $0.timestamp > dataEnd }.map {
      LiveInteraction(item: $0.item, type: $0.type, basket: $0.basketKey, timestamp: $0.timestamp)
    }
  }

  /// The trained recommender's top `k` for a user (see ``recommendations(user:k:category:excludeSeen:)``).
  static func modelRecommendations(
    model: ServingModel, user: String, erased: Bool, events: [StoredEvent], k: Int, excludeSeen: Bool, now: Int64,
    isAllowed: (String) -> Bool
  ) throws -> [(String, Double, String)] {
    let name = model.metadata.recommender
    let (ranked, history) = try model.recommend(
      user: erased ? nil : user, live: liveInteractions(events, model: model), k: k, excludeSeen: excludeSeen
    ) { isAllowed(model.items[Int($0)]) }
    if history.isEmpty {
      return model.popular(k: k) { isAllowed(model.items[Int($0)]) }.map { entry in
        (model.items[Int(entry.item)], Double(entry.score), "Popular: bought by \(Int(entry.score)) shoppers.")
      }
    }
    let owned = Set(history.map(\.item))
    // Popularity and personal frequency rank items a shopper never bought by popularity alone.
    let byPopularity = ["pop", "pop-recent", "freq"].contains(name)
    return ranked.map { entry in
      let reason =
        owned.contains(entry.item)
        ? "You bought this before; \(name) ranks it among your likely next purchases."
        : byPopularity
          ? "Popular with other shoppers." : "Recommended by \(name) from your \(history.count) past items."
      return (model.items[Int(entry.item)], Double(entry.score), reason)
    }
  }

  /// Complements and substitutes of an item (live counts; the trained model's when the item has none live).
  /// - Returns: nil when the item is unknown to both the catalog and the counts.
  public func neighbors(of item: String, k: Int) -> NeighborsResponse? {
    let now = Self.now()
    return state.withLock { state -> NeighborsResponse? in
      let known =
        state.catalog[item] != nil || state.cooccurrence.count(item) > 0 || state.model?.neighbors[item] != nil
        || state.model?.titleNeighbors[item] != nil
      guard known else { return nil }
      let snapshot = state
      func allowed(_ other: String) -> Bool { snapshot.isServable(other, now: now) }
      var complements = state.cooccurrence.complements(of: item, k: k, isAllowed: allowed)
      if complements.isEmpty && !state.modelNeedsLiveSupport, let trained = state.model?.neighbors[item] {
        complements = Array(trained.filter { allowed($0.item) }.prefix(k))
      }
      let substitutes = state.cooccurrence.substitutes(of: item, k: k, isAllowed: allowed)
      // An item without sales: the complements of the items whose titles are nearest to its own.
      var similar: [TitleNeighbors.Entry]?
      if complements.isEmpty, let cold = state.model?.titleNeighbors[item] {
        similar = cold.neighbors
        complements = cold.partners.lazy.filter { allowed($0.item.id) }.prefix(k).map {
          Neighbor(item: $0.item.id, together: 0, score: $0.score, lift: 0, confidence: 0)
        }
      }
      return NeighborsResponse(
        item: item, complements: complements, substitutes: substitutes,
        similarTitles: similar.map { Array($0.prefix(k)) })
    }
  }
}

/// Recommendation ids in the UUID version 7 layout: 48 bits of Unix milliseconds, then 74 random
/// bits from SplitMix64 seeded per request from the engine's system-random seed stream.
///
/// Time-ordered ids keep the stores' primary-key index appending at its right edge instead of
/// touching random pages on every impression write (Foundation's UUID() also opened
/// /dev/urandom on every call).
struct RecommendationIDs {
  private var generator: SplitMix64
  private let milliseconds: UInt64

  /// - Parameters:
  ///   - seed: the random seed.
  ///   - milliseconds: Unix time in milliseconds (the ids' prefix).
  init(seed: UInt64, milliseconds: UInt64 = RecommendationIDs.nowMilliseconds()) {
    generator = SplitMix64(seed: seed)
    self.milliseconds = milliseconds
  }

  /// Unix time in milliseconds.
  static func nowMilliseconds() -> UInt64 {
    UInt64(max(0, Date().timeIntervalSince1970 * 1000))
  }

  /// The low 32 bits of the impression sequence number an id carries (its last 8 hex digits), or nil when the
  /// id does not have our 36-character layout.
  static func sequence(of id: String) -> UInt64? {
    guard id.utf8.count == 36 else { return nil }
    var value: UInt64 = 0
    for unit in id.utf8.suffix(8) {
      switch unit {
      case 0x30...0x39: value = value << 4 | UInt64(unit - 0x30)
      case 0x61...0x66: value = value << 4 | UInt64(unit - 0x61 + 10)
      default: return nil
      }
    }
    return value
  }

  /// A new id: 48-bit millisecond time, version 7, 42 random bits, variant, and the low 32 bits of `sequence`.
  mutating func next(sequence: UInt64) -> String {
    let (high, low) = randomWords()
    return Self.format(high: high, low: low | (sequence & 0xFFFF_FFFF))
  }

  /// Ids for a list of `count` items numbered from sequence `first`: one draw of random bits, so they differ only
  /// in their last eight hex digits and share the first ``RecommendationList/idPrefixLength`` characters, the
  /// list id.
  mutating func list(first: UInt64, count: Int) -> (prefix: String, ids: [String]) {
    let (high, low) = randomWords()
    let ids = (0..<count).map { Self.format(high: high, low: low | ((first &+ UInt64($0)) & 0xFFFF_FFFF)) }
    let prefix = Self.format(high: high, low: low).prefix(RecommendationList.idPrefixLength)
    return (String(prefix), ids)
  }

  /// The time, version, random and variant bits of an id; the low 32 bits of `low` are left for the sequence.
  private mutating func randomWords() -> (high: UInt64, low: UInt64) {
    let random = generator.next()
    let high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | (random & 0x0FFF)
    let low = (generator.next() & 0x3FFF_FFFF_0000_0000) | 0x8000_0000_0000_0000
    return (high, low)
  }

  /// The 36-character text of an id.
  private static func format(high: UInt64, low: UInt64) -> String {
    let digits: StaticString = "0123456789abcdef"
    return String(unsafeUninitializedCapacity: 36) { buffer in
      digits.withUTF8Buffer { hex in
        var position = 0
        for index in 0..<32 {
          if index == 8 || index == 12 || index == 16 || index == 20 {
            buffer[position] = 0x2D
            position += 1
          }
          let word = index < 16 ? high : low
          let nibble = Int((word >> UInt64(60 - 4 * (index % 16))) & 0xF)
          buffer[position] = hex[nibble]
          position += 1
        }
      }
      return 36
    }
  }
}

/// What phase 1 of a bundle request gathers under the lock.
struct Gathered: Sendable {
  var experiment: String?
  var variant: ExperimentVariant
  var candidates: [Candidate]
  /// Bandit statistics of the first candidates, by position (bandit policy only).
  var arms: [[ArmStatistics]?]
  var seed: UInt64
  var idSeed: UInt64
  /// First of the `k` impression sequence numbers reserved for this request.
  var firstSequence: UInt64
  var modelVersion: Int64?
}
