import BasketryBundles
import BasketryCore
import BasketryOnline
import BasketrySemantic

/// Stand-ins for an item without sales, found by title similarity: the items with sales whose titles are
/// nearest to its own (sentence-encoder cosine), so the service can borrow their complements and bundle partners.
public struct TitleNeighbors: Sendable, Hashable, Codable {
  /// A similar item with sales.
  public struct Entry: Sendable, Hashable, Codable {
    /// External item id.
    public var item: String
    /// Cosine similarity of the two titles' embeddings.
    public var similarity: Double

    /// Creates an entry.
    public init(item: String, similarity: Double) {
      self.item = item
      self.similarity = similarity
    }
  }

  /// A bundle partner borrowed from the similar items' complements.
  public struct Partner: Sendable, Hashable, Codable {
    /// The partner as the catalogue describes it (price and cost, for pricing the pair).
    public var item: BundleItem
    /// Σ similarity · complement score over the similar items, divided by Σ similarity.
    public var score: Double
    /// The similar item contributing most, whose complement the partner is.
    public var via: String

    /// Creates a partner.
    public init(item: BundleItem, score: Double, via: String) {
      self.item = item
      self.score = score
      self.via = via
    }
  }

  /// The item without sales as the catalogue describes it (price and cost, for pricing borrowed bundles).
  public var item: BundleItem
  /// Items with sales, most similar first.
  public var neighbors: [Entry]
  /// Complements borrowed from ``neighbors`` (``ColdStart/borrowedPartners(neighbours:partners:)``), best first.
  public var partners: [Partner]

  /// Creates title neighbours.
  public init(item: BundleItem, neighbors: [Entry], partners: [Partner] = []) {
    self.item = item
    self.neighbors = neighbors
    self.partners = partners
  }

  /// Most items without sales whose titles are encoded at training time (catalogue order), and most items with
  /// sales they are compared with (best sellers first): about 10,000 titles in all, ≈ 30 s on 2 cores.
  public static let maxColdItems = 5_000
  /// Most items with sales whose titles are encoded (the best sellers).
  public static let maxWarmItems = 5_000
  /// Neighbours kept per item without sales.
  public static let neighborsPerItem = 10

  /// Title neighbours for every catalogue item without sales that has a title (at most ``maxColdItems``, in
  /// catalogue order), among items with sales and titles, with bundle partners borrowed from their complements.
  /// - Parameters:
  ///   - dataset: the shop's data (catalogue titles, prices and costs).
  ///   - sales: per dense item id, its sales (users or orders with it; 0: none).
  ///   - complements: each sold item's complements (co-purchase neighbours), by external id.
  ///   - encoder: the sentence encoder.
  ///   - assumedMargin: the margin assumed for items without a cost.
  /// - Returns: by external item id; empty when no item lacks sales or none has sales.
  /// - Complexity: encoding every titled item (a transformer pass each) plus O(cold · warm · d).
  public static func build(
    dataset: Dataset, sales: [Int], complements: [String: [Neighbor]], encoder: SentenceEncoder,
    assumedMargin: Double
  ) -> [String: TitleNeighbors] {
    let catalog = dataset.catalog
    var cold: [Int32] = []
    var warm: [Int32] = []
    for item in 0..<catalog.count {
      guard let title = catalog[Int32(item)].title, !title.isEmpty else { continue }
      if item < sales.count, sales[item] > 0 {
        warm.append(Int32(item))
      } else if cold.count < maxColdItems {
        cold.append(Int32(item))
      }
    }
    guard !cold.isEmpty, !warm.isEmpty else { return [:] }
    if warm.count > maxWarmItems {
      warm = Array(
        warm.sorted { sales[Int($0)] != sales[Int($1)] ? sales[Int($0)] > sales[Int($1)] : $0 < $1 }
          .prefix(maxWarmItems))
    }
    let rows = cold + warm
    let embeddings = encoder.encode(rows.map { catalog[$0].title ?? "" })
    let index = EmbeddingIndex(embeddings)
    let isWarm = rows.indices.map { $0 >= cold.count }
    let found = ColdStart.neighbours(of: Array(cold.indices), isWarm: isWarm, index: index, k: neighborsPerItem)
    func describe(_ item: Int32) -> BundleItem {
      let info = catalog[item]
      let price = info.price ?? 0
      return BundleItem(
        item: item, id: catalog.externalID(item), title: info.title ?? "", price: price,
        cost: info.cost ?? price * (1 - assumedMargin), costAssumed: info.cost == nil)
    }
    var result: [String: TitleNeighbors] = [:]
    for (position, item) in cold.enumerated() {
      let found = found[position]
      let entries = found.map { neighbour in
        Entry(item: catalog.externalID(rows[neighbour.row]), similarity: Double(neighbour.score))
      }
      guard !entries.isEmpty else { continue }
      // Partners by dense id; each remembers the similar item contributing most.
      var via: [Int: (item: String, contribution: Double)] = [:]
      let borrowed = ColdStart.borrowedPartners(neighbours: found) { row in
        let warm = catalog.externalID(rows[row])
        let similarity = Double(found.first { $0.row == row }?.score ?? 0)
        return (complements[warm] ?? []).compactMap { neighbor in
          guard let dense = catalog.id(of: neighbor.item), dense != item else { return nil }
          let contribution = similarity * neighbor.score
          if contribution > via[Int(dense)]?.contribution ?? -.infinity {
            via[Int(dense)] = (warm, contribution)
          }
          return (Int(dense), neighbor.score)
        }
      }
      let partners = borrowed.prefix(neighborsPerItem).map { partner in
        Partner(
          item: describe(Int32(partner.item)), score: partner.score, via: via[partner.item]?.item ?? entries[0].item)
      }
      result[catalog.externalID(item)] = TitleNeighbors(item: describe(item), neighbors: entries, partners: partners)
    }
    return result
  }
}
