/// The shop's items: dense ids and their attributes, column by column.
public struct Catalog: Sendable, Hashable, Codable {
  /// External item ids (stock codes, SKUs) ↔ dense ids.
  public private(set) var ids: Interner
  /// Attributes by dense item id; always `ids.count` long.
  public private(set) var attributes: [ItemAttributes]

  /// Creates an empty catalog.
  public init() {
    ids = Interner()
    attributes = []
  }

  /// Number of items.
  public var count: Int { ids.count }

  /// Returns the dense id of `externalID`, adding an item with empty attributes if new.
  @discardableResult
  public mutating func intern(_ externalID: String) -> Int32 {
    let id = ids.intern(externalID)
    if Int(id) == attributes.count { attributes.append(ItemAttributes()) }
    return id
  }

  /// The dense id of an external item id, if known.
  public func id(of externalID: String) -> Int32? { ids.id(of: externalID) }

  /// The external id of a dense item id.
  public func externalID(_ id: Int32) -> String { ids[id] }

  /// Attributes of a dense item id.
  public subscript(id: Int32) -> ItemAttributes {
    get { attributes[Int(id)] }
    set { attributes[Int(id)] = newValue }
  }

  /// A display name: the title when known, else the external id.
  public func displayName(_ id: Int32) -> String {
    if let title = attributes[Int(id)].title, !title.isEmpty { return title }
    return ids[id]
  }
}
