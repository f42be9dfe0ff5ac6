import BasketryCore
import Foundation

// MARK: - Batch scoring and recommendation

extension Recommender {
  /// Scores for several users; the default calls ``scores(user:)`` for each, in order.
  /// - Throws: ``ModelError`` when unfitted or a user is unknown.
  public func scores(users: [Int32]) throws -> [[Float]] {
    try users.map { try scores(user: $0) }
  }

  /// The top `k` items for each user; equals calling ``recommend(user:k:seen:options:)`` per user.
  /// - Parameters:
  ///   - users: dense user ids known at fit time.
  ///   - k: number of items per user.
  ///   - seen: returns a user's training items (excluded when `options.excludeSeen`).
  ///   - options: filters and exclusions shared by every user.
  /// - Throws: ``ModelError`` when unfitted or a user is unknown.
  public func recommend(
    users: [Int32], k: Int, seen: (Int32) -> ArraySlice<Int32> = { _ in [] },
    options: RecommendOptions = RecommendOptions()
  ) throws -> [[ScoredItem]] {
    let all = try scores(users: users)
    return zip(users, all).map { user, scores in
      let seenSet: Set<Int32> = options.excludeSeen ? Set(seen(user)) : []
      return topK(scores, k: k) { item in
        !seenSet.contains(item) && !options.excluded.contains(item) && (options.allowed?.contains(item) ?? true)
      }
    }
  }
}

extension InteractionMatrix {
  /// The items of user `u` in the matrix (a convenient `seen` for ``Recommender/recommend(user:k:seen:options:)``).
  public func items(of user: Int32) -> ArraySlice<Int32> {
    guard user >= 0, Int(user) < userCount else { return [] }
    return matrix.row(Int(user)).columns
  }
}

// MARK: - Helpers shared by the models

/// Checks a user id against the fitted size.
@usableFromInline func checkUser(_ user: Int32, count: Int, model: String) throws {
  guard user >= 0, Int(user) < count else {
    throw ModelError(model: model, "unknown user id \(user) (fitted users: 0..<\(count))", category: .notFound)
  }
}

/// Checks an item id against the fitted size.
@usableFromInline func checkItem(_ item: Int32, count: Int, model: String) throws {
  guard item >= 0, Int(item) < count else {
    throw ModelError(model: model, "unknown item id \(item) (fitted items: 0..<\(count))", category: .notFound)
  }
}

/// Exponential time decay `2^(−age / halfLife)`; 1 when times or the half-life are unknown.
@usableFromInline func decayWeight(time: Int64, reference: Int64?, halfLifeDays: Double?) -> Float {
  guard let halfLifeDays, halfLifeDays > 0, let reference, time != Int64.min else { return 1 }
  let ageDays = Double(max(0, reference - time)) / 86_400
  return Float(Foundation.exp2(-ageDays / halfLifeDays))
}

/// The interaction values with exponential time decay applied (unchanged without a half-life).
@usableFromInline func decayedValues(_ interactions: InteractionMatrix, halfLifeDays: Double?) -> [Float] {
  guard let halfLifeDays, let times = interactions.lastTimes, let reference = interactions.referenceTime else {
    return interactions.matrix.values
  }
  return zip(interactions.matrix.values, times).map { value, time in
    value * decayWeight(time: time, reference: reference, halfLifeDays: halfLifeDays)
  }
}
