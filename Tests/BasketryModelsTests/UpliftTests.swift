import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// One case of `UpliftFixtures/sklift-metrics.json` (written by `Benchmarks/uplift/make_sklift_fixture.py`).
private struct SkliftCase: Decodable {
  struct Curve: Decodable {
    var x: [Double]
    var y: [Double]
  }
  var name: String
  var outcomes: [Int]
  var treatment: [Int]
  var scores: [Double]
  var qini_auc_score: Double
  var qini_auc_score_no_negative: Double
  var uplift_auc_score: Double
  var uplift_at_k: [String: Double]
  var qini_curve: Curve
  var uplift_curve: Curve
}

private struct SkliftFixture: Decodable {
  var sklift_version: String
  var cases: [SkliftCase]
}

@Suite("Uplift")
struct UpliftTests {
  static let tolerance = 1e-9

  private static func fixture() throws -> SkliftFixture {
    let url = try #require(Bundle.module.url(forResource: "UpliftFixtures/sklift-metrics", withExtension: "json"))
    return try JSONDecoder().decode(SkliftFixture.self, from: Data(contentsOf: url))
  }

  private static func close(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
  }

  // MARK: - Metrics against scikit-uplift

  @Test func metricsMatchScikitUplift() throws {
    let fixture = try Self.fixture()
    #expect(fixture.cases.count == 3)
    for c in fixture.cases {
      let y = c.outcomes.map { $0 == 1 }
      let t = c.treatment.map { $0 == 1 }
      let s = c.scores
      let qini = UpliftMetrics.qiniAUCScore(outcomes: y, scores: s, treatment: t)
      #expect(Self.close(qini, c.qini_auc_score), "\(c.name): qini \(qini) vs \(c.qini_auc_score)")
      let qiniPositive = UpliftMetrics.qiniAUCScore(outcomes: y, scores: s, treatment: t, negativeEffect: false)
      #expect(Self.close(qiniPositive, c.qini_auc_score_no_negative), "\(c.name): qini without negative effects")
      let auuc = UpliftMetrics.upliftAUCScore(outcomes: y, scores: s, treatment: t)
      #expect(Self.close(auuc, c.uplift_auc_score), "\(c.name): auuc \(auuc) vs \(c.uplift_auc_score)")
      for (key, expected) in c.uplift_at_k {
        let parts = key.split(separator: "@")
        let strategy = try #require(UpliftMetrics.TopKStrategy(rawValue: String(parts[0])))
        let k = try #require(Double(String(parts[1])))
        let value = UpliftMetrics.upliftAtK(outcomes: y, scores: s, treatment: t, k: k, strategy: strategy)
        #expect(Self.close(value, expected), "\(c.name): uplift@\(key) \(value) vs \(expected)")
      }
      let qiniCurve = UpliftMetrics.qiniCurve(outcomes: y, scores: s, treatment: t)
      #expect(qiniCurve.x == c.qini_curve.x)
      #expect(
        zip(qiniCurve.y, c.qini_curve.y).allSatisfy { Self.close($0, $1) } && qiniCurve.y.count == c.qini_curve.y.count)
      let upliftCurve = UpliftMetrics.upliftCurve(outcomes: y, scores: s, treatment: t)
      #expect(upliftCurve.x == c.uplift_curve.x)
      #expect(
        zip(upliftCurve.y, c.uplift_curve.y).allSatisfy { Self.close($0, $1) }
          && upliftCurve.y.count == c.uplift_curve.y.count)
    }
  }

  @Test func perfectRankingScoresOneAndReversedIsNegative() {
    // Treated converters first, control converters last is the perfect Qini ranking.
    let y = [true, false, true, false, true, false, false, true]
    let t = [true, true, false, false, true, false, true, false]
    let perfect = zip(y, t).map { y, t in y ? (t ? 1.0 : -1.0) : 0.0 }
    #expect(abs(UpliftMetrics.qiniAUCScore(outcomes: y, scores: perfect, treatment: t) - 1) < 1e-12)
    #expect(UpliftMetrics.qiniAUCScore(outcomes: y, scores: perfect.map { -$0 }, treatment: t) < 0)
  }

  // MARK: - Learners

  /// A randomised log where the effect depends on x₀ only: τ(x) = 0.3 for x₀ > 0, −0.1 otherwise; the
  /// baseline depends on x₁ only, so propensity and uplift disagree.
  static func log(count: Int, seed: UInt64) throws -> (sample: UpliftSample, tau: [Double]) {
    var rng = SplitMix64(seed: seed)
    var features: [Float] = []
    var treated: [Bool] = []
    var converted: [Bool] = []
    var tau: [Double] = []
    for _ in 0..<count {
      let x0 = rng.nextGaussian()
      let x1 = rng.nextGaussian()
      let effect = x0 > 0 ? 0.3 : -0.1
      let base = 1 / (1 + exp(-(x1 - 0.5)))
      let t = rng.nextUnit() < 0.5
      features += [Float(x0), Float(x1)]
      treated.append(t)
      converted.append(rng.nextUnit() < min(max(base * 0.6 + (t ? effect : 0) + 0.1, 0), 1))
      tau.append(effect)
    }
    return (
      try UpliftSample(featureNames: ["x0", "x1"], features: features, treated: treated, converted: converted), tau
    )
  }

  @Test(arguments: UpliftLearnerKind.allCases)
  func learnerRecoversTheSignOfTheEffect(kind: UpliftLearnerKind) throws {
    let (train, _) = try Self.log(count: 4_000, seed: 1)
    let (test, tau) = try Self.log(count: 2_000, seed: 2)
    var learner = kind.make(configuration: .init(training: .init(epochs: 5)))
    try learner.fit(train)
    let predicted = try learner.predict(test.features).map(\.uplift)
    let positive = predicted.indices.filter { tau[$0] > 0 }.map { predicted[$0] }
    let negative = predicted.indices.filter { tau[$0] < 0 }.map { predicted[$0] }
    let meanPositive = positive.reduce(0, +) / Double(positive.count)
    let meanNegative = negative.reduce(0, +) / Double(negative.count)
    #expect(meanPositive > 0.15 && meanNegative < 0.05, "\(kind): \(meanPositive) vs \(meanNegative)")
    let qini = UpliftMetrics.qiniAUCScore(outcomes: test.converted, scores: predicted, treatment: test.treated)
    #expect(qini > 0.08, "\(kind) qini \(qini)")
  }

  @Test func fittedLearnersRoundTripThroughJSON() throws {
    let (train, _) = try Self.log(count: 600, seed: 3)
    let (test, _) = try Self.log(count: 50, seed: 4)
    var twoModel = TwoModelUplift(configuration: .init(training: .init(epochs: 2)))
    try twoModel.fit(train)
    let decoded = try JSONDecoder().decode(TwoModelUplift.self, from: JSONEncoder().encode(twoModel))
    #expect(try decoded.predict(test.features) == twoModel.predict(test.features))
    var classes = ClassTransformationUplift(configuration: .init(kind: .logisticRegression, training: .init(epochs: 2)))
    try classes.fit(train)
    let decodedClasses = try JSONDecoder().decode(
      ClassTransformationUplift.self, from: JSONEncoder().encode(classes))
    #expect(try decodedClasses.predict(test.features) == classes.predict(test.features))
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(
        ProbabilityClassifier.self,
        from: Data(
          #"{"configuration":{"kind":0,"hiddenLayers":[],"training":{"learningRate":0.01,"batchSize":1,"epochs":1,"l2":0,"seed":1}},"width":2,"means":[0],"deviations":[1],"layer_sizes":[2,1],"parameters":[0,0,0]}"#
            .utf8))
    }
  }

  @Test func learnerNeedsBothArms() throws {
    let sample = try UpliftSample(
      featureNames: ["x"], features: [0, 1, 2, 3], treated: [true, true, true, true],
      converted: [true, false, true, false])
    var learner = TwoModelUplift()
    #expect(throws: UpliftError.self) { try learner.fit(sample) }
  }

  // MARK: - Targeting

  @Test func targeterRanksByExpectedIncrementalProfit() throws {
    let campaign = try Campaign(target: .category("garden"), offer: .discount(0.1), limit: .audience(2))
    let targeter = CampaignTargeter(campaign: campaign)
    let scores = try targeter.score(
      customers: ["sure", "persuadable", "dog", "lost"],
      predictions: [
        .init(treated: 0.9, control: 0.88), .init(treated: 0.5, control: 0.2), .init(treated: 0.3, control: 0.5),
        .init(treated: 0.02, control: 0.01),
      ],
      values: Array(repeating: CustomerValue(orderValue: 100, marginRate: 0.4), count: 4))
    // sure: 0.02 × 40 − 10 × 0.9 = −8.2; persuadable: 0.3 × 40 − 10 × 0.5 = 7; lost: 0.4 − 0.2 = 0.2.
    #expect(abs(scores[0].expectedIncrementalProfit - -8.2) < 1e-9)
    #expect(abs(scores[1].expectedIncrementalProfit - 7) < 1e-9)
    let audience = targeter.audience(from: scores)
    #expect(audience.customers.map(\.customer) == ["persuadable", "lost"])
    #expect(abs(audience.expectedCouponSpend - (10 * 0.5 + 10 * 0.02)) < 1e-9)
    let json = String(decoding: try JSONEncoder().encode(audience.customers[0]), as: UTF8.self)
    #expect(json.contains("\"expected_incremental_profit\":7"))
  }

  @Test func campaignJSONIsFlatAndValidated() throws {
    let campaign = try JSONDecoder().decode(
      Campaign.self, from: Data(#"{"category": "garden", "discount": 0.1, "audience_size": 500}"#.utf8))
    #expect(campaign == (try Campaign(target: .category("garden"), offer: .discount(0.1), limit: .audience(500))))
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let json = String(decoding: try encoder.encode(campaign), as: UTF8.self)
    #expect(json == #"{"audience_size":500,"category":"garden","discount":0.1,"redemption_rate":1}"#)
    #expect(throws: UpliftError.self) {
      try JSONDecoder().decode(
        Campaign.self, from: Data(#"{"category": "a", "discount": 0.1, "coupon": 5, "audience_size": 1}"#.utf8))
    }
    #expect(throws: UpliftError.self) {
      try JSONDecoder().decode(Campaign.self, from: Data(#"{"items": ["a"], "discount": 2, "budget": 10}"#.utf8))
    }
  }

  @Test func campaignRejectsOutOfRangeValues() {
    #expect(throws: UpliftError.self) {
      try Campaign(target: .category("a"), offer: .discount(1.5), limit: .audience(1))
    }
    #expect(throws: UpliftError.self) { try Campaign(target: .items([]), offer: .coupon(5), limit: .audience(1)) }
    #expect(throws: UpliftError.self) { try Campaign(target: .category("a"), offer: .coupon(5), limit: .budget(0)) }
  }
}
