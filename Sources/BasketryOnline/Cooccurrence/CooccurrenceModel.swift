import BasketryCore

/// Item-to-item co-occurrence counts over baskets, updated one purchase at a time.
///
/// A basket is one order (or one shopping session). The model keeps, for every item, the
/// number of baskets that contain it, `count(a)`, and for every pair the number of baskets that
/// contain both, `count(a, b)`, plus the number of baskets `n`. From these it ranks an item's
/// neighbours:
/// - complements: items bought with `a`, scored by cosine similarity
///   `count(a, b) / √(count(a) · count(b))`, with lift `n · count(a, b) / (count(a) · count(b))`
///   and confidence `count(a, b) / count(a)` reported alongside;
/// - substitutes: items rarely bought with `a` (lift < 1 or never together) whose own
///   co-occurrence rows resemble `a`'s (cosine of the rows), i.e. bought *instead of* `a`.
///
/// Adding an item to a basket that already holds `m` distinct items costs O(m); removing a basket
/// of `m` items costs O(m²). Counts never go below zero.
public struct CooccurrenceModel: Sendable {
  /// Item ids ↔ dense ids.
  public private(set) var items: Interner
  /// Baskets containing each item, by dense id.
  public private(set) var itemCounts: [Int]
  /// Baskets containing both items, by dense id, stored symmetrically.
  public private(set) var pairCounts: [[Int32: Int]]
  /// Number of baskets.
  public private(set) var basketCount: Int

  /// Creates an empty model.
  public init() {
    items = Interner()
    itemCounts = []
    pairCounts = []
    basketCount = 0
  }

  // MARK: - Updates

  /// Records that `item` joined a basket that already held `partners` (distinct, excluding `item`).
  /// - Parameters:
  ///   - item: the item newly in the basket.
  ///   - partners: the basket's other distinct items before `item` arrived.
  ///   - newBasket: whether this is the basket's first item (then `partners` is empty).
  /// - Complexity: O(partners).
  public mutating func add(item: String, partners: [String], newBasket: Bool) {
    if newBasket { basketCount += 1 }
    let a = intern(item)
    itemCounts[Int(a)] += 1
    for partner in partners where partner != item {
      let b = intern(partner)
      pairCounts[Int(a)][b, default: 0] += 1
      pairCounts[Int(b)][a, default: 0] += 1
    }
  }

  /// Undoes one ``add(item:partners:newBasket:)`` (an erased purchase whose delta was applied).
  /// - Parameters:
  ///   - item: the item that had joined the basket.
  ///   - partners: the basket's other items at that time.
  ///   - newBasket: whether that item had started the basket.
  /// - Complexity: O(partners).
  public mutating func remove(item: String, partners: [String], newBasket: Bool) {
    if newBasket { basketCount = max(0, basketCount - 1) }
    let a = intern(item)
    itemCounts[Int(a)] = max(0, itemCounts[Int(a)] - 1)
    for partner in partners where partner != item {
      let b = intern(partner)
      for (x, y) in [(a, b), (b, a)] {
        let current = pairCounts[Int(x)][y, default: 0]
        pairCounts[Int(x)][y] = current > 1 ? current - 1 : nil
      }
    }
  }

  /// Adds a whole basket of distinct items.
  /// - Complexity: O(m²) for m items.
  public mutating func add(basket: [String]) {
    let distinct = Self.distinct(basket)
    guard !distinct.isEmpty else { return }
    for (position, item) in distinct.enumerated() {
      add(item: item, partners: Array(distinct[..<position]), newBasket: position == 0)
    }
  }

  /// Removes a whole basket of distinct items (the inverse of ``add(basket:)``).
  /// - Complexity: O(m²) for m items.
  public mutating func remove(basket: [String]) {
    let distinct = Self.distinct(basket)
    guard !distinct.isEmpty else { return }
    basketCount = max(0, basketCount - 1)
    let ids = distinct.map { intern($0) }
    for a in ids {
      itemCounts[Int(a)] = max(0, itemCounts[Int(a)] - 1)
      for b in ids where b != a {
        let current = pairCounts[Int(a)][b, default: 0]
        pairCounts[Int(a)][b] = current > 1 ? current - 1 : nil
      }
    }
  }

  // MARK: - Queries

  /// Baskets containing `item` (0 if unknown).
  public func count(_ item: String) -> Int {
    guard let a = items.id(of: item) else { return 0 }
    return itemCounts[Int(a)]
  }

  /// Baskets containing both items (0 if either is unknown).
  public func count(_ a: String, _ b: String) -> Int {
    guard let x = items.id(of: a), let y = items.id(of: b) else { return 0 }
    return pairCounts[Int(x)][y, default: 0]
  }

  /// The items bought most often with `item`, best first.
  /// - Parameters:
  ///   - item: the anchor item.
  ///   - k: how many to return.
  ///   - minCount: smallest co-occurrence count to consider. Default 1.
  ///   - isAllowed: a filter (e.g. hidden items); called once per candidate.
  /// - Returns: complements ranked by cosine, ties by count then id.
  /// - Complexity: O(d log d) for an item with d partners.
  public func complements(
    of item: String, k: Int, minCount: Int = 1, isAllowed: (String) -> Bool = { _ in true }
  ) -> [Neighbor] {
    guard let a = items.id(of: item), k > 0 else { return [] }
    let countA = Double(max(itemCounts[Int(a)], 1))
    let n = Double(max(basketCount, 1))
    var result: [Neighbor] = []
    for (b, together) in pairCounts[Int(a)] where together >= minCount {
      let id = items[b]
      guard isAllowed(id) else { continue }
      let countB = Double(max(itemCounts[Int(b)], 1))
      result.append(
        Neighbor(
          item: id, together: together, score: Double(together) / (countA * countB).squareRoot(),
          lift: n * Double(together) / (countA * countB), confidence: Double(together) / countA))
    }
    result.sort(by: Neighbor.ranksBefore)
    return Array(result.prefix(k))
  }

  /// Items bought instead of `item`: rarely together with it (lift < 1), but with similar partners.
  /// - Parameters:
  ///   - item: the anchor item.
  ///   - k: how many to return.
  ///   - isAllowed: a filter on candidates.
  /// - Returns: substitutes ranked by the cosine between co-occurrence rows.
  /// - Complexity: O(Σ partners of partners) over the anchor's top 50 partners.
  public func substitutes(of item: String, k: Int, isAllowed: (String) -> Bool = { _ in true }) -> [Neighbor] {
    guard let a = items.id(of: item), k > 0 else { return [] }
    let rowA = pairCounts[Int(a)]
    let normA = Self.norm(rowA)
    guard normA > 0 else { return [] }
    let n = Double(max(basketCount, 1))
    let countA = Double(max(itemCounts[Int(a)], 1))
    let topPartners = rowA.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(50)
    var candidates = Set<Int32>()
    for (partner, _) in topPartners {
      for (c, _) in pairCounts[Int(partner)] where c != a { candidates.insert(c) }
    }
    var result: [Neighbor] = []
    for c in candidates {
      let together = rowA[c, default: 0]
      let countC = Double(max(itemCounts[Int(c)], 1))
      let lift = n * Double(together) / (countA * countC)
      guard lift < 1 else { continue }
      let rowC = pairCounts[Int(c)]
      var dot = 0.0
      for (key, value) in rowC where key != a { dot += Double(value) * Double(rowA[key, default: 0]) }
      let normC = Self.norm(rowC)
      guard dot > 0, normC > 0 else { continue }
      let id = items[c]
      guard isAllowed(id) else { continue }
      result.append(
        Neighbor(
          item: id, together: together, score: dot / (normA * normC), lift: lift,
          confidence: Double(together) / countA))
    }
    result.sort(by: Neighbor.ranksBefore)
    return Array(result.prefix(k))
  }

  /// The most frequently bought items, best first.
  /// - Complexity: O(items log items).
  public func popular(k: Int, isAllowed: (String) -> Bool = { _ in true }) -> [(item: String, count: Int)] {
    var ranked: [(item: String, count: Int)] = []
    for (index, count) in itemCounts.enumerated() where count > 0 {
      let id = items[Int32(index)]
      if isAllowed(id) { ranked.append((id, count)) }
    }
    ranked.sort { $0.count > $1.count || ($0.count == $1.count && $0.item < $1.item) }
    return Array(ranked.prefix(k))
  }

  // MARK: - Helpers

  fileprivate mutating func intern(_ item: String) -> Int32 {
    let id = items.intern(item)
    if Int(id) == itemCounts.count {
      itemCounts.append(0)
      pairCounts.append([:])
    }
    return id
  }

  private static func norm(_ row: [Int32: Int]) -> Double {
    row.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
  }

  private static func distinct(_ basket: [String]) -> [String] {
    var seen = Set<String>()
    return basket.filter { seen.insert($0).inserted }
  }
}

/// A neighbouring item with the statistics it was ranked by.
public struct Neighbor: Sendable, Hashable, Codable {
  /// External item id.
  public var item: String
  /// Baskets containing both items.
  public var together: Int
  /// The ranking score (cosine; see ``CooccurrenceModel``).
  public var score: Double
  /// n · count(a, b) / (count(a) · count(b)).
  public var lift: Double
  /// count(a, b) / count(a).
  public var confidence: Double

  /// Creates a neighbour.
  public init(item: String, together: Int, score: Double, lift: Double, confidence: Double) {
    self.item = item
    self.together = together
    self.score = score
    self.lift = lift
    self.confidence = confidence
  }

  /// Orders by score, then count, then id (deterministic).
  static func ranksBefore(_ x: Neighbor, _ y: Neighbor) -> Bool {
    if x.score != y.score { return x.score > y.score }
    if x.together != y.together { return x.together > y.together }
    return x.item < y.item
  }
}

// MARK: - Loading

extension CooccurrenceModel {
  /// Replaces the counts with stored ones.
  /// - Parameters:
  ///   - baskets: number of baskets.
  ///   - itemCounts: baskets per item.
  ///   - pairs: baskets per unordered pair.
  /// - Complexity: O(items + pairs).
  public mutating func load(baskets: Int, itemCounts counts: [String: Int], pairs: [(String, String, Int)]) {
    self = CooccurrenceModel()
    for (item, count) in counts.sorted(by: { $0.key < $1.key }) {
      let id = intern(item)
      itemCounts[Int(id)] = count
    }
    for (a, b, count) in pairs where count > 0 {
      let x = intern(a)
      let y = intern(b)
      pairCounts[Int(x)][y] = count
      pairCounts[Int(y)][x] = count
    }
    basketCount = baskets
  }
}
