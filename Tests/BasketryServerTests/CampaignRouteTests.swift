import BasketryServer
import BasketryStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// POST /v1/campaigns and campaign experiments: bad input is answered 400 with the field named.
@Suite struct CampaignRouteTests {
  static let valid = #"{"category": "Garden", "discount": 0.1, "budget": 10}"#

  @Test(arguments: [
    (#"{"discount": 0.1, "budget": 10}"#, "missing_field", "category"),
    (#"{"category": "Garden", "items": ["rake"], "discount": 0.1, "budget": 10}"#, "invalid_value", "items"),
    (#"{"category": "Garden", "discount": 1.5, "budget": 10}"#, "invalid_value", "discount"),
    (#"{"category": "Garden", "discount": 0, "budget": 10}"#, "invalid_value", "discount"),
    (#"{"category": "Garden", "discount": "ten", "budget": 10}"#, "wrong_type", "discount"),
    (#"{"category": "Garden", "budget": 10}"#, "missing_field", "discount"),
    (#"{"category": "Garden", "coupon": -2, "budget": 10}"#, "invalid_value", "coupon"),
    (#"{"category": "Garden", "discount": 0.1, "budget": -5}"#, "invalid_value", "budget"),
    (#"{"category": "Garden", "discount": 0.1}"#, "missing_field", "budget"),
    (#"{"category": "Garden", "discount": 0.1, "audience_size": 0}"#, "invalid_value", "audience_size"),
    (#"{"category": "Garden", "discount": 0.1, "budget": 10, "colour": "red"}"#, "unknown_field", "colour"),
    (#"{"category": "Garden", "discount": 0.1, "budget": 10, "k": 0}"#, "invalid_value", "k"),
    (#"{"category": "Kitchen", "discount": 0.1, "budget": 10}"#, "unknown_category", "category"),
    (#"{"items": ["nope"], "discount": 0.1, "budget": 10}"#, "unknown_item", "items[0]"),
    (#"{"items": ["rake", ""], "discount": 0.1, "budget": 10}"#, "invalid_value", "items[1]"),
    (#"{"experiment": "e1", "category": "Garden", "budget": 10}"#, "invalid_value", "category"),
    (#"[1, 2]"#, "wrong_type", ""),
  ])
  func badCampaignBodiesNameTheField(body: String, code: String, field: String) async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await client.send(
        .put, "/v1/items/rake", body: #"{"title": "Rake", "category": "Garden", "price": 20, "cost": 8}"#)
      let response = try await client.send(.post, "/v1/campaigns", body: body)
      #expect(response.status == .badRequest, "\(body)")
      let error = try errorBody(response)
      #expect(error.code == code, "\(body)")
      #expect((error.field ?? "") == field, "\(body)")
    }
    await engine.store.close()
  }

  @Test func campaignsNeedAnAdminKeyACustomerModelAndARunningCampaignExperiment() async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      try await client.send(
        .put, "/v1/items/rake", body: #"{"title": "Rake", "category": "Garden", "price": 20, "cost": 8}"#)
      #expect(try await client.send(.post, "/v1/campaigns", key: nil, body: Self.valid).status == .unauthorized)
      #expect(try await client.send(.post, "/v1/campaigns", key: Keys.read, body: Self.valid).status == .forbidden)
      // A valid campaign, but no served model with customer profiles to target.
      let noModel = try await client.send(.post, "/v1/campaigns", body: Self.valid)
      #expect(noModel.status == .conflict)
      #expect(try errorBody(noModel).code == "no_customer_profiles")
      let unknown = try await client.send(.post, "/v1/campaigns", body: #"{"experiment": "nope", "budget": 5}"#)
      #expect(unknown.status == .notFound)
      #expect(try errorBody(unknown).field == "experiment")
      // An experiment without a campaign variant cannot randomise an audience.
      let plain = try await client.send(
        .post, "/v1/experiments", body: #"{"id": "plain", "name": "p", "variants": [{"name": "a"}, {"name": "b"}]}"#)
      #expect(plain.status == .created)
      let notCampaign = try await client.send(.post, "/v1/campaigns", body: #"{"experiment": "plain"}"#)
      #expect(notCampaign.status == .conflict)
      #expect(try errorBody(notCampaign).field == "experiment")
    }
    await engine.store.close()
  }

  @Test(arguments: [
    (
      #"{"name": "c", "variants": [{"name": "hold"}, {"name": "t", "campaign": {"category": "Garden"}}]}"#,
      "variants[1].campaign.discount"
    ),
    (
      #"{"name": "c", "variants": [{"name": "t", "campaign": {"category": "Garden", "discount": 0.1}}, {"name": "hold"}]}"#,
      "variants[0].campaign"
    ),
    (
      #"{"name": "c", "variants": [{"name": "hold"}, {"name": "t", "campaign": {"category": "Garden", "discount": 0.1, "colour": 1}}]}"#,
      "variants[1].campaign.colour"
    ),
    (
      #"{"name": "c", "variants": [{"name": "hold"}, {"name": "t", "campaign": {"category": "Garden", "discount": 0.1, "budget": -1}}]}"#,
      "variants[1].campaign.budget"
    ),
    (
      #"{"name": "c", "variants": [{"name": "hold"}, {"name": "t", "campaign": {"category": "Garden", "discount": 0.1}}, {"name": "u", "campaign": {"category": "Shed", "coupon": 2}}]}"#,
      "variants[2].campaign"
    ),
  ])
  func badCampaignVariantsNameTheField(body: String, field: String) async throws {
    let (engine, _) = try await makeEngine()
    try await makeApp(engine).test(.router) { client in
      let response = try await client.send(.post, "/v1/experiments", body: body)
      #expect(response.status == .badRequest)
      #expect(try errorBody(response).field == field)
    }
    await engine.store.close()
  }
}
