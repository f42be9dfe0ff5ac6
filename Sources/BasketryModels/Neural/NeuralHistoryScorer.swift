import BasketryCore
import Foundation

/// The neural history scorer: a user's history votes for candidates through learned item embeddings.
///
/// For a user u with history H(u) and interaction strengths f_iu, the score of a candidate item j is
///
///     s(u, j) = W · Σ_{i∈H(u)} f_iu · A(x_i, x_j) + b,
///
/// where x_i ∈ ℝᵈ are learned item embeddings, A is the dot product xᵢᵀxⱼ or the cosine
/// xᵢᵀxⱼ / (‖xᵢ‖‖xⱼ‖) (``Similarity``), and the scalars W and b are learned. Because A is bilinear in the
/// (normalised) embeddings, s(u, j) = W · h_uᵀz_j + b with z = x or x/‖x‖ and h_u = Σ f_iu z_i, so scoring
/// all items costs O(|H|·d + items·d). The purchase probability of one candidate is ŷ_uj = σ(s(u, j)); a
/// softmax over a candidate set, P(j | u) = exp s(u, j) / Σ_k exp s(u, k), gives a distribution over which
/// candidate is bought (``purchaseDistribution(user:candidates:)``). Recommend the items whose ŷ passes a
/// threshold (``recommend(user:threshold:excludeSeen:)``) or the top k (``Recommender/recommend(user:k:seen:options:)``).
///
/// f_iu is the stored strength r_iu, divided by Σ_{i∈H(u)} r_iu when ``HistoryWeighting/normalized`` (default).
///
/// **Training examples.** Each epoch visits users in a seeded random order. For a user with |H(u)| ≥ 2, each
/// history item i (at most ``Configuration/maxPositivesPerUser``, sampled) is held out in turn: the context is
/// H(u) \ {i} (weights recomputed over the context), the example (i, y = 1) is a positive, and
/// ``Configuration/negatives`` items drawn uniformly from items the user never interacted with are negatives
/// (y = 0) with the same context. The loss over a mini-batch of N examples is the mean squared error
/// L = (1/N) Σ (y − ŷ)² (default) or the binary cross-entropy L = −(1/N) Σ [y log ŷ + (1 − y) log(1 − ŷ)].
/// Gradients are analytic (checked against finite differences in the tests); parameters are updated with Adam
/// (Kingma & Ba, 2015) once per batch of ``Configuration/usersPerBatch`` users; embedding rows use lazy Adam
/// (only rows with a gradient in the batch are updated).
///
/// Defaults: d = 64, dot-product similarity, squared error, 8 negatives, 20 epochs, Adam lr 0.01, β₁ 0.9,
/// β₂ 0.999, ε 1e-8, 32 users per batch, at most 50 positives per user and epoch, embeddings N(0, 0.1²), W = 1,
/// b = 0, seed 42. (On the Online Retail next-month split, d 64 and 8 negatives beat d 32 and 4 negatives, and
/// dot beat cosine by about 0.01 Recall@20; see Benchmarks/als/results.md.)
public struct NeuralHistoryScorer: Recommender {
  /// The similarity A(x_i, x_j).
  public enum Similarity: Int, Sendable, Hashable, Codable {
    /// xᵢᵀxⱼ.
    case dot
    /// xᵢᵀxⱼ / (‖xᵢ‖‖xⱼ‖).
    case cosine
  }

  /// The training loss.
  public enum Loss: Int, Sendable, Hashable, Codable {
    /// (1/N) Σ (y − ŷ)².
    case squaredError
    /// −(1/N) Σ [y log ŷ + (1 − y) log(1 − ŷ)].
    case binaryCrossEntropy
  }

  /// How interaction strengths become history weights f_iu.
  public enum HistoryWeighting: Int, Sendable, Hashable, Codable {
    /// f_iu = r_iu.
    case raw
    /// f_iu = r_iu / Σ_{k∈H(u)} r_ku.
    case normalized
  }

  /// Hyper-parameters.
  public struct Configuration: Sendable, Hashable, Codable {
    /// Embedding dimension d. Default 64.
    public var dimension: Int
    /// Similarity A. Default `.dot`.
    public var similarity: Similarity
    /// Loss. Default `.squaredError`.
    public var loss: Loss
    /// History weighting. Default `.normalized`.
    public var weighting: HistoryWeighting
    /// Negatives sampled per positive. Default 8.
    public var negatives: Int
    /// Epochs. Default 20.
    public var epochs: Int
    /// Adam learning rate. Default 0.01.
    public var learningRate: Float
    /// Adam β₁. Default 0.9.
    public var beta1: Float
    /// Adam β₂. Default 0.999.
    public var beta2: Float
    /// Adam ε. Default 1e-8.
    public var epsilon: Float
    /// Users per Adam step. Default 32.
    public var usersPerBatch: Int
    /// At most this many held-out positives per user and epoch. Default 50.
    public var maxPositivesPerUser: Int
    /// Standard deviation of the initial embeddings. Default 0.1.
    public var initialScale: Float
    /// Seed for initialisation and sampling. Default 42.
    public var seed: UInt64

    /// Creates a configuration; see the properties for defaults.
    public init(
      dimension: Int = 64, similarity: Similarity = .dot, loss: Loss = .squaredError,
      weighting: HistoryWeighting = .normalized, negatives: Int = 8, epochs: Int = 20, learningRate: Float = 0.01,
      beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, usersPerBatch: Int = 32,
      maxPositivesPerUser: Int = 50, initialScale: Float = 0.1, seed: UInt64 = 42
    ) {
      self.dimension = dimension
      self.similarity = similarity
      self.loss = loss
      self.weighting = weighting
      self.negatives = negatives
      self.epochs = epochs
      self.learningRate = learningRate
      self.beta1 = beta1
      self.beta2 = beta2
      self.epsilon = epsilon
      self.usersPerBatch = usersPerBatch
      self.maxPositivesPerUser = maxPositivesPerUser
      self.initialScale = initialScale
      self.seed = seed
    }
  }

  /// Learned parameters.
  public struct Parameters: Sendable, Hashable {
    /// Item embeddings x, row-major items × d.
    public var embeddings: [Float]
    /// The scale W.
    public var weight: Float
    /// The bias b.
    public var bias: Float

    /// Creates parameters.
    public init(embeddings: [Float], weight: Float, bias: Float) {
      self.embeddings = embeddings
      self.weight = weight
      self.bias = bias
    }
  }

  // MARK: - State

  /// The model's short name.
  public var name: String { "neural" }
  /// Hyper-parameters.
  public var configuration: Configuration
  /// Learned parameters (empty before fit).
  public internal(set) var parameters = Parameters(embeddings: [], weight: 1, bias: 0)
  /// Number of items at fit time.
  public internal(set) var itemCount = 0
  /// The training histories (users × items strengths), used to score known users.
  public internal(set) var histories = SparseMatrix(
    rowCount: 0, columnCount: 0, rowOffsets: [0], columns: [], values: [])
  /// Whether ``fit(_:)`` has run.
  public internal(set) var isFitted = false
  /// z = x or x/‖x‖ per item, refreshed after fitting.
  var unitEmbeddings: [Float] = []

  /// Creates an unfitted model.
  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// Creates a fitted model from explicit parameters (for tests and tools).
  /// - Throws: ``ModelError`` when the shapes disagree.
  public init(configuration: Configuration, parameters: Parameters, histories: SparseMatrix) throws {
    self.configuration = configuration
    guard parameters.embeddings.count == histories.columnCount * configuration.dimension else {
      throw ModelError(
        model: "neural",
        "embeddings have \(parameters.embeddings.count) values, expected \(histories.columnCount)×\(configuration.dimension)"
      )
    }
    self.parameters = parameters
    self.itemCount = histories.columnCount
    self.histories = histories
    self.isFitted = true
    refreshUnitEmbeddings()
  }

  mutating func refreshUnitEmbeddings() {
    let d = configuration.dimension
    unitEmbeddings = parameters.embeddings
    guard configuration.similarity == .cosine else { return }
    unitEmbeddings.withUnsafeMutableBufferPointer { z in
      guard let base = z.baseAddress else { return }
      for i in 0..<itemCount {
        let norm = Kernels.norm(base + i * d, d)
        if norm > 0 { Kernels.scale(base + i * d, 1 / norm, d) }
      }
    }
  }

  // MARK: - Scoring

  /// s(u, j) for every item j, for a history of (item, strength) pairs (e.g. a new user's session).
  /// - Throws: ``ModelError`` when unfitted or an item is out of range.
  /// - Complexity: O(|history|·d + items·d).
  public func scores(history: [(item: Int32, strength: Float)]) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    let d = configuration.dimension
    var total: Float = 0
    for entry in history {
      guard entry.item >= 0, Int(entry.item) < itemCount else {
        throw ModelError(model: name, "item \(entry.item) is out of range 0..<\(itemCount)", category: .notFound)
      }
      total += entry.strength
    }
    let scale: Float = configuration.weighting == .normalized ? (total != 0 ? 1 / total : 0) : 1
    var h = [Float](repeating: 0, count: d)
    var result = [Float](repeating: 0, count: itemCount)
    unitEmbeddings.withUnsafeBufferPointer { z in
      guard let zb = z.baseAddress else { return }
      h.withUnsafeMutableBufferPointer { hb in
        guard let hp = hb.baseAddress else { return }
        for entry in history { Kernels.axpy(entry.strength * scale, zb + Int(entry.item) * d, hp, d) }
        result.withUnsafeMutableBufferPointer { out in
          guard let ob = out.baseAddress else { return }
          Kernels.gemv(zb, rows: itemCount, hp, ob, d)
        }
      }
    }
    let w = parameters.weight
    let b = parameters.bias
    for j in 0..<itemCount { result[j] = w * result[j] + b }
    return result
  }

  /// s(j) for every item for a user described by a history (fold-in, exact): the same computation as the
  /// `(item, strength)` overload with the entries' strengths; times are not used. For a fit-time user's row
  /// this equals ``scores(user:)`` bit for bit.
  /// - Parameters:
  ///   - history: the user's interactions.
  ///   - referenceTime: ignored (no time decay).
  /// - Throws: ``ModelError`` when unfitted or the history is invalid.
  /// - Complexity: O(|history|·d + items·d).
  public func scores(history: [HistoryEntry], referenceTime: Int64?) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    try checkHistory(history, itemCount: itemCount, model: name)
    return try scores(history: history.map { (item: $0.item, strength: $0.strength) })
  }

  /// s(u, j) for every item for a user known at fit time.
  /// - Throws: ``ModelError`` when unfitted or the user is unknown.
  /// - Complexity: O(|H(u)|·d + items·d).
  public func scores(user: Int32) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    guard user >= 0, Int(user) < histories.rowCount else {
      throw ModelError(model: name, "user \(user) is out of range 0..<\(histories.rowCount)", category: .notFound)
    }
    let row = histories.row(Int(user))
    return try scores(history: zip(row.columns, row.values).map { (item: $0, strength: $1) })
  }

  /// Purchase probabilities ŷ_uj = σ(s(u, j)) for every item.
  /// - Throws: ``ModelError`` when unfitted or the user is unknown.
  public func probabilities(user: Int32) throws -> [Float] {
    try scores(user: user).map { 1 / (1 + Float(Foundation.exp(Double(-$0)))) }
  }

  /// The softmax over candidates: P(j | u) = exp s(u, j) / Σ_k exp s(u, k), in the order given.
  /// - Throws: ``ModelError`` when unfitted, the user is unknown or a candidate is out of range.
  public func purchaseDistribution(user: Int32, candidates: [Int32]) throws -> [Float] {
    let all = try scores(user: user)
    var logits: [Double] = []
    for j in candidates {
      guard j >= 0, Int(j) < itemCount else {
        throw ModelError(model: name, "candidate \(j) is out of range 0..<\(itemCount)", category: .notFound)
      }
      logits.append(Double(all[Int(j)]))
    }
    let top = logits.max() ?? 0
    let exps = logits.map { Foundation.exp($0 - top) }
    let sum = exps.reduce(0, +)
    return exps.map { Float($0 / sum) }
  }

  /// Items whose purchase probability σ(s(u, j)) is at least `threshold`, most probable first.
  /// - Parameters:
  ///   - user: a user known at fit time.
  ///   - threshold: the probability cut. Default 0.5.
  ///   - excludeSeen: drop the user's training items. Default true.
  /// - Throws: ``ModelError`` when unfitted or the user is unknown.
  public func recommend(user: Int32, threshold: Float = 0.5, excludeSeen: Bool = true) throws -> [ScoredItem] {
    let probabilities = try probabilities(user: user)
    let seen = excludeSeen ? Set(histories.row(Int(user)).columns) : []
    return probabilities.enumerated()
      .filter { $0.element >= threshold && !seen.contains(Int32($0.offset)) }
      .map { ScoredItem(item: Int32($0.offset), score: $0.element) }
      .sorted { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }
  }

  /// Items most similar to `item` under A (dot or cosine), best first.
  /// - Throws: ``ModelError`` when unfitted or the item is unknown.
  /// - Complexity: O(items · d).
  public func similarItems(to item: Int32, k: Int) throws -> [ScoredItem] {
    guard isFitted else { throw ModelError.notFitted(name) }
    guard item >= 0, Int(item) < itemCount else {
      throw ModelError(model: name, "item \(item) is out of range 0..<\(itemCount)", category: .notFound)
    }
    let d = configuration.dimension
    var similarity = [Float](repeating: 0, count: itemCount)
    unitEmbeddings.withUnsafeBufferPointer { z in
      similarity.withUnsafeMutableBufferPointer { out in
        guard let zb = z.baseAddress, let ob = out.baseAddress else { return }
        Kernels.gemv(zb, rows: itemCount, zb + Int(item) * d, ob, d)
      }
    }
    return topK(similarity, k: k) { $0 != item }
  }

  // MARK: - Persistence

  static let formatVersion: UInt32 = 1

  /// Writes the model (hyper-parameters, parameters, histories) as little-endian binary.
  /// - Throws: ``ModelError`` when unfitted or on I/O failure.
  public func save(to url: URL) throws {
    guard isFitted else { throw ModelError.notFitted(name) }
    var writer = BinaryArchiveWriter(model: name, version: Self.formatVersion)
    let c = configuration
    writer.write(c.dimension)
    writer.write(c.similarity.rawValue)
    writer.write(c.loss.rawValue)
    writer.write(c.weighting.rawValue)
    writer.write(c.negatives)
    writer.write(c.epochs)
    writer.write(c.learningRate)
    writer.write(c.beta1)
    writer.write(c.beta2)
    writer.write(c.epsilon)
    writer.write(c.usersPerBatch)
    writer.write(c.maxPositivesPerUser)
    writer.write(c.initialScale)
    writer.write(Int64(bitPattern: c.seed))
    writer.write(parameters.weight)
    writer.write(parameters.bias)
    writer.write(parameters.embeddings)
    writer.write(histories.rowCount)
    writer.write(histories.columnCount)
    writer.write(histories.rowOffsets)
    writer.write(histories.columns)
    writer.write(histories.values)
    try writer.save(to: url, model: name)
  }

  /// Reads a model written by ``save(to:)``.
  /// - Throws: ``ModelError`` when the file is missing, corrupt or of another model.
  public static func load(from url: URL) throws -> NeuralHistoryScorer {
    let name = "neural"
    var reader = try BinaryArchiveReader(url: url, model: name, supportedVersions: 1...formatVersion)
    var c = Configuration()
    c.dimension = try reader.readInt(in: 1...4096, field: "dimension")
    c.similarity = Similarity(rawValue: try reader.readInt(in: 0...1, field: "similarity")) ?? .cosine
    c.loss = Loss(rawValue: try reader.readInt(in: 0...1, field: "loss")) ?? .squaredError
    c.weighting = HistoryWeighting(rawValue: try reader.readInt(in: 0...1, field: "weighting")) ?? .normalized
    c.negatives = try reader.readInt(field: "negatives")
    c.epochs = try reader.readInt(field: "epochs")
    c.learningRate = try reader.readFloat()
    c.beta1 = try reader.readFloat()
    c.beta2 = try reader.readFloat()
    c.epsilon = try reader.readFloat()
    c.usersPerBatch = try reader.readInt(field: "usersPerBatch")
    c.maxPositivesPerUser = try reader.readInt(field: "maxPositivesPerUser")
    c.initialScale = try reader.readFloat()
    c.seed = UInt64(bitPattern: try reader.readInt64())
    let weight = try reader.readFloat()
    let bias = try reader.readFloat()
    let embeddings = try reader.readFloats(field: "embeddings")
    let rows = try reader.readInt(field: "users")
    let columns = try reader.readInt(field: "items")
    let offsets = try reader.readInts(field: "rowOffsets")
    let items = try reader.readInt32s(field: "columns")
    let values = try reader.readFloats(count: items.count, field: "values")
    guard offsets.count == rows + 1, offsets.first == 0, offsets.last == items.count,
      zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }), items.allSatisfy({ $0 >= 0 && Int($0) < columns })
    else {
      throw ModelError(model: name, "\(url.path): inconsistent history matrix")
    }
    let histories = SparseMatrix(
      rowCount: rows, columnCount: columns, rowOffsets: offsets, columns: items, values: values)
    return try NeuralHistoryScorer(
      configuration: c, parameters: Parameters(embeddings: embeddings, weight: weight, bias: bias),
      histories: histories)
  }
}
