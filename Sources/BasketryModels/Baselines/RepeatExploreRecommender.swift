import BasketryCore
import Foundation

/// Repeat or explore: a per-user mixture of "buy again" and a collaborative model for new items.
///
/// A user's next purchase is a repeat with probability `π_u`, estimated from their history as the share of their
/// purchases that were repeats, shrunk towards the training mean `π̄` with `prior` pseudo-purchases:
/// `π_u = (P_u − D_u + prior · π̄) / (P_u + prior)`, with `P_u = Σ_j c_uj` purchases (the strengths, read as
/// counts) over `D_u` distinct items, and `π̄ = Σ_u (P_u − D_u) / Σ_u P_u`.
/// The score of item j mixes the two sides, each scaled to a maximum of 1:
/// `s_uj = π_u · r_uj / max_i r_ui + w · (1 − π_u) · e_uj / max_{i ∉ H(u)} e_ui`, where
/// `r_uj = c_uj · 2^(−age_uj / half_life)` is the (optionally time-decayed) frequency of the user's own item j
/// (0 for other items) and `e_uj` the explore model's score of j for items the user never had (0 for their own,
/// negative scores clipped to 0), here an ``ItemKNNRecommender`` (`explore_similarity`, `explore_neighbours`).
/// `w` (`explore_weight`) sets how readily a strong explore candidate displaces a weak repeat: with `w` small the
/// model is "buy again" filled with item kNN instead of popularity. On Online Retail's validation window any
/// `w` ≥ 0.03 loses repeats worth more than the explore items it gains (w 0.1: Recall@20 0.201, w 0.01: 0.222,
/// freq 0.222), hence the small default.
/// Users without history get the explore model's scores for an empty history, i.e. zeros.
///
/// Defaults: half-life none, prior 10, explore weight 0.01, explore model item kNN with cosine similarity and 200
/// neighbours. Fold-in is exact: `π_u`, `r` and `e` all read only the user's history.
public struct RepeatExploreRecommender: Recommender {
  /// Half-life of the repeat side's time decay, in days; `nil` (default) for none.
  public var halfLifeDays: Double?
  /// Pseudo-purchases shrinking `π_u` towards the mean. Default 10.
  public var prior: Double
  /// Weight `w` of the explore side. Default 0.01.
  public var exploreWeight: Double
  /// The explore model (unfitted settings until ``fit(_:)``).
  public private(set) var explore: ItemKNNRecommender

  private var interactions = InteractionMatrix(matrix: SparseMatrix(rowCount: 0, columnCount: 0, triples: []))
  /// The training mean repeat share `π̄`.
  public private(set) var meanRepeatShare = 0.0
  /// Whether ``fit(_:)`` has run.
  public private(set) var isFitted = false

  public var name: String { "repeat-explore" }

  /// Creates the model; every argument has the documented default.
  public init(
    halfLifeDays: Double? = nil, prior: Double = 10, exploreWeight: Double = 0.01,
    explore: ItemKNNRecommender = ItemKNNRecommender(similarity: .cosine, neighbours: 200)
  ) {
    self.halfLifeDays = halfLifeDays
    self.prior = prior
    self.exploreWeight = exploreWeight
    self.explore = explore
  }

  /// Creates the model from named parameters: `half_life_days`, `prior`, `explore_weight`, `explore_similarity`
  /// (an ``ItemKNNRecommender/Similarity``), `explore_neighbours`.
  /// - Throws: ``ModelError`` on malformed values.
  public init(parameters p: ModelParameters) throws {
    let model = "repeat-explore"
    var knn: [String: String] = ["similarity": p.string("explore_similarity", default: "cosine")]
    if let neighbours = p.values["explore_neighbours"] { knn["neighbours"] = neighbours }
    self.init(
      halfLifeDays: try p.optionalDouble("half_life_days", model: model),
      prior: try p.double("prior", default: 10, model: model),
      exploreWeight: try p.double("explore_weight", default: 0.01, model: model),
      explore: try ItemKNNRecommender(parameters: ModelParameters(knn, seed: p.seed)))
  }

  /// Fits the explore model and the mean repeat share.
  /// - Throws: ``ModelError`` on a non-positive half-life, a negative prior or explore weight, or the explore
  ///   model's errors.
  /// - Complexity: the item kNN fit plus O(nnz).
  public mutating func fit(_ interactions: InteractionMatrix) throws {
    if let halfLifeDays, halfLifeDays <= 0 {
      throw ModelError(model: name, "parameter half_life_days=\(halfLifeDays) must be positive")
    }
    guard prior >= 0 else { throw ModelError(model: name, "parameter prior=\(prior) must be ≥ 0") }
    guard exploreWeight >= 0 else {
      throw ModelError(model: name, "parameter explore_weight=\(exploreWeight) must be ≥ 0")
    }
    try explore.fit(interactions)
    self.interactions = interactions
    var purchases = 0.0
    var repeats = 0.0
    for value in interactions.matrix.values where value > 0 {
      let count = Self.count(value)
      purchases += count
      repeats += count - 1
    }
    meanRepeatShare = purchases > 0 ? repeats / purchases : 0
    isFitted = true
  }

  /// A strength read as a purchase count (at least 1).
  private static func count(_ strength: Float) -> Double { max(1, Double(strength)) }

  public func scores(user: Int32) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    try checkUser(user, count: interactions.userCount, model: name)
    return try mixture(
      history: interactions.history(of: user), exploreScores: explore.scores(user: user), reference: nil)
  }

  /// `s_uj` for a user described by a history (fold-in, exact: for a fit-time user's row and `referenceTime` nil
  /// this equals ``scores(user:)``, the item kNN's fold-in being exact).
  /// - Parameters:
  ///   - history: the user's interactions; strengths are read as purchase counts.
  ///   - referenceTime: "now" for the repeat side's decay; nil for the end of the training data.
  /// - Throws: ``ModelError`` when unfitted or the history is invalid.
  /// - Complexity: O(|history| · neighbours + items).
  public func scores(history: [HistoryEntry], referenceTime: Int64?) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    let exploreScores = try explore.scores(history: history, referenceTime: referenceTime)
    return mixture(history: history, exploreScores: exploreScores, reference: referenceTime)
  }

  /// The mixture of the repeat and explore distributions (see the type's documentation).
  private func mixture(history: [HistoryEntry], exploreScores: [Float], reference: Int64?) -> [Float] {
    let reference = reference ?? interactions.referenceTime
    var scores = [Float](repeating: 0, count: exploreScores.count)
    var purchases = 0.0
    var distinct = 0.0
    var repeatMax = 0.0
    var own = [Bool](repeating: false, count: exploreScores.count)
    for entry in history where entry.strength > 0 {
      let count = Self.count(entry.strength)
      purchases += count
      distinct += 1
      own[Int(entry.item)] = true
      let r = count * Double(decayWeight(time: entry.lastTime, reference: reference, halfLifeDays: halfLifeDays))
      scores[Int(entry.item)] = Float(r)
      repeatMax = max(repeatMax, r)
    }
    let denominator = purchases + prior
    let share = denominator > 0 ? (purchases - distinct + prior * meanRepeatShare) / denominator : meanRepeatShare
    var exploreMax = 0.0
    for (j, e) in exploreScores.enumerated() where !own[j] { exploreMax = max(exploreMax, Double(e)) }
    let repeatScale = repeatMax > 0 ? Float(share / repeatMax) : 0
    let exploreScale = exploreMax > 0 ? Float(exploreWeight * (1 - share) / exploreMax) : 0
    for j in scores.indices {
      if own[j] {
        scores[j] *= repeatScale
      } else {
        scores[j] = exploreScale * max(0, exploreScores[j])
      }
    }
    return scores
  }

  /// The explore model's similar items.
  public func similarItems(to item: Int32, k: Int) throws -> [ScoredItem] {
    guard isFitted else { throw ModelError.notFitted(name) }
    return try explore.similarItems(to: item, k: k)
  }

  public func save(to url: URL) throws {
    guard isFitted else { throw ModelError.notFitted(name) }
    var archive = ModelArchive(kind: name)
    if let halfLifeDays { archive.numbers["half_life_days"] = halfLifeDays }
    archive.numbers["prior"] = prior
    archive.numbers["explore_weight"] = exploreWeight
    archive.numbers["mean_repeat_share"] = meanRepeatShare
    archive.setInteractions("X", interactions)
    let exploreURL = url.appendingPathExtension("explore")
    try explore.save(to: exploreURL)
    archive.blobs["explore"] = Array(try Data(contentsOf: exploreURL))
    try? FileManager.default.removeItem(at: exploreURL)
    try archive.write(to: url)
  }

  public static func load(from url: URL) throws -> RepeatExploreRecommender {
    let archive = try ModelArchive.read(from: url, kind: "repeat-explore")
    guard let blob = archive.blobs["explore"] else {
      throw ModelError(model: "repeat-explore", "archive \(url.path) has no explore model")
    }
    let exploreURL = url.appendingPathExtension("explore")
    try Data(blob).write(to: exploreURL)
    defer { try? FileManager.default.removeItem(at: exploreURL) }
    var model = RepeatExploreRecommender(
      halfLifeDays: archive.numbers["half_life_days"], prior: try archive.number("prior"),
      exploreWeight: try archive.number("explore_weight"), explore: try ItemKNNRecommender.load(from: exploreURL))
    model.interactions = try archive.interactions("X")
    model.meanRepeatShare = try archive.number("mean_repeat_share")
    model.isFitted = true
    return model
  }
}
