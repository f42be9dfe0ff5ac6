import BasketryCore

/// One model's evaluation together with the ranked lists its metrics were computed from.
public struct RankedModelResult: Sendable {
  /// Timings and metric means.
  public var result: ModelResult
  /// The top-max(K) candidates of every test user, best first, aligned with the task's users.
  public var lists: [[Int32]]

  /// Creates a ranked result.
  public init(result: ModelResult, lists: [[Int32]]) {
    self.result = result
    self.lists = lists
  }
}

/// Several models evaluated on one task, with every model's ranked lists kept.
public struct EvaluationRun: Sendable {
  /// Dataset label.
  public var dataset: String
  /// Split label.
  public var split: String
  /// Test users (dense ids), the order of every model's lists.
  public var users: [Int32]
  /// Per-model results, in evaluation order.
  public var models: [RankedModelResult]

  /// Creates a run.
  public init(dataset: String, split: String, users: [Int32], models: [RankedModelResult]) {
    self.dataset = dataset
    self.split = split
    self.users = users
    self.models = models
  }

  /// The leaderboard of the run (metrics only).
  public var leaderboard: Leaderboard {
    Leaderboard(dataset: dataset, split: split, results: models.map(\.result))
  }
}
