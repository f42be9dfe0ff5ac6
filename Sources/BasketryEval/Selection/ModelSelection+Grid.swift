import BasketryCore
import BasketryModels
import Foundation

// MARK: - Grids

extension ModelSelection {
  /// The documented grid per model name, sized by the data's training matrix (default interaction weights).
  ///
  /// With U active users, I active items and N = nnz user–item pairs (m = N / I users per item):
  /// - `pop`: the defaults only (users per item).
  /// - `pop-recent`: `half_life_days` ∈ {14, 30, 90}.
  /// - `freq`: no decay, then `half_life_days` ∈ {30, 90, 365}.
  /// - `itemknn`: `similarity` ∈ {bm25, cosine} × `neighbours` ∈ {50, 200, 500} (capped at I − 1, duplicates
  ///   dropped); `itemknn-cosine`, `-bm25`, `-lift`: the `neighbours` values alone.
  /// - `ease`: `lambda` ∈ {10, 30, 100} · s with s = clamp(m / 100, 0.1, 10), two significant digits
  ///   (λ regularises XᵀX, whose diagonal grows with the users per item; when repeat purchases count, small λ
  ///   wins: on Online Retail's last month λ ≈ 8–60 beats 200–600).
  /// - `als`: `factors` ∈ {f, f / 2} with f = 16 when min(U, I) < 500, 32 when < 2,000, 64 when < 20,000, else
  ///   128; log confidence c = 1 + α·log(1 + r) with `alpha` ∈ {2, 5}; `regularization` 0.1; 15 iterations
  ///   (on Online Retail more factors help, α 20 hurts and λ between 0.05 and 0.5 makes no difference).
  /// - `tifuknn`: `alpha` 0.7, `within_decay` 1, `neighbours` 300 with `group_size` ∈ {20, 7}, then the
  ///   paper's defaults (group size 7, r_b 0.9, r_g 0.7); three fits of O(U²) each (on Online Retail's
  ///   validation window large groups with no within-group decay win; the paper's grocery setting is kept as
  ///   the last point).
  /// - `repeat-explore`: `explore_weight` 0.01 with `half_life_days` ∈ {90, none}, item kNN cosine with 200
  ///   neighbours as the explore side.
  /// - `bpr`, `neural` and any other registered model: the defaults only.
  /// Every grid's first point is the one expected to do well, so a time budget that cuts the grid keeps it.
  /// - Parameters:
  ///   - model: a ``ModelRegistry`` name.
  ///   - dataset: the training data (its interaction matrix sizes the grid).
  /// - Returns: the grid points in trial order, each with seed 42 (selection replaces it by its own).
  /// - Complexity: O(order lines) to build the matrix.
  public static func grid(for model: String, dataset: Dataset) -> [ModelParameters] {
    grid(for: model, shape: DatasetShape(InteractionBuilder().build(dataset).matrix))
  }

  static func grid(for model: String, shape: DatasetShape) -> [ModelParameters] {
    let neighbours = unique([50, 200, 500].map { max(1, min($0, shape.items - 1)) })
    let points: [[String: String]]
    switch model {
    case "pop":
      points = [[:]]
    case "pop-recent":
      points = [14, 30, 90].map { ["half_life_days": "\($0)"] }
    case "freq":
      points = [[:]] + [30, 90, 365].map { ["half_life_days": "\($0)"] }
    case "itemknn":
      points = ["bm25", "cosine"].flatMap { similarity in
        neighbours.map { ["similarity": similarity, "neighbours": "\($0)"] }
      }
    case "itemknn-cosine", "itemknn-bm25", "itemknn-lift":
      points = neighbours.map { ["neighbours": "\($0)"] }
    case "ease":
      let scale = min(10, max(0.1, shape.usersPerItem / 100))
      points = unique([10.0, 30, 100].map { significant($0 * scale) }).map { ["lambda": $0] }
    case "als":
      let side = min(shape.users, shape.items)
      let factors = side < 500 ? 16 : side < 2_000 ? 32 : side < 20_000 ? 64 : 128
      points = [factors, factors / 2].flatMap { f in
        [2, 5].map { alpha in
          ["factors": "\(f)", "confidence": "log", "alpha": "\(alpha)", "regularization": "0.1"]
        }
      }
    case "tifuknn":
      points = [
        ["alpha": "0.7", "within_decay": "1", "group_size": "20", "neighbours": "300"],
        ["alpha": "0.7", "within_decay": "1", "group_size": "7", "neighbours": "300"],
        [:],
      ]
    case "repeat-explore":
      points = [["explore_weight": "0.01", "half_life_days": "90"], ["explore_weight": "0.01"]]
    default:
      points = [[:]]
    }
    return points.map { ModelParameters($0) }
  }

  /// `x` to two significant digits, without a trailing `.0` (`0.05`, `75`, `750`).
  static func significant(_ x: Double) -> String {
    guard x > 0, x.isFinite else { return "0" }
    let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(x)) - 1)
    let rounded = (x / magnitude).rounded() * magnitude
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
    return String(format: "%g", rounded)
  }

  static func unique<T: Hashable>(_ values: [T]) -> [T] {
    var seen: Set<T> = []
    return values.filter { seen.insert($0).inserted }
  }
}

/// Sizes of a training matrix that the grids and the EASE limit depend on.
struct DatasetShape {
  /// Users with at least one interaction.
  var users: Int
  /// Items with at least one interaction.
  var items: Int
  /// Stored user–item pairs.
  var pairs: Int

  init(_ matrix: SparseMatrix) {
    var used = [Bool](repeating: false, count: matrix.columnCount)
    for column in matrix.columns { used[Int(column)] = true }
    items = used.filter { $0 }.count
    users = (0..<matrix.rowCount).filter { matrix.rowOffsets[$0 + 1] > matrix.rowOffsets[$0] }.count
    pairs = matrix.nonZeroCount
  }

  /// Mean users per active item.
  var usersPerItem: Double { items == 0 ? 0 : Double(pairs) / Double(items) }
  /// Rows of the dense system EASE inverts: items, or users when fewer (the dual solve).
  var easeSize: Int { min(users, items) }
}
