import BasketryCore
import BasketryModels

/// A behaviour event that happened after training, as the service folds it into a user's history.
public struct LiveInteraction: Sendable, Hashable {
  /// External item id.
  public var item: String
  /// Kind of behaviour.
  public var type: EventType
  /// The order (basket) it belongs to: purchases of one order count once per item.
  public var basket: String
  /// Unix seconds.
  public var timestamp: Int64

  /// Creates an interaction.
  public init(item: String, type: EventType, basket: String, timestamp: Int64) {
    self.item = item
    self.type = type
    self.basket = basket
    self.timestamp = timestamp
  }
}

extension ServingModel {
  /// A user's history at training time plus live interactions since, with the strengths the training
  /// matrix would have given them (``InteractionWeights/default``: one per distinct order with the item, view
  /// 0.1, cart 0.3, return −1; entries at or below zero dropped).
  /// - Parameters:
  ///   - user: the user key (pseudonym); nil for none (e.g. a user erased since training: only their new
  ///     interactions count).
  ///   - live: interactions after the model's data end (items unknown to the model are skipped).
  /// - Returns: the history, by ascending item id.
  /// - Complexity: O(history + live).
  public func history(of user: String?, adding live: [LiveInteraction]) -> [HistoryEntry] {
    let base = user.map(trainingHistory(of:)) ?? []
    if live.isEmpty { return base }
    let weights = InteractionWeights.default
    var strengths: [Int32: (strength: Float, last: Int64)] = [:]
    for entry in base { strengths[entry.item] = (entry.strength, entry.lastTime) }
    var counted = Set<String>()
    for interaction in live {
      guard let item = itemIndex[interaction.item] else { continue }
      let amount: Float
      if interaction.type == .purchase {
        guard counted.insert(interaction.basket + "\u{1F}" + interaction.item).inserted else { continue }
        amount = weights.purchase
      } else {
        amount = weights.weight(of: interaction.type)
      }
      guard amount != 0 else { continue }
      var cell = strengths[item] ?? (0, .min)
      cell.strength += amount
      if amount > 0 { cell.last = max(cell.last, interaction.timestamp) }
      strengths[item] = cell
    }
    return strengths.filter { $0.value.strength > weights.minimumStrength }
      .map { HistoryEntry(item: $0.key, strength: weights.transformed($0.value.strength), lastTime: $0.value.last) }
      .sorted { $0.item < $1.item }
  }

  /// The top `k` items for a user: a user known at training time with no live interactions is ranked from
  /// the fitted model's own state for them (exactly what the offline evaluation ranked, also for ALS, whose
  /// fit-time factors differ slightly from a fresh solve); otherwise their history (training plus live) is
  /// folded in (``history(of:adding:)``).
  /// - Parameters:
  ///   - user: the user key (pseudonym), or nil to use the live interactions alone.
  ///   - live: interactions after the model's data end.
  ///   - k: how many.
  ///   - excludeSeen: drop items in the user's history.
  ///   - isAllowed: the caller's filter (catalogue state, category).
  /// - Returns: the items and the history they were ranked for.
  /// - Throws: ``ModelError`` from the recommender.
  /// - Complexity: the recommender's scoring or fold-in plus O(items · log k).
  public func recommend(
    user: String?, live: [LiveInteraction], k: Int, excludeSeen: Bool, where isAllowed: (Int32) -> Bool = { _ in true }
  ) throws -> (items: [ScoredItem], history: [HistoryEntry]) {
    guard let (scores, history) = try scores(user: user, live: live) else { return ([], []) }
    return (rank(scores, history: history, k: k, excludeSeen: excludeSeen, where: isAllowed), history)
  }

  /// The recommender's score of every item for a user's whole history, and that history: a user known at training
  /// time with no live interactions is scored from the fitted model's own state for them; otherwise their history
  /// (training plus live) is folded in, decayed to the training reference time.
  /// - Parameters:
  ///   - user: the user key (pseudonym), or nil to use the live interactions alone.
  ///   - live: interactions after the model's data end.
  /// - Returns: nil when the user has no history the model knows.
  /// - Throws: ``ModelError`` from the recommender.
  /// - Complexity: the recommender's scoring or fold-in.
  public func scores(user: String?, live: [LiveInteraction]) throws -> (scores: [Float], history: [HistoryEntry])? {
    let known = live.filter { itemIndex[$0.item] != nil }
    if let user, let row = userIndex[user], known.isEmpty {
      return (try recommender.scores(user: row), trainingHistory(of: user))
    }
    let history = self.history(of: user, adding: known)
    if history.isEmpty { return nil }
    return (try recommender.scores(history: history, referenceTime: nil), history)
  }

  /// The top `k` items for a history, best first (ties by lower dense id, as the offline evaluation breaks
  /// them): only items the recommender was trained on, minus the history when `excludeSeen`, and only those
  /// `isAllowed` accepts.
  /// - Parameters:
  ///   - history: the user's history (``history(of:adding:)``).
  ///   - k: how many.
  ///   - excludeSeen: drop items in the history.
  ///   - referenceTime: "now" for time-decayed models (nil: the training reference time).
  ///   - isAllowed: the caller's filter (catalogue state, category).
  /// - Throws: ``ModelError`` from the recommender.
  /// - Complexity: the recommender's fold-in plus O(items · log k).
  public func recommend(
    history: [HistoryEntry], k: Int, excludeSeen: Bool, referenceTime: Int64? = nil,
    where isAllowed: (Int32) -> Bool = { _ in true }
  ) throws -> [ScoredItem] {
    let scores = try recommender.scores(history: history, referenceTime: referenceTime)
    return rank(scores, history: history, k: k, excludeSeen: excludeSeen, where: isAllowed)
  }

  private func rank(
    _ scores: [Float], history: [HistoryEntry], k: Int, excludeSeen: Bool, where isAllowed: (Int32) -> Bool
  ) -> [ScoredItem] {
    var seen: Set<Int32> = []
    if excludeSeen { seen = Set(history.map(\.item)) }
    return topK(scores, k: k) { item in
      self.isRankable(item) && !seen.contains(item) && isAllowed(item)
    }
  }
}
