import BasketryCore
import Foundation

/// Item-based nearest neighbours: an item's score for a user is the similarity-weighted sum of the user's items.
///
/// With `x_ui` the (optionally time-decayed) strength and `S` the item–item similarity kept to the `neighbours`
/// largest entries per item, the score of j for u is `s(u, j) = Σ_{i ∈ H(u)} x_ui · S_ij`.
/// Similarities between item columns `a = X[:, i]`, `b = X[:, j]` (`X` users × items):
/// - ``Similarity/cosine``: `a·b / (‖a‖‖b‖ + shrink)`.
/// - ``Similarity/bm25``: `a'·b'` after BM25 weighting of X (items are documents, users terms, as in `implicit`):
///   `x' = x (k1 + 1) / (k1 (1 − b + b · len_i / avgLen) + x) · idf_u`, `idf_u = log N_items − log(1 + |items of u|)`,
///   `len_i = Σ_u x_ui`. Defaults k1 1.2, b 0.75.
/// - ``Similarity/lift``: `c_ij · U / (n_i n_j) · c_ij / (c_ij + shrink)` with binary co-occurrence counts
///   (`c_ij` users with both, `n_i` users with i, `U` users).
/// - ``Similarity/cooccurrence``: `a·b`; with `half_life_days` this is time-decayed co-occurrence
///   (each strength multiplied by `2^(−age/halfLife)`).
/// Defaults: similarity `cosine`, neighbours 200, shrink 0, self-similarity kept (as `implicit` does; it matters
/// only when seen items are not excluded).
public struct ItemKNNRecommender: Recommender {
  /// The item–item similarity.
  public enum Similarity: String, Sendable, Hashable, CaseIterable {
    case cosine, bm25, lift, cooccurrence
  }

  /// The similarity used.
  public var similarity: Similarity
  /// Neighbours kept per item. Default 200.
  public var neighbours: Int
  /// Shrinkage (see the formulas). Default 0.
  public var shrink: Float
  /// BM25 term saturation. Default 1.2.
  public var k1: Float
  /// BM25 length normalisation. Default 0.75.
  public var b: Float
  /// Time-decay half-life in days; `nil` (default) for none.
  public var halfLifeDays: Double?
  /// Whether an item counts as its own neighbour when scoring. Default `true`.
  public var includeSelf: Bool

  private var interactions = InteractionMatrix(matrix: SparseMatrix(rowCount: 0, columnCount: 0, triples: []))
  private var userValues: [Float] = []
  /// The fitted item × item similarity (rows: items, kept neighbours only).
  public private(set) var similarities = SparseMatrix(rowCount: 0, columnCount: 0, triples: [])
  /// Whether ``fit(_:)`` has run.
  public private(set) var isFitted = false

  public var name: String { "itemknn" }

  /// Creates the model; every argument has the documented default.
  public init(
    similarity: Similarity = .cosine, neighbours: Int = 200, shrink: Float = 0, k1: Float = 1.2, b: Float = 0.75,
    halfLifeDays: Double? = nil, includeSelf: Bool = true
  ) {
    self.similarity = similarity
    self.neighbours = neighbours
    self.shrink = shrink
    self.k1 = k1
    self.b = b
    self.halfLifeDays = halfLifeDays
    self.includeSelf = includeSelf
  }

  /// Creates the model from named parameters: `similarity`, `neighbours`, `shrink`, `k1`, `b`,
  /// `half_life_days`, `include_self`.
  /// - Throws: ``ModelError`` on malformed values.
  public init(parameters p: ModelParameters) throws {
    let text = p.string("similarity", default: "cosine")
    guard let similarity = Similarity(rawValue: text) else {
      throw ModelError(model: "itemknn", "parameter similarity=\(text) must be cosine, bm25, lift or cooccurrence")
    }
    self.init(
      similarity: similarity, neighbours: try p.int("neighbours", default: 200, model: "itemknn"),
      shrink: Float(try p.double("shrink", default: 0, model: "itemknn")),
      k1: Float(try p.double("k1", default: 1.2, model: "itemknn")),
      b: Float(try p.double("b", default: 0.75, model: "itemknn")),
      halfLifeDays: try p.optionalDouble("half_life_days", model: "itemknn"),
      includeSelf: try p.bool("include_self", default: true, model: "itemknn"))
  }

  // MARK: - Fitting

  /// Computes the similarity matrix.
  /// - Throws: ``ModelError`` on invalid hyper-parameters.
  /// - Complexity: O(Σ_u |H(u)|² + items · t log t), t the touched neighbours of an item.
  public mutating func fit(_ interactions: InteractionMatrix) throws {
    guard neighbours > 0 else { throw ModelError(model: name, "parameter neighbours=\(neighbours) must be positive") }
    guard shrink >= 0 else { throw ModelError(model: name, "parameter shrink=\(shrink) must be ≥ 0") }
    if let halfLifeDays, halfLifeDays <= 0 {
      throw ModelError(model: name, "parameter half_life_days=\(halfLifeDays) must be positive")
    }
    self.interactions = interactions
    userValues = decayedValues(interactions, halfLifeDays: halfLifeDays)
    let x = interactions.matrix
    let itemCount = x.columnCount
    // Weighted copy W of X (users × items) used for the dot products.
    var weights = userValues
    switch similarity {
    case .lift:
      weights = [Float](repeating: 1, count: weights.count)
    case .bm25:
      let itemsPerUser = (0..<x.rowCount).map { x.rowOffsets[$0 + 1] - x.rowOffsets[$0] }
      var length = [Double](repeating: 0, count: itemCount)
      for e in 0..<x.nonZeroCount { length[Int(x.columns[e])] += Double(weights[e]) }
      let average = itemCount > 0 ? length.reduce(0, +) / Double(itemCount) : 1
      let n = Double(itemCount)
      for u in 0..<x.rowCount {
        let idf = Foundation.log(n) - Foundation.log1p(Double(itemsPerUser[u]))
        for e in x.rowOffsets[u]..<x.rowOffsets[u + 1] {
          let value = Double(weights[e])
          let norm = (1 - Double(b)) + Double(b) * length[Int(x.columns[e])] / max(average, .leastNormalMagnitude)
          weights[e] = Float(value * (Double(k1) + 1) / (Double(k1) * norm + value) * idf)
        }
      }
    case .cosine, .cooccurrence:
      break
    }
    let w = SparseMatrix(
      rowCount: x.rowCount, columnCount: itemCount, rowOffsets: x.rowOffsets, columns: x.columns, values: weights)
    let wt = w.transposed()
    var norms = [Float](repeating: 0, count: itemCount)
    var counts = [Float](repeating: 0, count: itemCount)
    for i in 0..<itemCount {
      let row = wt.row(i)
      norms[i] = row.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
      counts[i] = Float(row.values.count)
    }
    let context = Context(
      w: w, wt: wt, norms: norms, counts: counts, userCount: Float(max(1, x.rowCount)), similarity: similarity,
      shrink: shrink, neighbours: neighbours)
    // Items in blocks of 64, interleaved over two workers; each block's rows are assembled in order.
    let blockSize = 64
    let blockCount = (itemCount + blockSize - 1) / blockSize
    let blocks = Box(value: UnsafeMutableBufferPointer<Block>.allocate(capacity: max(1, blockCount)))
    blocks.value.initialize(repeating: Block())
    defer { blocks.value.deallocate() }
    let workers = max(1, min(2, blockCount))
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      var scratch = Scratch(itemCount: itemCount)
      for block in stride(from: worker, to: blockCount, by: workers) {
        let range = (block * blockSize)..<min(itemCount, (block + 1) * blockSize)
        blocks.value[block] = context.rows(range, scratch: &scratch)
      }
    }
    var offsets = [0]
    var columns: [Int32] = []
    var values: [Float] = []
    for block in blocks.value {
      for length in block.lengths { offsets.append(offsets[offsets.count - 1] + length) }
      columns += block.columns
      values += block.values
    }
    similarities = SparseMatrix(
      rowCount: itemCount, columnCount: itemCount, rowOffsets: offsets, columns: columns, values: values)
    isFitted = true
  }

  // MARK: - Neighbour computation

  private struct Box<T>: @unchecked Sendable { var value: T }

  /// Kept neighbours of a block of items, in CSR pieces.
  private struct Block {
    var lengths: [Int] = []
    var columns: [Int32] = []
    var values: [Float] = []
  }

  /// Per-worker dense accumulators.
  private struct Scratch {
    var accumulator: [Float]
    var cooccurrences: [Float]
    var touched: [Int32] = []
    var candidates: [ScoredItem] = []
    init(itemCount: Int) {
      accumulator = [Float](repeating: 0, count: itemCount)
      cooccurrences = [Float](repeating: 0, count: itemCount)
    }
  }

  /// Read-only inputs of the neighbour search.
  private struct Context: Sendable {
    let w: SparseMatrix
    let wt: SparseMatrix
    let norms: [Float]
    let counts: [Float]
    let userCount: Float
    let similarity: Similarity
    let shrink: Float
    let neighbours: Int

    /// The kept neighbours of items `range`.
    /// - Complexity: O(Σ_{i ∈ range} Σ_{u ∋ i} |H(u)| + t log t).
    func rows(_ range: Range<Int>, scratch: inout Scratch) -> Block {
      var block = Block()
      for i in range {
        scratch.touched.removeAll(keepingCapacity: true)
        // Hot loop over raw buffers (ids are in range by construction of the CSR matrices).
        scratch.accumulator.withUnsafeMutableBufferPointer { acc in
          scratch.cooccurrences.withUnsafeMutableBufferPointer { co in
            w.columns.withUnsafeBufferPointer { columns in
              w.values.withUnsafeBufferPointer { values in
                for e in wt.rowOffsets[i]..<wt.rowOffsets[i + 1] {
                  let u = Int(wt.columns[e])
                  let wi = wt.values[e]
                  for f in w.rowOffsets[u]..<w.rowOffsets[u + 1] {
                    let j = Int(columns[f])
                    if co[j] == 0 { scratch.touched.append(Int32(j)) }
                    acc[j] += wi * values[f]
                    co[j] += 1
                  }
                }
              }
            }
          }
        }
        scratch.candidates.removeAll(keepingCapacity: true)
        for jj in scratch.touched {
          let j = Int(jj)
          let dot = scratch.accumulator[j]
          let c = scratch.cooccurrences[j]
          scratch.accumulator[j] = 0
          scratch.cooccurrences[j] = 0
          let s: Float
          switch similarity {
          case .cosine:
            let denominator = norms[i] * norms[j] + shrink
            s = denominator > 0 ? dot / denominator : 0
          case .lift:
            s = dot * userCount / max(1, counts[i] * counts[j]) * (c / (c + shrink))
          case .bm25, .cooccurrence:
            s = dot
          }
          if s > 0 && !s.isNaN { scratch.candidates.append(ScoredItem(item: jj, score: s)) }
        }
        let kept = selectTop(scratch.candidates, k: neighbours).sorted { $0.item < $1.item }
        for candidate in kept {
          block.columns.append(candidate.item)
          block.values.append(candidate.score)
        }
        block.lengths.append(kept.count)
      }
      return block
    }
  }

  // MARK: - Scoring

  public func scores(user: Int32) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    try checkUser(user, count: interactions.userCount, model: name)
    let x = interactions.matrix
    var scores = [Float](repeating: 0, count: x.columnCount)
    let s = similarities
    for e in x.rowOffsets[Int(user)]..<x.rowOffsets[Int(user) + 1] {
      let i = Int(x.columns[e])
      let weight = userValues[e]
      for f in s.rowOffsets[i]..<s.rowOffsets[i + 1] {
        let j = Int(s.columns[f])
        if j == i && !includeSelf { continue }
        scores[j] += weight * s.values[f]
      }
    }
    return scores
  }

  /// `s(j) = Σ_{i ∈ history} x_i · S_ij` for a user described by a history (fold-in, exact), with
  /// `x_i = f_i · 2^(−age_i/halfLife)` (age from `referenceTime`, or the fit's reference time when nil; no decay
  /// without a half-life or a known time) and the fitted neighbour matrix `S` (self-similarity skipped unless
  /// `includeSelf`). For a fit-time user's row and `referenceTime` nil this equals ``scores(user:)`` bit for bit.
  /// - Parameters:
  ///   - history: the user's interactions.
  ///   - referenceTime: "now" for the decay; nil for the end of the training data.
  /// - Throws: ``ModelError`` when unfitted or the history is invalid.
  /// - Complexity: O(|history| · neighbours + items); measured 0.008 ms for a 20-item history over 4,096 items
  ///   with 200 neighbours (release build).
  public func scores(history: [HistoryEntry], referenceTime: Int64?) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    try checkHistory(history, itemCount: similarities.rowCount, model: name)
    let reference = referenceTime ?? interactions.referenceTime
    var scores = [Float](repeating: 0, count: similarities.columnCount)
    let s = similarities
    for entry in history {
      let i = Int(entry.item)
      let weight =
        entry.strength * decayWeight(time: entry.lastTime, reference: reference, halfLifeDays: halfLifeDays)
      for f in s.rowOffsets[i]..<s.rowOffsets[i + 1] {
        let j = Int(s.columns[f])
        if j == i && !includeSelf { continue }
        scores[j] += weight * s.values[f]
      }
    }
    return scores
  }

  /// The item's kept neighbours, most similar first, excluding the item.
  public func similarItems(to item: Int32, k: Int) throws -> [ScoredItem] {
    guard isFitted else { throw ModelError.notFitted(name) }
    try checkItem(item, count: similarities.rowCount, model: name)
    let row = similarities.row(Int(item))
    let neighbours = zip(row.columns, row.values).filter { $0.0 != item }.map { ScoredItem(item: $0.0, score: $0.1) }
    let sorted = neighbours.sorted { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }
    return Array(sorted.prefix(max(0, k)))
  }

  // MARK: - Persistence

  public func save(to url: URL) throws {
    guard isFitted else { throw ModelError.notFitted(name) }
    var archive = ModelArchive(kind: name)
    archive.strings["similarity"] = similarity.rawValue
    archive.numbers["neighbours"] = Double(neighbours)
    archive.numbers["shrink"] = Double(shrink)
    archive.numbers["k1"] = Double(k1)
    archive.numbers["b"] = Double(b)
    archive.numbers["include_self"] = includeSelf ? 1 : 0
    if let halfLifeDays { archive.numbers["half_life_days"] = halfLifeDays }
    archive.setInteractions("X", interactions)
    archive.setMatrix("S", similarities)
    try archive.write(to: url)
  }

  public static func load(from url: URL) throws -> ItemKNNRecommender {
    let archive = try ModelArchive.read(from: url, kind: "itemknn")
    var model = ItemKNNRecommender(
      similarity: Similarity(rawValue: archive.strings["similarity"] ?? "") ?? .cosine,
      neighbours: try archive.integer("neighbours"), shrink: Float(try archive.number("shrink")),
      k1: Float(try archive.number("k1")), b: Float(try archive.number("b")),
      halfLifeDays: archive.numbers["half_life_days"], includeSelf: (try archive.number("include_self")) != 0)
    model.interactions = try archive.interactions("X")
    model.userValues = decayedValues(model.interactions, halfLifeDays: model.halfLifeDays)
    model.similarities = try archive.matrix("S")
    model.isFitted = true
    return model
  }
}
