import BasketryOnline
import Foundation
import Testing

@testable import BasketryServer

@Suite struct FastJSONTests {
  /// Drops null members (the fast writer always writes every key, JSONEncoder omits nil ones).
  func withoutNulls(_ value: Any) -> Any {
    if let object = value as? [String: Any] {
      return object.filter { !($0.value is NSNull) }.mapValues(withoutNulls)
    }
    if let array = value as? [Any] { return array.map(withoutNulls) }
    return value
  }

  /// Numbers are written as JSONSerialization reads them back: integral values as integers, others as the
  /// shortest text of the same Double, non-finite ones as null.
  @Test func numbersReadBackExactly() throws {
    let values: [Double] = [
      0, 1, -1, 7, 10, -10, 42, 1_234_567, -987_654_321, 999_999_999_999_999, 12.45, -0.1, 1.0 / 3, 4.95, 1e-7,
      2.5e20, -1e300,
    ]
    for value in values {
      var json = FastJSON()
      json.number(value)
      let text = String(decoding: json.bytes, as: UTF8.self)
      let parsed = try JSONSerialization.jsonObject(with: Data("[\(text)]".utf8)) as? [NSNumber]
      #expect(parsed?.first?.doubleValue == value, "\(value) written as \(text)")
      if value == value.rounded(), abs(value) < 1e15 { #expect(text == String(Int64(value))) }
    }
    var json = FastJSON()
    json.number(.nan)
    json.integer(Int64.min)
    json.integer(nil)
    #expect(String(decoding: json.bytes, as: UTF8.self) == "null\(Int64.min)null")
  }

  /// The hand-written response encoder (with and without the serving cache's pre-encoded fragments) gives the
  /// same document as JSONEncoder with snake-case keys, except that absent optionals are explicit nulls.
  @Test func matchesTheCodableForm() throws {
    let candidate = Candidate(
      items: ["A\"1", "B\\2"], titles: ["Mug \"Café\"\n", "Tab\there"], prices: [2.5, 3], listPrice: 5.5, cost: 3,
      modelDiscount: 0.1, source: "model", rank: 1, evidence: "Bought together.",
      explanation: "Bought together. Priced at £5 (10 % off).",
      levels: [0, 0.1])
    let choice = DiscountChoice(arm: 1, discount: 0.1, price: 4.95, margin: 1.95, marginRate: 0.39, propensity: 0.5)
    let fit = PersonalBundleFit(
      takeProbability: 0.125, averageTakeProbability: 0.0625, cannibalisedMargin: 0.5, expectedProfit: 1.0 / 3,
      horizonDays: 30)
    func offer(encoded: Bool, personal: Bool) -> BundleOffer {
      BundleOffer(
        recommendationId: "r-1", experiment: encoded ? "exp" : nil, variant: "default", policy: "bandit",
        source: candidate.source, items: candidate.offerItems, listPrice: candidate.listPrice, price: choice.price,
        discount: choice.discount, marginRate: choice.marginRate,
        explanation: candidate.explanation(policy: "bandit", choice: choice),
        personal: personal ? fit : nil,
        encodedItems: encoded ? candidate.itemsJSON : nil,
        encodedExplanation: encoded ? candidate.explanationJSON(policy: "bandit", choice: choice) : nil,
        encodedPersonal: encoded && personal ? fit.fastJSON() : nil)
    }
    for (encoded, personal) in [(false, false), (false, true), (true, true)] {
      let response = BundlesResponse(
        modelVersion: encoded ? 3 : nil, bundles: [offer(encoded: encoded, personal: personal)])
      let fastObject = try JSONSerialization.jsonObject(with: Data(response.fastJSON()))
      let fast = withoutNulls(fastObject) as? NSDictionary
      let codable = try JSONSerialization.jsonObject(with: Routes.encoder.encode(response)) as? NSDictionary
      #expect(fast != nil)
      #expect(fast == codable)
      #expect((fastObject as? [String: Any])?.keys.contains("model_version") == true)
    }
  }

  /// The same for recommendation responses (escaping, nulls, numbers).
  @Test func recommendationsMatchTheCodableForm() throws {
    for experiment in [nil, "exp \"1\""] as [String?] {
      let response = RecommendationsResponse(
        modelVersion: experiment == nil ? nil : 7,
        recommendations: [
          ItemRecommendation(
            recommendationId: "r-1", item: "A\"1", title: "Mug \"Café\"\n", score: 0.125, experiment: experiment,
            variant: "default", explanation: "You bought this before; freq ranks it."),
          ItemRecommendation(
            recommendationId: "r-2", item: "B\\2", title: "Tab\there", score: 845, experiment: experiment,
            variant: "b", explanation: "Popular with other shoppers."),
        ])
      let fastObject = try JSONSerialization.jsonObject(with: Data(response.fastJSON()))
      let fast = withoutNulls(fastObject) as? NSDictionary
      let codable = try JSONSerialization.jsonObject(with: Routes.encoder.encode(response)) as? NSDictionary
      #expect(fast != nil)
      #expect(fast == codable)
      #expect((fastObject as? [String: Any])?.keys.contains("model_version") == true)
    }
  }
}
