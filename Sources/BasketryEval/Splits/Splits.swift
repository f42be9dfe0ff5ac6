import BasketryCore
import BasketryModels

/// A dataset divided into a training part and held-out orders.
public struct DatasetSplit: Sendable {
  /// Training orders.
  public var train: Baskets
  /// Training behaviour events.
  public var trainEvents: [Event]
  /// Held-out orders.
  public var test: Baskets
  /// The time of the cut (global temporal split), if any.
  public var cutoff: Int64?
  /// Label for reports.
  public var label: String

  /// Creates a split.
  public init(train: Baskets, trainEvents: [Event], test: Baskets, cutoff: Int64?, label: String) {
    self.train = train
    self.trainEvents = trainEvents
    self.test = test
    self.cutoff = cutoff
    self.label = label
  }

  /// The training interaction matrix of `dataset` under this split.
  public func trainingMatrix(
    _ dataset: Dataset, builder: InteractionBuilder = InteractionBuilder()
  ) -> InteractionMatrix {
    var matrix = builder.build(
      baskets: train, events: trainEvents, userCount: dataset.users.count, itemCount: dataset.catalog.count)
    if let cutoff { matrix.referenceTime = cutoff }
    return matrix
  }

  /// The evaluation task of this split.
  /// - Parameters:
  ///   - dataset: the data the split came from.
  ///   - name: dataset label.
  ///   - builder: turns training orders and events into strengths.
  ///   - newItemsOnly: mask training items and drop them from targets.
  public func task(
    _ dataset: Dataset, name: String, builder: InteractionBuilder = InteractionBuilder(), newItemsOnly: Bool = false
  ) -> EvaluationTask {
    EvaluationTask.heldOut(
      dataset: name, split: label + (newItemsOnly ? " (new items)" : " (all items)"),
      train: trainingMatrix(dataset, builder: builder), test: test, newItemsOnly: newItemsOnly)
  }
}

/// How to divide data for offline evaluation.
public enum Splitter {
  /// Global temporal cut (the default; no future leakage): orders and events strictly before `cutoff` train,
  /// orders at or after it are held out. Orders without a time are training data.
  public static func temporal(_ dataset: Dataset, cutoff: Int64) -> DatasetSplit {
    let b = dataset.baskets
    return DatasetSplit(
      train: b.filter { b.timestamps[$0] == Baskets.noTime || b.timestamps[$0] < cutoff },
      trainEvents: dataset.events.filter { $0.timestamp < cutoff },
      test: b.filter { b.timestamps[$0] != Baskets.noTime && b.timestamps[$0] >= cutoff }, cutoff: cutoff,
      label: "temporal")
  }

  /// Global temporal cut `days` before the last order time.
  public static func temporal(_ dataset: Dataset, lastDays days: Int) -> DatasetSplit {
    let latest = dataset.baskets.timestamps.filter { $0 != Baskets.noTime }.max() ?? 0
    return temporal(dataset, cutoff: latest - Int64(days) * 86_400)
  }

  /// A validation slice for tuning: the temporal split of the training part, `days` before `cutoff`.
  public static func temporalValidation(_ dataset: Dataset, cutoff: Int64, days: Int) -> DatasetSplit {
    var trainOnly = dataset
    trainOnly.baskets = dataset.baskets.filter {
      dataset.baskets.timestamps[$0] == Baskets.noTime || dataset.baskets.timestamps[$0] < cutoff
    }
    trainOnly.events = dataset.events.filter { $0.timestamp < cutoff }
    var split = temporal(trainOnly, cutoff: cutoff - Int64(days) * 86_400)
    split.label = "temporal-validation"
    return split
  }

  /// Per-user next basket: each user's last order (by time, then input position) is held out when the user has
  /// at least two orders; earlier orders, and events before the held-out order, train. With `validation` the
  /// second-to-last order is held out instead and the last is dropped.
  public static func nextBasket(_ dataset: Dataset, validation: Bool = false) -> DatasetSplit {
    let b = dataset.baskets
    var perUser: [Int32: [Int]] = [:]
    for index in 0..<b.count where b.users[index] >= 0 { perUser[b.users[index], default: []].append(index) }
    var role = [UInt8](repeating: 0, count: b.count)  // 0 train, 1 test, 2 dropped
    var heldTime: [Int32: Int64] = [:]
    for (user, orders) in perUser {
      let sorted = orders.sorted { (b.timestamps[$0], $0) < (b.timestamps[$1], $1) }
      let needed = validation ? 3 : 2
      guard sorted.count >= needed, let last = sorted.last else { continue }
      if validation {
        role[last] = 2
        let previous = sorted[sorted.count - 2]
        role[previous] = 1
        heldTime[user] = b.timestamps[previous]
      } else {
        role[last] = 1
        heldTime[user] = b.timestamps[last]
      }
    }
    let events = dataset.events.filter { event in
      guard let time = heldTime[event.user], time != Baskets.noTime else { return true }
      return event.timestamp < time
    }
    return DatasetSplit(
      train: b.filter { role[$0] == 0 }, trainEvents: events, test: b.filter { role[$0] == 1 }, cutoff: nil,
      label: validation ? "next-basket-validation" : "next-basket")
  }

  /// Leave-n-out (for comparison with the literature; it leaks the future): for every user with more than `n`
  /// items, `n` random items are removed from the training matrix and become the targets; training items masked.
  /// - Parameters:
  ///   - interactions: the full matrix.
  ///   - n: items held out per user.
  ///   - seed: seed of the random choice.
  ///   - dataset: label.
  public static func leaveNOut(
    _ interactions: InteractionMatrix, n: Int, seed: UInt64, dataset: String
  )
    -> EvaluationTask
  {
    var rng = SplitMix64(seed: seed)
    let m = interactions.matrix
    var keep = [Bool](repeating: true, count: m.nonZeroCount)
    var users: [Int32] = []
    var targets: [[Int32]] = []
    for u in 0..<m.rowCount {
      let range = m.rowOffsets[u]..<m.rowOffsets[u + 1]
      guard range.count > n, n > 0 else { continue }
      var positions = Array(range)
      positions.shuffle(using: &rng)
      let held = positions.prefix(n)
      for e in held { keep[e] = false }
      users.append(Int32(u))
      targets.append(held.map { m.columns[$0] }.sorted())
    }
    var offsets = [0]
    var columns: [Int32] = []
    var values: [Float] = []
    var times: [Int64] = []
    for u in 0..<m.rowCount {
      for e in m.rowOffsets[u]..<m.rowOffsets[u + 1] where keep[e] {
        columns.append(m.columns[e])
        values.append(m.values[e])
        if let lastTimes = interactions.lastTimes { times.append(lastTimes[e]) }
      }
      offsets.append(columns.count)
    }
    let train = InteractionMatrix(
      matrix: SparseMatrix(
        rowCount: m.rowCount, columnCount: m.columnCount, rowOffsets: offsets, columns: columns, values: values),
      lastTimes: interactions.lastTimes == nil ? nil : times, referenceTime: interactions.referenceTime)
    return EvaluationTask(
      dataset: dataset, split: "leave-\(n)-out", train: train, users: users, targets: targets, mask: train.matrix)
  }
}
