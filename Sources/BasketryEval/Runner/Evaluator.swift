import BasketryCore
import BasketryModels
import Foundation

/// A model to evaluate: a label, the unfitted model and, optionally, its own training matrix
/// (e.g. users × (bundles + items) for a stacked model, whose extra columns are never ranked).
public struct EvaluationEntry: Sendable {
  /// Label in the leaderboard.
  public var label: String
  /// The unfitted model.
  public var model: any Recommender
  /// Training matrix override; the task's by default.
  public var train: InteractionMatrix?

  /// Creates an entry.
  public init(label: String, model: any Recommender, train: InteractionMatrix? = nil) {
    self.label = label
    self.model = model
    self.train = train
  }
}

/// Fits models on a task's training data, ranks the full candidate catalog for every test user and averages
/// the metrics (see ``RankingMetrics`` for definitions; catalog metrics over all users' top-K lists).
public struct Evaluator: Sendable {
  /// Cut-offs K. Default [10, 20].
  public var ks: [Int]
  /// Worker threads for scoring users. Default 2.
  public var threads: Int

  /// Creates an evaluator.
  public init(ks: [Int] = [10, 20], threads: Int = 2) {
    self.ks = ks.sorted()
    self.threads = threads
  }

  /// Evaluates several models; a popularity baseline (`pop`) is added first when none is present.
  /// - Throws: a model's fit or scoring error.
  public func leaderboard(_ entries: [EvaluationEntry], task: EvaluationTask) throws -> Leaderboard {
    try run(entries, task: task).leaderboard
  }

  /// Evaluates several models and keeps every model's ranked lists; a popularity baseline (`pop`) is added
  /// first when none is present, as in ``leaderboard(_:task:)``.
  /// - Parameters:
  ///   - entries: the models, in report order.
  ///   - task: users, targets, mask and candidates.
  /// - Returns: the leaderboard and, aligned with its results, the lists its metrics were computed from.
  /// - Throws: a model's fit or scoring error.
  /// - Complexity: per model, its fit plus O(users · items · log K) ranking; the lists hold users · max(K) ids.
  public func run(_ entries: [EvaluationEntry], task: EvaluationTask) throws -> EvaluationRun {
    var all = entries
    if !entries.contains(where: { $0.model is PopularityRecommender && $0.train == nil }) {
      all.insert(EvaluationEntry(label: "pop", model: PopularityRecommender()), at: 0)
    }
    return EvaluationRun(
      dataset: task.dataset, split: task.split, users: task.users,
      models: try all.map { try evaluateRanked($0, task: task) })
  }

  /// Fits and evaluates one model.
  /// - Throws: the model's fit or scoring error; ``EvaluationError`` when the training matrix does not fit the task.
  public func evaluate(_ entry: EvaluationEntry, task: EvaluationTask) throws -> ModelResult {
    try evaluateRanked(entry, task: task).result
  }

  /// Fits and evaluates one model, keeping the ranked lists the metrics were computed from.
  /// - Throws: the model's fit or scoring error; ``EvaluationError`` when the training matrix does not fit the task.
  public func evaluateRanked(_ entry: EvaluationEntry, task: EvaluationTask) throws -> RankedModelResult {
    let train = entry.train ?? task.train
    guard train.userCount >= task.train.userCount, train.itemCount >= task.candidateCount else {
      throw EvaluationError("training matrix of \(entry.label) is smaller than the task's")
    }
    var model = entry.model
    let fitStart = DispatchTime.now()
    try model.fit(train)
    let fitSeconds = Self.seconds(since: fitStart)
    let predictStart = DispatchTime.now()
    let lists = try rank(model, task: task)
    let predictSeconds = Self.seconds(since: predictStart)
    let result = ModelResult(
      model: entry.label, fitSeconds: fitSeconds, predictSeconds: predictSeconds, users: task.users.count,
      metrics: metrics(lists, task: task))
    return RankedModelResult(result: result, lists: lists)
  }

  private struct Box<T>: @unchecked Sendable { var value: T }

  /// The top-max(K) candidates of every test user.
  /// - Throws: the model's scoring error.
  public func rank(_ model: any Recommender, task: EvaluationTask) throws -> [[Int32]] {
    let depth = ks.last ?? 10
    let count = task.users.count
    let results = Box(value: UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: count))
    results.value.initialize(repeating: [])
    defer { results.value.deallocate() }
    let errors = Box(value: UnsafeMutableBufferPointer<(any Error)?>.allocate(capacity: max(1, threads)))
    errors.value.initialize(repeating: nil)
    defer { errors.value.deallocate() }
    let workers = max(1, min(threads, count))
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      var masked = [Bool](repeating: false, count: task.candidateCount)
      for index in stride(from: worker, to: count, by: workers) {
        let user = task.users[index]
        do {
          var scores = try model.scores(user: user)
          if scores.count > task.candidateCount { scores.removeLast(scores.count - task.candidateCount) }
          var maskedItems: ArraySlice<Int32> = []
          if let mask = task.mask, Int(user) < mask.rowCount { maskedItems = mask.row(Int(user)).columns }
          for item in maskedItems where Int(item) < masked.count { masked[Int(item)] = true }
          let top = topK(scores, k: depth) { item in
            !masked[Int(item)] && (task.candidates?[Int(item)] ?? true)
          }
          for item in maskedItems where Int(item) < masked.count { masked[Int(item)] = false }
          results.value[index] = top.map(\.item)
        } catch {
          errors.value[worker] = error
          return
        }
      }
    }
    if let error = errors.value.compactMap({ $0 }).first { throw error }
    return Array(results.value)
  }

  /// Metric means over the task's users for ranked lists (aligned with `task.users`).
  ///
  /// Besides the totals, Recall and NDCG are split into repeat and explore parts (as in Li et al., "A Next
  /// Basket Recommendation Reality Check", TOIS 2023): a user's targets they had in training are repeat
  /// targets, the others explore targets. `recall_repeat@K` = |top-K ∩ repeat targets| / |repeat targets|,
  /// averaged over the users with at least one repeat target; `ndcg_repeat@K` is NDCG with the repeat targets
  /// alone as relevant; `recall_explore@K` and `ndcg_explore@K` likewise over explore targets. `repeat_share` is
  /// the share of all target items that are repeats. Keys of a part no user has are absent (e.g. "new items
  /// only" tasks have no repeat targets).
  public func metrics(_ lists: [[Int32]], task: EvaluationTask) -> [String: Double] {
    var sums: [String: Double] = [:]
    for (list, target) in zip(lists, task.targets) {
      let relevant = Set(target)
      for k in ks {
        sums["precision@\(k)", default: 0] += RankingMetrics.precision(list, relevant: relevant, k: k)
        sums["recall@\(k)", default: 0] += RankingMetrics.recall(list, relevant: relevant, k: k)
        sums["ndcg@\(k)", default: 0] += RankingMetrics.ndcg(list, relevant: relevant, k: k)
        sums["hit@\(k)", default: 0] += RankingMetrics.hitRate(list, relevant: relevant, k: k)
        sums["mrr@\(k)", default: 0] += RankingMetrics.reciprocalRank(list, relevant: relevant, k: k)
        sums["map@\(k)", default: 0] += RankingMetrics.averagePrecision(list, relevant: relevant, k: k)
      }
    }
    let n = Double(max(1, lists.count))
    var result = sums.mapValues { $0 / n }
    result.merge(repeatExploreMetrics(lists, task: task)) { current, _ in current }
    var popularity = [Int](repeating: 0, count: task.candidateCount)
    let m = task.train.matrix
    for c in m.columns where Int(c) < popularity.count { popularity[Int(c)] += 1 }
    let trainUsers = (0..<m.rowCount).filter { m.rowOffsets[$0 + 1] > m.rowOffsets[$0] }.count
    for k in ks {
      let cut = lists.map { Array($0.prefix(k)) }
      result["coverage@\(k)"] = CatalogMetrics.coverage(cut, catalogSize: task.catalogSize)
      result["gini@\(k)"] = CatalogMetrics.gini(cut, catalogSize: task.candidateCount)
      result["novelty@\(k)"] = CatalogMetrics.novelty(cut, popularity: popularity, userCount: trainUsers)
    }
    return result
  }

  /// The repeat and explore parts of Recall and NDCG (see ``metrics(_:task:)``).
  /// - Complexity: O(Σ (training row + target + K)) over the task's users.
  func repeatExploreMetrics(_ lists: [[Int32]], task: EvaluationTask) -> [String: Double] {
    let train = task.train.matrix
    var sums: [String: Double] = [:]
    var repeatUsers = 0
    var exploreUsers = 0
    var repeatItems = 0
    var targetItems = 0
    for (index, (list, target)) in zip(lists, task.targets).enumerated() {
      let user = Int(task.users[index])
      let owned: Set<Int32> = user < train.rowCount ? Set(train.row(user).columns) : []
      let repeats = Set(target.filter { owned.contains($0) })
      let explores = Set(target).subtracting(repeats)
      repeatItems += repeats.count
      targetItems += target.count
      for (part, relevant) in [("repeat", repeats), ("explore", explores)] where !relevant.isEmpty {
        if part == "repeat" { repeatUsers += 1 } else { exploreUsers += 1 }
        for k in ks {
          sums["recall_\(part)@\(k)", default: 0] += RankingMetrics.recall(list, relevant: relevant, k: k)
          sums["ndcg_\(part)@\(k)", default: 0] += RankingMetrics.ndcg(list, relevant: relevant, k: k)
        }
      }
    }
    var result: [String: Double] = [:]
    for (key, sum) in sums {
      result[key] =
        sum
        / Double(max(1, key.hasPrefix("recall_repeat") || key.hasPrefix("ndcg_repeat") ? repeatUsers : exploreUsers))
    }
    if targetItems > 0 { result["repeat_share"] = Double(repeatItems) / Double(targetItems) }
    return result
  }

  private static func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }
}
