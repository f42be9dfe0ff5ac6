import BasketryCore
import BasketryModels
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
  static let variantFields: Set<String> = ["name", "weight", "policy", "discount", "model_version", "campaign"]

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
      var campaign: Campaign?
      if let value = variant.fields["campaign"] {
        campaign = try CampaignParsing.campaign(value, path: path + ".campaign", limitRequired: false)
      }
      variants.append(
        ExperimentVariant(
          name: variantName, weight: weight, policy: policy, discount: discount, modelVersion: modelVersion,
          campaign: campaign))
    }
    if let treated = variants.firstIndex(where: { $0.campaign != nil }) {
      // A campaign experiment: the first variant is the hold-out, and every treated variant promotes one target.
      if variants[0].campaign != nil {
        throw APIError.badRequest(
          "invalid_value", "the first variant of a campaign experiment is the hold-out and has no campaign",
          field: "variants[0].campaign")
      }
      for (index, variant) in variants.enumerated() {
        guard let campaign = variant.campaign, let first = variants[treated].campaign else { continue }
        if !CampaignParsing.sameTarget(campaign.target, first.target) {
          throw APIError.badRequest(
            "invalid_value", "every treated variant of a campaign experiment promotes the same category or items",
            field: "variants[\(index)].campaign")
        }
      }
    }
    let start = try reader.optionalInteger("start") ?? now
    let end = try reader.optionalInteger("end")
    if let end, end <= start { throw APIError.badRequest("invalid_value", "end must be after start", field: "end") }
    let id = try reader.optionalString("id", maxLength: 64) ?? "exp-" + UUID().uuidString.lowercased().prefix(8)
    return Experiment(id: id, name: name, variants: variants, start: start, end: end, createdAt: now)
  }
}

/// Parses POST /v1/campaigns bodies and the `campaign` of experiment variants.
///
/// A campaign names one of `category` (a catalogue category) and `items` (item ids), one of `discount` (a
/// fraction in (0, 1)) and `coupon` (an amount > 0), and one of `budget` (expected coupon spend > 0) and
/// `audience_size` (customers ≥ 1); optionally `redemption_rate` in [0, 1] (default 1). A request adds `k` (at
/// most this many audience members listed, default 100) and `experiment` (a campaign experiment whose variants
/// randomise this audience; it then defines the target and incentive).
public enum CampaignParsing {
  static let campaignFields: Set<String> = [
    "category", "items", "discount", "coupon", "budget", "audience_size", "redemption_rate",
  ]
  static let requestFields = campaignFields.union(["k", "experiment"])

  /// A campaign request: the campaign (nil when an experiment defines it), the limit override and the options.
  public struct Request: Sendable, Hashable {
    /// The campaign, or nil when ``experiment`` defines it.
    public var campaign: Campaign?
    /// The limit given in the body (with an experiment, it replaces the experiment's).
    public var limit: Campaign.Limit?
    /// How many audience members to list (with an experiment, only those listed are randomised and logged).
    public var k: Int
    /// The campaign experiment that randomises the audience.
    public var experiment: String?
  }

  /// Parses a request body.
  /// - Throws: ``APIError`` (400) naming the bad field.
  public static func parse(_ body: [UInt8]) throws -> Request {
    let root = try JSONValue.parse(body)
    let reader = try JSONObjectReader(root, path: "", allowed: requestFields)
    let k = try reader.optionalInteger("k") ?? 100
    guard (1...10_000).contains(k) else {
      throw APIError.badRequest("invalid_value", "k must be an integer in 1…10000", field: "k")
    }
    if let experiment = try reader.optionalString("experiment", maxLength: 64) {
      for field in ["category", "items", "discount", "coupon", "redemption_rate"] where reader.fields[field] != nil {
        throw APIError.badRequest(
          "invalid_value", "the experiment defines the campaign's target and incentive; leave out \(field)",
          field: field)
      }
      return Request(
        campaign: nil, limit: try limit(reader, path: "", required: false), k: Int(k), experiment: experiment)
    }
    let campaign = try campaign(root, path: "", limitRequired: true, allowed: requestFields)
    return Request(campaign: campaign, limit: campaign.limit, k: Int(k), experiment: nil)
  }

  /// Parses a campaign object.
  /// - Parameters:
  ///   - value: the object.
  ///   - path: its path in the body, for error fields.
  ///   - limitRequired: whether `budget` or `audience_size` must be given (else an audience of 1,000).
  ///   - allowed: the fields the object may hold.
  /// - Throws: ``APIError`` (400) naming the bad field.
  static func campaign(
    _ value: JSONValue, path: String, limitRequired: Bool, allowed: Set<String> = campaignFields
  ) throws -> Campaign {
    let reader = try JSONObjectReader(value, path: path, allowed: allowed)
    func field(_ name: String) -> String { JSONObjectReader.join(path, name) }
    let target: Campaign.Target
    switch (reader.fields["category"] != nil, reader.fields["items"] != nil) {
    case (true, true):
      throw APIError.badRequest("invalid_value", "give category or items, not both", field: field("items"))
    case (false, false):
      throw APIError.badRequest(
        "missing_field", "give the campaign's category or its items", field: field("category"))
    case (true, false):
      let name = try reader.string("category").trimmingCharacters(in: .whitespaces)
      guard (1...256).contains(name.count) else {
        throw APIError.badRequest("invalid_value", "category must be 1–256 characters", field: field("category"))
      }
      target = .category(name)
    case (false, true):
      let items = try reader.optionalStrings("items") ?? []
      guard (1...1000).contains(items.count) else {
        throw APIError.badRequest("invalid_value", "items must list 1–1000 item ids", field: field("items"))
      }
      for (index, item) in items.enumerated() {
        guard !item.isEmpty else {
          throw APIError.badRequest("invalid_value", "item ids are not empty", field: field("items[\(index)]"))
        }
        try ItemIDRules.check(item, field: field("items[\(index)]"))
      }
      target = .items(items)
    }
    let discount = try reader.optionalNumber("discount")
    let coupon = try reader.optionalNumber("coupon")
    let offer: Campaign.Offer
    switch (discount, coupon) {
    case (.some, .some):
      throw APIError.badRequest("invalid_value", "give discount or coupon, not both", field: field("coupon"))
    case (nil, nil):
      throw APIError.badRequest(
        "missing_field", "give a discount (fraction) or a coupon (amount)", field: field("discount"))
    case (let d?, nil):
      guard d > 0 && d < 1 else {
        throw APIError.badRequest("invalid_value", "discount must be a fraction in (0, 1)", field: field("discount"))
      }
      offer = .discount(d)
    case (nil, let c?):
      guard c > 0 && c.isFinite else {
        throw APIError.badRequest("invalid_value", "coupon must be an amount > 0", field: field("coupon"))
      }
      offer = .coupon(c)
    }
    let rate = try reader.optionalNumber("redemption_rate") ?? 1
    guard (0...1).contains(rate) else {
      throw APIError.badRequest(
        "invalid_value", "redemption_rate must be in [0, 1]", field: field("redemption_rate"))
    }
    let limit = try limit(reader, path: path, required: limitRequired) ?? .audience(1000)
    do {
      return try Campaign(target: target, offer: offer, limit: limit, redemptionRate: rate)
    } catch let error as UpliftError {
      throw APIError.badRequest("invalid_value", error.message, field: path.isEmpty ? nil : path)
    }
  }

  /// The `budget` or `audience_size` of an object.
  /// - Throws: ``APIError`` (400) naming the bad field.
  static func limit(_ reader: JSONObjectReader, path: String, required: Bool) throws -> Campaign.Limit? {
    func field(_ name: String) -> String { JSONObjectReader.join(path, name) }
    let budget = try reader.optionalNumber("budget")
    let size = try reader.optionalInteger("audience_size")
    switch (budget, size) {
    case (.some, .some):
      throw APIError.badRequest("invalid_value", "give budget or audience_size, not both", field: field("budget"))
    case (nil, nil):
      guard !required else {
        throw APIError.badRequest(
          "missing_field", "give a budget (expected coupon spend) or an audience_size", field: field("budget"))
      }
      return nil
    case (let b?, nil):
      guard b > 0 && b.isFinite else {
        throw APIError.badRequest("invalid_value", "budget must be an amount > 0", field: field("budget"))
      }
      return .budget(b)
    case (nil, let n?):
      guard (1...1_000_000).contains(n) else {
        throw APIError.badRequest(
          "invalid_value", "audience_size must be an integer in 1…1000000", field: field("audience_size"))
      }
      return .audience(Int(n))
    }
  }

  /// Whether two targets promote the same thing (categories compared without case, item lists as sets).
  public static func sameTarget(_ a: Campaign.Target, _ b: Campaign.Target) -> Bool {
    switch (a, b) {
    case (.category(let x), .category(let y)): x.lowercased() == y.lowercased()
    case (.items(let x), .items(let y)): Set(x) == Set(y)
    default: false
    }
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
