import BasketryCore
import BasketryModels

/// One offline evaluation problem: what models fit on, which users are tested on which items, and what is masked.
///
/// Every test user's full score vector is ranked over the candidate items (no sampled negatives): items
/// `0 ..< candidateCount` that pass ``candidates`` (when set), minus the user's row of ``mask`` (when set).
public struct EvaluationTask: Sendable {
  /// Dataset label for reports.
  public var dataset: String
  /// Split label for reports.
  public var split: String
  /// What models are fitted on.
  public var train: InteractionMatrix
  /// Test users (dense ids, rows of ``train``).
  public var users: [Int32]
  /// Relevant items per test user (sorted, distinct, non-empty).
  public var targets: [[Int32]]
  /// Items excluded per user (rows = users), typically the training items; `nil` masks nothing.
  public var mask: SparseMatrix?
  /// Only items `0 ..< candidateCount` are ranked (e.g. bundles in a users × (bundles + items) matrix).
  public var candidateCount: Int
  /// Optional per-item eligibility (e.g. "seen in training").
  public var candidates: [Bool]?

  /// Creates a task.
  public init(
    dataset: String, split: String, train: InteractionMatrix, users: [Int32], targets: [[Int32]],
    mask: SparseMatrix?, candidateCount: Int? = nil, candidates: [Bool]? = nil
  ) {
    self.dataset = dataset
    self.split = split
    self.train = train
    self.users = users
    self.targets = targets
    self.mask = mask
    self.candidateCount = candidateCount ?? train.itemCount
    self.candidates = candidates
  }

  /// Number of eligible candidate items.
  public var catalogSize: Int {
    guard let candidates else { return candidateCount }
    return candidates.prefix(candidateCount).filter { $0 }.count
  }

  /// Builds a task from training interactions and held-out orders.
  /// - Parameters:
  ///   - dataset: label.
  ///   - split: label.
  ///   - train: the training matrix.
  ///   - test: held-out orders (users as in `train`).
  ///   - newItemsOnly: when true, each user's training items are masked and removed from the targets
  ///     ("new items only"); when false nothing is masked and repeat purchases count ("all items").
  ///   - trainItemsOnly: rank only items with a training interaction (default true).
  /// - Returns: a task over users with at least one training interaction and one target.
  public static func heldOut(
    dataset: String, split: String, train: InteractionMatrix, test: Baskets, newItemsOnly: Bool,
    trainItemsOnly: Bool = true
  ) -> EvaluationTask {
    let m = train.matrix
    var targetSets: [Int32: Set<Int32>] = [:]
    for b in 0..<test.count {
      let user = test.users[b]
      guard user >= 0, Int(user) < m.rowCount, m.rowOffsets[Int(user) + 1] > m.rowOffsets[Int(user)] else { continue }
      targetSets[user, default: []].formUnion(test.items(of: b).filter { $0 >= 0 && Int($0) < m.columnCount })
    }
    var eligible: [Bool]? = nil
    if trainItemsOnly {
      var seen = [Bool](repeating: false, count: m.columnCount)
      for c in m.columns { seen[Int(c)] = true }
      eligible = seen
    }
    var users: [Int32] = []
    var targets: [[Int32]] = []
    for user in targetSets.keys.sorted() {
      var set = targetSets[user] ?? []
      if newItemsOnly { set.subtract(m.row(Int(user)).columns) }
      if let eligible { set = set.filter { eligible[Int($0)] } }
      guard !set.isEmpty else { continue }
      users.append(user)
      targets.append(set.sorted())
    }
    return EvaluationTask(
      dataset: dataset, split: split, train: train, users: users, targets: targets, mask: newItemsOnly ? m : nil,
      candidates: eligible)
  }
}
