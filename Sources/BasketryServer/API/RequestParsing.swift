import BasketryCore
import BasketryStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// Parses POST /v1/events bodies: one event object, an array of them, or `{"events": [...]}`.
public enum EventParsing {
  static let fields: Set<String> = [
    "event_id", "user", "item", "type", "value", "price", "timestamp", "session", "recommendation_id",
  ]
  static let types: Set<String> = ["view", "cart", "purchase", "return"]

  /// Parses and validates a body.
  /// - Throws: ``APIError`` naming the bad field (e.g. `events[3].price`).
  public static func parse(_ body: [UInt8], maxBatch: Int) throws -> [EventInput] {
    let root = try JSONValue.parse(body)
    let elements: [(JSONValue, String)]
    switch root {
    case .array(let items): elements = items.enumerated().map { ($1, "events[\($0)]") }
    case .object(let fields) where fields["events"] != nil:
      let reader = try JSONObjectReader(root, path: "", allowed: ["events"])
      guard let items = try reader.optionalArray("events") else {
        throw APIError.badRequest("missing_field", "field 'events' is required", field: "events")
      }
      elements = items.enumerated().map { ($1, "events[\($0)]") }
    case .object: elements = [(root, "")]
    default:
      throw APIError.badRequest("wrong_type", "expected an event object or an array of events, got \(root.typeName)")
    }
    guard !elements.isEmpty else { throw APIError.badRequest("empty_batch", "no events given", field: "events") }
    guard elements.count <= maxBatch else {
      throw APIError(
        status: .contentTooLarge, code: "batch_too_large",
        message: "at most \(maxBatch) events per request, got \(elements.count)", field: "events")
    }
    return try elements.map { try event($0.0, path: $0.1) }
  }

  static func event(_ value: JSONValue, path: String) throws -> EventInput {
    let reader = try JSONObjectReader(value, path: path, allowed: fields)
    let typeName = try reader.string("type").lowercased()
    guard types.contains(typeName) else {
      throw APIError.badRequest(
        "invalid_value", "type must be view, cart, purchase or return", field: JSONObjectReader.join(path, "type"))
    }
    let value = try reader.optionalNumber("value") ?? 1
    let price = try reader.optionalNumber("price")
    if let price, price < 0 {
      throw APIError.badRequest("invalid_value", "price must be ≥ 0", field: JSONObjectReader.join(path, "price"))
    }
    let timestamp = try reader.optionalInteger("timestamp")
    if let timestamp, timestamp < 0 {
      throw APIError.badRequest(
        "invalid_value", "timestamp must be Unix seconds ≥ 0", field: JSONObjectReader.join(path, "timestamp"))
    }
    let item = try reader.string("item")
    try ItemIDRules.check(item, field: JSONObjectReader.join(path, "item"))
    return EventInput(
      eventID: try reader.optionalString("event_id"), user: try reader.string("user"), item: item,
      type: EventType(rawValue: typeName), value: value, price: price, timestamp: timestamp,
      session: try reader.optionalString("session"), recommendationID: try reader.optionalString("recommendation_id"))
  }
}

/// Parses GET /v1/bundles query parameters: `item`, `cart` (repeated or comma-separated), `user`, `k` (1–50,
/// default 3) and `session`.
public enum BundleQueryParsing {
  /// The query parameters GET /v1/bundles accepts.
  static let parameters: Set<String> = ["user", "item", "cart", "k", "session"]

  /// Parses and validates the query parameters of a request.
  /// - Throws: ``APIError`` naming the parameter: an unknown one, `k` out of range, or none of item, cart and user.
  public static func parse(_ query: FlatDictionary<Substring, Substring>) throws -> BundleQuery {
    try Routes.checkQuery(query, allowed: parameters)
    let k = try Routes.intParameter(query, "k", default: 3, range: 1...50)
    let cart = query.getAll("cart").flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
    let item = query.get("item").flatMap { $0.isEmpty ? nil : $0 }
    let user = query.get("user").flatMap { $0.isEmpty ? nil : $0 }
    guard item != nil || !cart.isEmpty || user != nil else {
      throw APIError.badRequest("missing_parameter", "give item, cart or user", field: "item")
    }
    return BundleQuery(user: user, item: item, cart: cart, k: k, session: query.get("session"))
  }
}

/// Parses PUT /v1/items/{id} bodies.
public enum ItemParsing {
  static let fields: Set<String> = ["id", "title", "category", "price", "cost", "stock", "hidden", "expires_at"]

  /// Parses an item; `id`, if present, must equal the path id.
  /// - Throws: ``APIError`` naming the bad field.
  public static func parse(_ body: [UInt8], id: String) throws -> CatalogItem {
    let reader = try JSONObjectReader(try JSONValue.parse(body), path: "", allowed: fields)
    if let bodyID = try reader.optionalString("id"), bodyID != id {
      throw APIError.badRequest("invalid_value", "id in the body differs from the path", field: "id")
    }
    var category: [String] = []
    if case .string(let path)? = reader.fields["category"] {
      category = path.split(separator: ">").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    } else {
      category = try reader.optionalStrings("category") ?? []
    }
    let price = try reader.optionalNumber("price")
    let cost = try reader.optionalNumber("cost")
    for (name, number) in [("price", price), ("cost", cost)] {
      if let number, number < 0 { throw APIError.badRequest("invalid_value", "\(name) must be ≥ 0", field: name) }
    }
    let stock = try reader.optionalInteger("stock")
    return CatalogItem(
      id: id, title: try reader.optionalString("title", maxLength: 1000), category: category, price: price, cost: cost,
      stock: stock.map { Int($0) }, hidden: try reader.optionalBool("hidden") ?? false,
      expiresAt: try reader.optionalInteger("expires_at"))
  }
}

/// Parses POST /v1/experiments bodies.
public enum ExperimentParsing {
  static let fields: Set<String> = ["id", "name", "variants", "start", "end"]
  static let variantFields: Set<String> = ["name", "weight", "policy", "discount", "model_version"]

  /// Parses an experiment.
  /// - Throws: ``APIError`` naming the bad field.
  public static func parse(_ body: [UInt8], now: Int64) throws -> Experiment {
    let reader = try JSONObjectReader(try JSONValue.parse(body), path: "", allowed: fields)
    let name = try reader.string("name")
    guard let variantValues = try reader.optionalArray("variants"), variantValues.count >= 2 else {
      throw APIError.badRequest(
        "invalid_value", "give at least two variants (the first is the control)", field: "variants")
    }
    var variants: [ExperimentVariant] = []
    for (index, value) in variantValues.enumerated() {
      let path = "variants[\(index)]"
      let variant = try JSONObjectReader(value, path: path, allowed: variantFields)
      let variantName = try variant.string("name")
      guard !variants.contains(where: { $0.name == variantName }) else {
        throw APIError.badRequest("invalid_value", "variant names must be unique", field: path + ".name")
      }
      let weight = try variant.optionalNumber("weight") ?? 1
      guard weight > 0 else {
        throw APIError.badRequest("invalid_value", "weight must be > 0", field: path + ".weight")
      }
      let policy = try variant.optionalString("policy") ?? "bandit"
      guard ["bandit", "model", "fixed"].contains(policy) else {
        throw APIError.badRequest("invalid_value", "policy must be bandit, model or fixed", field: path + ".policy")
      }
      let discount = try variant.optionalNumber("discount")
      if let discount, !(0..<1).contains(discount) {
        throw APIError.badRequest("invalid_value", "discount must be in [0, 1)", field: path + ".discount")
      }
      if policy == "fixed" && discount == nil {
        throw APIError.badRequest("missing_field", "a fixed policy needs a discount", field: path + ".discount")
      }
      let modelVersion = try variant.optionalInteger("model_version")
      if let modelVersion, modelVersion < 1 {
        throw APIError.badRequest(
          "invalid_value", "model_version must be a published model version (1 or more)", field: path + ".model_version"
        )
      }
      variants.append(
        ExperimentVariant(
          name: variantName, weight: weight, policy: policy, discount: discount, modelVersion: modelVersion))
    }
    let start = try reader.optionalInteger("start") ?? now
    let end = try reader.optionalInteger("end")
    if let end, end <= start { throw APIError.badRequest("invalid_value", "end must be after start", field: "end") }
    let id = try reader.optionalString("id", maxLength: 64) ?? "exp-" + UUID().uuidString.lowercased().prefix(8)
    return Experiment(id: id, name: name, variants: variants, start: start, end: end, createdAt: now)
  }
}

/// What an item id may hold: its characters must not collide with the separators Basketry uses around ids
/// (`+` joins a bundle's items, `,` separates a cart's in a query, tab and line breaks separate fields and lines
/// of exported rankings).
public enum ItemIDRules {
  /// Characters an item id must not contain.
  public static let forbidden: Set<Character> = ["+", ","]

  /// Checks an item id.
  /// - Throws: ``APIError`` (400, `invalid_value`) naming `field` and the character.
  public static func check(_ id: String, field: String) throws {
    if let bad = id.first(where: {
      forbidden.contains($0) || $0.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }) {
      let shown =
        bad.unicodeScalars.first.map {
          $0.properties.generalCategory == .control ? "U+" + String($0.value, radix: 16, uppercase: true) : String(bad)
        } ?? "?"
      throw APIError.badRequest(
        "invalid_value", "item ids may not contain '\(shown)' (it separates ids in bundle keys, carts and exports)",
        field: field)
    }
  }
}
