import BasketryCore
import BasketryModels

/// Personal purchase probabilities: how likely a user is to buy each item within a horizon, at list price and
/// without any offer. ``BundleGenerator`` turns them into P(the user takes a bundle | offered) and the margin
/// the offer would cannibalise (``PersonalOffer``).
public protocol PersonalPurchaseModel: Sendable {
  /// The horizon the probabilities refer to, in days.
  var horizonDays: Double { get }
  /// P(`user` buys item i within the horizon) for every catalog item i, or nil when the user is unknown
  /// (no history): the generator then ranks by the shop-wide expected profit.
  func purchaseProbabilities(user: Int32) -> [Double]?
  /// P(an average user with history buys item i within the horizon), for every catalog item (the comparison
  /// point of explanations).
  var averageProbabilities: [Double] { get }
}

/// Purchase probabilities from any ``Recommender`` of the evaluation layer, calibrated by rank on a temporal
/// hold-out (``RankCalibration``).
///
/// Fitting: the recommender is fitted on everything before `last order − horizon`, every sampled user's full
/// catalog ranking is compared with what they bought in the last `horizon` days (users without a purchase there
/// count too, so the probabilities are unconditional), and a fresh recommender is then fitted on all the data.
/// P(user buys i) = calibration(rank of i in the user's ranking).
///
/// Defaults: 30-day horizon, up to 3,000 calibration users sampled with the seed.
public struct RecommenderPurchaseModel: PersonalPurchaseModel {
  /// The recommender fitted on all the data.
  public let recommender: any Recommender
  /// Rank → probability.
  public let calibration: RankCalibration
  /// Users with at least one interaction (the others get nil).
  let known: [Bool]
  /// Share of the calibration users who bought each item in the hold-out window.
  public let averageProbabilities: [Double]

  public var horizonDays: Double { calibration.horizonDays }

  /// Creates a model from a fitted recommender and a calibration.
  /// - Parameters:
  ///   - recommender: a fitted recommender over the dataset's dense user and item ids.
  ///   - calibration: its rank calibration.
  ///   - knownUsers: per dense user id, whether the user has history.
  ///   - averageProbabilities: per item, the share of users with history who buy it within the horizon.
  public init(
    recommender: any Recommender, calibration: RankCalibration, knownUsers: [Bool], averageProbabilities: [Double]
  ) {
    self.recommender = recommender
    self.calibration = calibration
    known = knownUsers
    self.averageProbabilities = averageProbabilities
  }

  /// Fits and calibrates a recommender on a shop's data.
  /// - Parameters:
  ///   - dataset: orders (and events) with timestamps.
  ///   - model: a ``ModelRegistry`` name (`itemknn`, `ease`, `als`, `freq`, `pop`, …).
  ///   - parameters: the model's hyper-parameters and seed.
  ///   - horizonDays: the hold-out window and the horizon of the probabilities.
  ///   - calibrationUsers: most users whose rankings are scored for the calibration.
  /// - Throws: ``BundleError`` when the data has no usable time range or no user history; ``ModelError`` from the
  ///   recommender.
  /// - Complexity: two fits of the recommender plus O(calibrationUsers · n log n).
  public static func fit(
    dataset: Dataset, model: String = "itemknn", parameters: ModelParameters = ModelParameters(),
    horizonDays: Int = 30, calibrationUsers: Int = 3000
  ) throws -> RecommenderPurchaseModel {
    let (calibration, average) = try calibrate(
      dataset: dataset, model: model, parameters: parameters, horizonDays: horizonDays,
      calibrationUsers: calibrationUsers)
    let all = InteractionBuilder().build(dataset)
    var final = try ModelRegistry.make(name: model, parameters: parameters)
    try final.fit(all)
    let known = (0..<all.userCount).map { !all.matrix.row($0).columns.isEmpty }
    return RecommenderPurchaseModel(
      recommender: final, calibration: calibration, knownUsers: known, averageProbabilities: average)
  }

  /// The rank calibration of a recommender (fitted on everything before `last order − horizon`, compared with
  /// what sampled users bought in the last `horizon` days) and, per item, the share of those users who bought it
  /// there (the average shopper's probabilities), without the final fit on all the data.
  /// - Parameters: as for ``fit(dataset:model:parameters:horizonDays:calibrationUsers:)``.
  /// - Throws: ``BundleError`` when the data has no usable time range or no user history; ``ModelError`` from the
  ///   recommender.
  /// - Complexity: one fit of the recommender plus O(calibrationUsers · n log n).
  public static func calibrate(
    dataset: Dataset, model: String, parameters: ModelParameters, horizonDays: Int = 30, calibrationUsers: Int = 3000
  ) throws -> (calibration: RankCalibration, averageProbabilities: [Double]) {
    guard horizonDays > 0 else {
      throw BundleError(key: "horizon-days", value: "\(horizonDays)", message: "must be positive")
    }
    let times = dataset.baskets.timestamps.filter { $0 != Baskets.noTime }
    guard let first = times.min(), let last = times.max(), last - first > Int64(horizonDays) * 86_400 else {
      throw BundleError(
        key: "horizon-days", value: "\(horizonDays)",
        message: "the orders must span more than the horizon (with timestamps) to calibrate purchase probabilities")
    }
    let cut = last - Int64(horizonDays) * 86_400
    let before = InteractionBuilder().build(dataset, until: cut)
    var outcomes: [Int32: Set<Int32>] = [:]
    let baskets = dataset.baskets
    for b in 0..<baskets.count where baskets.timestamps[b] != Baskets.noTime && baskets.timestamps[b] >= cut {
      let user = baskets.users[b]
      guard user >= 0 else { continue }
      outcomes[user, default: []].formUnion(baskets.items(of: b))
    }
    var candidates: [Int32] = []
    for user in 0..<before.userCount where !before.matrix.row(user).columns.isEmpty { candidates.append(Int32(user)) }
    guard !candidates.isEmpty else {
      throw BundleError(key: "dataset", value: "users", message: "no user has orders before the hold-out window")
    }
    candidates = seededSample(candidates, count: calibrationUsers, seed: parameters.seed)
    var calibrationModel = try ModelRegistry.make(name: model, parameters: parameters)
    try calibrationModel.fit(before)
    let rankings = try calibrationModel.scores(users: candidates)
    let calibration = RankCalibration.fit(
      rankings: rankings, outcomes: candidates.map { outcomes[$0] ?? [] }, itemCount: before.itemCount,
      horizonDays: Double(horizonDays))
    var average = [Double](repeating: 0, count: before.itemCount)
    for user in candidates {
      for item in outcomes[user] ?? [] where Int(item) < average.count { average[Int(item)] += 1 }
    }
    let share = 1 / Double(candidates.count)
    return (calibration, average.map { $0 * share })
  }

  public func purchaseProbabilities(user: Int32) -> [Double]? {
    guard user >= 0, Int(user) < known.count, known[Int(user)],
      let scores = try? recommender.scores(user: user)
    else { return nil }
    return RankCalibration.ranks(scores).map { calibration.probability(rank: $0) }
  }
}
