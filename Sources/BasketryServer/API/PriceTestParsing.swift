import BasketryBundles
import BasketryCore
import Foundation

/// Parses POST /v1/price-tests bodies.
///
/// Fields: `item` (required), `levels` (an array of prices, or `"auto"` for levels from the guardrails; default
/// `"auto"`), `level_count` (automatic levels, 2–9, default 5), `profit_at_risk_budget` (≥ 0, optional), `id`,
/// `start` and `end` (Unix seconds), `policy` (`"thompson"`, the default: each new session's level is drawn from
/// the test's posterior; or `"uniform"`: split evenly by a hash of the session id). Whether the levels keep the
/// guardrails is checked against the item's advice (``Engine/createPriceTest(_:)``).
public enum PriceTestParsing {
  static let fields: Set<String> = [
    "id", "item", "levels", "level_count", "profit_at_risk_budget", "start", "end", "policy",
  ]

  /// Parses a request.
  /// - Throws: ``APIError`` 400 naming the bad field.
  /// - Complexity: O(body).
  public static func parse(_ body: [UInt8], now: Int64) throws -> PriceTestRequest {
    let reader = try JSONObjectReader(try JSONValue.parse(body), path: "", allowed: fields)
    let item = try reader.string("item")
    guard !item.isEmpty else { throw APIError.badRequest("invalid_value", "item must not be empty", field: "item") }
    var levels: [Double]?
    switch reader.fields["levels"] {
    case nil, .string("auto"): levels = nil
    case .array(let values):
      guard values.count <= PriceTestOptions.maxLevels else {
        throw APIError.badRequest(
          "invalid_value", "at most \(PriceTestOptions.maxLevels) levels, the current price included", field: "levels")
      }
      var prices: [Double] = []
      for (index, value) in values.enumerated() {
        guard case .number(let price) = value else {
          throw APIError.badRequest(
            "wrong_type", "levels[\(index)] must be a number, got \(value.typeName)", field: "levels[\(index)]")
        }
        guard price > 0 && price.isFinite else {
          throw APIError.badRequest("invalid_value", "a price must be positive", field: "levels[\(index)]")
        }
        prices.append(price)
      }
      guard !prices.isEmpty else {
        throw APIError.badRequest("invalid_value", "give at least one price, or \"auto\"", field: "levels")
      }
      levels = prices
    case .some(let other):
      throw APIError.badRequest(
        "wrong_type", "levels must be an array of prices or \"auto\", got \(other.typeName)", field: "levels")
    }
    let count = try reader.optionalInteger("level_count") ?? 5
    guard (2...Int64(PriceTestOptions.maxLevels)).contains(count) else {
      throw APIError.badRequest(
        "invalid_value", "level_count must be between 2 and \(PriceTestOptions.maxLevels)", field: "level_count")
    }
    let budget = try reader.optionalNumber("profit_at_risk_budget")
    if let budget, !(budget >= 0 && budget.isFinite) {
      throw APIError.badRequest("invalid_value", "profit_at_risk_budget must be ≥ 0", field: "profit_at_risk_budget")
    }
    let start = try reader.optionalInteger("start") ?? now
    let end = try reader.optionalInteger("end")
    if let end, end <= start { throw APIError.badRequest("invalid_value", "end must be after start", field: "end") }
    let id = try reader.optionalString("id", maxLength: 64)
    if let id, id.isEmpty { throw APIError.badRequest("invalid_value", "id must not be empty", field: "id") }
    let policy = try reader.optionalString("policy", maxLength: 16) ?? PriceTestRequest.Policy.thompson.rawValue
    guard let parsedPolicy = PriceTestRequest.Policy(rawValue: policy) else {
      throw APIError.badRequest(
        "invalid_value", "policy must be \"thompson\" or \"uniform\", got \"\(policy)\"", field: "policy")
    }
    return PriceTestRequest(
      id: id, item: item, levels: levels, levelCount: Int(count), profitAtRiskBudget: budget, start: start, end: end,
      policy: parsedPolicy)
  }
}
