import BasketryCore
import BasketryModels
import Foundation

/// What automatic model selection tries and how it judges.
public struct ModelSelectionOptions: Sendable {
  /// The candidates tried when none are given: popularity, "buy again", TIFU-KNN, repeat-or-explore, item kNN,
  /// EASE and ALS.
  public static let defaultCandidates = ["pop", "freq", "tifuknn", "repeat-explore", "itemknn", "ease", "als"]

  /// Model names (``ModelRegistry`` names), tried in this order; ties go to the earlier name.
  /// Default ``defaultCandidates``.
  public var candidates: [String]
  /// The metric maximised, `kind@K` with kind recall, ndcg, precision, hit, mrr or map. Default `ndcg@20`.
  public var metric: String
  /// Length of the validation window in days, ending at the last order time. Default 30.
  public var validationDays: Int
  /// EASE is skipped, with a note, when its dense system (active training items, or active users when fewer:
  /// the dual solve) has more rows than this; memory is 4 · n² bytes and time O(n³). Default 20,000
  /// (``EASERecommender/maximumDenseSize``, 1.6 GB).
  public var maxEASEItems: Int
  /// Seed of every stochastic model. Default 42.
  public var seed: UInt64
  /// Overall time budget in seconds; `nil` (default) for none. Once spent, grid points not yet started are
  /// skipped with a note (the popularity baseline always runs; a running fit is not interrupted).
  public var timeBudgetSeconds: Double?

  /// Creates options; every argument has the documented default.
  public init(
    candidates: [String] = ModelSelectionOptions.defaultCandidates, metric: String = "ndcg@20",
    validationDays: Int = 30, maxEASEItems: Int = 20_000, seed: UInt64 = 42, timeBudgetSeconds: Double? = nil
  ) {
    self.candidates = candidates
    self.metric = metric
    self.validationDays = validationDays
    self.maxEASEItems = maxEASEItems
    self.seed = seed
    self.timeBudgetSeconds = timeBudgetSeconds
  }
}

/// One grid point of model selection: a model with its parameters and validation metrics, or why it was not run.
public struct ModelCandidateResult: Sendable, Codable, Hashable {
  /// Model name.
  public var model: String
  /// The grid point's hyper-parameters (empty for the model's defaults).
  public var parameters: [String: String]
  /// Validation metric means at the selection metric's K (empty when skipped or failed).
  public var metrics: [String: Double]
  /// Seconds spent in `fit` (0 when skipped).
  public var fitSeconds: Double
  /// Whether this is the selected model and setting.
  public var chosen: Bool
  /// Why the point was skipped or failed, or a remark such as "below popularity"; `nil` otherwise.
  public var note: String?

  /// Creates a result.
  public init(
    model: String, parameters: [String: String], metrics: [String: Double], fitSeconds: Double, chosen: Bool,
    note: String?
  ) {
    self.model = model
    self.parameters = parameters
    self.metrics = metrics
    self.fitSeconds = fitSeconds
    self.chosen = chosen
    self.note = note
  }

  private enum CodingKeys: String, CodingKey {
    case model, parameters, metrics, chosen, note
    case fitSeconds = "fit_seconds"
  }
}

/// The outcome of model selection on a validation window.
public struct ModelSelectionResult: Sendable, Codable, Hashable {
  /// The metric maximised (`ndcg@20`).
  public var metric: String
  /// First second of the validation window (Unix seconds): training uses orders strictly before it.
  public var validationStart: Int64
  /// Last order time of the data (Unix seconds), the end of the window (inclusive).
  public var validationEnd: Int64
  /// Users evaluated: those with training history and a purchase of a training item in the window.
  public var users: Int
  /// Every grid point of every candidate, in candidate then grid order, including skipped and failed points
  /// (and the popularity baseline when `pop` is not a candidate, noted as such).
  public var rows: [ModelCandidateResult]
  /// The selected model name.
  public var best: String
  /// The selected model's hyper-parameters (pass them to ``ModelRegistry/make(name:parameters:)``).
  public var bestParameters: [String: String]
  /// The best setting per model, by the metric (highest first; ties in candidate order), then models with no
  /// evaluated setting.
  public var leaderboard: [ModelCandidateResult]

  /// Creates a result.
  public init(
    metric: String, validationStart: Int64, validationEnd: Int64, users: Int, rows: [ModelCandidateResult],
    best: String, bestParameters: [String: String], leaderboard: [ModelCandidateResult]
  ) {
    self.metric = metric
    self.validationStart = validationStart
    self.validationEnd = validationEnd
    self.users = users
    self.rows = rows
    self.best = best
    self.bestParameters = bestParameters
    self.leaderboard = leaderboard
  }

  private enum CodingKeys: String, CodingKey {
    case metric, users, rows, best, leaderboard
    case validationStart = "validation_start"
    case validationEnd = "validation_end"
    case bestParameters = "best_parameters"
  }
}

/// Automatic model selection: tune a small grid per candidate model on a temporal validation window and keep the
/// best by a ranking metric.
///
/// Protocol (the same as `basketry evaluate` on a temporal split, all items): the window is the last
/// ``ModelSelectionOptions/validationDays`` days before the last order time T; models are fitted on orders
/// (and events) strictly before T − days and rank every item with training interactions, nothing masked, for
/// each user with training history who bought one of those items in the window; targets are the distinct items
/// bought in the window. Only the dataset given is read, so a caller that holds out a test period passes the
/// dataset cut at its own cut-off. Results are deterministic for a seed (fit times aside) unless a time budget
/// cuts the grid.
public enum ModelSelection {
  /// Runs selection.
  ///
  /// Grid points are run round-robin over the candidates (every model's first point, then every second point, …)
  /// so that a time budget leaves each model its default setting. `pop` is always evaluated: a row whose metric
  /// is below popularity's carries the note "below popularity".
  /// - Parameters:
  ///   - dataset: orders (and events) up to the caller's cut-off.
  ///   - options: candidates, metric, window, limits and seed.
  /// - Returns: every grid point tried, the best setting per model and the selected model.
  /// - Throws: ``EvaluationError`` for an unknown model or metric, a non-positive window, data without order
  ///   times, an empty validation window, or when no candidate could be evaluated.
  /// - Complexity: the sum of the grid points' fits plus O(users · items · log K) ranking per point.
  public static func select(dataset: Dataset, options: ModelSelectionOptions) throws -> ModelSelectionResult {
    let metric = try MetricName(options.metric)
    guard options.validationDays > 0 else {
      throw EvaluationError("validation window must be at least one day, not \(options.validationDays)")
    }
    var candidates: [String] = []
    for name in options.candidates where !candidates.contains(name) {
      guard ModelRegistry.factories[name] != nil else {
        throw EvaluationError(
          "unknown model '\(name)'; known: \(ModelRegistry.names.joined(separator: ", "))", category: .notFound)
      }
      candidates.append(name)
    }
    guard !candidates.isEmpty else { throw EvaluationError("model selection needs at least one candidate") }
    guard let end = dataset.baskets.timestamps.filter({ $0 != Baskets.noTime }).max() else {
      throw EvaluationError("model selection needs orders with times", insufficientData: true)
    }
    let start = end - Int64(options.validationDays) * 86_400
    let task = Splitter.temporal(dataset, cutoff: start).task(dataset, name: "selection")
    guard !task.users.isEmpty else {
      throw EvaluationError(
        "no user with training history bought a known item in the last \(options.validationDays) days; "
          + "model selection needs a longer window or more data", insufficientData: true)
    }
    let shape = DatasetShape(task.train.matrix)
    let evaluator = Evaluator(ks: [metric.k])

    // Plan: the popularity baseline first, then each candidate's grid.
    var plans: [[Planned]] = []
    if !candidates.contains("pop") {
      plans.append([Planned(model: "pop", parameters: [:], isBaseline: true)])
    }
    for name in candidates {
      plans.append(grid(for: name, shape: shape).map { Planned(model: name, parameters: $0.values) })
    }
    var rows = plans.map { $0.map { _ in ModelCandidateResult?.none } }
    let clock = DispatchTime.now()
    let depth = plans.map(\.count).max() ?? 0
    for point in 0..<depth {
      for (model, plan) in plans.enumerated() where point < plan.count {
        let planned = plan[point]
        rows[model][point] = try run(
          planned, task: task, evaluator: evaluator, shape: shape, options: options, metric: metric,
          elapsed: seconds(since: clock))
      }
    }
    return try summarise(
      rows.flatMap { $0.compactMap { $0 } }, metric: metric, start: start, end: end, users: task.users.count,
      baselineOnly: !candidates.contains("pop"))
  }

  // MARK: - Running one grid point

  struct Planned {
    var model: String
    var parameters: [String: String]
    var isBaseline = false
  }

  static func run(
    _ planned: Planned, task: EvaluationTask, evaluator: Evaluator, shape: DatasetShape,
    options: ModelSelectionOptions, metric: MetricName, elapsed: Double
  ) throws -> ModelCandidateResult {
    func skipped(_ note: String) -> ModelCandidateResult {
      ModelCandidateResult(
        model: planned.model, parameters: planned.parameters, metrics: [:], fitSeconds: 0, chosen: false, note: note)
    }
    if planned.model == "ease", shape.easeSize > options.maxEASEItems {
      let side = shape.items <= shape.users ? "items" : "users (dual solve)"
      return skipped(
        "skipped: \(grouped(shape.easeSize)) \(side) > maxEASEItems (\(grouped(options.maxEASEItems)))")
    }
    if let budget = options.timeBudgetSeconds, elapsed > budget, !planned.isBaseline, planned.model != "pop" {
      return skipped("skipped: time budget of \(budget) s spent")
    }
    do {
      let model = try ModelRegistry.make(
        name: planned.model, parameters: ModelParameters(planned.parameters, seed: options.seed))
      let result = try evaluator.evaluate(EvaluationEntry(label: planned.model, model: model), task: task)
      return ModelCandidateResult(
        model: planned.model, parameters: planned.parameters, metrics: result.metrics, fitSeconds: result.fitSeconds,
        chosen: false, note: planned.isBaseline ? "baseline, not a candidate" : nil)
    } catch let error as any BasketryError where !planned.isBaseline {
      return skipped("failed: \(error)")
    }
  }

  // MARK: - Choosing

  static func summarise(
    _ rows: [ModelCandidateResult], metric: MetricName, start: Int64, end: Int64, users: Int, baselineOnly: Bool
  ) throws -> ModelSelectionResult {
    var rows = rows
    let name = metric.name
    let popularity = rows.first { $0.model == "pop" && $0.parameters.isEmpty }?.metrics[name]
    var bestIndex: Int? = nil
    for (index, row) in rows.enumerated() {
      guard let value = row.metrics[name] else { continue }
      if let popularity, value < popularity {
        rows[index].note = [row.note, "below popularity"].compactMap { $0 }.joined(separator: "; ")
      }
      let isCandidate = !(baselineOnly && row.model == "pop")
      if isCandidate, value > (bestIndex.flatMap { rows[$0].metrics[name] } ?? -.infinity) { bestIndex = index }
    }
    guard let bestIndex else {
      let reasons = rows.compactMap { row in row.note.map { "\(row.model): \($0)" } }
      throw EvaluationError("no candidate could be evaluated (\(reasons.joined(separator: "; ")))")
    }
    rows[bestIndex].chosen = true
    var models: [String] = []
    for row in rows where !models.contains(row.model) { models.append(row.model) }
    var evaluated: [ModelCandidateResult] = []
    var unevaluated: [ModelCandidateResult] = []
    for model in models {
      let own = rows.filter { $0.model == model }
      var top: ModelCandidateResult? = nil
      for row in own {
        guard let value = row.metrics[name] else { continue }
        if value > (top?.metrics[name] ?? -.infinity) { top = row }
      }
      if let top { evaluated.append(top) } else if let first = own.first { unevaluated.append(first) }
    }
    // A stable sort keeps candidate order among equal values.
    let ranked = evaluated.enumerated().sorted { a, b in
      let (x, y) = (a.element.metrics[name] ?? 0, b.element.metrics[name] ?? 0)
      return x != y ? x > y : a.offset < b.offset
    }.map(\.element)
    return ModelSelectionResult(
      metric: name, validationStart: start, validationEnd: end, users: users, rows: rows, best: rows[bestIndex].model,
      bestParameters: rows[bestIndex].parameters, leaderboard: ranked + unevaluated)
  }

  /// `25000` → `25,000`.
  static func grouped(_ value: Int) -> String {
    let digits = Array(String(value.magnitude))
    var text = ""
    for (index, digit) in digits.enumerated() {
      if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
      text.append(digit)
    }
    return value < 0 ? "-" + text : text
  }

  static func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }
}

/// A parsed ranking-metric name, `kind@K`.
struct MetricName {
  /// Accuracy metrics the evaluator reports (higher is better).
  static let kinds = ["recall", "ndcg", "precision", "hit", "mrr", "map"]
  var kind: String
  var k: Int
  var name: String { "\(kind)@\(k)" }

  init(_ text: String) throws {
    let parts = text.lowercased().split(separator: "@")
    guard parts.count == 2, Self.kinds.contains(String(parts[0])), let k = Int(parts[1]), k > 0 else {
      throw EvaluationError(
        "metric '\(text)' must look like KIND@K with KIND one of \(Self.kinds.joined(separator: ", ")) and K > 0")
    }
    self.kind = String(parts[0])
    self.k = k
  }
}
