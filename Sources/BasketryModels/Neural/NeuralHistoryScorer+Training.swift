import BasketryCore
import Foundation

// MARK: - Training data

extension NeuralHistoryScorer {
  /// One candidate scored against a context (a user's history, possibly with one item held out).
  public struct Example: Sendable, Hashable {
    /// Index into the group's history of the item left out of the context, or nil to use the whole history.
    public var heldOut: Int?
    /// The candidate item j.
    public var item: Int32
    /// The label y (1 bought, 0 not).
    public var label: Float

    /// Creates an example.
    public init(heldOut: Int?, item: Int32, label: Float) {
      self.heldOut = heldOut
      self.item = item
      self.label = label
    }
  }

  /// A user's history and the examples that share it.
  public struct TrainingGroup: Sendable, Hashable {
    /// History items (distinct).
    public var history: [Int32]
    /// Raw strengths r_iu aligned with `history`.
    public var strengths: [Float]
    /// Examples scored against this history.
    public var examples: [Example]

    /// Creates a group.
    public init(history: [Int32], strengths: [Float], examples: [Example]) {
      self.history = history
      self.strengths = strengths
      self.examples = examples
    }
  }

  /// Gradients of the mean loss.
  public struct Gradient: Sendable, Hashable {
    /// ∂L/∂x, row-major items × d.
    public var embeddings: [Float]
    /// ∂L/∂W.
    public var weight: Float
    /// ∂L/∂b.
    public var bias: Float
  }
}

// MARK: - Loss and gradient

extension NeuralHistoryScorer {
  /// The mean loss over all examples of `groups` and its analytic gradient (forward and backward pass).
  ///
  /// For an example with context C (the group's history minus the held-out item) and weights f_i,
  /// h = Σ_{i∈C} f_i z_i, a = hᵀz_j, s = W·a + b, ŷ = σ(s); ∂ℓ/∂s = −2(y − ŷ)ŷ(1 − ŷ) (squared error) or
  /// ŷ − y (cross-entropy); ∂s/∂W = a, ∂s/∂b = 1, ∂s/∂z_j = W·h, ∂s/∂z_i = W·f_i·z_j; for cosine,
  /// ∂z/∂x = (I − zzᵀ)/‖x‖.
  /// - Throws: ``ModelError`` when unfitted or an item is out of range.
  /// - Complexity: O(Σ_groups (|history| + |examples|)·d + touched items·d).
  public func lossAndGradient(groups: [TrainingGroup]) throws -> (loss: Double, gradient: Gradient) {
    guard isFitted else { throw ModelError.notFitted(name) }
    for group in groups {
      guard group.history.count == group.strengths.count,
        group.history.allSatisfy({ $0 >= 0 && Int($0) < itemCount }),
        group.examples.allSatisfy({
          $0.item >= 0 && Int($0.item) < itemCount && ($0.heldOut ?? 0) < group.history.count
        })
      else { throw ModelError(model: name, "training group with an out-of-range item or index") }
    }
    var workspace = GradientWorkspace(itemCount: itemCount, dimension: configuration.dimension)
    let loss = accumulate(groups: groups, into: &workspace)
    workspace.finish(model: self)
    return (loss, Gradient(embeddings: workspace.dx, weight: workspace.dw, bias: workspace.db))
  }

  /// Forward and backward over the groups; adds ∂L/∂z (not yet ∂L/∂x) into the workspace and returns the mean loss.
  func accumulate(groups: [TrainingGroup], into workspace: inout GradientWorkspace) -> Double {
    let d = configuration.dimension
    let total = groups.reduce(0) { $0 + $1.examples.count }
    guard total > 0 else { return 0 }
    let inverseN = 1 / Float(total)
    let w = parameters.weight
    let b = parameters.bias
    let normalized = configuration.weighting == .normalized
    let squared = configuration.loss == .squaredError
    var loss = 0.0
    var t = [Float](repeating: 0, count: d)  // T = Σ r_i z_i
    var h = [Float](repeating: 0, count: d)
    var dh = [Float](repeating: 0, count: d)
    var dT = [Float](repeating: 0, count: d)
    // Move the gradient buffer out so the workspace's bookkeeping stays accessible inside the closures.
    var dzStorage: [Float] = []
    swap(&dzStorage, &workspace.dz)
    defer { swap(&dzStorage, &workspace.dz) }
    unitEmbeddings.withUnsafeBufferPointer { zBuffer in
      guard let z = zBuffer.baseAddress else { return }
      dzStorage.withUnsafeMutableBufferPointer { dzBuffer in
        guard let dz = dzBuffer.baseAddress else { return }
        t.withUnsafeMutableBufferPointer { tb in
          h.withUnsafeMutableBufferPointer { hb in
            dh.withUnsafeMutableBufferPointer { dhb in
              dT.withUnsafeMutableBufferPointer { dTb in
                guard let tp = tb.baseAddress, let hp = hb.baseAddress, let dhp = dhb.baseAddress,
                  let dTp = dTb.baseAddress
                else { return }
                for group in groups {
                  tp.update(repeating: 0, count: d)
                  dTp.update(repeating: 0, count: d)
                  var strengthSum: Float = 0
                  for (item, r) in zip(group.history, group.strengths) {
                    Kernels.axpy(r, z + Int(item) * d, tp, d)
                    strengthSum += r
                    workspace.touch(item)
                  }
                  for example in group.examples {
                    // h = κ (T − r_i z_i) for the held-out i; κ = 1/(R − r_i) when normalised.
                    hp.update(from: tp, count: d)
                    var contextSum = strengthSum
                    if let k = example.heldOut {
                      let r = group.strengths[k]
                      Kernels.axpy(-r, z + Int(group.history[k]) * d, hp, d)
                      contextSum -= r
                    }
                    let kappa: Float = normalized ? (contextSum != 0 ? 1 / contextSum : 0) : 1
                    Kernels.scale(hp, kappa, d)
                    let zj = z + Int(example.item) * d
                    let a = Kernels.dot(hp, zj, d)
                    let s = w * a + b
                    let p = 1 / (1 + Float(Foundation.exp(Double(-s))))
                    let y = example.label
                    let g: Float
                    if squared {
                      loss += Double((y - p) * (y - p))
                      g = -2 * (y - p) * p * (1 - p) * inverseN
                    } else {
                      // −[y log σ(s) + (1 − y) log(1 − σ(s))] = softplus(s) − y·s, computed stably.
                      let sd = Double(s)
                      let softplus = max(sd, 0) + Foundation.log1p(Foundation.exp(-abs(sd)))
                      loss += softplus - Double(y) * sd
                      g = (p - y) * inverseN
                    }
                    workspace.dw += g * a
                    workspace.db += g
                    workspace.touch(example.item)
                    // ∂/∂z_j += g W h ; ∂/∂h = g W z_j.
                    Kernels.axpy(g * w, hp, dz + Int(example.item) * d, d)
                    dhp.update(repeating: 0, count: d)
                    Kernels.axpy(g * w, zj, dhp, d)
                    // h = κ(T − r_k z_k): ∂T += κ ∂h; ∂z_k −= κ r_k ∂h.
                    Kernels.axpy(kappa, dhp, dTp, d)
                    if let k = example.heldOut {
                      Kernels.axpy(-kappa * group.strengths[k], dhp, dz + Int(group.history[k]) * d, d)
                    }
                  }
                  // T = Σ r_i z_i: ∂z_i += r_i ∂T.
                  for (item, r) in zip(group.history, group.strengths) {
                    Kernels.axpy(r, dTp, dz + Int(item) * d, d)
                  }
                }
              }
            }
          }
        }
      }
    }
    return loss / Double(total)
  }
}

// MARK: - Workspace

/// Gradient buffers with a list of touched embedding rows (so a batch costs O(touched·d), not O(items·d)).
struct GradientWorkspace {
  let dimension: Int
  var dz: [Float]
  var dx: [Float]
  var dw: Float = 0
  var db: Float = 0
  var touched: [Int32] = []
  var isTouched: [Bool]

  init(itemCount: Int, dimension: Int) {
    self.dimension = dimension
    dz = [Float](repeating: 0, count: itemCount * dimension)
    dx = [Float](repeating: 0, count: itemCount * dimension)
    isTouched = [Bool](repeating: false, count: itemCount)
  }

  mutating func touch(_ item: Int32) {
    if !isTouched[Int(item)] {
      isTouched[Int(item)] = true
      touched.append(item)
    }
  }

  /// Converts ∂L/∂z into ∂L/∂x for the touched rows (identity for dot; (I − zzᵀ)/‖x‖ for cosine).
  mutating func finish(model: NeuralHistoryScorer) {
    let d = dimension
    let cosine = model.configuration.similarity == .cosine
    for item in touched {
      let offset = Int(item) * d
      if !cosine {
        for k in 0..<d { dx[offset + k] = dz[offset + k] }
        continue
      }
      model.parameters.embeddings.withUnsafeBufferPointer { xb in
        model.unitEmbeddings.withUnsafeBufferPointer { zb in
          dz.withUnsafeBufferPointer { dzb in
            dx.withUnsafeMutableBufferPointer { dxb in
              guard let x = xb.baseAddress, let z = zb.baseAddress, let g = dzb.baseAddress,
                let out = dxb.baseAddress
              else { return }
              let norm = Kernels.norm(x + offset, d)
              guard norm > 0 else { return }
              let projection = Kernels.dot(g + offset, z + offset, d)
              for k in 0..<d { out[offset + k] = (g[offset + k] - projection * z[offset + k]) / norm }
            }
          }
        }
      }
    }
  }

  /// Clears the touched rows and scalars for the next batch.
  mutating func reset() {
    let d = dimension
    for item in touched {
      let offset = Int(item) * d
      for k in 0..<d {
        dz[offset + k] = 0
        dx[offset + k] = 0
      }
      isTouched[Int(item)] = false
    }
    touched.removeAll(keepingCapacity: true)
    dw = 0
    db = 0
  }
}

// MARK: - Fit

extension NeuralHistoryScorer {
  /// Fits the embeddings, W and b with Adam on held-out-item examples (see the type's documentation).
  /// - Throws: ``ModelError`` on invalid hyper-parameters or when no user has two or more items.
  /// - Complexity: O(epochs · Σ_u (|H(u)| + P_u(1 + negatives))·d), P_u = min(|H(u)|, maxPositivesPerUser).
  public mutating func fit(_ interactions: InteractionMatrix) throws {
    let c = configuration
    guard c.dimension > 0, c.dimension <= 4096, c.negatives >= 0, c.epochs >= 0, c.learningRate > 0,
      c.usersPerBatch > 0, c.maxPositivesPerUser > 0, c.beta1 >= 0, c.beta1 < 1, c.beta2 >= 0, c.beta2 < 1
    else {
      throw ModelError(model: name, "invalid hyper-parameters: \(c)")
    }
    // Histories: positive strengths only.
    let m = interactions.matrix
    var offsets = [0]
    var columns: [Int32] = []
    var values: [Float] = []
    for u in 0..<m.rowCount {
      let row = m.row(u)
      for (column, value) in zip(row.columns, row.values) where value > 0 && value.isFinite {
        columns.append(column)
        values.append(value)
      }
      offsets.append(columns.count)
    }
    let trainable = (0..<m.rowCount).filter { offsets[$0 + 1] - offsets[$0] >= 2 }
    guard !trainable.isEmpty, m.columnCount > 1 else {
      throw ModelError(model: name, "no user has two or more items to learn from")
    }
    let d = c.dimension
    itemCount = m.columnCount
    histories = SparseMatrix(
      rowCount: m.rowCount, columnCount: m.columnCount, rowOffsets: offsets, columns: columns, values: values)
    var rng = SplitMix64(seed: c.seed)
    parameters = Parameters(
      embeddings: (0..<(itemCount * d)).map { _ in Float(rng.nextGaussian()) * c.initialScale }, weight: 1, bias: 0)
    isFitted = true
    refreshUnitEmbeddings()

    var adam = AdamState(count: itemCount * d)
    var workspace = GradientWorkspace(itemCount: itemCount, dimension: d)
    var order = trainable
    for _ in 0..<c.epochs {
      order.shuffle(using: &rng)
      var start = 0
      while start < order.count {
        let end = min(order.count, start + c.usersPerBatch)
        var groups: [TrainingGroup] = []
        for u in order[start..<end] {
          groups.append(sampleGroup(user: u, offsets: offsets, columns: columns, values: values, rng: &rng))
        }
        _ = accumulate(groups: groups, into: &workspace)
        workspace.finish(model: self)
        adam.step(model: &self, workspace: workspace)
        refreshUnitEmbeddings(rows: workspace.touched)
        workspace.reset()
        start = end
      }
    }
    refreshUnitEmbeddings()
  }

  func sampleGroup(
    user u: Int, offsets: [Int], columns: [Int32], values: [Float], rng: inout SplitMix64
  ) -> TrainingGroup {
    let history = Array(columns[offsets[u]..<offsets[u + 1]])
    let strengths = Array(values[offsets[u]..<offsets[u + 1]])
    var positives = Array(0..<history.count)
    if positives.count > configuration.maxPositivesPerUser {
      positives.shuffle(using: &rng)
      positives = Array(positives.prefix(configuration.maxPositivesPerUser))
    }
    var examples: [Example] = []
    examples.reserveCapacity(positives.count * (1 + configuration.negatives))
    let items = UInt64(itemCount)
    for k in positives {
      examples.append(Example(heldOut: k, item: history[k], label: 1))
      for _ in 0..<configuration.negatives {
        var j = Int32(truncatingIfNeeded: rng.next() % items)
        var attempts = 0
        while BPR.contains(history[...], j) && attempts < 10 {
          j = Int32(truncatingIfNeeded: rng.next() % items)
          attempts += 1
        }
        if !BPR.contains(history[...], j) { examples.append(Example(heldOut: k, item: j, label: 0)) }
      }
    }
    return TrainingGroup(history: history, strengths: strengths, examples: examples)
  }

  mutating func refreshUnitEmbeddings(rows: [Int32]) {
    guard configuration.similarity == .cosine else {
      let d = configuration.dimension
      for item in rows {
        let offset = Int(item) * d
        for k in 0..<d { unitEmbeddings[offset + k] = parameters.embeddings[offset + k] }
      }
      return
    }
    let d = configuration.dimension
    for item in rows {
      let offset = Int(item) * d
      var norm: Float = 0
      for k in 0..<d { norm += parameters.embeddings[offset + k] * parameters.embeddings[offset + k] }
      norm = norm.squareRoot()
      let inverse: Float = norm > 0 ? 1 / norm : 0
      for k in 0..<d { unitEmbeddings[offset + k] = parameters.embeddings[offset + k] * inverse }
    }
  }
}

// MARK: - Adam

/// Adam moments for the embeddings (lazy: only touched rows step) and the two scalars.
struct AdamState {
  var m: [Float]
  var v: [Float]
  var mw: Float = 0
  var vw: Float = 0
  var mb: Float = 0
  var vb: Float = 0
  var step = 0

  init(count: Int) {
    m = [Float](repeating: 0, count: count)
    v = [Float](repeating: 0, count: count)
  }

  mutating func step(model: inout NeuralHistoryScorer, workspace: GradientWorkspace) {
    let c = model.configuration
    step += 1
    let b1 = c.beta1
    let b2 = c.beta2
    let correction1 = 1 - Float(Foundation.pow(Double(b1), Double(step)))
    let correction2 = 1 - Float(Foundation.pow(Double(b2), Double(step)))
    let lr = c.learningRate * correction2.squareRoot() / correction1
    let eps = c.epsilon * correction2.squareRoot()
    let d = c.dimension
    let vb1 = SIMD8<Float>(repeating: b1)
    let vb2 = SIMD8<Float>(repeating: b2)
    let one = SIMD8<Float>(repeating: 1)
    let vlr = SIMD8<Float>(repeating: lr)
    let veps = SIMD8<Float>(repeating: eps)
    model.parameters.embeddings.withUnsafeMutableBufferPointer { xBuffer in
      m.withUnsafeMutableBufferPointer { mBuffer in
        v.withUnsafeMutableBufferPointer { vBuffer in
          workspace.dx.withUnsafeBufferPointer { gBuffer in
            guard let x = xBuffer.baseAddress, let mp = mBuffer.baseAddress, let vp = vBuffer.baseAddress,
              let g = gBuffer.baseAddress
            else { return }
            for item in workspace.touched {
              let offset = Int(item) * d
              var k = 0
              while k + 8 <= d {
                let gk = Kernels.load8(g + offset + k)
                let mk = vb1 * Kernels.load8(mp + offset + k) + (one - vb1) * gk
                let vk = vb2 * Kernels.load8(vp + offset + k) + (one - vb2) * gk * gk
                Kernels.store8(mk, mp + offset + k)
                Kernels.store8(vk, vp + offset + k)
                Kernels.store8(Kernels.load8(x + offset + k) - vlr * mk / (vk.squareRoot() + veps), x + offset + k)
                k += 8
              }
              while k < d {
                let gk = g[offset + k]
                mp[offset + k] = b1 * mp[offset + k] + (1 - b1) * gk
                vp[offset + k] = b2 * vp[offset + k] + (1 - b2) * gk * gk
                x[offset + k] -= lr * mp[offset + k] / (vp[offset + k].squareRoot() + eps)
                k += 1
              }
            }
          }
        }
      }
    }
    mw = b1 * mw + (1 - b1) * workspace.dw
    vw = b2 * vw + (1 - b2) * workspace.dw * workspace.dw
    model.parameters.weight -= lr * mw / (vw.squareRoot() + eps)
    mb = b1 * mb + (1 - b1) * workspace.db
    vb = b2 * vb + (1 - b2) * workspace.db * workspace.db
    model.parameters.bias -= lr * mb / (vb.squareRoot() + eps)
  }
}
