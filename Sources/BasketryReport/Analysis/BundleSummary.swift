import BasketryBundles
import BasketryCore
import BasketryMining

/// The designed bundles, what design dropped, and for each bundle the look-alike partners it left out.
public struct BundleSummary: Sendable, Hashable {
  /// An item often bought with a bundle's item that design refused to put in a bundle with it.
  public struct RejectedPartner: Sendable, Hashable {
    /// Why it was refused.
    public enum Reason: String, Sendable, Hashable {
      /// The same product in another colour, size or pack (``VariantDetector``).
      case variant
      /// Alike enough to replace each other (``PairScorer``'s substitute score at or above its threshold).
      case substitute
    }

    /// Title of the bundle's item.
    public var item: String
    /// Title of the refused partner.
    public var partner: String
    /// Why.
    public var reason: Reason
    /// Orders with both.
    public var together: Int
    /// Title similarity in [0, 1] (token overlap).
    public var titleSimilarity: Double
    /// The pair's substitute score in [0, 1].
    public var substituteScore: Double
  }

  /// The bundles, best first.
  public var bundles: [ProductBundle]
  /// What design considered and dropped.
  public var design: BundleDesignReport
  /// Settings the bundles were designed with.
  public var options: BundleOptions
  /// Per bundle (same order as ``bundles``), the refused partners of its items, most bought first (at most 3).
  public var rejected: [[RejectedPartner]]

  /// Summarises designed bundles and finds, for each, the frequent partners of its items that were refused as
  /// variants or substitutes.
  /// - Parameters:
  ///   - bundles: the designed bundles.
  ///   - design: the design report.
  ///   - options: the design settings.
  ///   - dataset: the orders and catalog they were designed on.
  ///   - transactions: the orders as item sets.
  ///   - itemsets: the frequent itemsets design started from.
  /// - Complexity: O(lines) for the pair scorer, plus O(pairs · bundle items).
  public init(
    bundles: [ProductBundle], design: BundleDesignReport, options: BundleOptions, dataset: Dataset,
    transactions: TransactionSet, itemsets: FrequentItemsets
  ) {
    self.bundles = bundles
    self.design = design
    self.options = options
    guard !bundles.isEmpty else {
      rejected = []
      return
    }
    let catalog = dataset.catalog
    let scorer = PairScorer(dataset: dataset, transactions: transactions)
    let variants = VariantDetector(catalog: catalog)
    var partners: [Int32: [(Int32, Int)]] = [:]
    let wanted = Set(bundles.flatMap { $0.items.map(\.item) })
    for itemset in itemsets.itemsets where itemset.items.count == 2 {
      let a = itemset.items[0]
      let b = itemset.items[1]
      if wanted.contains(a) { partners[a, default: []].append((b, itemset.count)) }
      if wanted.contains(b) { partners[b, default: []].append((a, itemset.count)) }
    }
    rejected = bundles.map { bundle in
      var found: [RejectedPartner] = []
      let members = Set(bundle.items.map(\.item))
      for item in bundle.items {
        for (partner, together) in partners[item.item] ?? [] where !members.contains(partner) {
          let isVariant = variants.areVariants(item.item, partner)
          let score = scorer.score(item.item, partner)
          guard isVariant || score.relation == .substitute else { continue }
          found.append(
            RejectedPartner(
              item: item.title, partner: catalog.displayName(partner), reason: isVariant ? .variant : .substitute,
              together: together, titleSimilarity: score.titleSimilarity, substituteScore: score.substituteScore))
        }
      }
      found.sort { $0.together != $1.together ? $0.together > $1.together : $0.partner < $1.partner }
      return Array(found.prefix(3))
    }
  }
}
