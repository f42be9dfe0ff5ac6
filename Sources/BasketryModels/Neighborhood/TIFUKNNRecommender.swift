import BasketryCore
import Foundation

/// TIFU-KNN, temporal-item-frequency user kNN (Hu, He, Gao & Zhang, "Modeling Personalized Item Frequency
/// Information for Next-basket Recommendation", SIGIR 2020).
///
/// A user's baskets `b_1 … b_n` (oldest first, each a binary item vector) are cut into `k = ⌈n / m⌉` groups of
/// `m` consecutive baskets (`groupSize`), counted back from the latest basket, so the oldest group holds the
/// remaining `n − (k − 1)·m`. A group of `x` baskets becomes `g = (1/x) Σ_{j=1}^{x} r_b^{x−j} b_j` (`withinDecay`
/// r_b) and the groups `g_1 … g_k` the user's temporal item-frequency vector
/// `v_u = (1/k) Σ_{i=1}^{k} r_g^{k−i} g_i` (`groupDecay` r_g). The `neighbours` users nearest to `v_u` (Euclidean
/// distance ‖v_u − v_w‖, or cosine similarity; the user never counts as their own neighbour, ties go to the lower
/// user id) give the score vector `p_u = α·v_u + (1 − α)·(1/|N(u)|) Σ_{w ∈ N(u)} v_w` (`alpha` α).
///
/// Baskets come from ``InteractionMatrix/baskets``. A matrix without them (built from pairs, or loaded) is read
/// through the same reconstruction fold-in uses (``reconstructedBaskets(_:)``), so the model fits any
/// interaction matrix. Defaults follow the paper's settings for its grocery datasets: neighbours 300,
/// group size 7, r_b 0.9, r_g 0.7, α 0.7, Euclidean distance.
public struct TIFUKNNRecommender: Recommender {
  /// How neighbours are found.
  public enum Distance: String, Sendable, Hashable, CaseIterable {
    /// Smallest ‖v_u − v_w‖ (the paper's choice).
    case euclidean
    /// Largest v_u·v_w / (‖v_u‖‖v_w‖).
    case cosine
  }

  /// Neighbours per user. Default 300.
  public var neighbours: Int
  /// Baskets per group `m`. Default 7.
  public var groupSize: Int
  /// Decay `r_b` by position inside a group. Default 0.9.
  public var withinDecay: Double
  /// Decay `r_g` by group. Default 0.7.
  public var groupDecay: Double
  /// Weight `α` of the user's own vector against the neighbours' mean. Default 0.7.
  public var alpha: Double
  /// Neighbour distance. Default ``Distance/euclidean``.
  public var distance: Distance

  /// The users' temporal item-frequency vectors `v_u` (users × items).
  public private(set) var vectors = SparseMatrix(rowCount: 0, columnCount: 0, triples: [])
  /// `vectors` transposed (items × users), for dot products with every user at once.
  private var byItem = SparseMatrix(rowCount: 0, columnCount: 0, triples: [])
  /// ‖v_u‖² per user (summed in item order, as the dot products are).
  private var squaredNorms: [Double] = []
  /// Each fit-time user's neighbours (row u: neighbour ids ascending; values: their distance or similarity).
  public private(set) var neighbourhoods = SparseMatrix(rowCount: 0, columnCount: 0, triples: [])
  /// Whether ``fit(_:)`` has run.
  public private(set) var isFitted = false

  public var name: String { "tifuknn" }

  /// Creates the model; every argument has the documented default.
  public init(
    neighbours: Int = 300, groupSize: Int = 7, withinDecay: Double = 0.9, groupDecay: Double = 0.7,
    alpha: Double = 0.7, distance: Distance = .euclidean
  ) {
    self.neighbours = neighbours
    self.groupSize = groupSize
    self.withinDecay = withinDecay
    self.groupDecay = groupDecay
    self.alpha = alpha
    self.distance = distance
  }

  /// Creates the model from named parameters: `neighbours`, `group_size`, `within_decay`, `group_decay`,
  /// `alpha`, `distance` (`euclidean` or `cosine`).
  /// - Throws: ``ModelError`` on malformed values.
  public init(parameters p: ModelParameters) throws {
    let text = p.string("distance", default: "euclidean")
    guard let distance = Distance(rawValue: text) else {
      throw ModelError(model: "tifuknn", "parameter distance=\(text) must be euclidean or cosine")
    }
    self.init(
      neighbours: try p.int("neighbours", default: 300, model: "tifuknn"),
      groupSize: try p.int("group_size", default: 7, model: "tifuknn"),
      withinDecay: try p.double("within_decay", default: 0.9, model: "tifuknn"),
      groupDecay: try p.double("group_decay", default: 0.7, model: "tifuknn"),
      alpha: try p.double("alpha", default: 0.7, model: "tifuknn"), distance: distance)
  }

  // MARK: - Fitting

  /// Builds every user's vector and finds each user's neighbours.
  /// - Throws: ``ModelError`` when a hyper-parameter is out of range (neighbours or group size < 1, a decay
  ///   outside (0, 1], α outside [0, 1]) or the basket sequences do not match the matrix's users.
  /// - Complexity: O(lines + U · (Σ_{i ∈ v_u} |users of i| + U log k)): every pair of users is compared.
  public mutating func fit(_ interactions: InteractionMatrix) throws {
    try validate()
    let userCount = interactions.userCount
    let itemCount = interactions.itemCount
    var rowOffsets = [0]
    var columns: [Int32] = []
    var values: [Float] = []
    var scratch = VectorScratch(itemCount: itemCount)
    if let sequences = interactions.baskets {
      guard sequences.userCount == userCount else {
        throw ModelError(
          model: name, "basket sequences have \(sequences.userCount) users, the matrix \(userCount)")
      }
      for user in 0..<userCount {
        let baskets = sequences.baskets(of: user).map { sequences.items(ofBasket: $0) }
        append(vector(baskets, scratch: &scratch), to: &rowOffsets, &columns, &values)
      }
    } else {
      for user in 0..<userCount {
        let baskets = Self.reconstructedBaskets(interactions.history(of: Int32(user)))
        append(vector(baskets.map { $0[...] }, scratch: &scratch), to: &rowOffsets, &columns, &values)
      }
    }
    vectors = SparseMatrix(
      rowCount: userCount, columnCount: itemCount, rowOffsets: rowOffsets, columns: columns, values: values)
    prepareIndex()
    neighbourhoods = findAllNeighbours()
    isFitted = true
  }

  private func validate() throws {
    guard neighbours > 0 else { throw ModelError(model: name, "parameter neighbours=\(neighbours) must be ≥ 1") }
    guard groupSize > 0 else { throw ModelError(model: name, "parameter group_size=\(groupSize) must be ≥ 1") }
    for (key, value) in [("within_decay", withinDecay), ("group_decay", groupDecay)] {
      guard value > 0, value <= 1 else { throw ModelError(model: name, "parameter \(key)=\(value) must be in (0, 1]") }
    }
    guard alpha >= 0, alpha <= 1 else { throw ModelError(model: name, "parameter alpha=\(alpha) must be in [0, 1]") }
  }

  private func append(
    _ vector: (items: [Int32], values: [Float]), to offsets: inout [Int], _ columns: inout [Int32],
    _ values: inout [Float]
  ) {
    columns += vector.items
    values += vector.values
    offsets.append(columns.count)
  }

  /// Dense accumulator reused across users.
  private struct VectorScratch {
    var sums: [Double]
    var touched: [Int32] = []
    init(itemCount: Int) { sums = [Double](repeating: 0, count: itemCount) }
  }

  /// The temporal item-frequency vector `v_u` of a basket sequence (oldest first), items ascending, zeros
  /// dropped. Items outside the catalogue are skipped.
  /// - Complexity: O(Σ |b| + t log t), t the distinct items.
  private func vector(
    _ baskets: [ArraySlice<Int32>], scratch: inout VectorScratch
  ) -> (
    items: [Int32], values: [Float]
  ) {
    let n = baskets.count
    guard n > 0 else { return ([], []) }
    let groupCount = (n + groupSize - 1) / groupSize
    // The oldest group takes the remainder; the others hold groupSize baskets each.
    let firstGroupSize = n - (groupCount - 1) * groupSize
    var start = 0
    for group in 0..<groupCount {
      let size = group == 0 ? firstGroupSize : groupSize
      // r_g^(k−i) / k for group i = group + 1.
      let groupWeight = Foundation.pow(groupDecay, Double(groupCount - 1 - group)) / Double(groupCount)
      for position in 0..<size {
        // r_b^(x−j) / x for basket j = position + 1 of a group of x baskets.
        let weight = groupWeight * Foundation.pow(withinDecay, Double(size - 1 - position)) / Double(size)
        for item in baskets[start + position] where item >= 0 && Int(item) < scratch.sums.count {
          if scratch.sums[Int(item)] == 0 { scratch.touched.append(item) }
          scratch.sums[Int(item)] += weight
        }
      }
      start += size
    }
    scratch.touched.sort()
    let values = scratch.touched.map { Float(scratch.sums[Int($0)]) }
    for item in scratch.touched { scratch.sums[Int(item)] = 0 }
    defer { scratch.touched.removeAll(keepingCapacity: true) }
    return (scratch.touched, values)
  }

  // MARK: - Neighbours

  private mutating func prepareIndex() {
    byItem = vectors.transposed()
    squaredNorms = (0..<vectors.rowCount).map { u in
      vectors.row(u).values.reduce(0.0) { $0 + Double($1) * Double($1) }
    }
  }

  /// The neighbours of a vector among the fitted users, ascending ids, with their distance (Euclidean) or
  /// similarity (cosine). `exclude` is skipped (the user themself); with `excludeIdentical` so is every user
  /// whose vector equals the query (distance exactly 0: the same user folded in with an unchanged history).
  /// - Complexity: O(Σ_{i ∈ query} |users of i| + U log k).
  private func neighbours(
    of items: ArraySlice<Int32>, _ values: ArraySlice<Float>, exclude: Int?, excludeIdentical: Bool,
    dots: inout [Double]
  ) -> (ids: [Int32], values: [Float]) {
    let userCount = vectors.rowCount
    var queryNorm = 0.0
    for (item, value) in zip(items, values) {
      let v = Double(value)
      queryNorm += v * v
      for e in byItem.rowOffsets[Int(item)]..<byItem.rowOffsets[Int(item) + 1] {
        dots[Int(byItem.columns[e])] += v * Double(byItem.values[e])
      }
    }
    // Max-heap on badness of the best `neighbours` so far; the root is the worst kept.
    var heap = NeighbourHeap(capacity: neighbours)
    for w in 0..<userCount {
      let dot = dots[w]
      dots[w] = 0
      if w == exclude || vectors.rowOffsets[w + 1] == vectors.rowOffsets[w] { continue }
      let squaredDistance = queryNorm + squaredNorms[w] - 2 * dot
      if excludeIdentical && squaredDistance <= 0 { continue }
      let badness: Double
      switch distance {
      case .euclidean: badness = squaredDistance
      case .cosine:
        let denominator = (queryNorm * squaredNorms[w]).squareRoot()
        badness = denominator > 0 ? -dot / denominator : 0
      }
      heap.offer(badness: badness, id: Int32(w))
    }
    let kept = heap.entries.sorted { $0.id < $1.id }
    return (
      kept.map(\.id),
      kept.map { distance == .euclidean ? Float(max(0, $0.badness).squareRoot()) : Float(-$0.badness) }
    )
  }

  private struct Box<T>: @unchecked Sendable { var value: T }

  /// Every fit-time user's neighbours (users without baskets get none).
  private func findAllNeighbours() -> SparseMatrix {
    let userCount = vectors.rowCount
    let results = Box(value: UnsafeMutableBufferPointer<(ids: [Int32], values: [Float])>.allocate(capacity: userCount))
    results.value.initialize(repeating: ([], []))
    defer { results.value.deallocate() }
    let model = self
    Parallel.forEachBlock(count: userCount, threads: 2) { range in
      var dots = [Double](repeating: 0, count: userCount)
      for u in range where model.vectors.rowOffsets[u + 1] > model.vectors.rowOffsets[u] {
        let row = model.vectors.row(u)
        results.value[u] = model.neighbours(
          of: row.columns, row.values, exclude: u, excludeIdentical: false, dots: &dots)
      }
    }
    var offsets = [0]
    var columns: [Int32] = []
    var values: [Float] = []
    for result in results.value {
      columns += result.ids
      values += result.values
      offsets.append(columns.count)
    }
    return SparseMatrix(
      rowCount: userCount, columnCount: userCount, rowOffsets: offsets, columns: columns, values: values)
  }

  // MARK: - Scoring

  /// `p = α·v + (1 − α)·mean of the neighbours' vectors` (own vector first, neighbours in ascending id order).
  private func blend(
    own items: ArraySlice<Int32>, _ values: ArraySlice<Float>, neighbourIDs: ArraySlice<Int32>
  ) -> [Float] {
    var scores = [Float](repeating: 0, count: vectors.columnCount)
    let own = Float(alpha)
    for (item, value) in zip(items, values) { scores[Int(item)] += own * value }
    guard !neighbourIDs.isEmpty else { return scores }
    let share = Float((1 - alpha) / Double(neighbourIDs.count))
    for w in neighbourIDs {
      let row = vectors.row(Int(w))
      for (item, value) in zip(row.columns, row.values) { scores[Int(item)] += share * value }
    }
    return scores
  }

  /// `p_u` for a fit-time user.
  /// - Complexity: O(|v_u| + Σ_{w ∈ N(u)} |v_w| + items).
  public func scores(user: Int32) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    try checkUser(user, count: vectors.rowCount, model: name)
    let row = vectors.row(Int(user))
    return blend(own: row.columns, row.values, neighbourIDs: neighbourhoods.row(Int(user)).columns)
  }

  /// `p` for a user described by a history (fold-in, approximate): the history is turned into baskets by
  /// ``reconstructedBaskets(_:)`` and scored as ``scores(basketSequence:)`` does. A history carries one last
  /// time and a count per item, not the orders, so the reconstructed sequence differs from the real one whenever
  /// a user bought on more days than their most frequent item's count or several orders fell on one day; for a
  /// fit-time user's row of a matrix fitted without basket sequences (the reconstruction on both sides) the
  /// scores equal ``scores(user:)`` (up to fit-time users with exactly the same vector, who are skipped here).
  /// Servers that keep the orders use ``scores(basketSequence:)``, which is exact.
  /// - Parameters:
  ///   - history: the user's interactions; strengths are read as purchase counts (rounded, at least 1).
  ///   - referenceTime: unused (the decay is by basket position, not by age).
  /// - Throws: ``ModelError`` when unfitted or the history is invalid.
  /// - Complexity: O(h log h + Σ_i count_i + U log k + items).
  public func scores(history: [HistoryEntry], referenceTime: Int64?) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    try checkHistory(history, itemCount: vectors.columnCount, model: name)
    return try scores(basketSequence: Self.reconstructedBaskets(history))
  }

  /// `p` for a user described by their orders, oldest first (fold-in, exact): the vector `v` of those baskets,
  /// its neighbours among the fitted users (skipping any whose vector equals `v`, i.e. the same user with an
  /// unchanged history), blended as for fit-time users. For a fit-time user's basket sequence this equals
  /// ``scores(user:)`` (up to other users with exactly the same vector).
  /// - Parameter baskets: the user's orders, oldest first, each a list of items (repeats within an order count
  ///   once).
  /// - Throws: ``ModelError`` when unfitted or an item is out of range.
  /// - Complexity: O(Σ |b| + Σ_{i ∈ v} |users of i| + U log k + items).
  public func scores(basketSequence baskets: [[Int32]]) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    var distinct: [ArraySlice<Int32>] = []
    for basket in baskets {
      for item in basket { try checkItem(item, count: vectors.columnCount, model: name) }
      let set = Array(Set(basket)).sorted()
      if !set.isEmpty { distinct.append(set[...]) }
    }
    var scratch = VectorScratch(itemCount: vectors.columnCount)
    let v = vector(distinct, scratch: &scratch)
    var dots = [Double](repeating: 0, count: vectors.rowCount)
    let found =
      v.items.isEmpty
      ? (ids: [Int32](), values: [Float]())
      : neighbours(of: v.items[...], v.values[...], exclude: nil, excludeIdentical: true, dots: &dots)
    return blend(own: v.items[...], v.values[...], neighbourIDs: found.ids[...])
  }

  /// Baskets rebuilt from a history, oldest first: the approximation fold-in and matrices without basket
  /// sequences use.
  ///
  /// With `c_i = max(1, round(strength_i))` the purchase count of item i and `D` the distinct days (UTC) of the
  /// last times (unknown times form one day before all others), the sequence has `n = max(D, max_i c_i)` baskets;
  /// the d-th day (ascending) is basket `n − D + d`, and item i sits in its last day's basket and the `c_i − 1`
  /// baskets before it (fewer when the sequence starts earlier). Entries with a non-positive strength are
  /// skipped. Exact when every item was bought once and each day saw at most one order.
  /// - Parameter history: a user's interactions.
  /// - Returns: the baskets, oldest first, items ascending.
  /// - Complexity: O(h log h + Σ_i c_i).
  public static func reconstructedBaskets(_ history: [HistoryEntry]) -> [[Int32]] {
    let entries = history.filter { $0.strength > 0 }
    guard !entries.isEmpty else { return [] }
    func day(_ time: Int64) -> Int64 { time == Int64.min ? Int64.min : Int64(Foundation.floor(Double(time) / 86_400)) }
    let days = Array(Set(entries.map { day($0.lastTime) })).sorted()
    let counts = entries.map { max(1, Int(min(Float(1 << 20), $0.strength.rounded()))) }
    let n = max(days.count, counts.max() ?? 1)
    var slotOfDay: [Int64: Int] = [:]
    for (d, value) in days.enumerated() { slotOfDay[value] = n - days.count + d }
    var baskets = [[Int32]](repeating: [], count: n)
    for (entry, count) in zip(entries, counts) {
      let last = slotOfDay[day(entry.lastTime)] ?? (n - 1)
      for slot in max(0, last - count + 1)...last { baskets[slot].append(entry.item) }
    }
    return baskets.map { $0.sorted() }.filter { !$0.isEmpty }
  }

  // MARK: - Similar items

  /// Items whose vector columns are most cosine-similar to `item`'s, best first, excluding the item itself.
  /// - Complexity: O(Σ_{u ∋ item} |v_u| + items log k).
  public func similarItems(to item: Int32, k: Int) throws -> [ScoredItem] {
    guard isFitted else { throw ModelError.notFitted(name) }
    try checkItem(item, count: vectors.columnCount, model: name)
    var dots = [Float](repeating: 0, count: vectors.columnCount)
    var norms = [Float](repeating: 0, count: vectors.columnCount)
    for e in 0..<byItem.rowCount {
      norms[e] = byItem.row(e).values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
    let users = byItem.row(Int(item))
    for (u, weight) in zip(users.columns, users.values) {
      let row = vectors.row(Int(u))
      for (j, value) in zip(row.columns, row.values) { dots[Int(j)] += weight * value }
    }
    let similarities = dots.enumerated().map { j, dot in
      norms[j] > 0 && norms[Int(item)] > 0 ? dot / (norms[j] * norms[Int(item)]) : 0
    }
    return topK(similarities, k: k) { $0 != item && similarities[Int($0)] > 0 }
  }

  // MARK: - Persistence

  public func save(to url: URL) throws {
    guard isFitted else { throw ModelError.notFitted(name) }
    var archive = ModelArchive(kind: name)
    archive.numbers["neighbours"] = Double(neighbours)
    archive.numbers["group_size"] = Double(groupSize)
    archive.numbers["within_decay"] = withinDecay
    archive.numbers["group_decay"] = groupDecay
    archive.numbers["alpha"] = alpha
    archive.strings["distance"] = distance.rawValue
    archive.setMatrix("V", vectors)
    archive.setMatrix("N", neighbourhoods)
    try archive.write(to: url)
  }

  public static func load(from url: URL) throws -> TIFUKNNRecommender {
    let archive = try ModelArchive.read(from: url, kind: "tifuknn")
    let text = archive.strings["distance"] ?? "euclidean"
    guard let distance = Distance(rawValue: text) else {
      throw ModelError(model: "tifuknn", "archive distance \(text) must be euclidean or cosine")
    }
    var model = TIFUKNNRecommender(
      neighbours: try archive.integer("neighbours"), groupSize: try archive.integer("group_size"),
      withinDecay: try archive.number("within_decay"), groupDecay: try archive.number("group_decay"),
      alpha: try archive.number("alpha"), distance: distance)
    try model.validate()
    model.vectors = try archive.matrix("V")
    model.neighbourhoods = try archive.matrix("N")
    model.prepareIndex()
    model.isFitted = true
    return model
  }
}

// MARK: - Bounded neighbour heap

/// The `capacity` entries with the smallest badness (ties: lower id), as a max-heap whose root is the worst kept.
private struct NeighbourHeap {
  var entries: [(badness: Double, id: Int32)] = []
  let capacity: Int

  init(capacity: Int) {
    self.capacity = capacity
    entries.reserveCapacity(capacity)
  }

  /// Whether `a` ranks below `b` (larger badness, or equal badness and larger id).
  private static func worse(_ a: (badness: Double, id: Int32), _ b: (badness: Double, id: Int32)) -> Bool {
    a.badness > b.badness || (a.badness == b.badness && a.id > b.id)
  }

  mutating func offer(badness: Double, id: Int32) {
    let candidate = (badness: badness, id: id)
    if entries.count < capacity {
      entries.append(candidate)
      var i = entries.count - 1
      while i > 0 {
        let parent = (i - 1) / 2
        guard Self.worse(entries[i], entries[parent]) else { break }
        entries.swapAt(i, parent)
        i = parent
      }
      return
    }
    guard let root = entries.first, Self.worse(root, candidate) else { return }
    entries[0] = candidate
    var i = 0
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var m = i
      if l < entries.count && Self.worse(entries[l], entries[m]) { m = l }
      if r < entries.count && Self.worse(entries[r], entries[m]) { m = r }
      if m == i { return }
      entries.swapAt(i, m)
      i = m
    }
  }
}
