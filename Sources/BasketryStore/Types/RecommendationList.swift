/// One list of recommended items shown to a user, stored as one row however many items it holds.
///
/// Every item of the list has its own recommendation id, which a client sends back with the events it causes:
/// the list's ``id`` (the ids' common first ``idPrefixLength`` characters) followed by the eight lowercase hex
/// digits of `firstSequence + position` (modulo 2³²). ``itemID(at:)`` builds it; ``position(of:)`` inverts it.
/// Experiment tallies count each item of a list as one impression.
public struct RecommendationList: Sendable, Hashable, Codable {
  /// Characters the list id has: the recommendation ids' length (36) minus the eight sequence digits.
  public static let idPrefixLength = 28

  /// The list id: the shared prefix of its items' recommendation ids.
  public var id: String
  /// The sequence number carried by the first item's id (the others follow it).
  public var firstSequence: UInt32
  /// Experiment, if the user was in one.
  public var experimentID: String?
  /// Variant name, if in an experiment.
  public var variant: String?
  /// User pseudonym.
  public var user: String
  /// The recommended items, best first.
  public var items: [String]
  /// The model version that ranked the list (nil without a model).
  public var modelVersion: Int64?
  /// Unix seconds.
  public var timestamp: Int64

  /// Creates a list.
  public init(
    id: String, firstSequence: UInt32, experimentID: String?, variant: String?, user: String, items: [String],
    modelVersion: Int64?, timestamp: Int64
  ) {
    self.id = id
    self.firstSequence = firstSequence
    self.experimentID = experimentID
    self.variant = variant
    self.user = user
    self.items = items
    self.modelVersion = modelVersion
    self.timestamp = timestamp
  }

  /// The recommendation id of the item at `position`.
  public func itemID(at position: Int) -> String {
    ListIDs.itemID(list: id, first: firstSequence, position: position)
  }

  /// The position in this list of the item a recommendation id names, or nil when the id is not one of its items'.
  public func position(of recommendationID: String) -> Int? {
    ListIDs.position(of: recommendationID, list: id, first: firstSequence, count: items.count)
  }
}

/// The recommendation ids of a stored list's entries: the list id followed by the eight lowercase hex digits of
/// the list's first sequence number plus the position (modulo 2³²).
enum ListIDs {
  /// The id of the entry at `position`.
  static func itemID(list: String, first: UInt32, position: Int) -> String {
    let sequence = first &+ UInt32(truncatingIfNeeded: position)
    let digits = String(sequence, radix: 16)
    return list + String(repeating: "0", count: 8 - digits.count) + digits
  }

  /// The position of the entry an id names, or nil when it is not one of the list's `count` entries.
  static func position(of recommendationID: String, list: String, first: UInt32, count: Int) -> Int? {
    guard recommendationID.utf8.count == list.utf8.count + 8, recommendationID.hasPrefix(list),
      let sequence = UInt32(recommendationID.suffix(8), radix: 16)
    else { return nil }
    let position = Int(sequence &- first)
    return position < count ? position : nil
  }
}
