import BasketryCore
import Foundation

/// Bundle recommendation with EASE over users × (bundles + items), where every user's item profile is completed by
/// the bundle–item affiliation (which items each bundle contains).
///
/// ``fit(_:)`` takes the stacked matrix `[UB | w·UI]` (bundle columns `0 ..< bundleCount` first, then the
/// affiliation's items; e.g. `YoushuDataset.stackedTrain(itemWeight:)`). For each user the model adds β to every
/// item column that belongs to one of the user's bundles,
///
///     X = [UB | w·UI + β·𝟙(UB·BI > 0)],
///
/// and fits ``EASERecommender`` on X (`B = I − P · diagMat(1 / diag(P))`, `P = (XᵀX + λI)⁻¹`, solved through the
/// users × users dual when users are fewer than columns). A user's score for bundle b is `s(u, b) = Σ_j x_uj B_jb`:
/// the items of the user's bundles vote, through weights learned from all users, for the bundles that go with
/// them, so bundles sharing books with the user's lists rise even when no one bought both lists.
///
/// Defaults, chosen on the Youshu validation split (tune file) with `w = 0.5`: λ = 400, β = 0.1
/// (β = 0 gives plain stacked EASE; β ≥ 0.25 lets a bundle's own items drown the other signals).
/// - Complexity: expansion O(Σ_u Σ_{b ∈ u} |b|) plus sorting its entries; fit as ``EASERecommender`` on X (O(n³) for
///   n = min(active users, active columns), plus O(nnz(X)) per column pair in the Gram matrix); scoring O(nnz(X))
///   per user (dual) or O(|x_u| · columns) (primal).
public struct BundleEASERecommender: Recommender {
  /// Bundles × items affiliation BI (a stored entry means the bundle contains the item; values are ignored).
  public let bundleItems: SparseMatrix
  /// The L2 regularisation λ of EASE. Default 400.
  public var lambda: Float
  /// β, the strength added to an item of one of the user's bundles. Default 0.1.
  public var affiliationWeight: Float

  private var ease: EASERecommender

  /// Whether ``fit(_:)`` has run.
  public var isFitted: Bool { ease.isFitted }

  public var name: String { "ease+bundles" }

  /// Number of bundles (the first columns of the fitted matrix).
  public var bundleCount: Int { bundleItems.rowCount }

  /// Creates the model.
  /// - Parameters:
  ///   - bundleItems: the bundles × items affiliation.
  ///   - lambda: EASE's λ (default 400).
  ///   - affiliationWeight: β (default 0.1).
  public init(bundleItems: SparseMatrix, lambda: Float = 400, affiliationWeight: Float = 0.1) {
    self.bundleItems = bundleItems
    self.lambda = lambda
    self.affiliationWeight = affiliationWeight
    ease = EASERecommender(lambda: lambda)
  }

  /// Creates the model from the named parameters `lambda` and `affiliation_weight`.
  /// - Throws: ``ModelError`` on malformed values.
  public init(bundleItems: SparseMatrix, parameters: ModelParameters) throws {
    self.init(
      bundleItems: bundleItems, lambda: Float(try parameters.double("lambda", default: 400, model: "ease+bundles")),
      affiliationWeight: Float(try parameters.double("affiliation_weight", default: 0.1, model: "ease+bundles")))
  }

  // MARK: - Expansion

  /// `[UB | V + β·𝟙(UB·BI > 0)]` for a stacked `[UB | V]`: β is added once to each item of any of a row's bundles
  /// (a stored bundle entry with a positive value), on top of the row's own strength for that item.
  /// - Parameters:
  ///   - stacked: users × (bundles + items), bundle columns first.
  ///   - bundleItems: bundles × items.
  ///   - weight: β.
  /// - Returns: the expanded matrix, same shape (times are dropped).
  /// - Throws: ``ModelError`` when the column count is not bundles + items.
  /// - Complexity: O(Σ_u Σ_{b ∈ u} |b|) plus sorting the result's triples.
  public static func expanded(
    _ stacked: InteractionMatrix, bundleItems: SparseMatrix, weight: Float
  ) throws -> InteractionMatrix {
    let x = stacked.matrix
    let bundles = bundleItems.rowCount
    guard x.columnCount == bundles + bundleItems.columnCount else {
      throw ModelError(
        model: "ease+bundles",
        "the training matrix has \(x.columnCount) columns; expected bundles + items = \(bundles) + "
          + "\(bundleItems.columnCount)")
    }
    var triples: [(row: Int32, column: Int32, value: Float)] = []
    triples.reserveCapacity(x.nonZeroCount)
    var marked = [Bool](repeating: false, count: bundleItems.columnCount)
    var touched: [Int32] = []
    for u in 0..<x.rowCount {
      let row = x.row(u)
      for (column, value) in zip(row.columns, row.values) {
        triples.append((Int32(u), column, value))
        guard Int(column) < bundles, value > 0, weight != 0 else { continue }
        for item in bundleItems.row(Int(column)).columns where !marked[Int(item)] {
          marked[Int(item)] = true
          touched.append(item)
        }
      }
      for item in touched {
        triples.append((Int32(u), Int32(bundles) + item, weight))
        marked[Int(item)] = false
      }
      touched.removeAll(keepingCapacity: true)
    }
    return InteractionMatrix(matrix: SparseMatrix(rowCount: x.rowCount, columnCount: x.columnCount, triples: triples))
  }

  // MARK: - Fitting and scoring

  /// Expands the stacked matrix with the affiliation and fits EASE on it.
  /// - Throws: ``ModelError`` when the shape does not match the affiliation, λ ≤ 0, β < 0 or the solve fails.
  public mutating func fit(_ interactions: InteractionMatrix) throws {
    guard affiliationWeight >= 0, affiliationWeight.isFinite else {
      throw ModelError(model: name, "parameter affiliation_weight=\(affiliationWeight) must be ≥ 0")
    }
    let x = try Self.expanded(interactions, bundleItems: bundleItems, weight: affiliationWeight)
    var model = EASERecommender(lambda: lambda)
    do { try model.fit(x) } catch let error as ModelError { throw ModelError(model: name, error.message) }
    ease = model
  }

  /// Scores of every column (bundles first, then items) for a user: `x_u B` over the expanded row.
  /// - Throws: ``ModelError`` when unfitted or the user is out of range.
  public func scores(user: Int32) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    return try ease.scores(user: user)
  }

  /// Scores of every column for a user described by a stacked history (fold-in, exact): the history's bundle
  /// entries (columns `0 ..< bundleCount`) and item entries (`bundleCount + item`) are expanded as in
  /// ``expanded(_:bundleItems:weight:)`` (β added once to each item of the history's bundles), then scored with
  /// EASE's fold-in (``EASERecommender/scores(history:referenceTime:)``). For a fit-time user's stacked row this
  /// equals ``scores(user:)`` (bit for bit with the primal solve, to float rounding with the dual).
  /// - Parameters:
  ///   - history: the user's stacked interactions (bundle columns first).
  ///   - referenceTime: ignored (no time decay).
  /// - Throws: ``ModelError`` when unfitted or the history is invalid.
  /// - Complexity: O(Σ_{b ∈ history} |b| + h log h) for the expansion (h its entries), then EASE's fold-in.
  public func scores(history: [HistoryEntry], referenceTime: Int64?) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    let columns = bundleCount + bundleItems.columnCount
    try checkHistory(history, itemCount: columns, model: name)
    let row = SparseMatrix(
      rowCount: 1, columnCount: columns, triples: history.map { (row: 0, column: $0.item, value: $0.strength) })
    let expandedRow = try Self.expanded(
      InteractionMatrix(matrix: row), bundleItems: bundleItems, weight: affiliationWeight)
    return try ease.scores(history: expandedRow.history(of: 0), referenceTime: nil)
  }

  /// Columns with the largest EASE weights `B_ij` from column `item` (a bundle or an item).
  /// - Throws: ``ModelError`` when unfitted or the column is out of range.
  public func similarItems(to item: Int32, k: Int) throws -> [ScoredItem] {
    guard isFitted else { throw ModelError.notFitted(name) }
    return try ease.similarItems(to: item, k: k)
  }

  // MARK: - Persistence

  public func save(to url: URL) throws {
    guard isFitted else { throw ModelError.notFitted(name) }
    var archive = try ease.archive()
    archive.kind = name
    archive.numbers["affiliation_weight"] = Double(affiliationWeight)
    archive.setMatrix("BI", bundleItems)
    try archive.write(to: url)
  }

  public static func load(from url: URL) throws -> BundleEASERecommender {
    let archive = try ModelArchive.read(from: url, kind: "ease+bundles")
    let ease = try EASERecommender(archive: archive)
    var model = BundleEASERecommender(
      bundleItems: try archive.matrix("BI"), lambda: ease.lambda,
      affiliationWeight: Float(try archive.number("affiliation_weight")))
    model.ease = ease
    return model
  }
}
