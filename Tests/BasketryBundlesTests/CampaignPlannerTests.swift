import BasketryBundles
import BasketryIngest
import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// The campaign planner on a small shop: 300 customers over 120 days, categories `garden` (g1, g2, £20) and
/// `kitchen` (k1, k2, £8).
@Suite("Campaign planner")
struct CampaignPlannerTests {
  static func dataset() throws -> Dataset {
    var rng = SplitMix64(seed: 11)
    var text = "order,user,item,time,price,category\n"
    var order = 0
    for user in 0..<300 {
      let likesGarden = rng.nextUnit() < 0.4
      for _ in 0..<(1 + Int(rng.nextUnit() * 8)) {
        order += 1
        let time = 1_300_000_000 + Int(rng.nextUnit() * 120 * 86_400)
        let garden = rng.nextUnit() < (likesGarden ? 0.7 : 0.1)
        let item = garden ? (rng.nextUnit() < 0.5 ? "g1" : "g2") : (rng.nextUnit() < 0.5 ? "k1" : "k2")
        text += "o\(order),u\(user),\(item),\(time),\(garden ? 20 : 8),\(garden ? "garden" : "kitchen")\n"
      }
    }
    let url = try TestSupport.temporaryDirectory().appendingPathComponent("orders.csv")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return try Ingest.load([url.path], options: IngestOptions(format: .orders)).dataset
  }

  @Test func withoutALogTheFallbackIsLabelled() throws {
    let dataset = try Self.dataset()
    let campaign = try Campaign(target: .category("Garden"), offer: .discount(0.1), limit: .audience(25))
    let plan = try CampaignPlanner.plan(
      dataset: dataset, campaign: campaign, log: nil,
      options: CampaignPlanOptions(elasticity: -3, assumedMarginRate: 0.5))
    #expect(plan.method == .elasticityFallback)
    #expect(plan.elasticity == -3 && !plan.elasticityEstimated)
    #expect(plan.scores.count == 300 && plan.propensityRows > 0)
    #expect(plan.audience.customers.count == 25)
    // One relative lift for everyone: P(buy | treated) = P(buy) × 0.9^−3 (capped at 1).
    let lift = Foundation.pow(0.9, -3.0)
    for score in plan.scores where score.purchaseIfTreated < 1 {
      #expect(abs(score.purchaseIfTreated - score.purchaseIfControl * lift) < 1e-9)
    }
    let best = plan.scores.map(\.expectedIncrementalProfit).sorted(by: >)[24]
    #expect(plan.audience.customers.allSatisfy { $0.expectedIncrementalProfit >= best })
  }

  @Test func aLogFitsTheUpliftModelWithinTheBudget() throws {
    let dataset = try Self.dataset()
    var rng = SplitMix64(seed: 5)
    let log = (0..<320).map { user in
      let treated = rng.nextUnit() < 0.5
      return CampaignLogEntry(
        customer: "u\(user)", treated: treated, converted: rng.nextUnit() < (treated ? 0.4 : 0.2))
    }
    let campaign = try Campaign(target: .items(["g1", "g2"]), offer: .coupon(2), limit: .budget(40))
    let plan = try CampaignPlanner.plan(
      dataset: dataset, campaign: campaign, log: log, options: CampaignPlanOptions(learner: .classTransformation))
    #expect(plan.method == .upliftModel && plan.learner == .classTransformation)
    #expect(plan.logUnmatched == 20 && plan.logTreated + plan.logControl == 300)
    #expect(plan.audience.expectedCouponSpend <= 40)
    #expect(plan.audience.customers.allSatisfy { $0.expectedIncrementalProfit > 0 })
  }

  @Test func unknownTargetsNameTheField() throws {
    let dataset = try Self.dataset()
    let toys = try Campaign(target: .category("toys"), offer: .discount(0.1), limit: .audience(5))
    #expect {
      try CampaignPlanner.plan(dataset: dataset, campaign: toys, log: nil)
    } throws: { error in
      let campaignError = error as? CampaignError
      return campaignError?.field == "category" && campaignError?.category == .notFound
        && campaignError?.message.contains("garden") == true
    }
    let missing = try Campaign(target: .items(["g1", "zz"]), offer: .discount(0.1), limit: .audience(5))
    #expect(throws: CampaignError.self) { try CampaignPlanner.plan(dataset: dataset, campaign: missing, log: nil) }
  }
}
