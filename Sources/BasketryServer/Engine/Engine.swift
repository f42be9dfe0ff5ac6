import BasketryBundles
import BasketryCore
import BasketryOnline
import BasketryStore
import BasketryTraining
import Foundation
import Logging

/// The service's brain: the store plus in-memory serving state (trained model, live
/// co-occurrence, catalog cache, bandit), shared by all request handlers.
///
/// Reads are served from memory; every acknowledged write goes to the store first. Impressions
/// and bandit counts are buffered and written every `flush_milliseconds` (losing at most that
/// window of impressions on a crash; events are never buffered).
public final class Engine: Sendable {
  /// The store.
  public let store: any Store
  /// Settings.
  public let configuration: ServerConfiguration
  /// Metrics.
  public let metrics: MetricsRegistry
  let pseudonymizer: Pseudonymizer
  let logger: Logger
  let state: Locked<EngineState>
  /// Users' store events, reused briefly between requests.
  let histories: UserHistoryCache
  /// Shoppers' bundle fits by bundle key and their last personal ranking, while their history and the model stay
  /// the same (20,000 shoppers, about 1.5 KB each for k = 3: ≈ 30 MB when full; the ranked candidate list itself
  /// is shared with the candidate cache).
  let personalFits = ShopperCache<HistoryStamp, PersonalRankingMemo>(capacity: 20_000)
  /// Shoppers' ranked recommendations, while their history, the model, the catalog and the request stay the same
  /// (20,000 shoppers, about 1.5 KB each for k = 10: ≈ 30 MB when full).
  let rankings = ShopperCache<RankingStamp, [(String, Double, String)]>(capacity: 20_000)
  /// Shoppers' bundle anchors (their latest items), while their history and the model stay the same (20,000
  /// shoppers, at most five ids each).
  let personalAnchors = ShopperCache<HistoryStamp, [String]>(capacity: 20_000)
  /// Events and bundle offers on this replica, for the dashboard.
  let activity: LiveActivity
  /// The concurrency cap and per-key rate limits.
  let admission: Admission
  /// Whether the store takes writes now (readiness; reads skip the store while it is away).
  let storeHealth = StoreHealth()
  /// Buffered impressions and lists beyond ``ServerConfiguration/spillAfter`` while the store is away.
  let spill: SpillFile
  /// Seconds a write waits for the store before it is answered 503 (30: a store that is merely slow under load,
  /// e.g. PostgreSQL appends queued behind a group commit on 2 busy cores, must not be taken for one that is gone;
  /// a store that is gone refuses connections at once, and after one write has waited this long the next are
  /// refused at once while it stays silent).
  static let writeDeadline = 30.0
  /// Seconds a read waits for the store before it is served from memory (5).
  static let readDeadline = 5.0
  /// Seconds the readiness check waits for the store's answer (1: probes time out after a few seconds).
  static let pingDeadline = 1.0

  /// Creates an engine (call ``start()`` before serving).
  public init(store: any Store, configuration: ServerConfiguration, logger: Logger) {
    self.store = store
    self.configuration = configuration
    self.metrics = MetricsRegistry()
    self.pseudonymizer = Pseudonymizer(secret: configuration.effectivePseudonymKey)
    self.logger = logger
    self.histories = UserHistoryCache(seconds: configuration.historyCacheSeconds)
    self.activity = LiveActivity(now: Self.now())
    self.admission = Admission(
      capacity: configuration.maxConcurrentRequests, rate: configuration.rateLimitPerSecond)
    self.spill = SpillFile(path: configuration.spillPath, maximumBytes: configuration.spillMaxBytes)
    self.state = Locked(
      EngineState(
        bandit: ThompsonDiscountBandit(configuration: configuration.banditConfiguration), seed: configuration.seed))
  }

  /// Migrates the store and loads catalog, co-occurrence, bandit counts, experiments and the latest model.
  public func start() async throws {
    try await store.migrate()
    try await refreshLiveState()
    let arms = try await store.banditCounts()
    let experiments = try await store.experiments()
    let erased = try await store.erasedUsers()
    state.withLock { state in
      state.erasedUsers.formUnion(erased)
      for record in arms {
        state.bandit.merge(
          key: record.key, arm: record.arm,
          statistics: ArmStatistics(trials: record.trials, successes: record.successes, rewardSum: record.rewardSum))
      }
      state.experiments = experiments
    }
    _ = try await reloadModel()
    await loadVariantModels(experiments)
  }

  /// A user's store events, from the short-lived cache when fresh.
  ///
  /// While the store is away (or does not answer within ``readDeadline``) the user's last cached events are used
  /// however old, else none: recommendations stay available, possibly without the shopper's newest events
  /// (counted in `store_read_fallbacks_total`).
  /// - Throws: store errors other than unavailability.
  func storeEvents(of user: String) async throws -> [StoredEvent] {
    if let cached = histories.events(of: user) { return cached }
    if storeHealth.isAway { return staleEvents(of: user) }
    let read = histories.beginRead()
    let store = self.store
    do {
      let events = try await StoreDeadline.run(seconds: Self.readDeadline, operation: "read user events") {
        try await store.events(user: user)
      }
      histories.store(events, of: user, read: read)
      return events
    } catch {
      // A slow read is served from memory this once; it does not mark the store away (writes would then be refused).
      if StoreDeadline.isTimeout(error) { return staleEvents(of: user) }
      guard storeHealth.record(failure: error) else { throw error }
      return staleEvents(of: user)
    }
  }

  private func staleEvents(of user: String) -> [StoredEvent] {
    metrics.increment("store_read_fallbacks_total")
    return histories.events(of: user, includingStale: true) ?? []
  }

  /// The pseudonym of a raw user id.
  public func pseudonym(_ rawUserID: String) -> String { pseudonymizer.pseudonym(rawUserID) }

  /// The model version being served.
  public var modelVersion: Int64? { state.withLock { $0.modelVersion } }

  /// Whether the store answers and takes writes: false while writes fail because the store is away (see
  /// ``StoreHealth``) or when a ping gets no answer within ``pingDeadline``.
  public func isReady() async -> Bool {
    if storeHealth.isAway { return false }
    let store = self.store
    return (try? await StoreDeadline.run(seconds: Self.pingDeadline, operation: "ping") { await store.ping() }) ?? false
  }

  // MARK: - Refreshing

  /// Loads the newest model if it differs from the one served.
  /// - Returns: whether the served model changed.
  @discardableResult
  public func reloadModel() async throws -> Bool {
    guard let latest = try await store.latestModelVersion(), latest != modelVersion else { return false }
    guard let artifact = try await store.latestModel() else { return false }
    let model: ServingModel
    do {
      model = try ServingModel.decode(artifact.payload)
    } catch {
      // Keep serving the current model; remember the version so it is not retried on every poll.
      logger.error(
        "model version cannot be served; ignored",
        metadata: ["version": "\(artifact.version)", "error": "\(error)"])
      state.withLock { $0.modelVersion = artifact.version }
      metrics.increment("model_load_failures_total")
      return false
    }
    state.withLock { $0.install(model: model, version: artifact.version) }
    metrics.set("model_version", Double(artifact.version))
    // Customers in a model trained from files are found by pseudonym: another key finds none of them.
    let keyMismatch = model.metadata.pseudonymKeyCheck.map { $0 != pseudonymizer.keyCheck } ?? false
    metrics.set("model_pseudonym_key_mismatch", keyMismatch ? 1 : 0)
    if keyMismatch {
      logger.error(
        """
        model was trained with another pseudonym key: none of its customers' histories can be matched to requests; \
        train again with this server's BASKETRY_PSEUDONYM_KEY (pseudonym_key)
        """,
        metadata: ["version": "\(artifact.version)", "customers": "\(model.metadata.users)"])
    }
    metrics.increment("model_switches_total")
    logger.info(
      "serving model",
      metadata: [
        "version": "\(artifact.version)", "bundles": "\(model.bundles.count)",
        "recommender": "\(model.metadata.recommender)",
      ])
    return true
  }

  /// Reloads the catalog cache from the store (with the co-occurrence counts: see ``refreshLiveState()``).
  public func refreshCatalog() async throws { try await refreshLiveState() }

  /// Rebuilds the live co-occurrence model from the store's counts (with the catalog: see
  /// ``refreshLiveState()``).
  public func refreshCooccurrence() async throws { try await refreshLiveState() }

  /// Reloads experiments (created on other replicas) and the model versions their variants name.
  public func refreshExperiments() async throws {
    let experiments = try await store.experiments()
    state.withLock { $0.experiments = experiments }
    await loadVariantModels(experiments)
  }

  /// Loads the model versions that experiment variants name and are not loaded yet (failures are logged and
  /// counted; such a variant is served the newest model).
  func loadVariantModels(_ experiments: [Experiment]) async {
    let wanted = Set(experiments.flatMap { $0.variants.compactMap(\.modelVersion) })
    let missing = state.withLock { state in wanted.filter { state.variantModels[$0] == nil } }
    for version in missing.sorted() {
      do {
        guard let model = try await servingModel(version: version) else { continue }
        state.withLock { $0.variantModels[version] = model }
      } catch {
        logger.error(
          "experiment model version cannot be served", metadata: ["version": "\(version)", "error": "\(error)"])
        metrics.increment("model_load_failures_total")
      }
    }
    state.withLock { state in state.variantModels = state.variantModels.filter { wanted.contains($0.key) } }
  }

  /// A published model version, decoded (nil when it does not exist).
  /// - Throws: store errors and ``ArtifactError``.
  func servingModel(version: Int64) async throws -> ServingModel? {
    guard let artifact = try await store.model(version: version) else { return nil }
    return try ServingModel.decode(artifact.payload)
  }

  /// Writes buffered impressions and bandit counts to the store, then what an outage moved to the spill file.
  ///
  /// What a failed write did not store goes back into the buffers (impressions and lists are idempotent on their
  /// ids; bandit counts are added in one transaction, so they are re-queued only when that write failed) and is
  /// retried at the next flush. While more than ``ServerConfiguration/spillAfter`` entries wait, they move to the
  /// spill file (at most ``ServerConfiguration/spillMaxBytes``); beyond that the buffers hold at most
  /// ``EngineState/pendingCapacity`` (1,000,000) entries, dropping the oldest (counted in
  /// `impressions_dropped_total`). Not reentrant: one flusher calls it.
  /// - Returns: whether everything buffered was stored.
  @discardableResult
  public func flush() async -> Bool {
    let (impressions, lists, offers, arms, full) = state.withLock {
      state -> ([Impression], [RecommendationList], [OfferList], [BanditArmRecord], Int) in
      defer {
        state.pendingImpressions.removeAll(keepingCapacity: true)
        state.pendingLists.removeAll(keepingCapacity: true)
        state.pendingOfferLists.removeAll(keepingCapacity: true)
        state.pendingArms.removeAll(keepingCapacity: true)
        state.droppedPending = 0
      }
      return (
        state.pendingImpressions, state.pendingLists, state.pendingOfferLists, Array(state.pendingArms.values),
        state.droppedPending
      )
    }
    if full > 0 {
      logger.error(
        "impression buffers full while the store fell behind; oldest dropped", metadata: ["count": "\(full)"])
      metrics.increment("impressions_dropped_total", by: Double(full))
    }
    let stored = Locked(0)
    let store = self.store
    do {
      try await StoreDeadline.run(seconds: Self.writeDeadline, operation: "flush") {
        if !impressions.isEmpty { try await store.recordImpressions(impressions) }
        stored.withLock { $0 = 1 }
        if !lists.isEmpty { try await store.recordRecommendationLists(lists) }
        stored.withLock { $0 = 2 }
        if !offers.isEmpty { try await store.recordOfferLists(offers) }
        stored.withLock { $0 = 3 }
        if !arms.isEmpty { try await store.addBanditCounts(arms) }
        stored.withLock { $0 = 4 }
      }
      if !impressions.isEmpty || !lists.isEmpty || !offers.isEmpty || !arms.isEmpty { storeHealth.recordSuccess() }
    } catch {
      // After a deadline the writes may still finish; re-queued entries are idempotent, and bandit counts are
      // re-queued only when their write has not finished (at worst counted again, never lost).
      let done = stored.withLock { $0 }
      let dropped = state.withLock { state in
        state.requeue(
          impressions: done < 1 ? impressions : [], lists: done < 2 ? lists : [],
          offers: done < 3 ? offers : [], arms: done < 4 ? arms : [])
      }
      storeHealth.record(failure: error)
      logger.error(
        "flush failed; kept for the next flush",
        metadata: [
          "error": "\(error)", "impressions": "\(impressions.count)", "lists": "\(lists.count)",
          "offer_lists": "\(offers.count)", "dropped_oldest": "\(dropped)",
        ])
      metrics.increment("flush_failures_total")
      if dropped > 0 { metrics.increment("impressions_dropped_total", by: Double(dropped)) }
      spillIfNeeded(force: false)
      return false
    }
    return await replaySpill()
  }

  /// Moves buffered impressions, lists and offer lists to the spill file when more than
  /// ``ServerConfiguration/spillAfter`` wait (or any, when `force`), within its size bound.
  /// - Parameter force: spill whatever waits (at shutdown while the store is away).
  func spillIfNeeded(force: Bool) {
    let (impressions, lists, offers) = state.withLock { state in
      let waiting = state.pendingImpressions.count + state.pendingLists.count + state.pendingOfferLists.count
      guard waiting > 0, force || waiting > configuration.spillAfter else {
        return ([Impression](), [RecommendationList](), [OfferList]())
      }
      return (state.pendingImpressions, state.pendingLists, state.pendingOfferLists)
    }
    guard !impressions.isEmpty || !lists.isEmpty || !offers.isEmpty else { return }
    do {
      let written = try spill.append(impressions: impressions, lists: lists, offers: offers)
      // Only the written prefixes leave memory; entries buffered meanwhile stay behind them.
      state.withLock { state in
        state.pendingImpressions.removeFirst(min(written.impressions, state.pendingImpressions.count))
        state.pendingLists.removeFirst(min(written.lists, state.pendingLists.count))
        state.pendingOfferLists.removeFirst(min(written.offers, state.pendingOfferLists.count))
      }
      let count = written.impressions + written.lists + written.offers
      metrics.increment("impressions_spilled_total", by: Double(count))
      metrics.set("impressions_spill_bytes", Double(spill.size))
      if count < impressions.count + lists.count + offers.count {
        logger.warning("spill file full; the rest stays in memory", metadata: ["path": "\(spill.path)"])
      }
    } catch {
      logger.error("cannot spill buffered impressions", metadata: ["path": "\(spill.path)", "error": "\(error)"])
      metrics.increment("spill_failures_total")
    }
  }

  /// Writes what the spill file holds to the store and empties it.
  /// - Returns: whether the file is empty afterwards.
  func replaySpill() async -> Bool {
    guard spill.size > 0 else { return true }
    do {
      let contents = try spill.read()
      let store = self.store
      try await StoreDeadline.run(seconds: Self.writeDeadline * 10, operation: "replay spill") {
        for chunk in contents.impressions.chunked(10_000) { try await store.recordImpressions(chunk) }
        for chunk in contents.lists.chunked(10_000) { try await store.recordRecommendationLists(chunk) }
        for chunk in contents.offers.chunked(10_000) { try await store.recordOfferLists(chunk) }
      }
      storeHealth.recordSuccess()
      try spill.discard(prefix: contents.bytes)
      metrics.increment("impressions_replayed_total", by: Double(contents.count))
      metrics.set("impressions_spill_bytes", Double(spill.size))
      if contents.unreadable > 0 {
        logger.error("unreadable spill lines skipped", metadata: ["count": "\(contents.unreadable)"])
      }
      logger.info("spilled impressions written to the store", metadata: ["count": "\(contents.count)"])
      return spill.size == 0
    } catch {
      storeHealth.record(failure: error)
      logger.error("spill replay failed; retried later", metadata: ["error": "\(error)"])
      return false
    }
  }

  /// Unix seconds now.
  static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

/// Mutable serving state, guarded by the engine's lock.
struct EngineState {
  // The observers keep derived candidate lists consistent with what they are derived from.
  var model: ServingModel? { didSet { candidateCache.invalidate() } }
  var modelVersion: Int64?
  var modelNeedsLiveSupport = false { didSet { candidateCache.invalidate() } }
  var bundlesByItem: [String: [Int]] = [:] { didSet { candidateCache.invalidate() } }
  var cooccurrence = CooccurrenceModel() { didSet { candidateCache.invalidate() } }
  var catalog: [String: CatalogItem] = [:] {
    didSet {
      candidateCache.catalogChanged()
      catalogEpoch &+= 1
    }
  }
  /// Counts catalog changes (part of the stamp of cached recommendation lists).
  var catalogEpoch: UInt64 = 0
  /// The newest change-feed sequence the live state reflects (see Engine+Replication.swift).
  var changeCursor: Int64 = 0
  /// Changes above the cursor already reflected (this replica's own writes) or deliberately
  /// skipped (purchases its own erasure removed first); the feed follower skips them.
  var handledChanges: Set<Int64> = []
  /// Purchases read from the feed already erased (so never applied), by the erasing change.
  var unappliedErased: [Int64: Set<Int64>] = [:]
  var candidateCache = CandidateCache()
  /// Users ever erased (from the store at start, then this replica's erasures and the change feed's): their
  /// training history in a model trained from files is never used (training from files also leaves them out).
  var erasedUsers: Set<String> = []
  /// Older or newer model versions that experiment variants name (``ExperimentVariant/modelVersion``).
  var variantModels: [Int64: ServingModel] = [:]
  var bandit: ThompsonDiscountBandit
  var pendingArms: [ArmID: BanditArmRecord] = [:]
  var pendingImpressions: [Impression] = []
  /// Lists of recommended items waiting for the store (one row per list).
  var pendingLists: [RecommendationList] = []
  /// The bundle offers of responses waiting for the store (one row per response).
  var pendingOfferLists: [OfferList] = []
  /// Impressions and lists dropped from full buffers since the last flush.
  var droppedPending = 0
  /// Ring of recent impressions, for attribution. Each recommendation id carries the low 32 bits of its
  /// impression's sequence number (``RecommendationIDs``), which is also its ring slot: no index to maintain.
  var recentRing: [Impression] = []
  /// The next impression sequence number.
  var recentSequence: UInt64 = 0
  var rewarded: Set<String> = []
  var experiments: [Experiment] = []
  /// Adaptive price tests' posteriors and sessions' levels, by experiment id.
  var priceTests: [String: PriceTestServing] = [:]
  var rng: SplitMix64
  /// Seeds of per-request recommendation-id generators (system-random at start, unlike `rng`,
  /// so ids never repeat across restarts with the same configured seed).
  var idSeeds: SplitMix64
  static let recentCapacity = 1 << 18

  init(bandit: ThompsonDiscountBandit, seed: UInt64) {
    self.bandit = bandit
    self.rng = SplitMix64(seed: seed)
    var system = SystemRandomNumberGenerator()
    self.idSeeds = SplitMix64(seed: system.next())
  }

  mutating func install(model: ServingModel, version: Int64) {
    self.model = model
    self.modelVersion = version
    // Bundles trained from the store are re-checked against live counts, so erased users' influence disappears.
    self.modelNeedsLiveSupport = model.metadata.provenance.isStore
    var index: [String: [Int]] = [:]
    for (position, bundle) in model.bundles.enumerated() {
      for item in bundle.items { index[item.id, default: []].append(position) }
    }
    bundlesByItem = index
  }

  func isServable(_ item: String, now: Int64) -> Bool {
    catalog[item].map { $0.isServable(at: now) } ?? true
  }

  /// Reserves `count` consecutive impression sequence numbers; returns the first.
  mutating func reserveRecent(_ count: Int) -> UInt64 {
    defer { recentSequence &+= UInt64(count) }
    return recentSequence
  }

  /// Queues an impression for the store and keeps it in the ring slot of its sequence number.
  mutating func remember(_ impression: Impression, sequence: UInt64) {
    pendingImpressions.append(impression)
    droppedPending += trimPending()
    keep(recent: impression, sequence: sequence)
  }

  /// Keeps an impression (stored some other way, e.g. in an ``OfferList``) in the ring slot of its sequence number.
  mutating func keep(recent impression: Impression, sequence: UInt64) {
    let slot = Int(sequence & UInt64(Self.recentCapacity - 1))
    if slot >= recentRing.count {
      recentRing.append(contentsOf: repeatElement(Self.blankImpression, count: slot - recentRing.count + 1))
    }
    let evicted = recentRing[slot].recommendationID
    if !rewarded.isEmpty, !evicted.isEmpty { rewarded.remove(evicted) }
    recentRing[slot] = impression
  }

  /// A recent impression by recommendation id (nil when evicted, erased, or issued by another replica).
  func recent(_ id: String) -> Impression? {
    guard let sequence = RecommendationIDs.sequence(of: id) else { return nil }
    let slot = Int(sequence & UInt64(Self.recentCapacity - 1))
    guard slot < recentRing.count, recentRing[slot].recommendationID == id else { return nil }
    return recentRing[slot]
  }

  static let blankImpression = Impression(
    recommendationID: "", experimentID: nil, variant: nil, user: "", session: "", kind: "", key: "", arm: -1,
    discount: 0, price: 0, margin: 0, propensity: 0, timestamp: 0)

  /// Forgets a user's recent impressions (erasure): their ring entries are blanked.
  mutating func forgetRecent(user: String) {
    for index in recentRing.indices where recentRing[index].user == user {
      recentRing[index] = Self.blankImpression
    }
  }

  /// Impressions and recommendation lists buffered at most while the store cannot take them.
  var pendingCapacity = 1_000_000

  /// Puts back what a failed flush did not store, before what was buffered since; beyond
  /// ``pendingCapacity`` the oldest are dropped.
  /// - Returns: how many impressions and lists were dropped.
  mutating func requeue(
    impressions: [Impression], lists: [RecommendationList], offers: [OfferList] = [], arms: [BanditArmRecord]
  ) -> Int {
    pendingImpressions = impressions + pendingImpressions
    pendingLists = lists + pendingLists
    pendingOfferLists = offers + pendingOfferLists
    for record in arms {
      addArm(
        key: record.key, arm: record.arm, trials: record.trials, successes: record.successes,
        reward: record.rewardSum)
    }
    return trimPending()
  }

  /// Queues a list of recommended items for the store (the oldest buffered beyond ``pendingCapacity`` go).
  mutating func queue(_ list: RecommendationList) {
    pendingLists.append(list)
    droppedPending += trimPending()
  }

  /// Queues the bundle offers of a response for the store (the oldest buffered beyond ``pendingCapacity`` go).
  mutating func queue(_ offers: OfferList) {
    pendingOfferLists.append(offers)
    droppedPending += trimPending()
  }

  /// Drops the oldest buffered impressions, lists and offer lists beyond ``pendingCapacity`` (each counts as
  /// one entry); returns how many.
  mutating func trimPending() -> Int {
    let excess = pendingImpressions.count + pendingLists.count + pendingOfferLists.count - pendingCapacity
    guard excess > 0 else { return 0 }
    let fromImpressions = min(excess, pendingImpressions.count)
    pendingImpressions.removeFirst(fromImpressions)
    let fromLists = min(excess - fromImpressions, pendingLists.count)
    pendingLists.removeFirst(fromLists)
    pendingOfferLists.removeFirst(min(excess - fromImpressions - fromLists, pendingOfferLists.count))
    return excess
  }

  mutating func addArm(key: String, arm: Int, trials: Int, successes: Int, reward: Double) {
    let id = ArmID(key: key, arm: arm)
    var record = pendingArms[id] ?? BanditArmRecord(key: key, arm: arm, trials: 0, successes: 0, rewardSum: 0)
    record.trials += trials
    record.successes += successes
    record.rewardSum += reward
    pendingArms[id] = record
  }
}

extension Array {
  /// Consecutive slices of at most `size` elements.
  func chunked(_ size: Int) -> [[Element]] {
    stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
  }
}

/// A bundle's discount level, as the key of pending bandit counts.
struct ArmID: Hashable {
  var key: String
  var arm: Int
}
