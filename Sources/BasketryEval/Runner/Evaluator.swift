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

  private static func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }
}
