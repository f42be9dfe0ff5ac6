/// A small JSON writer for the hot serving path (GET /v1/bundles): Foundation's JSONEncoder with
/// snake-case keys cost about a fifth of the endpoint's CPU time in profiles.
struct FastJSON {
  private(set) var bytes: [UInt8] = []

  init(capacity: Int = 2048) { bytes.reserveCapacity(capacity) }

  mutating func raw(_ text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  mutating func string(_ text: String) {
    bytes.append(0x22)
    let copied: Bool? = text.utf8.withContiguousStorageIfAvailable { units in
      escape(units)
      return true
    }
    if copied != true {
      var text = text
      text.withUTF8 { escape($0) }
    }
    bytes.append(0x22)
  }

  /// Appends UTF-8 with JSON escapes, copying the runs between escaped bytes at once.
  private mutating func escape(_ units: UnsafeBufferPointer<UInt8>) {
    var start = 0
    for index in units.indices {
      let unit = units[index]
      guard unit == 0x22 || unit == 0x5C || unit < 0x20 else { continue }
      if start < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: units[start..<index])) }
      start = index + 1
      switch unit {
      case 0x22:
        bytes.append(0x5C)
        bytes.append(0x22)
      case 0x5C:
        bytes.append(0x5C)
        bytes.append(0x5C)
      case 0x0A:
        bytes.append(0x5C)
        bytes.append(0x6E)
      case 0x0D:
        bytes.append(0x5C)
        bytes.append(0x72)
      case 0x09:
        bytes.append(0x5C)
        bytes.append(0x74)
      default:
        let hex: StaticString = "0123456789abcdef"
        hex.withUTF8Buffer { digits in
          bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, digits[Int(unit >> 4)], digits[Int(unit & 0xF)]])
        }
      }
    }
    if start < units.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: units[start...])) }
  }

  /// Appends bytes that are already JSON.
  mutating func encoded(_ json: [UInt8]) {
    bytes.append(contentsOf: json)
  }

  /// Appends an offer's items as a JSON array.
  mutating func items(_ items: [OfferItem]) {
    raw("[")
    for (position, item) in items.enumerated() {
      if position > 0 { raw(",") }
      raw("{\"id\":")
      string(item.id)
      raw(",\"price\":")
      number(item.price)
      raw(",\"title\":")
      string(item.title)
      raw("}")
    }
    raw("]")
  }

  mutating func optionalString(_ text: String?) {
    if let text { string(text) } else { raw("null") }
  }

  mutating func number(_ value: Double) {
    if value.isFinite {
      if value == value.rounded(), abs(value) < 1e15 {
        digits(Int64(value))
      } else {
        // The shortest text that reads back as the same Double (as `Codable` writes it).
        var text = value.description
        text.withUTF8 { bytes.append(contentsOf: $0) }
      }
    } else {
      raw("null")
    }
  }

  mutating func integer(_ value: Int64?) {
    if let value { digits(value) } else { raw("null") }
  }

  /// Appends an integer's decimal digits (no intermediate string).
  private mutating func digits(_ value: Int64) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    let start = bytes.count
    repeat {
      bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
      magnitude /= 10
    } while magnitude > 0
    bytes[start...].reverse()
  }
}

extension BundlesResponse {
  /// The response as JSON (same keys as the Codable form with snake-case keys, sorted).
  func fastJSON() -> [UInt8] {
    var json = FastJSON()
    json.raw("{\"bundles\":[")
    for (index, offer) in bundles.enumerated() {
      if index > 0 { json.raw(",") }
      json.raw("{\"discount\":")
      json.number(offer.discount)
      json.raw(",\"experiment\":")
      json.optionalString(offer.experiment)
      json.raw(",\"explanation\":")
      if let encoded = offer.encodedExplanation { json.encoded(encoded) } else { json.string(offer.explanation) }
      json.raw(",\"items\":")
      if let encoded = offer.encodedItems { json.encoded(encoded) } else { json.items(offer.items) }
      json.raw(",\"list_price\":")
      json.number(offer.listPrice)
      json.raw(",\"margin_rate\":")
      json.number(offer.marginRate)
      if let personal = offer.personal {
        json.raw(",\"personal\":")
        json.encoded(offer.encodedPersonal ?? personal.fastJSON())
      }
      json.raw(",\"policy\":")
      json.string(offer.policy)
      json.raw(",\"price\":")
      json.number(offer.price)
      json.raw(",\"recommendation_id\":")
      json.string(offer.recommendationId)
      json.raw(",\"source\":")
      json.string(offer.source)
      json.raw(",\"variant\":")
      json.string(offer.variant)
      json.raw("}")
    }
    json.raw("],\"model_version\":")
    json.integer(modelVersion)
    json.raw("}")
    return json.bytes
  }
}

extension PersonalBundleFit {
  /// The fit as a JSON object (the Codable form's keys, snake case, sorted).
  func fastJSON() -> [UInt8] {
    var json = FastJSON(capacity: 160)
    json.raw("{\"average_take_probability\":")
    json.number(averageTakeProbability)
    json.raw(",\"cannibalised_margin\":")
    json.number(cannibalisedMargin)
    json.raw(",\"expected_profit\":")
    json.number(expectedProfit)
    json.raw(",\"horizon_days\":")
    json.number(horizonDays)
    json.raw(",\"take_probability\":")
    json.number(takeProbability)
    json.raw("}")
    return json.bytes
  }
}

extension RecommendationsResponse {
  /// The response as JSON (same keys as the Codable form with snake-case keys, sorted).
  func fastJSON() -> [UInt8] {
    var json = FastJSON(capacity: 96 + recommendations.count * 240)
    json.raw("{\"model_version\":")
    json.integer(modelVersion)
    json.raw(",\"recommendations\":[")
    for (index, recommendation) in recommendations.enumerated() {
      if index > 0 { json.raw(",") }
      json.raw("{\"experiment\":")
      json.optionalString(recommendation.experiment)
      json.raw(",\"explanation\":")
      json.string(recommendation.explanation)
      json.raw(",\"item\":")
      json.string(recommendation.item)
      json.raw(",\"recommendation_id\":")
      json.string(recommendation.recommendationId)
      json.raw(",\"score\":")
      json.number(recommendation.score)
      json.raw(",\"title\":")
      json.string(recommendation.title)
      json.raw(",\"variant\":")
      json.string(recommendation.variant)
      json.raw("}")
    }
    json.raw("]}")
    return json.bytes
  }
}
