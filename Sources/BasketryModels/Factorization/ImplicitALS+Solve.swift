import BasketryCore
import Foundation

// MARK: - Alternating half-step

extension ImplicitALS {
  /// Solves every row's factors given the other side's fixed factors.
  /// - Parameters:
  ///   - rows: signed confidences (+c: preference 1, −c: preference 0), one row per solved entity.
  ///   - solving: the factors to update (rows.rowCount × f), warm start for conjugate gradient.
  ///   - fixed: the other side's factors (rows.columnCount × f).
  static func solve(rows: SparseMatrix, solving: inout [Float], fixed: [Float], configuration: Configuration) {
    let f = configuration.factors
    // G = YᵀY + λI.
    let gram = regularizedGram(fixed, rows: rows.columnCount, configuration: configuration)
    let threads = threadCount(configuration)
    let solver = configuration.solver
    gram.withUnsafeBufferPointer { g in
      fixed.withUnsafeBufferPointer { y in
        solving.withUnsafeMutableBufferPointer { x in
          rows.rowOffsets.withUnsafeBufferPointer { offsets in
            rows.columns.withUnsafeBufferPointer { columns in
              rows.values.withUnsafeBufferPointer { values in
                guard let gb = g.baseAddress, let yb = y.baseAddress, let xb = x.baseAddress,
                  let ob = offsets.baseAddress
                else { return }
                let shared = SolveInputs(
                  gram: SharedPointer(gb), fixed: SharedPointer(yb), solving: SharedMutablePointer(xb),
                  offsets: SharedPointer(ob), columns: columns.baseAddress.map { SharedPointer($0) },
                  values: values.baseAddress.map { SharedPointer($0) }, f: f)
                Parallel.forEachBlock(count: rows.rowCount, threads: threads) { block in
                  switch solver {
                  case .conjugateGradient(let steps): shared.conjugateGradient(block, steps: steps)
                  case .cholesky: shared.cholesky(block)
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// `AᵀA + λI` (f × f, row-major) for a rows × f matrix A: the Gram term every row's system starts from.
  static func regularizedGram(_ a: [Float], rows: Int, configuration: Configuration) -> [Float] {
    let f = configuration.factors
    var gram = [Float](repeating: 0, count: f * f)
    a.withUnsafeBufferPointer { y in
      gram.withUnsafeMutableBufferPointer { g in
        guard let yb = y.baseAddress, let gb = g.baseAddress else { return }
        gramParallel(yb, rows: rows, f: f, into: gb, threads: threadCount(configuration))
      }
    }
    for d in 0..<f { gram[d * f + d] += configuration.regularization }
    return gram
  }

  /// Solves one row exactly (Cholesky) given a precomputed `gram` = `YᵀY + λI` of `fixed`; `solving` (f values)
  /// keeps its value when the system is not positive definite.
  static func solveSingle(row: SparseMatrix, solving: inout [Float], gram: [Float], fixed: [Float], f: Int) {
    gram.withUnsafeBufferPointer { g in
      fixed.withUnsafeBufferPointer { y in
        solving.withUnsafeMutableBufferPointer { x in
          row.rowOffsets.withUnsafeBufferPointer { offsets in
            row.columns.withUnsafeBufferPointer { columns in
              row.values.withUnsafeBufferPointer { values in
                guard let gb = g.baseAddress, let yb = y.baseAddress, let xb = x.baseAddress,
                  let ob = offsets.baseAddress
                else { return }
                let inputs = SolveInputs(
                  gram: SharedPointer(gb), fixed: SharedPointer(yb), solving: SharedMutablePointer(xb),
                  offsets: SharedPointer(ob), columns: columns.baseAddress.map { SharedPointer($0) },
                  values: values.baseAddress.map { SharedPointer($0) }, f: f)
                inputs.cholesky(0..<row.rowCount)
              }
            }
          }
        }
      }
    }
  }

  static func threadCount(_ configuration: Configuration) -> Int {
    configuration.threads > 0 ? configuration.threads : Parallel.processorCount
  }

  /// G ← AᵀA for a rows × f matrix, split into up to 8 row blocks computed in parallel and summed in order.
  static func gramParallel(
    _ a: UnsafePointer<Float>, rows: Int, f: Int, into g: UnsafeMutablePointer<Float>, threads: Int
  ) {
    // A fixed partition (independent of the thread count) keeps the summation order, hence the result,
    // identical for any number of threads.
    let parts = max(1, min(8, rows / 512))
    if parts == 1 {
      Kernels.gramAccumulate(a, rows: rows, n: f, weights: nil, into: g)
      return
    }
    var partials = [Float](repeating: 0, count: parts * f * f)
    let source = SharedPointer(a)
    partials.withUnsafeMutableBufferPointer { p in
      guard let pb = p.baseAddress else { return }
      let target = SharedMutablePointer(pb)
      let chunk = (rows + parts - 1) / parts
      Parallel.forEachBlock(count: parts, threads: threads) { block in
        for part in block {
          let start = part * chunk
          let end = min(rows, start + chunk)
          guard end > start else { continue }
          Kernels.gramAccumulate(
            source.base + start * f, rows: end - start, n: f, weights: nil, into: target.base + part * f * f)
        }
      }
    }
    for part in 0..<parts {
      partials.withUnsafeBufferPointer { p in
        guard let pb = p.baseAddress else { return }
        Kernels.axpy(1, pb + part * f * f, g, f * f)
      }
    }
  }
}

// MARK: - Per-row solvers

/// Pointers shared by the solver threads; each thread writes only its own rows of `solving`.
struct SolveInputs: Sendable {
  let gram: SharedPointer<Float>
  let fixed: SharedPointer<Float>
  let solving: SharedMutablePointer<Float>
  let offsets: SharedPointer<Int>
  let columns: SharedPointer<Int32>?
  let values: SharedPointer<Float>?
  let f: Int

  /// Warm-started conjugate gradient, exactly as implicit's `least_squares_cg`.
  func conjugateGradient(_ block: Range<Int>, steps: Int) {
    let r = UnsafeMutablePointer<Float>.allocate(capacity: f)
    let p = UnsafeMutablePointer<Float>.allocate(capacity: f)
    let ap = UnsafeMutablePointer<Float>.allocate(capacity: f)
    defer {
      r.deallocate()
      p.deallocate()
      ap.deallocate()
    }
    let g = gram.base
    let y = fixed.base
    for u in block {
      let x = solving.base + u * f
      let start = offsets.base[u]
      let end = offsets.base[u + 1]
      // r = b − A x = −G x + Σ (c·p − (c − 1)·yᵢᵀx) yᵢ.
      Kernels.symv(g, UnsafePointer(x), r, f)
      Kernels.scale(r, -1, f)
      if let columns, let values {
        for k in start..<end {
          let yi = y + Int(columns.base[k]) * f
          let signed = values.base[k]
          let c = abs(signed)
          let preference: Float = signed > 0 ? 1 : 0
          // With c = 1 (binary data) the Gram correction vanishes and no dot product is needed.
          Kernels.projectAccumulate(yi, x, offset: c * preference, scale: 1 - c, into: r, f)
        }
      }
      p.update(from: r, count: f)
      var rsOld = Kernels.dot(r, r, f)
      if rsOld < 1e-20 { continue }
      for _ in 0..<steps {
        // Ap = G p + Σ (c − 1)(yᵢᵀp) yᵢ.
        Kernels.symv(g, UnsafePointer(p), ap, f)
        if let columns, let values {
          for k in start..<end {
            let yi = y + Int(columns.base[k]) * f
            let weight = abs(values.base[k]) - 1
            if weight != 0 { Kernels.projectAccumulate(yi, p, offset: 0, scale: weight, into: ap, f) }
          }
        }
        let pAp = Kernels.dot(p, ap, f)
        guard pAp != 0, pAp.isFinite else { break }
        let alpha = rsOld / pAp
        Kernels.axpy(alpha, p, x, f)
        Kernels.axpy(-alpha, ap, r, f)
        let rsNew = Kernels.dot(r, r, f)
        if rsNew < 1e-20 { break }
        Kernels.xpby(r, rsNew / rsOld, p, f)
        rsOld = rsNew
      }
    }
  }

  /// Exact solve: A = G + Σ (c − 1) yᵢyᵢᵀ, b = Σ c·p yᵢ, x = A⁻¹b by Cholesky.
  func cholesky(_ block: Range<Int>) {
    let a = UnsafeMutablePointer<Float>.allocate(capacity: f * f)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: f)
    defer {
      a.deallocate()
      b.deallocate()
    }
    let y = fixed.base
    for u in block {
      let x = solving.base + u * f
      a.update(from: gram.base, count: f * f)
      b.update(repeating: 0, count: f)
      if let columns, let values {
        for k in offsets.base[u]..<offsets.base[u + 1] {
          let yi = y + Int(columns.base[k]) * f
          let signed = values.base[k]
          let c = abs(signed)
          if signed > 0 { Kernels.axpy(c, yi, b, f) }
          let weight = c - 1
          if weight != 0 {
            // Only the lower triangle (columns 0…d of row d) is read by the factorisation.
            for d in 0..<f where yi[d] != 0 { Kernels.axpy(weight * yi[d], yi, a + d * f, d + 1) }
          }
        }
      }
      if Kernels.choleskyFactor(a, f) {
        Kernels.choleskySolve(UnsafePointer(a), b, f)
        x.update(from: b, count: f)
      }
    }
  }
}

// MARK: - Objective

extension ImplicitALS {
  /// The training objective L = Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(Σ‖x_u‖² + Σ‖y_i‖²) over all user–item
  /// pairs (unobserved: c = 1, p = 0), computed in O(nnz·f + (users + items)·f²) via
  /// Σ_{u,i} (x_uᵀy_i)² = tr(XᵀX · YᵀY).
  /// - Throws: ``ModelError`` when unfitted or the matrix shape differs from the fitted one.
  public func objective(_ interactions: InteractionMatrix) throws -> Double {
    guard isFitted else { throw ModelError.notFitted(name) }
    guard interactions.userCount == userCount, interactions.itemCount == itemCount else {
      throw ModelError(
        model: name, "matrix is \(interactions.userCount)×\(interactions.itemCount), model \(userCount)×\(itemCount)")
    }
    let f = configuration.factors
    let signed = confidenceMatrix(interactions.matrix)
    var xtx = [Float](repeating: 0, count: f * f)
    var yty = [Float](repeating: 0, count: f * f)
    var loss = 0.0
    userFactors.withUnsafeBufferPointer { x in
      itemFactors.withUnsafeBufferPointer { y in
        guard let xb = x.baseAddress, let yb = y.baseAddress else { return }
        xtx.withUnsafeMutableBufferPointer { g in
          if let gb = g.baseAddress { Kernels.gramAccumulate(xb, rows: userCount, n: f, weights: nil, into: gb) }
        }
        yty.withUnsafeMutableBufferPointer { g in
          if let gb = g.baseAddress { Kernels.gramAccumulate(yb, rows: itemCount, n: f, weights: nil, into: gb) }
        }
        // Unobserved part over all pairs: Σ (xᵀy)² = Σ_ab XtX_ab YtY_ab.
        for k in 0..<(f * f) { loss += Double(xtx[k]) * Double(yty[k]) }
        for u in 0..<userCount {
          let row = signed.row(u)
          for (column, value) in zip(row.columns, row.values) {
            let s = Double(Kernels.dot(xb + u * f, yb + Int(column) * f, f))
            let c = Double(abs(value))
            let p: Double = value > 0 ? 1 : 0
            loss += c * (p - s) * (p - s) - s * s
          }
        }
        var norms = 0.0
        for d in 0..<f { norms += Double(xtx[d * f + d]) + Double(yty[d * f + d]) }
        loss += Double(configuration.regularization) * norms
      }
    }
    return loss
  }
}
