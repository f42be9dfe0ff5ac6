import BasketryCore
import BasketryMining
import BasketryServer
import BasketryStore
import BasketryTraining
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Campaign audiences on a model trained from the shipped sample: ranked by expected incremental profit, a
/// T-learner once randomised logs exist, and erased shoppers gone from every audience, also after a reload.
extension ServedModelTests {
  static func members(_ answer: [String: Any]) -> [[String: Any]] { answer["audience"] as? [[String: Any]] ?? [] }

  @Test func campaignAudiencesRankByProfitLearnFromExperimentsAndForgetErasedShoppers() async throws {
    let dataset = try Self.sample()
    let location = try location("sqlite")
    _ = try await train(
      dataset, at: location, TrainingOptions(minSupport: .relative(0.05), anchorItems: 0, model: "freq"))
    let pseudonymizer = Pseudonymizer(secret: Self.pseudonymKey)
    let raw = Dictionary(
      dataset.users.strings.map { (pseudonymizer.pseudonym($0), $0) }, uniquingKeysWith: { first, _ in first })
    let body = #"{"items": ["85123A"], "discount": 0.1, "audience_size": 10000, "k": 10000}"#
    let engine = try await replica(location)
    let erased = try await Application(router: Routes.router(engine: engine)).test(.router) { client -> String in
      // No randomised log yet: the prior, said so, ranked by expected incremental profit.
      let response = try await client.send(.post, "/v1/campaigns", body: body)
      #expect(response.status == .ok)
      let answer = try json(response)
      let targeting = try #require(answer["targeting"] as? [String: Any])
      #expect(targeting["method"] as? String == "affinity-prior")
      #expect((targeting["reason"] as? String ?? "").contains("no randomised campaign log"))
      let members = Self.members(answer)
      #expect(members.count >= 10)
      let profits = members.map { $0["expected_incremental_profit"] as? Double ?? .nan }
      #expect(profits == profits.sorted(by: >))
      #expect(profits.allSatisfy { $0 > 0 })
      let propensities = members.map { $0["p_buy_control"] as? Double ?? .nan }
      #expect(propensities != propensities.sorted(by: >), "the audience is not ranked by propensity")
      for member in members.prefix(20) {
        let uplift = member["uplift"] as? Double ?? .nan
        let margin = member["margin"] as? Double ?? .nan
        let cost = (member["coupon_cost"] as? Double ?? .nan) * (member["p_redeem"] as? Double ?? .nan)
        #expect(abs((member["expected_incremental_profit"] as? Double ?? .nan) - (uplift * margin - cost)) < 1e-9)
        #expect(raw[member["user"] as? String ?? ""] != nil, "members are named by pseudonym")
        #expect(member["segment"] is String && member["lifetime_value"] is Double)
      }
      #expect(abs((answer["expected_incremental_profit"] as? Double ?? 0) - profits.reduce(0, +)) < 1e-6)
      #expect(answer["audience_size"] as? Int == members.count)
      #expect(answer["margin_rate_assumed"] as? Bool == true)

      // A campaign experiment randomises the audience it is sent to, and logs every assignment.
      let created = try await client.send(
        .post, "/v1/experiments",
        body:
          #"{"id": "coupon-now", "name": "coupon", "variants": [{"name": "holdout"}, {"name": "coupon", "campaign": {"items": ["85123A"], "discount": 0.1}}]}"#
      )
      #expect(created.status == .created)
      let sent = try json(
        try await client.send(
          .post, "/v1/campaigns", body: #"{"experiment": "coupon-now", "audience_size": 300, "k": 300}"#))
      let randomised = Self.members(sent)
      #expect(sent["experiment"] as? String == "coupon-now")
      #expect(randomised.allSatisfy { ($0["treated"] as? Bool) == (($0["variant"] as? String) == "coupon") })
      #expect(
        randomised.contains { $0["treated"] as? Bool == true }
          && randomised.contains { $0["treated"] as? Bool == false })
      #expect(try await engine.store.impressions(experiment: "coupon-now").count == randomised.count)
      // Only the members listed are sent anything, so only they are logged.
      let few = try json(
        try await client.send(
          .post, "/v1/campaigns", body: #"{"experiment": "coupon-now", "audience_size": 300, "k": 5}"#))
      #expect(Self.members(few).count == 5 && (few["audience_size"] as? Int ?? 0) > 5)
      #expect(try await engine.store.impressions(experiment: "coupon-now").count == randomised.count + 5)
      // Recommendations are not assigned to a campaign experiment.
      let shopper = try #require(Self.customersByOrders(dataset).first)
      let recommendations = try json(
        try await client.send(.get, "/v1/users/\(shopper)/recommendations?k=1", key: Keys.read))
      #expect((recommendations["recommendations"] as? [[String: Any]])?.first?["experiment"] as? String == nil)

      // A log whose windows have closed: 200 customers assigned 40 days ago, alternately treated and held out;
      // 40 % of the treated and 20 % of the held-out bought the promoted item within the window.
      let past = try await client.send(
        .post, "/v1/experiments",
        body:
          #"{"id": "coupon-past", "name": "coupon", "variants": [{"name": "holdout"}, {"name": "coupon", "campaign": {"items": ["85123A"], "discount": 0.1}}]}"#
      )
      #expect(past.status == .created)
      let assigned = Int64(Date().timeIntervalSince1970) - 40 * 86_400
      let logged = Array(Self.customersByOrders(dataset).prefix(200))
      try await engine.store.recordImpressions(
        logged.enumerated().map { index, user in
          Impression(
            recommendationID: "past-\(index)", experimentID: "coupon-past",
            variant: index % 2 == 0 ? "coupon" : "holdout",
            user: pseudonymizer.pseudonym(user), session: pseudonymizer.pseudonym(user), kind: "campaign",
            key: "coupon-past", arm: index % 2 == 0 ? 1 : 0, discount: 0.1, price: 1, margin: 1, propensity: 0.5,
            timestamp: assigned)
        })
      let buyers = logged.enumerated().filter { index, _ in index % 2 == 0 ? index % 10 < 4 : index % 10 == 1 }
      let events = buyers.map { index, user in
        #"{"event_id": "past-buy-\#(index)", "user": "\#(user)", "item": "85123A", "type": "purchase", "price": 2.55, "session": "past-\#(index)", "timestamp": \#(assigned + 86_400)}"#
      }
      #expect(
        try await client.send(.post, "/v1/events", key: Keys.ingest, body: "[" + events.joined(separator: ",") + "]")
          .status == .ok)
      let learned = try json(try await client.send(.post, "/v1/campaigns", body: body))
      let learnedTargeting = try #require(learned["targeting"] as? [String: Any])
      #expect(learnedTargeting["method"] as? String == "t-learner")
      #expect(learnedTargeting["log_experiments"] as? [String] == ["coupon-past"])
      #expect(learnedTargeting["log_treated"] as? Int == 100 && learnedTargeting["log_control"] as? Int == 100)
      let learnedProfits = Self.members(learned).map { $0["expected_incremental_profit"] as? Double ?? .nan }
      #expect(learnedProfits == learnedProfits.sorted(by: >))
      // The experiment's report attributes purchases to variants by customer and window.
      let report = try json(try await client.send(.get, "/v1/experiments/coupon-past", key: Keys.read))
      let variants = report["variants"] as? [[String: Any]] ?? []
      #expect(variants.map { $0["conversions"] as? Int ?? -1 } == [20, 40])
      #expect(variants.map { $0["impressions"] as? Int ?? -1 } == [100, 100])

      // Erasure: the top member leaves the profiles, the audiences and the log.
      let erased = try #require(Self.members(learned).first?["user"] as? String)
      let target = try #require(raw[erased])
      #expect(try await client.send(.delete, "/v1/users/\(target)").status == .ok)
      #expect(try await client.send(.get, "/v1/users/\(target)/profile", key: Keys.read).status == .notFound)
      let after = try json(try await client.send(.post, "/v1/campaigns", body: body))
      #expect(!Self.members(after).contains { $0["user"] as? String == erased })
      #expect((after["scored"] as? Int ?? 0) == (learned["scored"] as? Int ?? 0) - 1)
      let afterExperiment = try json(
        try await client.send(
          .post, "/v1/campaigns", body: #"{"experiment": "coupon-now", "audience_size": 10000, "k": 10000}"#))
      #expect(!Self.members(afterExperiment).contains { $0["user"] as? String == erased })
      return erased
    }
    await engine.store.close()
    // A replica started on the same store reloads the model and the erasures.
    let restarted = try await replica(location)
    try await Application(router: Routes.router(engine: restarted)).test(.router) { client in
      let answer = try json(try await client.send(.post, "/v1/campaigns", body: body))
      #expect(!Self.members(answer).isEmpty)
      #expect(!Self.members(answer).contains { $0["user"] as? String == erased })
      #expect(try await client.send(.get, "/v1/users/\(raw[erased] ?? "")/profile", key: Keys.read).status == .notFound)
    }
    await restarted.store.close()
  }
}
