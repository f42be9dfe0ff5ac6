/// Maps external string ids (stock codes, customer ids) to dense `Int32` ids and back.
///
/// Dense ids index columnar arrays everywhere in Basketry: an item's attributes, a
/// row of a sparse matrix, a slot of a count table. Ids are assigned in first-seen order.
public struct Interner: Sendable, Hashable, Codable {
  /// External ids by dense id.
  public private(set) var strings: [String]
  private var index: [String: Int32]

  /// Creates an empty interner.
  public init() {
    strings = []
    index = [:]
  }

  /// Creates an interner from external ids in dense-id order; duplicates keep their first id.
  public init<S: Sequence>(_ ids: S) where S.Element == String {
    self.init()
    for id in ids { intern(id) }
  }

  /// Number of distinct ids.
  public var count: Int { strings.count }

  /// Returns the dense id of `string`, assigning the next free id if it is new.
  /// - Complexity: O(1) amortised (one hash lookup).
  @discardableResult
  public mutating func intern(_ string: String) -> Int32 {
    if let id = index[string] { return id }
    let id = Int32(strings.count)
    strings.append(string)
    index[string] = id
    return id
  }

  /// The dense id of `string`, or `nil` if it was never interned.
  public func id(of string: String) -> Int32? { index[string] }

  /// The external id for a dense id.
  public subscript(id: Int32) -> String { strings[Int(id)] }

  // MARK: - Codable (only the strings are stored; the index is rebuilt)

  private enum CodingKeys: String, CodingKey { case strings }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(try container.decode([String].self, forKey: .strings))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(strings, forKey: .strings)
  }

  public static func == (lhs: Interner, rhs: Interner) -> Bool { lhs.strings == rhs.strings }
  public func hash(into hasher: inout Hasher) { hasher.combine(strings) }
}
