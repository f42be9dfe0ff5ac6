import BasketryCore

/// Turns a ``Dataset`` (or a slice of one) into the ``InteractionMatrix`` models fit on.
///
/// Rows are the dataset's dense user ids, columns its dense item ids; strengths follow ``InteractionWeights``.
/// Orders and events without a user are skipped. The last interaction time of each entry is kept for
/// time-decayed models, and the reference time is the latest time seen (or the `until` cut-off). Each user's
/// orders are also kept as a basket sequence (``InteractionMatrix/baskets``) for basket-sequence models.
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

  /// Builds the matrix from orders and events, with the orders' basket sequences.
  /// - Parameters:
  ///   - baskets: orders (purchases).
  ///   - events: behaviour events.
  ///   - userCount: number of rows.
  ///   - itemCount: number of columns.
  /// - Complexity: O(lines + events + nnz log nnz).
  public func build(baskets: Baskets, events: [Event] = [], userCount: Int, itemCount: Int) -> InteractionMatrix {
    // Accumulate per (user, item) key.
    var cells: [Int64: InteractionCell] = [:]
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
        if weights.purchaseCounting == .distinctOrders { guard orderItems.insert(item).inserted else { continue } }
        cells[key(user, item), default: InteractionCell()].addPurchase(
          quantity: baskets.quantities[line], time: time, weights: weights)
      }
    }
    for event in events {
      guard event.user >= 0, Int(event.user) < userCount, event.item >= 0, Int(event.item) < itemCount else {
        continue
      }
      let w = weights.weight(of: event.type)
      guard w != 0 else { continue }
      latest = max(latest, event.timestamp)
      cells[key(event.user, event.item), default: InteractionCell()].addEvent(weight: w, time: event.timestamp)
    }
    var triples: [(row: Int32, column: Int32, value: Float)] = []
    triples.reserveCapacity(cells.count)
    var times: [Int64: Int64] = [:]
    times.reserveCapacity(cells.count)
    for (k, cell) in cells {
      guard let value = cell.value(weights: weights) else { continue }
      triples.append((Int32(truncatingIfNeeded: k >> 32), Int32(truncatingIfNeeded: k), value))
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
      matrix: matrix, lastTimes: hasTimes ? lastTimes : nil, referenceTime: hasTimes ? latest : nil,
      baskets: BasketSequences.build(baskets: baskets, userCount: userCount, itemCount: itemCount))
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

// MARK: - One user's history

extension InteractionBuilder {
  /// One user's history from their raw orders and events, exactly as ``build(baskets:events:userCount:itemCount:)``
  /// would compute that user's row (same weights, purchase counting, minimum strength and transform; last times
  /// included), so a server that appends a new order to a user's training orders and calls this gets the row the
  /// builder would build from the extended data.
  ///
  /// Every order and event counts as the user's (their `user` fields are ignored); as in ``build(_:until:)``, orders
  /// are accumulated first, in the order given, then events in the order given (the order matters only for float
  /// rounding of fractional weights). Items outside `0..<itemCount` are skipped.
  /// - Parameters:
  ///   - baskets: the user's orders.
  ///   - events: the user's behaviour events. Default none.
  ///   - itemCount: the catalogue size of the fitted models.
  /// - Returns: the entries, items ascending.
  /// - Complexity: O(lines + events + h log h), h the distinct items.
  public func history(baskets: Baskets, events: [Event] = [], itemCount: Int) -> [HistoryEntry] {
    var cells: [Int32: InteractionCell] = [:]
    var orderItems: Set<Int32> = []
    for b in 0..<baskets.count {
      let time = baskets.timestamps[b]
      orderItems.removeAll(keepingCapacity: true)
      for line in baskets.lineRange(b) {
        let item = baskets.items[line]
        guard item >= 0, Int(item) < itemCount else { continue }
        if weights.purchaseCounting == .distinctOrders { guard orderItems.insert(item).inserted else { continue } }
        cells[item, default: InteractionCell()].addPurchase(
          quantity: baskets.quantities[line], time: time, weights: weights)
      }
    }
    for event in events {
      guard event.item >= 0, Int(event.item) < itemCount else { continue }
      let w = weights.weight(of: event.type)
      guard w != 0 else { continue }
      cells[event.item, default: InteractionCell()].addEvent(weight: w, time: event.timestamp)
    }
    return cells.compactMap { item, cell in
      cell.value(weights: weights).map { HistoryEntry(item: item, strength: $0, lastTime: cell.last) }
    }.sorted { $0.item < $1.item }
  }

  /// One user's history from purchase lines and events (see ``history(baskets:events:itemCount:)``): lines with
  /// the same `order` form one order, orders taken in the order of their first line.
  /// - Parameters:
  ///   - purchases: the user's order lines; `quantity` counts only with ``InteractionWeights/PurchaseCounting/quantity``.
  ///   - events: the user's behaviour events. Default none.
  ///   - itemCount: the catalogue size of the fitted models.
  /// - Returns: the entries, items ascending.
  /// - Complexity: O(lines + events + h log h).
  public func history(
    purchases: [(item: Int32, order: Int64, quantity: Double, time: Int64)], events: [Event] = [], itemCount: Int
  ) -> [HistoryEntry] {
    var orderIndex: [Int64: Int] = [:]
    var lines: [[(item: Int32, quantity: Double, unitPrice: Double)]] = []
    var times: [Int64] = []
    for purchase in purchases {
      let index: Int
      if let known = orderIndex[purchase.order] {
        index = known
      } else {
        index = lines.count
        orderIndex[purchase.order] = index
        lines.append([])
        times.append(purchase.time)
      }
      lines[index].append((purchase.item, purchase.quantity, Double.nan))
    }
    var baskets = Baskets()
    for (index, orderLines) in lines.enumerated() {
      baskets.append(orderID: String(index), timestamp: times[index], lines: orderLines)
    }
    return history(baskets: baskets, events: events, itemCount: itemCount)
  }
}

/// The accumulated strength and last time of one (user, item) pair while building.
struct InteractionCell {
  /// `purchase · p_ui + Σ_e w(type_e)` so far.
  var strength: Float = 0
  /// The latest time of a purchase or positive-weight event, `Int64.min` when none.
  var last = Int64.min

  /// Adds one order line (the caller skips repeated items of an order under distinct-order counting).
  mutating func addPurchase(quantity: Double, time: Int64, weights: InteractionWeights) {
    switch weights.purchaseCounting {
    case .distinctOrders: strength += weights.purchase
    case .quantity: strength += weights.purchase * Float(quantity)
    case .binary: strength = weights.purchase
    }
    last = max(last, time)
  }

  /// Adds one event of weight `weight` (only positive weights move the last time).
  mutating func addEvent(weight: Float, time: Int64) {
    strength += weight
    if weight > 0 { last = max(last, time) }
  }

  /// The kept strength after ``InteractionWeights/minimumStrength`` and the transform; nil when dropped.
  func value(weights: InteractionWeights) -> Float? {
    strength > weights.minimumStrength ? weights.transformed(strength) : nil
  }
}
