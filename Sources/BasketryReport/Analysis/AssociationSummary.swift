import BasketryCore
import BasketryMining

/// The association rules and item pairs a report shows, with item ids resolved to titles.
public struct AssociationSummary: Sendable, Hashable {
  /// One rule with every metric.
  public struct Rule: Sendable, Hashable {
    /// Titles of the "if" items.
    public var antecedent: [String]
    /// Titles of the "then" items.
    public var consequent: [String]
    /// Orders with every item of the rule.
    public var count: Int
    /// Fraction of orders with every item.
    public var support: Double
    /// P(consequent | antecedent).
    public var confidence: Double
    /// confidence / support(consequent).
    public var lift: Double
    /// support − support(antecedent) · support(consequent).
    public var leverage: Double
    /// (1 − support(consequent)) / (1 − confidence); infinite for confidence 1.
    public var conviction: Double
    /// Zhang's metric in [−1, 1].
    public var zhangsMetric: Double
    /// support / (support(a) + support(c) − support).
    public var jaccard: Double
    /// Certainty factor.
    public var certainty: Double
    /// Kulczynski measure.
    public var kulczynski: Double
  }

  /// One strong pair of items.
  public struct Pair: Sendable, Hashable {
    /// External ids.
    public var items: [String]
    /// Titles.
    public var titles: [String]
    /// Orders with both.
    public var together: Int
    /// Orders with each item.
    public var itemCounts: [Int]
    /// Lift of the pair.
    public var lift: Double
  }

  /// Orders mined.
  public var orders: Int
  /// Frequent itemsets found.
  public var itemsetCount: Int
  /// Rules generated at ``minConfidence``.
  public var ruleCount: Int
  /// Minimum confidence of the rules.
  public var minConfidence: Double
  /// The shown rules: the strongest by lift.
  public var rules: [Rule]
  /// The strongest pairs by lift, as drawn in the graph.
  public var pairs: [Pair]

  /// Summarises mined itemsets.
  /// - Parameters:
  ///   - itemsets: frequent itemsets of the orders.
  ///   - catalog: for titles.
  ///   - minConfidence: smallest rule confidence kept.
  ///   - ruleLimit: rules shown (the highest lift, ties by support).
  ///   - pairLimit: most pairs in the graph; pairs are added strongest first while the graph keeps at most
  ///     `2 × pairLimit` items.
  /// - Complexity: O(rules · log(rules) + itemsets).
  public init(
    itemsets: FrequentItemsets, catalog: Catalog, minConfidence: Double = 0.3, ruleLimit: Int = 50, pairLimit: Int = 12
  ) {
    orders = itemsets.transactionCount
    itemsetCount = itemsets.itemsets.count
    self.minConfidence = minConfidence
    let generated = AssociationRules.generate(from: itemsets, options: RuleOptions(minConfidence: minConfidence))
    ruleCount = generated.count
    let strongest = generated.sorted { a, b in
      a.lift != b.lift
        ? a.lift > b.lift
        : (a.count != b.count ? a.count > b.count : a.antecedent.lexicographicallyPrecedes(b.antecedent))
    }.prefix(ruleLimit)
    rules = strongest.map { rule in
      Rule(
        antecedent: rule.antecedent.map { catalog.displayName($0) },
        consequent: rule.consequent.map { catalog.displayName($0) }, count: rule.count, support: rule.support,
        confidence: rule.confidence, lift: rule.lift, leverage: rule.leverage, conviction: rule.conviction,
        zhangsMetric: rule.zhangsMetric, jaccard: rule.jaccard, certainty: rule.certainty,
        kulczynski: rule.kulczynski)
    }
    let n = Double(max(itemsets.transactionCount, 1))
    var candidates: [Pair] = []
    for itemset in itemsets.itemsets where itemset.items.count == 2 {
      let a = itemset.items[0]
      let b = itemset.items[1]
      guard let countA = itemsets.count(of: [a]), let countB = itemsets.count(of: [b]), countA > 0, countB > 0 else {
        continue
      }
      let lift = Double(itemset.count) * n / (Double(countA) * Double(countB))
      candidates.append(
        Pair(
          items: [catalog.externalID(a), catalog.externalID(b)],
          titles: [catalog.displayName(a), catalog.displayName(b)],
          together: itemset.count, itemCounts: [countA, countB], lift: lift))
    }
    candidates.sort { $0.lift != $1.lift ? $0.lift > $1.lift : $0.together > $1.together }
    var chosen: [Pair] = []
    var nodes = Set<String>()
    for pair in candidates where chosen.count < pairLimit {
      let added = Set(pair.items).subtracting(nodes)
      if nodes.count + added.count > 2 * pairLimit { continue }
      nodes.formUnion(added)
      chosen.append(pair)
    }
    pairs = chosen
  }
}
