import Foundation

/// The bundle offers of one response, stored as one row however many offers it holds (one row per offer cost
/// the store a B-tree insert per index for every offer shown).
///
/// Each offer keeps its own recommendation id, built as a ``RecommendationList``'s items' are: the list's ``id``
/// (the ids' common first ``RecommendationList/idPrefixLength`` characters) followed by the eight lowercase hex
/// digits of `firstSequence + position`. Everything an offer's ``Impression`` holds is here: the fields the
/// offers share once, the rest per offer. Reads (``Store/impression(id:)``, experiment impressions and tallies,
/// the replay log, erasure) see each offer as the impression it stands for.
public struct OfferList: Sendable, Hashable, Codable {
  /// What differs between the offers of one response.
  public struct Offer: Sendable, Hashable, Codable {
    /// Bundle key (item ids joined by `+`).
    public var key: String
    /// Discount level index chosen by the bandit (−1 if none).
    public var arm: Int
    /// Discount offered.
    public var discount: Double
    /// Offered price.
    public var price: Double
    /// Margin at the offered price.
    public var margin: Double
    /// Probability the logging policy chose this arm.
    public var propensity: Double

    /// Creates an offer.
    public init(key: String, arm: Int, discount: Double, price: Double, margin: Double, propensity: Double) {
      self.key = key
      self.arm = arm
      self.discount = discount
      self.price = price
      self.margin = margin
      self.propensity = propensity
    }

    private enum CodingKeys: String, CodingKey {
      case key = "k"
      case arm = "a"
      case discount = "d"
      case price = "p"
      case margin = "m"
      case propensity = "q"
    }
  }

  /// The list id: the shared prefix of its offers' recommendation ids.
  public var id: String
  /// The sequence number carried by the first offer's id (the others follow it).
  public var firstSequence: UInt32
  /// Experiment, if the user was in one.
  public var experimentID: String?
  /// Variant name, if in an experiment.
  public var variant: String?
  /// User pseudonym.
  public var user: String
  /// Session (or the user pseudonym when none was given).
  public var session: String
  /// The offers' kind (`bundle`).
  public var kind: String
  /// The offers, in the order shown.
  public var offers: [Offer]
  /// Unix seconds.
  public var timestamp: Int64

  /// Creates a list.
  public init(
    id: String, firstSequence: UInt32, experimentID: String?, variant: String?, user: String, session: String,
    kind: String, offers: [Offer], timestamp: Int64
  ) {
    self.id = id
    self.firstSequence = firstSequence
    self.experimentID = experimentID
    self.variant = variant
    self.user = user
    self.session = session
    self.kind = kind
    self.offers = offers
    self.timestamp = timestamp
  }

  /// The recommendation id of the offer at `position`.
  public func offerID(at position: Int) -> String {
    ListIDs.itemID(list: id, first: firstSequence, position: position)
  }

  /// The position in this list of the offer a recommendation id names, or nil when it is not one of its offers'.
  public func position(of recommendationID: String) -> Int? {
    ListIDs.position(of: recommendationID, list: id, first: firstSequence, count: offers.count)
  }

  /// The impression the offer at `position` stands for.
  public func impression(at position: Int) -> Impression {
    let offer = offers[position]
    return Impression(
      recommendationID: offerID(at: position), experimentID: experimentID, variant: variant, user: user,
      session: session, kind: kind, key: offer.key, arm: offer.arm, discount: offer.discount, price: offer.price,
      margin: offer.margin, propensity: offer.propensity, timestamp: timestamp)
  }

  /// Every offer as its impression, in the order shown.
  public var impressions: [Impression] { offers.indices.map(impression(at:)) }

  /// The offers as the stored JSON text: an array of objects with one-letter keys (`k` key, `a` arm, `d`
  /// discount, `p` price, `m` margin, `q` propensity), written by hand (this runs for every response served).
  /// Non-finite numbers, which offers never carry, are written as 0.
  public var encodedOffers: String {
    var bytes: [UInt8] = [UInt8(ascii: "[")]
    bytes.reserveCapacity(offers.count * 96 + 2)
    for (index, offer) in offers.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      bytes.append(contentsOf: #"{"k":"#.utf8)
      StoreJSON.appendString(offer.key, to: &bytes)
      bytes.append(contentsOf: #","a":"#.utf8)
      bytes.append(contentsOf: String(offer.arm).utf8)
      bytes.append(contentsOf: #","d":"#.utf8)
      StoreJSON.appendNumber(offer.discount, to: &bytes)
      bytes.append(contentsOf: #","p":"#.utf8)
      StoreJSON.appendNumber(offer.price, to: &bytes)
      bytes.append(contentsOf: #","m":"#.utf8)
      StoreJSON.appendNumber(offer.margin, to: &bytes)
      bytes.append(contentsOf: #","q":"#.utf8)
      StoreJSON.appendNumber(offer.propensity, to: &bytes)
      bytes.append(UInt8(ascii: "}"))
    }
    bytes.append(UInt8(ascii: "]"))
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Decodes ``encodedOffers``.
  /// - Throws: ``StoreError`` (corrupt) when the text is not such an array.
  public static func decodeOffers(_ text: String, operation: String) throws -> [Offer] {
    try StoreJSON.decode([Offer].self, from: text, operation: operation)
  }
}
