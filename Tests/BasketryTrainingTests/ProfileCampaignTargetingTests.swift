import BasketryCore
import BasketryCustomers
import BasketryModels
import BasketryTraining
import Foundation
import Testing

/// Served campaign targeting from customer profiles: the prior, the T-learner on randomised logs, and ranking by
/// expected incremental profit rather than propensity.
@Suite struct ProfileCampaignTargetingTests {
  /// A BG/NBD value model with the CDNOW parameters (`lifetimes`' example fit), no spend model.
  static let model = CustomerValueModel(
    purchases: .betaGeo(BetaGeoModel(parameters: .init(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426))), spend: nil,
    options: .init())

  static func candidate(
    _ id: String, frequency: Int, recency: Double, age: Double, spend: Double, affinity: Double
  ) -> CampaignCandidate {
    let rfm = RFM(frequency: frequency, recency: recency, age: age, monetary: spend)
    let profile = CustomerProfile(
      customer: id, rfm: rfm, probabilityAlive: model.probabilityAlive(rfm),
      expectedOrders: model.expectedPurchases(in: 90, given: rfm), expectedSpend: spend, lifetimeValue: spend,
      segment: .medium, lifecycle: .active, daysSinceLastPurchase: Int(age - recency))
    return CampaignCandidate(customer: id, profile: profile, affinity: affinity)
  }

  @Test func priorFollowsItsFormula() throws {
    let options = ProfileCampaignOptions()
    let c = Self.candidate("a", frequency: 4, recency: 80, age: 100, spend: 30, affinity: 0.5)
    let p = ProfileCampaignTargeting.prior(c, model: Self.model, options: options)
    let lambda = Self.model.expectedPurchases(in: 30, given: c.profile.rfm)
    let control = 0.5 * (1 - exp(-lambda))
    #expect(abs(p.control - control) < 1e-12)
    #expect(abs(p.uplift - 0.1 * 0.5 * c.profile.probabilityAlive * (1 - control)) < 1e-12)
    // No interest in what is promoted: no purchase and no effect.
    let none = ProfileCampaignTargeting.prior(
      Self.candidate("b", frequency: 4, recency: 80, age: 100, spend: 30, affinity: 0), model: Self.model,
      options: options)
    #expect(none.control == 0 && none.treated == 0)
    #expect(
      ProfileCampaignTargeting.affinity(trainingShare: 0.5, trainingDays: 4, liveDays: 2, livePromotedDays: 2)
        == 4.0 / 6)
    #expect(
      ProfileCampaignTargeting.affinity(trainingShare: 0.9, trainingDays: 0, liveDays: 0, livePromotedDays: 0) == 0)
  }

  @Test func audienceIsRankedByIncrementalProfitNotPropensity() throws {
    // A frequent buyer of the promoted items who spends little (a sure thing: a coupon mostly pays for a
    // purchase they make anyway), an occasional buyer with large orders, and one with no interest at all.
    let sureThing = Self.candidate("sure-thing", frequency: 40, recency: 99, age: 100, spend: 6, affinity: 0.9)
    let persuadable = Self.candidate("persuadable", frequency: 3, recency: 60, age: 100, spend: 500, affinity: 0.4)
    let stranger = Self.candidate("stranger", frequency: 10, recency: 95, age: 100, spend: 50, affinity: 0)
    let campaign = try Campaign(target: .category("garden"), offer: .coupon(2), limit: .audience(10))
    let plan = try ProfileCampaignTargeting.plan(
      campaign: campaign, candidates: [sureThing, persuadable, stranger], log: [], model: Self.model,
      marginRate: 0.4)
    #expect(plan.method == .affinityPrior)
    #expect(plan.reason.contains("no randomised campaign log"))
    let scores = Dictionary(uniqueKeysWithValues: plan.scores.map { ($0.customer, $0) })
    let sure = try #require(scores["sure-thing"])
    let moved = try #require(scores["persuadable"])
    #expect(sure.purchaseIfControl > moved.purchaseIfControl)
    #expect(moved.expectedIncrementalProfit > sure.expectedIncrementalProfit)
    for score in plan.scores {
      let expected = score.uplift * score.margin - score.couponCost * score.redeemProbability
      #expect(abs(score.expectedIncrementalProfit - expected) < 1e-12)
    }
    #expect(plan.audience.customers.first?.customer == "persuadable")
    #expect(!plan.audience.customers.contains { $0.customer == "stranger" })
    #expect(plan.marginRate == 0.4 && !plan.marginRateAssumed)
    // The promoted purchase is the promoted share of the expected order: 500 × 0.4 at a 40 % margin.
    #expect(abs(moved.margin - 500 * 0.4 * 0.4) < 1e-9)
  }

  @Test func randomisedLogsFitTheTwoModelLearner() throws {
    // Treatment converts customers with high affinity; control customers rarely convert.
    var rng = SplitMix64(seed: 7)
    var log: [CampaignLogRecord] = []
    for index in 0..<2000 {
      let affinity = Double.random(in: 0...1, using: &rng)
      let treated = index % 2 == 0
      let rate = treated ? 0.05 + 0.6 * affinity : 0.05
      let c = Self.candidate(
        "u\(index)", frequency: Int.random(in: 0...10, using: &rng), recency: 50, age: 100, spend: 20,
        affinity: affinity)
      log.append(
        CampaignLogRecord(candidate: c, treated: treated, converted: Double.random(in: 0..<1, using: &rng) < rate))
    }
    let campaign = try Campaign(target: .items(["a"]), offer: .discount(0.1), limit: .audience(50))
    let candidates = [
      Self.candidate("keen", frequency: 5, recency: 50, age: 100, spend: 20, affinity: 0.95),
      Self.candidate("cold", frequency: 5, recency: 50, age: 100, spend: 20, affinity: 0.02),
    ]
    let plan = try ProfileCampaignTargeting.plan(
      campaign: campaign, candidates: candidates, log: log, model: Self.model, marginRate: nil)
    #expect(plan.method == .twoModel)
    #expect(plan.logTreated == 1000 && plan.logControl == 1000)
    #expect(plan.marginRateAssumed && plan.marginRate == 0.35)
    #expect(plan.scores[0].uplift > plan.scores[1].uplift + 0.1)
    // Too small a log: the prior, and the reason names the counts.
    let small = try ProfileCampaignTargeting.plan(
      campaign: campaign, candidates: candidates, log: Array(log.prefix(20)), model: Self.model, marginRate: nil)
    #expect(small.method == .affinityPrior)
    #expect(small.reason.contains("10 treated and 10 held-out"))
  }
}
