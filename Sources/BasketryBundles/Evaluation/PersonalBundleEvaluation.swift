import BasketryCore

/// Offline check of personalised bundle ranking on a temporal split (no future leakage): everything — pair
/// scores, embeddings, prices, the purchase model — is fitted on orders before the cut; each sampled user with
/// history before the cut and an order after it gets the top-k bundles of each strategy; we count how many of
/// the offered bundles the user then bought completely (every item) in the window after the cut, and how many
/// offered items they bought at all.
///
/// Strategies: `shop-wide` (the user's recent purchases as anchors, ranked by the shop-wide expected profit) and
/// `personal` (the same generator with a ``PersonalPurchaseModel``: extra anchors from the model and the
/// ranking by the user's own expected profit). Buying an offered bundle's items without having seen the offer
/// is a proxy for interest in it, not a measured take rate — the offers were never shown.
public struct PersonalBundleEvaluation: Sendable {
  /// One strategy's results.
  public struct Row: Sendable, Hashable, Codable {
    /// Strategy name.
    public var strategy: String
    /// Users evaluated.
    public var users: Int
    /// Bundles offered in all.
    public var offers: Int
    /// Share of offered bundles whose every item the user bought after the cut.
    public var completeRate: Double
    /// Share of offered items (not owned before the cut) the user bought after the cut.
    public var newItemHitRate: Double
    /// Share of users who bought every item of at least one offered bundle.
    public var userHitRate: Double
    /// Mean predicted P(take | offered) of the offered bundles (personal strategy only).
    public var meanPredictedTake: Double?
  }

  /// Runs both strategies.
  /// - Parameters:
  ///   - dataset: the whole shop (orders with users and times).
  ///   - cut: Unix time of the split.
  ///   - makeGenerator: builds a generator on the training dataset, with or without a purchase model.
  ///   - users: most users evaluated (sampled with the seed).
  ///   - seed: sampling seed.
  /// - Throws: whatever building the generators throws.
  public static func run(
    dataset: Dataset, cut: Int64, users maxUsers: Int = 300, seed: UInt64 = 7,
    makeGenerator: (Dataset, _ personal: Bool) throws -> BundleGenerator
  ) throws -> [Row] {
    let baskets = dataset.baskets
    let train = Dataset(
      catalog: dataset.catalog, users: dataset.users,
      baskets: baskets.filter { baskets.timestamps[$0] != Baskets.noTime && baskets.timestamps[$0] < cut },
      events: dataset.events.filter { $0.timestamp < cut }, sessions: dataset.sessions)
    var owned: [Int32: Set<Int32>] = [:]
    var after: [Int32: Set<Int32>] = [:]
    for b in 0..<baskets.count where baskets.users[b] >= 0 && baskets.timestamps[b] != Baskets.noTime {
      if baskets.timestamps[b] < cut {
        owned[baskets.users[b], default: []].formUnion(baskets.items(of: b))
      } else {
        after[baskets.users[b], default: []].formUnion(baskets.items(of: b))
      }
    }
    let candidates = seededSample(after.keys.filter { owned[$0] != nil }.sorted(), count: maxUsers, seed: seed)
    var rows: [Row] = []
    for (name, personal) in [("shop-wide", false), ("personal", true)] {
      let generator = try makeGenerator(train, personal)
      var offers = 0
      var complete = 0
      var newItems = 0
      var newHits = 0
      var usersHit = 0
      var predicted = 0.0
      for user in candidates {
        let bought = after[user] ?? []
        let had = owned[user] ?? []
        var hit = false
        for generated in generator.bundles(forUser: user) {
          offers += 1
          let items = generated.bundle.items.map(\.item)
          if items.allSatisfy(bought.contains) {
            complete += 1
            hit = true
          }
          for item in items where !had.contains(item) {
            newItems += 1
            if bought.contains(item) { newHits += 1 }
          }
          predicted += generated.personal?.bundleProbability ?? 0
        }
        if hit { usersHit += 1 }
      }
      rows.append(
        Row(
          strategy: name, users: candidates.count, offers: offers,
          completeRate: Double(complete) / Double(max(offers, 1)),
          newItemHitRate: Double(newHits) / Double(max(newItems, 1)),
          userHitRate: Double(usersHit) / Double(max(candidates.count, 1)),
          meanPredictedTake: personal ? predicted / Double(max(offers, 1)) : nil))
    }
    return rows
  }
}
