import BasketryCore
import BasketryCustomers
import BasketryModels
import Foundation

/// One customer a served campaign can reach: their profile (moved forward by live purchases) and how much of
/// their buying goes to what the campaign promotes.
public struct CampaignCandidate: Sendable, Hashable {
  /// The customer key (pseudonym).
  public var customer: String
  /// Value, lifecycle and the RFM summary.
  public var profile: CustomerProfile
  /// Interest affinity in [0, 1]: the share of the customer's purchases on the promoted items.
  public var affinity: Double

  /// Creates a candidate; the affinity is clamped to [0, 1].
  public init(customer: String, profile: CustomerProfile, affinity: Double) {
    self.customer = customer
    self.profile = profile
    self.affinity = affinity.isFinite ? min(max(affinity, 0), 1) : 0
  }
}

/// One customer of a randomised campaign log: who they were when assigned, their arm and the outcome.
public struct CampaignLogRecord: Sendable, Hashable {
  /// The customer as they were at assignment.
  public var candidate: CampaignCandidate
  /// Whether they were in a treated arm (else held out).
  public var treated: Bool
  /// Whether they bought a promoted item within the campaign window after assignment.
  public var converted: Bool

  /// Creates a record.
  public init(candidate: CampaignCandidate, treated: Bool, converted: Bool) {
    self.candidate = candidate
    self.treated = treated
    self.converted = converted
  }
}

/// Settings of ``ProfileCampaignTargeting``; every default is stated.
public struct ProfileCampaignOptions: Sendable, Hashable {
  /// The campaign window in days: the horizon of P(buy). Default 30.
  public var windowDays: Double
  /// The prior's uplift share s: the share of interested, live customers who would not buy in the window that
  /// the incentive converts. Default 0.1.
  public var upliftShare: Double
  /// Margin rate when the promoted items' costs are unknown. Default 0.35.
  public var assumedMarginRate: Double
  /// The fewest treated and the fewest held-out customers a log needs before the T-learner replaces the prior.
  /// Default 30.
  public var minimumLogArm: Int
  /// The smallest share of a customer's expected order the promoted purchase is assumed to be worth. Default 0.1.
  public var minimumPromotedShare: Double
  /// The T-learner's classifiers (the propensity MLP's defaults: 32–16–1, 10 epochs, seed 42).
  public var model: PropensityModel.Configuration

  /// Creates options with the documented defaults.
  public init(
    windowDays: Double = 30, upliftShare: Double = 0.1, assumedMarginRate: Double = 0.35, minimumLogArm: Int = 30,
    minimumPromotedShare: Double = 0.1, model: PropensityModel.Configuration = .init()
  ) {
    self.windowDays = windowDays
    self.upliftShare = upliftShare
    self.assumedMarginRate = assumedMarginRate
    self.minimumLogArm = minimumLogArm
    self.minimumPromotedShare = minimumPromotedShare
    self.model = model
  }
}

/// How a served campaign's uplift was estimated.
public enum CampaignTargetingMethod: String, Sendable, Hashable, Codable {
  /// ``TwoModelUplift`` fitted on randomised campaign logs.
  case twoModel = "t-learner"
  /// The documented prior of ``ProfileCampaignTargeting`` (no usable randomised log).
  case affinityPrior = "affinity-prior"
}

/// A served campaign's scored customers and audience, and how the effect was estimated.
public struct ProfileCampaignPlan: Sendable, Hashable {
  /// The method used.
  public var method: CampaignTargetingMethod
  /// Why that method, in one sentence.
  public var reason: String
  /// Treated customers in the log (0 without one).
  public var logTreated: Int
  /// Held-out customers in the log.
  public var logControl: Int
  /// Margin rate applied to order values.
  public var marginRate: Double
  /// Whether ``marginRate`` is ``ProfileCampaignOptions/assumedMarginRate`` (no costs known).
  public var marginRateAssumed: Bool
  /// Every candidate's figures, in input order.
  public var scores: [CampaignScore]
  /// The audience (``CampaignTargeter/audience(from:)``).
  public var audience: CampaignAudience
}

/// Targets a campaign at a served model's customers by expected incremental profit
/// (``CampaignTargeter``: uplift × margin − coupon cost × P(redeem)), from their profiles.
///
/// **With randomised logs** (at least ``ProfileCampaignOptions/minimumLogArm`` treated and held-out customers),
/// a ``TwoModelUplift`` is fitted on the log customers' ``featureNames`` at assignment and predicts
/// P(buy | treated) and P(buy | control) for every candidate.
///
/// **Before that, a prior**, for a customer with affinity a, P(alive) p and λ expected orders in the window
/// w (the value model's ``CustomerValueModel/expectedPurchases(in:given:)``):
///
///     P(buy | control) = a · (1 − e^(−λ)),
///     uplift          = s · a · p · (1 − P(buy | control)),   P(buy | treated) = P(buy | control) + uplift,
///
/// with s the assumed uplift share (default 0.1): the incentive converts that share of the interested, live
/// customers who would not have bought anyway, so customers certain to buy gain little and cost the coupon.
///
/// The promoted purchase is worth the promoted share of the customer's expected order: their expected order
/// value (the Gamma-Gamma expected spend, else their mean order, else the candidates' mean) × their affinity,
/// at least ``ProfileCampaignOptions/minimumPromotedShare`` of it, at the given margin rate.
public enum ProfileCampaignTargeting {
  /// Feature columns of the T-learner, in order: P(alive), log1p(repeat purchases), recency / age,
  /// log1p(mean order value), log1p(expected orders in the profile horizon), log1p(lifetime value), affinity,
  /// log1p(days since the last purchase).
  public static let featureNames = [
    "p_alive", "log_frequency", "recency_share", "log_monetary", "log_expected_orders", "log_lifetime_value",
    "affinity", "log_days_since_last_purchase",
  ]

  /// A candidate's feature row (``featureNames``).
  /// - Complexity: O(1).
  public static func features(_ candidate: CampaignCandidate) -> [Float] {
    let p = candidate.profile
    let rfm = p.rfm
    let values = [
      p.probabilityAlive, log1p(Double(rfm.frequency)), rfm.age > 0 ? rfm.recency / rfm.age : 0,
      log1p(max(rfm.monetary, 0)), log1p(max(p.expectedOrders, 0)), log1p(max(p.lifetimeValue, 0)),
      candidate.affinity, log1p(Double(max(p.daysSinceLastPurchase, 0))),
    ]
    return values.map { $0.isFinite ? Float($0) : 0 }
  }

  /// The prior's P(buy | treated) and P(buy | control) for one candidate (see the type's formula).
  /// - Parameters:
  ///   - candidate: the customer.
  ///   - model: the value model that scored their profile.
  ///   - options: window and uplift share.
  /// - Complexity: O(1).
  public static func prior(
    _ candidate: CampaignCandidate, model: CustomerValueModel, options: ProfileCampaignOptions
  ) -> UpliftPrediction {
    let expected = model.expectedPurchases(in: options.windowDays, given: candidate.profile.rfm)
    let buysInWindow = expected.isFinite ? 1 - exp(-max(expected, 0)) : 0
    let control = candidate.affinity * buysInWindow
    let alive = min(max(candidate.profile.probabilityAlive, 0), 1)
    let uplift = max(options.upliftShare, 0) * candidate.affinity * alive * (1 - control)
    return UpliftPrediction(treated: min(control + uplift, 1), control: control)
  }

  /// Scores every candidate and picks the audience.
  /// - Parameters:
  ///   - campaign: target, incentive and limit.
  ///   - candidates: the customers to score.
  ///   - log: randomised campaign log records (empty when none).
  ///   - model: the value model that scored the profiles.
  ///   - marginRate: the promoted items' margin rate from the catalogue, or nil to assume
  ///     ``ProfileCampaignOptions/assumedMarginRate``.
  ///   - options: window, prior, log threshold, classifier settings.
  /// - Returns: every candidate's figures and the audience, with the method and why.
  /// - Throws: ``UpliftError`` when the scores cannot be formed (never for a log that cannot be fitted: the
  ///   prior is used and the reason says so).
  /// - Complexity: O(candidates · log candidates), plus O(epochs · log · parameters) with a usable log.
  public static func plan(
    campaign: Campaign, candidates: [CampaignCandidate], log: [CampaignLogRecord], model: CustomerValueModel,
    marginRate: Double?, options: ProfileCampaignOptions = .init()
  ) throws -> ProfileCampaignPlan {
    let treated = log.filter(\.treated).count
    let control = log.count - treated
    var method = CampaignTargetingMethod.affinityPrior
    var predictions: [UpliftPrediction] = []
    var reason: String
    let share = String(format: "%g", options.upliftShare)
    let priorText =
      "prior: P(buy) = affinity × P(order in \(Int(options.windowDays)) days), uplift = \(share) × affinity × "
      + "P(alive) × (1 − P(buy))"
    if log.isEmpty {
      reason = "no randomised campaign log for this target and incentive yet; \(priorText)"
    } else if treated < options.minimumLogArm || control < options.minimumLogArm {
      reason =
        "the randomised log has \(treated) treated and \(control) held-out customers, fewer than the "
        + "\(options.minimumLogArm) per arm the T-learner needs; \(priorText)"
    } else {
      do {
        let sample = try UpliftSample(
          featureNames: featureNames, features: log.flatMap { features($0.candidate) }, treated: log.map(\.treated),
          converted: log.map(\.converted))
        var learner = TwoModelUplift(configuration: options.model)
        try learner.fit(sample)
        predictions = try learner.predict(candidates.flatMap(features))
        method = .twoModel
        reason =
          "T-learner (one propensity MLP per arm) fitted on the randomised log: \(treated) treated and "
          + "\(control) held-out customers"
      } catch let error as UpliftError {
        reason = "the randomised log cannot be fitted (\(error.message)); \(priorText)"
      }
    }
    if method == .affinityPrior {
      predictions = candidates.map { prior($0, model: model, options: options) }
    }
    let known = candidates.map { orderValue($0.profile) }.filter { $0 > 0 }
    let fallback = known.isEmpty ? 0 : known.reduce(0, +) / Double(known.count)
    let rate = marginRate.map { min(max($0, 0), 1) } ?? options.assumedMarginRate
    let values = candidates.map { candidate in
      let own = orderValue(candidate.profile)
      let share = min(max(candidate.affinity, options.minimumPromotedShare), 1)
      return CustomerValue(orderValue: (own > 0 ? own : fallback) * share, marginRate: rate)
    }
    let targeter = CampaignTargeter(campaign: campaign)
    let scores = try targeter.score(
      customers: candidates.map(\.customer), predictions: predictions, values: values)
    return ProfileCampaignPlan(
      method: method, reason: reason, logTreated: treated, logControl: control, marginRate: rate,
      marginRateAssumed: marginRate == nil, scores: scores, audience: targeter.audience(from: scores))
  }

  /// A customer's expected order value: the Gamma-Gamma expected spend, else their mean repeat order, else 0.
  static func orderValue(_ profile: CustomerProfile) -> Double {
    if profile.expectedSpend.isFinite, profile.expectedSpend > 0 { return profile.expectedSpend }
    return profile.rfm.monetary.isFinite ? max(profile.rfm.monetary, 0) : 0
  }

  /// A customer's affinity to the promoted items: their training-time share s (of purchase weight, over n
  /// training purchase days) pooled with their live purchase days l, p of which bought a promoted item,
  /// (s·n + p) / (n + l); 0 when both are empty.
  /// - Complexity: O(1).
  public static func affinity(
    trainingShare: Double, trainingDays: Int, liveDays: Int, livePromotedDays: Int
  )
    -> Double
  {
    let n = Double(max(trainingDays, 0))
    let total = n + Double(max(liveDays, 0))
    guard total > 0 else { return 0 }
    let share = trainingShare.isFinite ? min(max(trainingShare, 0), 1) : 0
    return (share * n + Double(max(livePromotedDays, 0))) / total
  }
}
