import BasketryCore

/// One interaction of a user's history as the models see it: item, strength (as InteractionBuilder computes it)
/// and last time (Unix seconds, Int64.min when unknown).
///
/// A history is what a row of the ``InteractionMatrix`` holds for one user (``InteractionMatrix/history(of:)``),
/// or what ``InteractionBuilder/history(baskets:events:itemCount:)`` builds from raw orders and events; every
/// ``Recommender`` scores one with ``Recommender/scores(history:referenceTime:)`` (fold-in).
public struct HistoryEntry: Sendable, Hashable {
  /// Dense item id.
  public var item: Int32
  /// Interaction strength `f_ui` (see ``InteractionWeights``).
  public var strength: Float
  /// Last interaction time, Unix seconds; `Int64.min` when unknown (no time decay applies).
  public var lastTime: Int64

  /// Creates an entry.
  /// - Parameters:
  ///   - item: dense item id.
  ///   - strength: interaction strength.
  ///   - lastTime: last interaction time in Unix seconds; `Int64.min` (default) when unknown.
  public init(item: Int32, strength: Float, lastTime: Int64 = .min) {
    self.item = item
    self.strength = strength
    self.lastTime = lastTime
  }
}

extension InteractionMatrix {
  /// The stored row of `user` as a history, items ascending, with each entry's last time (`Int64.min` when the
  /// matrix has no times). Scoring it with ``Recommender/scores(history:referenceTime:)`` reproduces
  /// ``Recommender/scores(user:)`` for models whose fold-in is exact.
  /// - Parameter user: a row of the matrix; out-of-range ids give an empty history.
  /// - Returns: one entry per stored entry of the row.
  /// - Complexity: O(|row|).
  public func history(of user: Int32) -> [HistoryEntry] {
    guard user >= 0, Int(user) < userCount else { return [] }
    let range = matrix.rowOffsets[Int(user)]..<matrix.rowOffsets[Int(user) + 1]
    return range.map { e in
      HistoryEntry(item: matrix.columns[e], strength: matrix.values[e], lastTime: lastTimes?[e] ?? Int64.min)
    }
  }
}

// MARK: - Checks shared by the models

/// Checks a fold-in history against the fitted catalogue: every item in `0..<itemCount`, every strength finite,
/// no item twice (a history is one row of the interaction matrix, so an item appears at most once).
/// - Throws: ``ModelError`` (`notFound` for an unknown item, `invalidInput` otherwise).
/// - Complexity: O(|history|).
@usableFromInline func checkHistory(_ history: [HistoryEntry], itemCount: Int, model: String) throws {
  var seen = Set<Int32>(minimumCapacity: history.count)
  for entry in history {
    try checkItem(entry.item, count: itemCount, model: model)
    guard entry.strength.isFinite else {
      throw ModelError(model: model, "history strength \(entry.strength) of item \(entry.item) is not finite")
    }
    guard seen.insert(entry.item).inserted else {
      throw ModelError(model: model, "item \(entry.item) appears more than once in the history")
    }
  }
}
