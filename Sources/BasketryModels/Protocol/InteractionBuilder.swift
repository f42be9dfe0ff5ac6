import BasketryCore

/// Turns a ``Dataset`` (or a slice of one) into the ``InteractionMatrix`` models fit on.
///
/// Rows are the dataset's dense user ids, columns its dense item ids; strengths follow ``InteractionWeights``.
/// Orders and events without a user are skipped. The last interaction time of each entry is kept for
/// time-decayed models, and the reference time is the latest time seen (or the `until` cut-off).
public struct InteractionBuilder: Sendable {
  /// The weights applied.
  public var weights: InteractionWeights

  /// Creates a builder.
  /// - Parameter weights: per-type weights; defaults to ``InteractionWeights/default``.
  public init(weights: InteractionWeights = .default) {
    self.weights = weights
  }

  /// Builds the matrix of a whole dataset, or of its part before `until`.
  /// - Parameters:
  ///   - dataset: the shop's data.
  ///   - until: when set, only orders and events strictly before this Unix time count (a training slice).
  /// - Complexity: O(lines + events + nnz log nnz).
  public func build(_ dataset: Dataset, until: Int64? = nil) -> InteractionMatrix {
    let baskets: Baskets
    let events: [Event]
    if let until {
      baskets = dataset.baskets.filter { dataset.baskets.timestamps[$0] < until }
      events = dataset.events.filter { $0.timestamp < until }
    } else {
      baskets = dataset.baskets
      events = dataset.events
    }
    var matrix = build(
      baskets: baskets, events: events, userCount: dataset.users.count, itemCount: dataset.catalog.count)
    if let until { matrix.referenceTime = until }
    return matrix
  }

  /// Builds the matrix from orders and events.
  /// - Parameters:
  ///   - baskets: orders (purchases).
  ///   - events: behaviour events.
  ///   - userCount: number of rows.
  ///   - itemCount: number of columns.
  /// - Complexity: O(lines + events + nnz log nnz).
  public func build(baskets: Baskets, events: [Event] = [], userCount: Int, itemCount: Int) -> InteractionMatrix {
    // Accumulate per (user, item) key.
    struct Cell {
      var strength: Float
      var last: Int64
    }
    var cells: [Int64: Cell] = [:]
    func key(_ user: Int32, _ item: Int32) -> Int64 { Int64(user) << 32 | Int64(UInt32(bitPattern: item)) }
    var latest = Int64.min
    var orderItems: Set<Int32> = []
    for b in 0..<baskets.count {
      let user = baskets.users[b]
      guard user >= 0, Int(user) < userCount else { continue }
      let time = baskets.timestamps[b]
      if time != Baskets.noTime { latest = max(latest, time) }
      orderItems.removeAll(keepingCapacity: true)
      for line in baskets.lineRange(b) {
        let item = baskets.items[line]
        guard item >= 0, Int(item) < itemCount else { continue }
        let amount: Float
        switch weights.purchaseCounting {
        case .distinctOrders:
          guard orderItems.insert(item).inserted else { continue }
          amount = 1
        case .quantity: amount = Float(baskets.quantities[line])
        case .binary: amount = 1
        }
        let k = key(user, item)
        var cell = cells[k] ?? Cell(strength: 0, last: Int64.min)
        if weights.purchaseCounting == .binary {
          cell.strength = weights.purchase
        } else {
          cell.strength += weights.purchase * amount
        }
        cell.last = max(cell.last, time)
        cells[k] = cell
      }
    }
    for event in events {
      guard event.user >= 0, Int(event.user) < userCount, event.item >= 0, Int(event.item) < itemCount else {
        continue
      }
      let w = weights.weight(of: event.type)
      guard w != 0 else { continue }
      latest = max(latest, event.timestamp)
      let k = key(event.user, event.item)
      var cell = cells[k] ?? Cell(strength: 0, last: Int64.min)
      cell.strength += w
      if w > 0 { cell.last = max(cell.last, event.timestamp) }
      cells[k] = cell
    }
    var triples: [(row: Int32, column: Int32, value: Float)] = []
    triples.reserveCapacity(cells.count)
    var times: [Int64: Int64] = [:]
    times.reserveCapacity(cells.count)
    for (k, cell) in cells where cell.strength > weights.minimumStrength {
      triples.append(
        (Int32(truncatingIfNeeded: k >> 32), Int32(truncatingIfNeeded: k), weights.transformed(cell.strength)))
      times[k] = cell.last
    }
    let matrix = SparseMatrix(rowCount: userCount, columnCount: itemCount, triples: triples)
    var lastTimes = [Int64](repeating: Int64.min, count: matrix.nonZeroCount)
    for r in 0..<matrix.rowCount {
      for e in matrix.rowOffsets[r]..<matrix.rowOffsets[r + 1] {
        lastTimes[e] = times[key(Int32(r), matrix.columns[e])] ?? Int64.min
      }
    }
    let hasTimes = latest != Int64.min
    return InteractionMatrix(
      matrix: matrix, lastTimes: hasTimes ? lastTimes : nil, referenceTime: hasTimes ? latest : nil)
  }

  /// Builds a matrix from (user, item, strength) triples, e.g. a benchmark's user–item pairs.
  /// - Complexity: O(n log n).
  public static func matrix(
    pairs: [(user: Int32, item: Int32, strength: Float)], userCount: Int, itemCount: Int
  ) -> InteractionMatrix {
    let triples = pairs.map { (row: $0.user, column: $0.item, value: $0.strength) }
    return InteractionMatrix(matrix: SparseMatrix(rowCount: userCount, columnCount: itemCount, triples: triples))
  }
}
