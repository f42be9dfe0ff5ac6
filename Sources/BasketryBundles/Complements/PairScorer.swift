import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How two items relate.
public enum PairRelation: String, Sendable, Hashable, Codable {
  /// Bought together more than chance and not alike: belongs in one bundle.
  case complement
  /// Alike (variants, same type in the same category at a similar price, viewed but not bought together):
  /// never in one bundle.
  case substitute
  /// Neither.
  case unrelated
}

/// The signals and scores of one item pair.
public struct PairScore: Sendable, Hashable, Codable {
  /// The items.
  public var a: Int32
  /// The items.
  public var b: Int32
  /// Orders with both.
  public var together: Int
  /// Co-purchase lift n · c(a, b) / (c(a) · c(b)).
  public var lift: Double
  /// Share of sessions viewing both that did not buy both (consideration without joint purchase), when
  /// views exist.
  public var coViewWithoutPurchase: Double?
  /// Same leaf category (false when unknown).
  public var sameCategory: Bool
  /// Title similarity: the semantic hook's value when given, else token Jaccard.
  public var titleSimilarity: Double
  /// Price ratio, cheaper / dearer (nil when a price is unknown).
  public var priceRatio: Double?
  /// Cosine of the items' co-purchase embeddings (``ItemEmbeddings``), when both have one.
  public var embeddingSimilarity: Double?
  /// Variants of one product (``VariantDetector``).
  public var isVariant: Bool
  /// Substitute score in [0, 1].
  public var substituteScore: Double
  /// Complement score in [0, 1].
  public var complementScore: Double
  /// The verdict.
  public var relation: PairRelation

  private enum CodingKeys: String, CodingKey {
    case a, b, together, lift, relation
    case coViewWithoutPurchase = "co_view_without_purchase"
    case sameCategory = "same_category"
    case titleSimilarity = "title_similarity"
    case priceRatio = "price_ratio"
    case embeddingSimilarity = "embedding_similarity"
    case isVariant = "is_variant"
    case substituteScore = "substitute_score"
    case complementScore = "complement_score"
  }
}

/// Scores item pairs as complements or substitutes from several signals.
///
///     substitute = min(1, 0.4·title + 0.2·sameCategory + 0.15·priceSimilarity + 0.3·coViewWithoutPurchase
///                         + 0.3·embedding · [lift < 1.2])   (1 for variants)
///     priceSimilarity = max(0, 1 − |log(ratio)| / log 3)
///     evidence = min(1, log(lift) / log 5) · min(1, together / minTogether)   (0 when lift ≤ 1)
///     complement = evidence · (1 − substitute)
///
/// The relation is `substitute` when the substitute score is at least `substituteThreshold` (0.5) or the
/// items are variants, `complement` when lift ≥ `minLift` (1.5), together ≥ `minTogether` (5) and the
/// complement score is at least 0.1, else `unrelated`. Weights are hand-set defaults, not learned.
public struct PairScorer: Sendable {
  /// Settings.
  public struct Options: Sendable, Hashable {
    /// Smallest lift for a complement. Default 1.5.
    public var minLift: Double
    /// Fewest co-purchases for full evidence. Default 5.
    public var minTogether: Int
    /// Substitute score at which a pair is a substitute. Default 0.5.
    public var substituteThreshold: Double

    /// Creates options with the documented defaults.
    public init(minLift: Double = 1.5, minTogether: Int = 5, substituteThreshold: Double = 0.5) {
      self.minLift = minLift
      self.minTogether = minTogether
      self.substituteThreshold = substituteThreshold
    }
  }

  /// The shop's catalog.
  public let catalog: Catalog
  /// Orders as distinct items.
  public let transactions: TransactionSet
  /// Co-purchase embeddings, if trained.
  public let embeddings: ItemEmbeddings?
  /// Semantic title similarity hook (e.g. a sentence encoder); nil values fall back to token Jaccard.
  public let semanticSimilarity: (@Sendable (Int32, Int32) -> Double?)?
  /// Settings.
  public let options: Options

  let support: [Int]
  let postings: PostingLists
  let variants: VariantDetector
  let titleTokens: [Set<String>]
  let viewSessions: [[Int32]]

  /// Creates a scorer.
  /// - Parameters:
  ///   - dataset: catalog and events (views give the co-view signal).
  ///   - transactions: orders as distinct items.
  ///   - embeddings: co-purchase embeddings, or nil.
  ///   - semanticSimilarity: hook for a semantic encoder.
  /// - Complexity: O(lines + events + title length).
  public init(
    dataset: Dataset, transactions: TransactionSet, embeddings: ItemEmbeddings? = nil,
    semanticSimilarity: (@Sendable (Int32, Int32) -> Double?)? = nil, options: Options = Options()
  ) {
    catalog = dataset.catalog
    self.transactions = transactions
    self.embeddings = embeddings
    self.semanticSimilarity = semanticSimilarity
    self.options = options
    support = transactions.itemSupportCounts()
    postings = PostingLists(transactions)
    variants = VariantDetector(catalog: dataset.catalog)
    titleTokens = (0..<dataset.catalog.count).map { Self.tokens(dataset.catalog[Int32($0)].title ?? "") }
    var sessions = [[Int32]](repeating: [], count: dataset.catalog.count)
    for event in dataset.events where event.type == .view && Int(event.item) < sessions.count {
      let key = event.session != Event.noSession ? event.session : event.user
      if key >= 0 { sessions[Int(event.item)].append(key) }
    }
    viewSessions = sessions.map { Array(Set($0)).sorted() }
  }

  /// Orders containing both items.
  /// - Complexity: O(posting lengths).
  public func together(_ a: Int32, _ b: Int32) -> Int { Self.intersectionCount(postings[a], postings[b]) }

  /// Orders containing all the items.
  public func together(_ items: [Int32]) -> Int {
    guard let first = items.first else { return 0 }
    var common = Array(postings[first])
    for item in items.dropFirst() {
      let other = postings[item]
      var result: [Int32] = []
      var i = common.startIndex
      var j = other.startIndex
      while i < common.endIndex && j < other.endIndex {
        if common[i] == other[j] {
          result.append(common[i])
          i += 1
          j += 1
        } else if common[i] < other[j] {
          i += 1
        } else {
          j += 1
        }
      }
      common = result
    }
    return common.count
  }

  /// Orders containing at least one of the items.
  public func ordersWithAny(_ items: [Int32]) -> Int {
    var union: Set<Int32> = []
    for item in items { union.formUnion(postings[item]) }
    return union.count
  }

  /// Orders containing the item.
  public func count(_ item: Int32) -> Int { Int(item) < support.count && item >= 0 ? support[Int(item)] : 0 }

  /// Scores a pair.
  public func score(_ a: Int32, _ b: Int32) -> PairScore {
    let n = Double(max(transactions.count, 1))
    let both = together(a, b)
    let ca = Double(count(a))
    let cb = Double(count(b))
    let lift = ca > 0 && cb > 0 ? Double(both) * n / (ca * cb) : 0
    let titleSim =
      semanticSimilarity?(a, b) ?? Self.jaccard(titleTokens[Int(a)], titleTokens[Int(b)])
    let categoryA = catalog[a].category
    let sameCategory = categoryA != nil && categoryA == catalog[b].category
    var ratio: Double?
    if let pa = catalog[a].price, let pb = catalog[b].price, pa > 0, pb > 0 { ratio = min(pa, pb) / max(pa, pb) }
    var coView: Double?
    if !viewSessions[Int(a)].isEmpty && !viewSessions[Int(b)].isEmpty {
      let viewedBoth = Self.intersectionCount(viewSessions[Int(a)][...], viewSessions[Int(b)][...])
      if viewedBoth > 0 { coView = max(0, 1 - Double(both) / Double(viewedBoth)) }
    }
    let embedding = embeddings?.similarity(a, b)
    let variant = variants.areVariants(a, b)
    let priceSimilarity = ratio.map { max(0, 1 - abs(log($0)) / log(3)) } ?? 0
    var substitute = 0.4 * titleSim + (sameCategory ? 0.2 : 0) + 0.15 * priceSimilarity + 0.3 * (coView ?? 0)
    if let embedding, lift < 1.2 { substitute += 0.3 * max(0, embedding) }
    substitute = variant ? 1 : min(1, substitute)
    let evidence =
      lift > 1 ? min(1, log(lift) / log(5)) * min(1, Double(both) / Double(max(options.minTogether, 1))) : 0
    let complement = evidence * (1 - substitute)
    let relation: PairRelation
    if variant || substitute >= options.substituteThreshold {
      relation = .substitute
    } else if lift >= options.minLift && both >= options.minTogether && complement >= 0.1 {
      relation = .complement
    } else {
      relation = .unrelated
    }
    return PairScore(
      a: a, b: b, together: both, lift: lift, coViewWithoutPurchase: coView, sameCategory: sameCategory,
      titleSimilarity: titleSim, priceRatio: ratio, embeddingSimilarity: embedding, isVariant: variant,
      substituteScore: substitute, complementScore: complement, relation: relation)
  }

  /// Items bought with `item` in at least `minTogether` orders, by co-purchase count (most first).
  /// - Complexity: O(Σ lengths of the item's orders).
  public func coPurchased(with item: Int32, limit: Int = 50) -> [(item: Int32, together: Int)] {
    var counts: [Int32: Int] = [:]
    for t in postings[item] {
      for other in transactions[Int(t)] where other != item { counts[other, default: 0] += 1 }
    }
    return counts.filter { $0.value >= options.minTogether }.map { (item: $0.key, together: $0.value) }
      .sorted { $0.together != $1.together ? $0.together > $1.together : $0.item < $1.item }.prefix(limit).map { $0 }
  }

  // MARK: - Helpers

  static func intersectionCount(_ a: ArraySlice<Int32>, _ b: ArraySlice<Int32>) -> Int {
    var i = a.startIndex
    var j = b.startIndex
    var count = 0
    while i < a.endIndex && j < b.endIndex {
      if a[i] == b[j] {
        count += 1
        i += 1
        j += 1
      } else if a[i] < b[j] {
        i += 1
      } else {
        j += 1
      }
    }
    return count
  }

  static let stopWords: Set<String> = ["of", "and", "the", "a", "an", "for", "with", "in", "set", "pack", "&", "to"]

  /// Lower-cased alphanumeric tokens without stop words, plural "s" stripped from words over three letters.
  public static func tokens(_ title: String) -> Set<String> {
    var result: Set<String> = []
    var current = ""
    func flush() {
      if !current.isEmpty && !stopWords.contains(current) {
        if current.count > 3 && current.hasSuffix("s") && !current.hasSuffix("ss") { current.removeLast() }
        result.insert(current)
      }
      current = ""
    }
    for ch in title.lowercased() {
      if ch.isLetter || ch.isNumber { current.append(ch) } else { flush() }
    }
    flush()
    return result
  }

  /// |A ∩ B| / |A ∪ B| (0 for two empty sets).
  public static func jaccard(_ a: Set<String>, _ b: Set<String>) -> Double {
    let union = a.union(b).count
    return union == 0 ? 0 : Double(a.intersection(b).count) / Double(union)
  }
}
