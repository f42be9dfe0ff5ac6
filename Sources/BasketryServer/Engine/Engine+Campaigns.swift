import BasketryCore
import BasketryCustomers
import BasketryModels
import BasketryOnline
import BasketryStore
import BasketryTraining
import Foundation
import HTTPTypes

/// One customer of a campaign audience (POST /v1/campaigns).
public struct CampaignMember: Sendable, Hashable, Codable {
  /// The customer's pseudonym (HMAC-SHA256 of their id with the service's key, as the store and erasure
  /// receipts name users).
  public var user: String
  /// uplift × margin − coupon cost × P(redeem).
  public var expectedIncrementalProfit: Double
  /// P(buy | treated) − P(buy | control) in the campaign window.
  public var uplift: Double
  /// P(buy | treated).
  public var pBuyTreated: Double
  /// P(buy | control): the baseline propensity.
  public var pBuyControl: Double
  /// P(redeem) = redemption rate × P(buy | treated).
  public var pRedeem: Double
  /// Margin of the promoted purchase at list price.
  public var margin: Double
  /// The incentive's cost when redeemed.
  public var couponCost: Double
  /// Share of the customer's purchases on the promoted items.
  public var affinity: Double
  /// P(alive) now.
  public var probabilityAlive: Double
  /// Discounted lifetime value.
  public var lifetimeValue: Double
  /// Value segment.
  public var segment: CustomerProfile.Segment
  /// Lifecycle state.
  public var lifecycle: CustomerProfile.Lifecycle
  /// With an experiment: the variant the customer is assigned to.
  public var variant: String?
  /// With an experiment: whether to send them the campaign (false: held out).
  public var treated: Bool?
}

/// How a campaign audience was targeted.
public struct CampaignTargetingSummary: Sendable, Hashable, Codable {
  /// `t-learner` (fitted on randomised logs) or `affinity-prior`.
  public var method: CampaignTargetingMethod
  /// Why, with the prior's formula when it was used.
  public var reason: String
  /// Campaign experiments whose logs were used (same target and incentive).
  public var logExperiments: [String]
  /// Treated customers in those logs.
  public var logTreated: Int
  /// Held-out customers in those logs.
  public var logControl: Int
  /// The prior's assumed uplift share.
  public var upliftShare: Double
  /// The campaign window in days.
  public var windowDays: Double
}

/// POST /v1/campaigns's answer.
public struct CampaignResponse: Sendable, Hashable, Codable {
  /// Model version whose customer profiles were scored.
  public var modelVersion: Int64?
  /// The campaign (with an experiment: its target and incentive, and the limit used).
  public var campaign: Campaign
  /// The campaign experiment that randomised this audience.
  public var experiment: String?
  /// Which targeting model and why.
  public var targeting: CampaignTargetingSummary
  /// Margin rate of the promoted purchase.
  public var marginRate: Double
  /// Whether the margin rate is assumed (the catalogue has no costs for the promoted items).
  public var marginRateAssumed: Bool
  /// Customers scored.
  public var scored: Int
  /// Customers in the audience (``audience`` lists at most `k` of them).
  public var audienceSize: Int
  /// Σ expected incremental profit over the audience.
  public var expectedIncrementalProfit: Double
  /// Σ coupon cost × P(redeem) over the audience.
  public var expectedCouponSpend: Double
  /// Σ uplift: the expected extra purchases.
  public var expectedIncrementalPurchases: Double
  /// The audience, highest expected incremental profit first.
  public var audience: [CampaignMember]
}

extension Engine {
  /// The campaign window of served campaigns, in days.
  static let campaignWindowDays = 30.0

  /// A campaign's audience by expected incremental profit (``ProfileCampaignTargeting``) over the served
  /// model's customers, moved forward by their store purchases; erased users are never scored.
  ///
  /// The uplift model is a T-learner fitted on the randomised logs of campaign experiments with the same target
  /// and incentive (customers whose window has closed, described as they were at assignment); without enough of
  /// them the documented prior is used and the answer says so. With `experiment`, the audience is randomised
  /// by the experiment's variants and logged.
  /// - Parameter request: the parsed body.
  /// - Throws: ``APIError``: 400 for an unknown category or item, 404 for an unknown experiment, 409 when the
  ///   served model has no customer profiles or the experiment is not a running campaign experiment; store
  ///   errors.
  /// - Complexity: O(store purchases + customers · log customers), plus the T-learner's fit with a log.
  public func campaign(_ request: CampaignParsing.Request) async throws -> CampaignResponse {
    let now = Self.now()
    let (model, version, erased, catalog, experiments) = state.withLock {
      ($0.model, $0.modelVersion, $0.erasedUsers, $0.catalog, $0.experiments)
    }
    var experiment: Experiment?
    var campaign: Campaign
    if let id = request.experiment {
      guard let found = try await experimentNamed(id, among: experiments) else {
        throw APIError.notFound("unknown experiment '\(id)'", field: "experiment")
      }
      guard let defined = found.campaign else {
        throw APIError(
          status: .conflict, code: "not_a_campaign_experiment",
          message: "experiment '\(id)' has no variant with a campaign", field: "experiment")
      }
      guard found.isActive(at: now) else {
        throw APIError(
          status: .conflict, code: "experiment_not_running", message: "experiment '\(id)' is not running",
          field: "experiment")
      }
      campaign = defined
      if let limit = request.limit { campaign.limit = limit }
      experiment = found
    } else if let given = request.campaign {
      campaign = given
    } else {
      throw APIError.badRequest("missing_field", "give the campaign's category or its items", field: "category")
    }
    let promoted = try promotedItems(campaign.target, model: model, catalog: catalog)
    guard let model, let customers = model.customers else {
      throw APIError(
        status: .conflict, code: "no_customer_profiles",
        message: "the served model has no customer profiles; train a model on orders with customers and dates")
    }
    var purchases: [String: [CustomerPurchase]] = [:]
    for basket in try await store.purchaseBaskets() where !erased.contains(basket.user) {
      let spend = basket.lines.reduce(0.0) { $0 + ($1.price.isFinite ? $1.price * max($1.quantity, 1) : 0) }
      purchases[basket.user, default: []].append(
        CustomerPurchase(timestamp: basket.timestamp, items: basket.lines.map(\.item), spend: spend))
    }
    var users = Set(customers.profiles.lazy.map(\.customer)).union(purchases.keys)
    users.subtract(erased)
    let candidates = users.sorted().compactMap { user in
      model.campaignCandidate(user, purchases: purchases[user] ?? [], promoted: promoted)
    }
    let (log, logExperiments) = try await campaignLog(
      campaign, experiments: experiments, purchases: purchases, erased: erased, model: model, promoted: promoted,
      now: now)
    let options = ProfileCampaignOptions(windowDays: Self.campaignWindowDays)
    let plan = try ProfileCampaignTargeting.plan(
      campaign: campaign, candidates: candidates, log: log, model: customers.model,
      marginRate: Self.marginRate(promoted, catalog: catalog), options: options)
    let byUser = Dictionary(candidates.map { ($0.customer, $0) }, uniquingKeysWith: { first, _ in first })
    // Only the members listed are sent anything, so only they are randomised and logged.
    var members: [CampaignMember] = plan.audience.customers.prefix(request.k).map { score in
      let profile = byUser[score.customer]?.profile
      return CampaignMember(
        user: score.customer, expectedIncrementalProfit: score.expectedIncrementalProfit, uplift: score.uplift,
        pBuyTreated: score.purchaseIfTreated, pBuyControl: score.purchaseIfControl, pRedeem: score.redeemProbability,
        margin: score.margin, couponCost: score.couponCost, affinity: byUser[score.customer]?.affinity ?? 0,
        probabilityAlive: profile?.probabilityAlive ?? 0, lifetimeValue: profile?.lifetimeValue ?? 0,
        segment: profile?.segment ?? .low, lifecycle: profile?.lifecycle ?? .new)
    }
    if let experiment {
      try await randomise(&members, in: experiment, campaign: campaign, now: now)
    }
    let audience = plan.audience
    return CampaignResponse(
      modelVersion: version, campaign: campaign, experiment: experiment?.id,
      targeting: CampaignTargetingSummary(
        method: plan.method, reason: plan.reason, logExperiments: logExperiments, logTreated: plan.logTreated,
        logControl: plan.logControl, upliftShare: options.upliftShare, windowDays: options.windowDays),
      marginRate: plan.marginRate, marginRateAssumed: plan.marginRateAssumed, scored: plan.scores.count,
      audienceSize: audience.customers.count, expectedIncrementalProfit: audience.expectedIncrementalProfit,
      expectedCouponSpend: audience.expectedCouponSpend,
      expectedIncrementalPurchases: audience.expectedIncrementalPurchases,
      audience: members)
  }

  // MARK: - Parts

  /// An experiment by id, from memory or the store (created on another replica).
  func experimentNamed(_ id: String, among experiments: [Experiment]) async throws -> Experiment? {
    if let known = experiments.first(where: { $0.id == id }) { return known }
    return try await store.experiment(id: id)
  }

  /// The promoted items of a target: listed items must be known to the catalogue or the served model; a
  /// category must be a catalogue category or a category among the served customers' interests.
  /// - Throws: ``APIError`` (400) naming `items[i]` or `category`.
  /// - Complexity: O(catalogue + customers · interests).
  func promotedItems(
    _ target: Campaign.Target, model: ServingModel?, catalog: [String: CatalogItem]
  ) throws -> PromotedItems {
    switch target {
    case .items(let ids):
      for (index, id) in ids.enumerated() where catalog[id] == nil && model?.item(id) == nil {
        throw APIError.badRequest("unknown_item", "unknown item '\(id)'", field: "items[\(index)]")
      }
      return PromotedItems(items: Set(ids), category: nil)
    case .category(let name):
      let wanted = name.lowercased()
      let items = Set(
        catalog.values.filter { item in item.category.contains { $0.lowercased() == wanted } }.map(\.id))
      let interest =
        model?.customers?.profiles.contains { profile in
          profile.interests.contains { $0.isCategory && $0.label.lowercased() == wanted }
        } ?? false
      guard !items.isEmpty || interest else {
        throw APIError.badRequest(
          "unknown_category", "unknown category '\(name)': no catalogue item or customer interest has it",
          field: "category")
      }
      return PromotedItems(items: items, category: wanted)
    }
  }

  /// The promoted items' mean catalogue margin rate, (price − cost) / price, or nil without prices and costs.
  static func marginRate(_ promoted: PromotedItems, catalog: [String: CatalogItem]) -> Double? {
    let rates = promoted.items.compactMap { id -> Double? in
      guard let item = catalog[id], let price = item.price, let cost = item.cost, price > 0 else { return nil }
      return 1 - cost / price
    }
    return rates.isEmpty ? nil : rates.reduce(0, +) / Double(rates.count)
  }

  /// The randomised log of campaign experiments with the campaign's target and incentive: each customer's first
  /// assignment whose window (``campaignWindowDays``, cut at the experiment's end) has closed, described as
  /// they were before it, treated when their variant carries the campaign's incentive (held out when it has no
  /// campaign), converted when they bought a promoted item within the window.
  /// - Returns: the records and the experiments they came from.
  /// - Complexity: O(experiments' campaign impressions + their users' purchases).
  func campaignLog(
    _ campaign: Campaign, experiments: [Experiment], purchases: [String: [CustomerPurchase]], erased: Set<String>,
    model: ServingModel, promoted: PromotedItems, now: Int64
  ) async throws -> ([CampaignLogRecord], [String]) {
    var records: [CampaignLogRecord] = []
    var used: [String] = []
    let window = Int64(Self.campaignWindowDays * 86_400)
    for experiment in experiments {
      guard let logged = experiment.campaign, CampaignParsing.sameTarget(logged.target, campaign.target) else {
        continue
      }
      var seen = Set<String>()
      var count = 0
      for impression in try await store.impressions(experiment: experiment.id)
      where impression.kind == Self.campaignImpressionKind && !erased.contains(impression.user)
        && seen.insert(impression.user).inserted
      {
        let close = min(impression.timestamp + window, experiment.end ?? .max)
        guard close <= now, let variant = experiment.variants.first(where: { $0.name == impression.variant }) else {
          continue
        }
        if let offer = variant.campaign?.offer, offer != campaign.offer { continue }
        let history = purchases[impression.user] ?? []
        guard
          let candidate = model.campaignCandidate(
            impression.user, purchases: history, before: impression.timestamp, promoted: promoted)
        else { continue }
        let converted = history.contains { purchase in
          purchase.timestamp >= impression.timestamp && purchase.timestamp < close
            && purchase.items.contains(where: promoted.contains)
        }
        records.append(CampaignLogRecord(candidate: candidate, treated: variant.campaign != nil, converted: converted))
        count += 1
      }
      if count > 0 { used.append(experiment.id) }
    }
    return (records, used)
  }

  /// The impression kind of a campaign audience member.
  static let campaignImpressionKind = "campaign"

  /// Assigns audience members to the experiment's variants (``VariantAssigner``, by pseudonym) and logs each
  /// assignment before answering.
  /// - Throws: store errors (nothing is answered unlogged).
  func randomise(
    _ members: inout [CampaignMember], in experiment: Experiment, campaign: Campaign, now: Int64
  )
    async throws
  {
    let weights = experiment.variants.map(\.weight)
    let total = weights.reduce(0, +)
    var impressions: [Impression] = []
    impressions.reserveCapacity(members.count)
    for index in members.indices {
      let arm =
        VariantAssigner.assign(unit: members[index].user, experiment: experiment.id, weights: weights) ?? 0
      let variant = experiment.variants[arm]
      members[index].variant = variant.name
      members[index].treated = variant.campaign != nil
      let discount: Double =
        if case .some(.discount(let fraction)) = variant.campaign?.offer { fraction } else { 0 }
      impressions.append(
        Impression(
          recommendationID: "cmp-" + UUID().uuidString.lowercased(), experimentID: experiment.id,
          variant: variant.name, user: members[index].user, session: members[index].user,
          kind: Self.campaignImpressionKind, key: experiment.id, arm: arm, discount: discount,
          price: variant.campaign == nil ? 0 : members[index].couponCost, margin: members[index].margin,
          propensity: total > 0 ? variant.weight / total : 0, timestamp: now))
    }
    try await store.recordImpressions(impressions)
  }

  /// Per-variant tallies of a campaign experiment from its log: each assigned customer once (their first
  /// assignment), converted when they bought a promoted item within the campaign window after it; order
  /// values are their promoted spend in the window. Purchases are attributed by customer and time, since
  /// held-out customers carry no recommendation id.
  /// - Complexity: O(campaign impressions + the assigned customers' events), one store read per customer (from
  ///   the short-lived history cache when fresh).
  func campaignTallies(_ experiment: Experiment) async throws -> [VariantTally] {
    guard let campaign = experiment.campaign else { return [] }
    let (model, catalog, erased) = state.withLock { ($0.model, $0.catalog, $0.erasedUsers) }
    let promoted = (try? promotedItems(campaign.target, model: model, catalog: catalog)) ?? PromotedItems(items: [])
    let window = Int64(Self.campaignWindowDays * 86_400)
    var tallies = Dictionary(
      uniqueKeysWithValues: experiment.variants.map { ($0.name, VariantTally(variant: $0.name)) })
    var seen = Set<String>()
    for impression in try await store.impressions(experiment: experiment.id)
    where impression.kind == Self.campaignImpressionKind && !erased.contains(impression.user)
      && seen.insert(impression.user).inserted
    {
      guard let name = impression.variant, var tally = tallies[name] else { continue }
      tally.impressions += 1
      tally.sessions += 1
      let close = min(impression.timestamp + window, experiment.end ?? .max)
      var spend = 0.0
      var converted = false
      for event in try await storeEvents(of: impression.user)
      where event.type == .purchase && event.timestamp >= impression.timestamp && event.timestamp < close
        && promoted.contains(event.item)
      {
        converted = true
        if let price = event.price, price.isFinite { spend += price * max(event.value, 1) }
      }
      if converted { tally.orderValues.append(spend) }
      tallies[name] = tally
    }
    return experiment.variants.compactMap { tallies[$0.name] }
  }
}
