import BasketryCore
import Foundation

/// An item with a model score; higher is better.
public struct ScoredItem: Sendable, Hashable, Codable {
  /// Dense item id.
  public var item: Int32
  /// Model score (not necessarily a probability).
  public var score: Float

  /// Creates a scored item.
  public init(item: Int32, score: Float) {
    self.item = item
    self.score = score
  }
}

/// User × item interaction strengths used to fit a recommender.
///
/// `matrix[u, i]` is the strength of user `u`'s interest in item `i` (e.g. a weighted
/// count of purchases, carts and views; see ``InteractionWeights``). Optional per-entry
/// last-interaction times (Unix seconds, aligned with `matrix.values`) enable time-decayed models, and optional
/// per-user basket sequences (``BasketSequences``) enable basket-sequence models such as ``TIFUKNNRecommender``.
public struct InteractionMatrix: Sendable, Hashable {
  /// Users × items strengths (CSR, columns ascending per row).
  public var matrix: SparseMatrix
  /// Last interaction time per stored entry, aligned with `matrix.values`, when known.
  public var lastTimes: [Int64]?
  /// The reference "now" for time decay (the end of the training period), when known.
  public var referenceTime: Int64?
  /// Each user's orders as item sets in time order, when the matrix was built from orders (rows as `matrix`).
  public var baskets: BasketSequences?

  /// Creates an interaction matrix.
  /// - Parameters:
  ///   - matrix: users × items strengths.
  ///   - lastTimes: last interaction time per stored entry; default none.
  ///   - referenceTime: "now" for time decay; default none.
  ///   - baskets: each user's orders in time order; default none.
  public init(
    matrix: SparseMatrix, lastTimes: [Int64]? = nil, referenceTime: Int64? = nil, baskets: BasketSequences? = nil
  ) {
    self.matrix = matrix
    self.lastTimes = lastTimes
    self.referenceTime = referenceTime
    self.baskets = baskets
  }

  /// Number of users (rows).
  public var userCount: Int { matrix.rowCount }
  /// Number of items (columns).
  public var itemCount: Int { matrix.columnCount }
}

/// Filters and exclusions applied when recommending.
public struct RecommendOptions: Sendable {
  /// Exclude items the user interacted with in the training data. Default `true`.
  public var excludeSeen: Bool
  /// Items never to return (hidden, out of stock, just shown, …).
  public var excluded: Set<Int32>
  /// When set, only these items may be returned (e.g. a category filter).
  public var allowed: Set<Int32>?

  /// Creates options.
  public init(excludeSeen: Bool = true, excluded: Set<Int32> = [], allowed: Set<Int32>? = nil) {
    self.excludeSeen = excludeSeen
    self.excluded = excluded
    self.allowed = allowed
  }
}

/// A recommendation model: fit on interactions, then score every item for a user.
///
/// Every model passes one conformance suite (Tests/BasketryModelsTests): unfitted use
/// throws ``ModelError``, `excludeSeen` removes training items, batch equals single,
/// fitting is deterministic for a seed, save/load round-trips exactly, and scoring a fit-time user's
/// history (fold-in) reproduces their scores where the model's fold-in is exact.
public protocol Recommender: Sendable {
  /// Short name used on the command line and in reports (`pop`, `itemknn`, `ease`, `als`, `bpr`, `neural`, …).
  var name: String { get }
  /// Whether ``fit(_:)`` has run.
  var isFitted: Bool { get }
  /// Fits the model.
  /// - Throws: ``ModelError`` on invalid hyper-parameters or empty data.
  mutating func fit(_ interactions: InteractionMatrix) throws
  /// A score for every item (length = item count) for a user known at fit time.
  /// - Throws: ``ModelError`` when unfitted or the user id is out of range.
  func scores(user: Int32) throws -> [Float]
  /// Scores for several users, in order (default: ``scores(user:)`` per user; models may batch).
  /// - Throws: ``ModelError`` when unfitted or a user id is out of range.
  func scores(users: [Int32]) throws -> [[Float]]
  /// Scores every item for a user described only by their history (fold-in): users unseen at fit time,
  /// or fit-time users whose history has grown since. `referenceTime` is "now" for time-decayed models (nil: the fit's reference time).
  ///
  /// Scoring a fit-time user's row (``InteractionMatrix/history(of:)``) with `referenceTime` nil gives
  /// ``scores(user:)`` for every model whose fold-in is exact; each model's documentation says whether it is.
  /// - Parameters:
  ///   - history: the user's interactions, each item at most once (order free; items ascending matches a matrix row).
  ///   - referenceTime: Unix seconds from which time decay is measured; nil for the fit's reference time.
  /// - Returns: a score for every item (length = item count).
  /// - Throws: ``ModelError`` when unfitted, an item is out of range, a strength is not finite, an item appears
  ///   twice, or the model cannot fold in.
  func scores(history: [HistoryEntry], referenceTime: Int64?) throws -> [Float]
  /// Items similar to `item`, best first, excluding the item itself.
  func similarItems(to item: Int32, k: Int) throws -> [ScoredItem]
  /// Serialises the fitted model.
  func save(to url: URL) throws
  /// Restores a model written by ``save(to:)``.
  static func load(from url: URL) throws -> Self
}

/// Errors raised by recommenders.
public struct ModelError: BasketryError {
  /// The model's name.
  public var model: String
  /// What went wrong, with the offending key and value.
  public var message: String
  public var category: ErrorCategory

  /// Creates a model error.
  public init(model: String, _ message: String, category: ErrorCategory = .invalidInput) {
    self.model = model
    self.message = message
    self.category = category
  }

  /// The model was used before `fit`.
  public static func notFitted(_ model: String) -> ModelError {
    ModelError(model: model, "model is not fitted; call fit first", category: .unavailable)
  }

  public var description: String { "\(model): \(message)" }
}
