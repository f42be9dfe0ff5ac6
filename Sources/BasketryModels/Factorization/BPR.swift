import BasketryCore
import Foundation

/// Bayesian personalised ranking matrix factorisation (Rendle, Freudenthaler, Gantner & Schmidt-Thieme, 2009).
///
/// For a user u, an item i the user interacted with and an item j the user did not, the model states
///
///     p(i >_u j) = σ(x̂_uij),  x̂_uij = x_uᵀ(y_i − y_j) + b_i − b_j,
///
/// and maximises Σ ln σ(x̂_uij) − λ(‖x_u‖² + ‖y_i‖² + ‖y_j‖² + b_i² + b_j²) by stochastic gradient ascent
/// over triples drawn by uniform sampling: (u, i) uniformly among the stored interactions, j uniformly among
/// all items, redrawn (up to 10 times) while u has interacted with j. Each epoch draws as many triples as
/// there are interactions. With g = 1 − σ(x̂_uij) the updates are
/// x_u += η(g(y_i − y_j) − λx_u), y_i += η(g·x_u − λy_i), y_j += η(−g·x_u − λy_j), b_i += η(g − λb_i),
/// b_j += η(−g − λb_j). The score of item i is x_uᵀy_i + b_i.
///
/// Defaults: 64 factors, learning rate η = 0.05, regularisation λ = 0.01, 100 epochs, item bias on, seed 42.
/// Training is single-threaded so a seed gives identical factors.
public struct BPR: Recommender {
  /// Hyper-parameters.
  public struct Configuration: Sendable, Hashable, Codable {
    /// Number of latent factors. Default 64.
    public var factors: Int
    /// SGD learning rate η. Default 0.05.
    public var learningRate: Float
    /// L2 regularisation λ. Default 0.01.
    public var regularization: Float
    /// Number of epochs (each draws nnz triples). Default 100.
    public var epochs: Int
    /// Whether to learn an item bias b_i. Default true.
    public var itemBias: Bool
    /// Seed for initialisation and sampling. Default 42.
    public var seed: UInt64

    /// Creates a configuration; see the properties for defaults.
    public init(
      factors: Int = 64, learningRate: Float = 0.05, regularization: Float = 0.01, epochs: Int = 100,
      itemBias: Bool = true, seed: UInt64 = 42
    ) {
      self.factors = factors
      self.learningRate = learningRate
      self.regularization = regularization
      self.epochs = epochs
      self.itemBias = itemBias
      self.seed = seed
    }
  }

  /// The model's short name.
  public var name: String { "bpr" }
  /// Hyper-parameters.
  public var configuration: Configuration
  /// Number of users at fit time.
  public private(set) var userCount = 0
  /// Number of items at fit time.
  public private(set) var itemCount = 0
  /// User factors, row-major users × factors.
  public private(set) var userFactors: [Float] = []
  /// Item factors, row-major items × factors.
  public private(set) var itemFactors: [Float] = []
  /// Item biases b_i (zero when disabled).
  public private(set) var itemBiases: [Float] = []
  /// Whether ``fit(_:)`` has run.
  public private(set) var isFitted = false

  /// Creates an unfitted model.
  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  // MARK: - Fit

  /// Fits the model by SGD on sampled triples; positive strengths count as interactions.
  /// - Throws: ``ModelError`` on invalid hyper-parameters or when there are no interactions.
  /// - Complexity: O(epochs · nnz · f).
  public mutating func fit(_ interactions: InteractionMatrix) throws {
    let c = configuration
    guard c.factors > 0, c.factors <= 4096 else {
      throw ModelError(model: name, "factors = \(c.factors) must be 1…4096")
    }
    guard c.learningRate > 0, c.regularization >= 0, c.epochs >= 0 else {
      throw ModelError(
        model: name,
        "learningRate = \(c.learningRate) must be > 0, regularization = \(c.regularization) and epochs = \(c.epochs) ≥ 0"
      )
    }
    let matrix = interactions.matrix
    // Positive interactions only.
    var entryUser: [Int32] = []
    var entryItem: [Int32] = []
    var offsets = [0]
    var columns: [Int32] = []
    for u in 0..<matrix.rowCount {
      let row = matrix.row(u)
      for (column, value) in zip(row.columns, row.values) where value > 0 {
        entryUser.append(Int32(u))
        entryItem.append(column)
        columns.append(column)
      }
      offsets.append(columns.count)
    }
    guard !entryUser.isEmpty, matrix.columnCount > 1 else {
      throw ModelError(model: name, "no positive interactions to fit (or fewer than 2 items)")
    }
    let f = c.factors
    userCount = matrix.rowCount
    itemCount = matrix.columnCount
    var rng = SplitMix64(seed: c.seed)
    userFactors = (0..<(userCount * f)).map { _ in (Float(rng.nextUnit()) - 0.5) / Float(f) }
    itemFactors = (0..<(itemCount * f)).map { _ in (Float(rng.nextUnit()) - 0.5) / Float(f) }
    itemBiases = [Float](repeating: 0, count: itemCount)
    let eta = c.learningRate
    let lambda = c.regularization
    let items = UInt64(itemCount)
    let entries = UInt64(entryUser.count)
    let useBias = c.itemBias
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: f)
    defer { scratch.deallocate() }
    userFactors.withUnsafeMutableBufferPointer { xBuffer in
      itemFactors.withUnsafeMutableBufferPointer { yBuffer in
        itemBiases.withUnsafeMutableBufferPointer { bias in
          guard let x = xBuffer.baseAddress, let y = yBuffer.baseAddress else { return }
          for _ in 0..<c.epochs {
            for _ in 0..<entries {
              let k = Int(rng.next() % entries)
              let u = Int(entryUser[k])
              let i = Int(entryItem[k])
              let liked = columns[offsets[u]..<offsets[u + 1]]
              var j = Int(rng.next() % items)
              var attempts = 0
              while Self.contains(liked, Int32(j)) && attempts < 10 {
                j = Int(rng.next() % items)
                attempts += 1
              }
              if Self.contains(liked, Int32(j)) { continue }
              let xu = x + u * f
              let yi = y + i * f
              let yj = y + j * f
              let score = Kernels.dot(xu, yi, f) - Kernels.dot(xu, yj, f) + bias[i] - bias[j]
              let g = 1 / (1 + Float(Foundation.exp(Double(score))))  // 1 − σ(score)
              // scratch = y_i − y_j (before the item updates).
              scratch.update(from: yi, count: f)
              Kernels.axpy(-1, yj, scratch, f)
              // Item updates use the old x_u.
              Kernels.scale(yi, 1 - eta * lambda, f)
              Kernels.axpy(eta * g, xu, yi, f)
              Kernels.scale(yj, 1 - eta * lambda, f)
              Kernels.axpy(-eta * g, xu, yj, f)
              Kernels.scale(xu, 1 - eta * lambda, f)
              Kernels.axpy(eta * g, scratch, xu, f)
              if useBias {
                bias[i] += eta * (g - lambda * bias[i])
                bias[j] += eta * (-g - lambda * bias[j])
              }
            }
          }
        }
      }
    }
    isFitted = true
  }

  @inline(__always)
  static func contains(_ sorted: ArraySlice<Int32>, _ value: Int32) -> Bool {
    var low = sorted.startIndex
    var high = sorted.endIndex
    while low < high {
      let mid = (low + high) / 2
      if sorted[mid] < value { low = mid + 1 } else { high = mid }
    }
    return low < sorted.endIndex && sorted[low] == value
  }

  // MARK: - Scoring

  /// x_uᵀy_i + b_i for every item.
  /// - Throws: ``ModelError`` when unfitted or the user is unknown.
  /// - Complexity: O(items · f).
  public func scores(user: Int32) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    guard user >= 0, Int(user) < userCount else {
      throw ModelError(model: name, "user \(user) is out of range 0..<\(userCount)", category: .notFound)
    }
    let f = configuration.factors
    var result = [Float](repeating: 0, count: itemCount)
    userFactors.withUnsafeBufferPointer { x in
      itemFactors.withUnsafeBufferPointer { y in
        result.withUnsafeMutableBufferPointer { out in
          guard let xb = x.baseAddress, let yb = y.baseAddress, let ob = out.baseAddress else { return }
          Kernels.gemv(yb, rows: itemCount, xb + Int(user) * f, ob, f)
        }
      }
    }
    for i in 0..<itemCount { result[i] += itemBiases[i] }
    return result
  }

  /// Factors of a user described by a history, learned with the item factors and biases fixed (fold-in):
  /// starting from x = 0, `epochs · |H⁺|` stochastic gradient steps on the user's BPR objective
  /// Σ ln σ(xᵀ(y_i − y_j) + b_i − b_j) − λ‖x‖², the same number of updates a user gets on average in training,
  /// with i drawn uniformly from the history's positive-strength items H⁺, j uniformly from the other items
  /// (redrawn up to 10 times) and the update x += η(g(y_i − y_j) − λx), g = 1 − σ(·), η and λ the configuration's.
  /// Draws come from a generator seeded with the configuration's seed, so a history always gets the same factors.
  /// - Parameter history: the user's interactions (entries with strength ≤ 0 are not positives).
  /// - Returns: f factors (zero for a history without positives).
  /// - Throws: ``ModelError`` when unfitted or the history is invalid.
  /// - Complexity: O(epochs · |H⁺| · (f + log |H⁺|)).
  public func userFactors(history: [HistoryEntry]) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    try checkHistory(history, itemCount: itemCount, model: name)
    let c = configuration
    let f = c.factors
    let liked = history.filter { $0.strength > 0 }.map(\.item).sorted()
    var x = [Float](repeating: 0, count: f)
    guard !liked.isEmpty, itemCount > 1 else { return x }
    let eta = c.learningRate
    let lambda = c.regularization
    let items = UInt64(itemCount)
    let positives = UInt64(liked.count)
    let likedSlice = liked[...]
    var rng = SplitMix64(seed: c.seed)
    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: f)
    defer { scratch.deallocate() }
    x.withUnsafeMutableBufferPointer { xBuffer in
      itemFactors.withUnsafeBufferPointer { yBuffer in
        guard let xu = xBuffer.baseAddress, let y = yBuffer.baseAddress else { return }
        for _ in 0..<(c.epochs * liked.count) {
          let i = Int(liked[Int(rng.next() % positives)])
          var j = Int(rng.next() % items)
          var attempts = 0
          while Self.contains(likedSlice, Int32(j)) && attempts < 10 {
            j = Int(rng.next() % items)
            attempts += 1
          }
          if Self.contains(likedSlice, Int32(j)) { continue }
          scratch.update(from: y + i * f, count: f)
          Kernels.axpy(-1, y + j * f, scratch, f)
          let score = Kernels.dot(UnsafePointer(xu), UnsafePointer(scratch), f) + itemBiases[i] - itemBiases[j]
          let g = 1 / (1 + Float(Foundation.exp(Double(score))))  // 1 − σ(score)
          Kernels.scale(xu, 1 - eta * lambda, f)
          Kernels.axpy(eta * g, scratch, xu, f)
        }
      }
    }
    return x
  }

  /// x_hᵀy_i + b_i for every item, with x_h from ``userFactors(history:)`` (fold-in).
  ///
  /// Approximate: x_h is learned against the final item factors in a fresh, shorter run, so for a fit-time user
  /// it is close to, not equal to, the trained x_u (the scores agree in ranking on the whole, not value by value).
  /// - Parameters:
  ///   - history: the user's interactions.
  ///   - referenceTime: ignored (no time decay).
  /// - Throws: ``ModelError`` when unfitted or the history is invalid.
  /// - Complexity: O(items · f + epochs · |H⁺| · f); measured 0.02 ms for a 20-item history over 4,096 items with
  ///   f = 64 and 2 epochs (release build; the SGD part grows linearly with epochs).
  public func scores(history: [HistoryEntry], referenceTime: Int64?) throws -> [Float] {
    let x = try userFactors(history: history)
    let f = configuration.factors
    var result = [Float](repeating: 0, count: itemCount)
    x.withUnsafeBufferPointer { xb in
      itemFactors.withUnsafeBufferPointer { y in
        result.withUnsafeMutableBufferPointer { out in
          guard let xp = xb.baseAddress, let yb = y.baseAddress, let ob = out.baseAddress else { return }
          Kernels.gemv(yb, rows: itemCount, xp, ob, f)
        }
      }
    }
    for i in 0..<itemCount { result[i] += itemBiases[i] }
    return result
  }

  /// Items most similar to `item` by cosine similarity of item factors, best first.
  /// - Throws: ``ModelError`` when unfitted or the item is unknown.
  /// - Complexity: O(items · f).
  public func similarItems(to item: Int32, k: Int) throws -> [ScoredItem] {
    guard isFitted else { throw ModelError.notFitted(name) }
    guard item >= 0, Int(item) < itemCount else {
      throw ModelError(model: name, "item \(item) is out of range 0..<\(itemCount)", category: .notFound)
    }
    return FactorSimilarity.cosine(itemFactors, count: itemCount, factors: configuration.factors, to: Int(item), k: k)
  }

  // MARK: - Persistence

  static let formatVersion: UInt32 = 1

  /// Writes the model as little-endian binary.
  /// - Throws: ``ModelError`` when unfitted or on I/O failure.
  public func save(to url: URL) throws {
    guard isFitted else { throw ModelError.notFitted(name) }
    var writer = BinaryArchiveWriter(model: name, version: Self.formatVersion)
    let c = configuration
    writer.write(c.factors)
    writer.write(c.learningRate)
    writer.write(c.regularization)
    writer.write(c.epochs)
    writer.write(c.itemBias ? 1 : 0)
    writer.write(Int64(bitPattern: c.seed))
    writer.write(userCount)
    writer.write(itemCount)
    writer.write(userFactors)
    writer.write(itemFactors)
    writer.write(itemBiases)
    try writer.save(to: url, model: name)
  }

  /// Reads a model written by ``save(to:)``.
  /// - Throws: ``ModelError`` when the file is missing, corrupt or of another model.
  public static func load(from url: URL) throws -> BPR {
    var reader = try BinaryArchiveReader(url: url, model: "bpr", supportedVersions: 1...formatVersion)
    var c = Configuration()
    c.factors = try reader.readInt(in: 1...4096, field: "factors")
    c.learningRate = try reader.readFloat()
    c.regularization = try reader.readFloat()
    c.epochs = try reader.readInt(field: "epochs")
    c.itemBias = try reader.readInt(in: 0...1, field: "itemBias") == 1
    c.seed = UInt64(bitPattern: try reader.readInt64())
    var model = BPR(configuration: c)
    model.userCount = try reader.readInt(field: "users")
    model.itemCount = try reader.readInt(field: "items")
    model.userFactors = try reader.readFloats(count: model.userCount * c.factors, field: "userFactors")
    model.itemFactors = try reader.readFloats(count: model.itemCount * c.factors, field: "itemFactors")
    model.itemBiases = try reader.readFloats(count: model.itemCount, field: "itemBiases")
    model.isFitted = true
    return model
  }
}
