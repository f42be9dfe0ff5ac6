import BasketryCore
import BasketryOnline
import BasketryStore
import BasketryTraining
import Foundation

extension Engine {
  // MARK: - Catalog

  /// Inserts or replaces a catalog item.
  public func putItem(_ item: CatalogItem) async throws {
    let sequence = try await store.putItem(item)
    // Unless the feed follower already applied this write (or a newer one).
    state.withLock { state in
      if state.claimOwn(sequence) { state.catalog[item.id] = item }
    }
  }

  /// Deletes a catalog item; it is never served again. Returns whether it existed.
  public func deleteItem(id: String) async throws -> Bool {
    let existed = try await store.item(id: id) != nil
    // Replace it by a hidden entry so counts and models referring to it never serve it (one
    // write, so other replicas never see it absent in between).
    let tombstone = CatalogItem(id: id, hidden: true)
    let sequence = try await store.putItem(tombstone)
    state.withLock { state in
      if state.claimOwn(sequence) { state.catalog[id] = tombstone }
    }
    return existed
  }

  /// The catalog item with this id.
  public func item(id: String) -> CatalogItem? { state.withLock { $0.catalog[id] } }

  // MARK: - Users

  /// Erases a user: events, impressions, and their contributions to co-occurrence counts.
  public func deleteUser(rawID: String) async throws -> DeletionReceipt {
    let user = pseudonymizer.pseudonym(rawID)
    let receipt = try await store.deleteUser(user)
    histories.invalidate([user])
    personalFits.forget(user)
    rankings.forget(user)
    personalAnchors.forget(user)
    state.withLock { state in
      if receipt.changeSequence == 0 {
        // A store without a change feed: subtract the baskets.
        for basket in receipt.removedBaskets { state.cooccurrence.remove(basket: basket) }
      } else if state.claimOwn(receipt.changeSequence) {
        // Exactly the purchases this replica had applied (others may still be on their way).
        state.applyErasure(receipt.changeSequence, deltas: receipt.removedDeltas)
      }
      state.pendingImpressions.removeAll { $0.user == user }
      state.pendingLists.removeAll { $0.user == user }
      state.pendingOfferLists.removeAll { $0.user == user }
      state.forgetRecent(user: user)
      state.erasedUsers.insert(user)
    }
    metrics.increment("users_erased_total")
    return receipt
  }

  // MARK: - Experiments

  /// Creates an experiment.
  /// - Throws: ``StoreError`` (conflict) when the id exists.
  /// - Throws: ``APIError`` (400) when a variant names a model version that is not published or cannot be
  ///   served.
  public func createExperiment(_ experiment: Experiment) async throws {
    for (index, variant) in experiment.variants.enumerated() {
      guard let version = variant.modelVersion else { continue }
      let field = "variants[\(index)].model_version"
      let model: ServingModel?
      do { model = try await servingModel(version: version) } catch let error as ArtifactError {
        throw APIError.badRequest(
          "invalid_value", "model version \(version) cannot be served: \(error.message)", field: field)
      }
      guard let model else {
        throw APIError.badRequest("invalid_value", "model version \(version) is not published", field: field)
      }
      state.withLock { $0.variantModels[version] = model }
    }
    try await store.createExperiment(experiment)
    state.withLock { state in
      state.experiments.append(experiment)
      state.experiments.sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
  }

  /// All experiments.
  public func experiments() async throws -> [Experiment] { try await store.experiments() }

  /// Results of an experiment, or nil when unknown.
  public func report(experiment id: String) async throws -> ExperimentReport? {
    guard let experiment = try await store.experiment(id: id) else { return nil }
    // A campaign experiment's purchases are attributed by customer and window: its hold-out carries no
    // recommendation ids.
    let counted =
      experiment.isCampaign ? try await campaignTallies(experiment) : try await store.tallies(experiment: id)
    let tallies = Dictionary(counted.map { ($0.variant, $0) }, uniquingKeysWith: { first, _ in first })
    let now = Self.now()
    let control = tallies[experiment.variants.first?.name ?? ""] ?? VariantTally(variant: "")
    let controlAOV = ExperimentStatistics.meanAndVariance(control.orderValues)
    let controlRate = control.impressions > 0 ? Double(control.orderValues.count) / Double(control.impressions) : 0
    let needed = ExperimentStatistics.sampleSizePerVariant(baselineRate: controlRate)
    var reports: [VariantReport] = []
    for (index, variant) in experiment.variants.enumerated() {
      let tally = tallies[variant.name] ?? VariantTally(variant: variant.name)
      let conversions = tally.orderValues.count
      let revenue = tally.orderValues.reduce(0, +)
      let aov = ExperimentStatistics.meanAndVariance(tally.orderValues)
      var conversionP: Double?
      var aovP: Double?
      var difference: [Double]?
      if index > 0 {
        difference = ExperimentStatistics.differenceInterval(
          successesA: control.orderValues.count, totalA: control.impressions, successesB: conversions,
          totalB: tally.impressions)
        conversionP =
          ExperimentStatistics.twoProportionZTest(
            successesA: control.orderValues.count, totalA: control.impressions, successesB: conversions,
            totalB: tally.impressions)?.pValue
        aovP =
          ExperimentStatistics.welchTTest(
            meanA: controlAOV.mean, varianceA: controlAOV.variance, countA: control.orderValues.count,
            meanB: aov.mean, varianceB: aov.variance, countB: conversions)?.pValue
      }
      reports.append(
        VariantReport(
          variant: variant.name, impressions: tally.impressions, sessions: tally.sessions, clicks: tally.clicks,
          ctr: tally.impressions > 0 ? Double(tally.clicks) / Double(tally.impressions) : 0,
          conversions: conversions,
          conversionRate: tally.impressions > 0 ? Double(conversions) / Double(tally.impressions) : 0,
          aov: aov.mean, revenue: revenue,
          revenuePerSession: tally.sessions > 0 ? revenue / Double(tally.sessions) : 0,
          conversionInterval: ExperimentStatistics.wilsonInterval(successes: conversions, total: tally.impressions),
          differenceInterval: difference,
          conversionPValue: conversionP, aovPValue: aovP, significant: (conversionP ?? 1) < 0.05,
          sampleSizeStillNeeded: needed.map { max(0, $0 - tally.impressions) }))
    }
    return ExperimentReport(experiment: experiment, active: experiment.isActive(at: now), variants: reports)
  }

  // MARK: - Stats

  /// Store totals, for operators and the acceptance scripts (events stored == events acknowledged).
  public func stats() async throws -> StoreStats {
    let events = try await store.eventCount()
    return state.withLock { state in
      StoreStats(
        events: events, baskets: state.cooccurrence.basketCount, catalogItems: state.catalog.count,
        modelVersion: state.modelVersion,
        pendingImpressions: state.pendingImpressions.count + state.pendingLists.reduce(0) { $0 + $1.items.count }
          + state.pendingOfferLists.reduce(0) { $0 + $1.offers.count })
    }
  }

  // MARK: - Offline replay

  /// Estimates, from logged bundle impressions, the mean margin per impression a fixed-discount
  /// policy would have earned (IPS over the bandit's logged propensities).
  public func replay(discount: Double, limit: Int = 100_000) async throws -> ReplayEstimate {
    let logs = try await store.replayLog(limit: limit)
    let decisions = logs.map { entry in
      LoggedDecision(
        context: entry.impression.key, action: entry.impression.arm, propensity: entry.impression.propensity,
        reward: entry.reward)
    }
    let levels = configuration.banditLevels
    let target = levels.firstIndex { abs($0 - discount) < 1e-9 } ?? -2
    return OfflineReplay.estimate(decisions) { $0.action == target ? 1 : 0 }
  }
}
