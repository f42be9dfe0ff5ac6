import BasketryOnline
import BasketryStore
import BasketryTraining
import Foundation

extension Engine {
  /// Bundles listed in the dashboard's bandit table.
  static let dashboardBanditBundles = 5
  /// Bundles listed in the dashboard's top-bundle table.
  static let dashboardBundles = 10
  /// Experiments reported in one dashboard snapshot (running ones first, then the newest).
  static let dashboardExperiments = 20

  /// Everything the live dashboard shows, in one answer.
  /// - Parameter seconds: the event-rate window (1…300 seconds).
  /// - Throws: store errors.
  /// - Complexity: O(bundles tallied · log) for the top bundles, O(bandit bundles) for the arms, plus one
  ///   store read per reported experiment and a posterior refit per running price test.
  public func dashboard(seconds: Int = 120) async throws -> DashboardSnapshot {
    let now = Self.now()
    let stats = try await stats()
    let listed = try await experiments()
    let chosen =
      listed.filter { $0.isActive(at: now) }.reversed() + listed.filter { !$0.isActive(at: now) }.reversed()
    var reports: [ExperimentReport] = []
    var priceTests: [PriceTestReport] = []
    for experiment in chosen.prefix(Self.dashboardExperiments) {
      if let report = try await report(experiment: experiment.id) { reports.append(report) }
      if experiment.priceTest != nil && experiment.isActive(at: now),
        let report = try await priceTestReport(id: experiment.id)
      {
        priceTests.append(report)
      }
    }
    let (top, untracked) = activity.topBundles(limit: Self.dashboardBundles)
    let bandit = configuration.banditConfiguration
    let (model, armsByKey, titleOf) = state.withLock { state in
      let model = state.model.flatMap { model -> DashboardModel? in
        guard let version = state.modelVersion else { return nil }
        let metadata = model.metadata
        return DashboardModel(
          version: version, trainedAt: metadata.trainedAt, recommender: metadata.recommender,
          recommenderParameters: metadata.recommenderParameters, orders: metadata.orders, users: metadata.users,
          items: metadata.items, bundles: model.bundles.count, selection: metadata.selection)
      }
      let arms = state.bandit.arms.sorted {
        ($0.value.reduce(0) { $0 + $1.trials }, $1.key) > ($1.value.reduce(0) { $0 + $1.trials }, $0.key)
      }.prefix(Self.dashboardBanditBundles)
      var titles: [String: String] = [:]
      let keys = arms.map(\.key) + top.map(\.key)
      for key in keys {
        for id in key.split(separator: "+").map(String.init) where titles[id] == nil {
          titles[id] = state.catalog[id]?.title ?? state.model?.title(of: id) ?? id
        }
      }
      return (model, Array(arms), titles)
    }
    func titles(_ key: String) -> [String] { key.split(separator: "+").map { titleOf[String($0)] ?? String($0) } }
    let banditBundles = armsByKey.map { entry in
      DashboardBanditBundle(
        key: entry.key, titles: titles(entry.key),
        arms: bandit.levels.indices.map { index in
          let statistics = index < entry.value.count ? entry.value[index] : ArmStatistics()
          let alpha = bandit.priorAlpha + Double(statistics.successes)
          let beta = bandit.priorBeta + Double(max(0, statistics.trials - statistics.successes))
          return DashboardArm(
            discount: bandit.levels[index], trials: statistics.trials, successes: statistics.successes,
            rewardSum: statistics.rewardSum, posteriorMean: alpha / (alpha + beta),
            low: Self.betaQuantile(0.025, alpha: alpha, beta: beta),
            high: Self.betaQuantile(0.975, alpha: alpha, beta: beta))
        })
    }
    return DashboardSnapshot(
      generatedAt: now, replicaStartedAt: activity.startedAt, store: stats, model: model,
      events: activity.eventSeries(now: now, seconds: seconds), latency: metrics.latencyPercentiles(),
      experiments: reports, priceTests: priceTests,
      bandit: DashboardBandit(
        levels: bandit.levels, priorAlpha: bandit.priorAlpha, priorBeta: bandit.priorBeta, bundles: banditBundles),
      topBundles: top.map { entry in
        DashboardBundle(
          key: entry.key, titles: titles(entry.key), shown: entry.tally.shown, taken: entry.tally.taken,
          attachRate: entry.tally.shown > 0 ? Double(entry.tally.taken) / Double(entry.tally.shown) : 0,
          revenue: entry.tally.revenue)
      }, untrackedBundleOffers: untracked)
  }

  /// The `p` quantile of Beta(α, β), by bisection on the regularized incomplete beta function (60 halvings:
  /// exact to ~1e-18 of the unit interval).
  static func betaQuantile(_ p: Double, alpha: Double, beta: Double) -> Double {
    var low = 0.0
    var high = 1.0
    for _ in 0..<60 {
      let middle = (low + high) / 2
      if ExperimentStatistics.regularizedIncompleteBeta(x: middle, a: alpha, b: beta) < p {
        low = middle
      } else {
        high = middle
      }
    }
    return (low + high) / 2
  }
}

/// One item found by ``Engine/searchItems(_:k:)``.
public struct ItemMatch: Sendable, Hashable, Codable {
  /// Item id.
  public var id: String
  /// Title ("" when unknown).
  public var title: String
  /// Catalog price, when known.
  public var price: Double?
  /// Whether the catalog hides it.
  public var hidden: Bool
}

extension Engine {
  /// Items whose id or title contains `text` (case- and diacritic-insensitive), from the catalog and the
  /// served model: exact ids first, then ids starting with the text, then titles starting with it, then the rest,
  /// each by id.
  /// - Parameters:
  ///   - text: what to look for (1–200 characters).
  ///   - k: results at most.
  /// - Complexity: O(catalog + model items) string comparisons.
  public func searchItems(_ text: String, k: Int) -> [ItemMatch] {
    let needle = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    return state.withLock { state in
      var found: [String: (rank: Int, match: ItemMatch)] = [:]
      func consider(id: String, title: String, price: Double?, hidden: Bool) {
        let foldedID = id.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        let foldedTitle = title.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        let rank: Int
        if foldedID == needle {
          rank = 0
        } else if foldedID.hasPrefix(needle) {
          rank = 1
        } else if foldedTitle.hasPrefix(needle) {
          rank = 2
        } else if foldedID.contains(needle) || foldedTitle.contains(needle) {
          rank = 3
        } else {
          return
        }
        if let existing = found[id], existing.rank <= rank { return }
        found[id] = (rank, ItemMatch(id: id, title: title, price: price, hidden: hidden))
      }
      for (id, item) in state.catalog {
        consider(id: id, title: item.title ?? "", price: item.price, hidden: item.hidden)
      }
      if let model = state.model {
        for (index, id) in model.items.enumerated() where state.catalog[id] == nil {
          consider(id: id, title: index < model.titles.count ? model.titles[index] : "", price: nil, hidden: false)
        }
      }
      return found.values.sorted { ($0.rank, $0.match.id) < ($1.rank, $1.match.id) }.prefix(k).map(\.match)
    }
  }
}
