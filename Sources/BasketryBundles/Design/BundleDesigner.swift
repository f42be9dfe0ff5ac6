import BasketryCore
import BasketryMining

/// Turns frequent itemsets into priced, explained bundles ranked by expected incremental profit.
///
/// For each frequent itemset of 2–`maxSize` items the designer
/// 1. drops it if an item is hidden, out of stock or unpriced, if two items are variants of one
///    product (``VariantDetector``) or substitutes (``PairScorer``), or if some item is weakly associated
///    with the rest
///    (lift(i → rest) = n·count(all) / (count(i)·count(rest)) below `minLift`);
/// 2. counts, over all orders, those with every item (`together`) and those with some but not all
///    (`partial`), and the average list margin of the items such partial orders lacked (`m`);
/// 3. prices it: by default with the willingness-to-pay model (``BundlePriceOptimizer``: log-normal
///    valuations calibrated per item from purchase incidence and the estimated price elasticity, bounded by
///    the Lerner level, correlated by co-purchase; the discount maximising expected incremental profit under
///    the margin floor, averaged over the elasticities' uncertainty); with `.completionElasticity`, by
///    ``BundlePricing``: the discount d on the list price L that maximises
///    E(d) = (p(d) − b)·(together + partial)·(m − d·L) − together·d·L, where b is the observed
///    completion rate and p(d) = min(1, b·e^(elasticity·d)), subject to the margin floor;
/// 4. ranks by E(d*) and returns the best `count`, each item in at most `maxBundlesPerItem`
///    bundles and no bundle inside a better one; only those are explained.
///
/// The candidates are bounded by `options.maxCandidates` (checked when the designer is created), and
/// each one kept for ranking holds only its items, price and evidence, not its explanation.
///
/// - Complexity: O(candidates · (posting-list length of their items)) after an O(lines) index build.
public struct BundleDesigner: Sendable {
  /// The shop's data.
  public let dataset: Dataset
  /// The orders as transactions (distinct items), as mined.
  public let transactions: TransactionSet
  /// Frequent itemsets of `transactions`.
  public let itemsets: FrequentItemsets
  /// Settings.
  public let options: BundleOptions

  /// Creates a designer.
  /// - Parameters:
  ///   - dataset: the shop's data.
  ///   - transactions: the orders as transactions.
  ///   - itemsets: frequent itemsets of `transactions` (of at least `options.maxSize` items).
  ///   - options: settings.
  /// - Throws: ``BundleError`` when an option is out of range, or (key `max-candidates`) when more
  ///   itemsets have an eligible size than `options.maxCandidates` allows.
  /// - Complexity: O(itemsets).
  public init(
    dataset: Dataset, transactions: TransactionSet, itemsets: FrequentItemsets, options: BundleOptions
  )
    throws
  {
    try options.validate()
    if let limit = options.maxCandidates {
      let sizes = options.minSize...options.maxSize
      let candidates = itemsets.itemsets.reduce(0) { $0 + (sizes.contains($1.items.count) ? 1 : 0) }
      if candidates > limit {
        throw BundleError(
          key: "max-candidates", value: "\(limit)",
          message: "\(formatCount(candidates)) frequent itemsets of \(sizes.lowerBound)–\(sizes.upperBound) items "
            + "are more candidates than the limit; raise the minimum support, lower the largest bundle size, "
            + "or raise the limit")
      }
    }
    self.dataset = dataset
    self.transactions = transactions
    self.itemsets = itemsets
    self.options = options
  }

  /// Designs, prices, ranks and explains bundles.
  /// - Returns: the bundles, best first, and counts of what was considered and dropped.
  public func design() -> (bundles: [ProductBundle], report: BundleDesignReport) {
    var report = BundleDesignReport()
    let catalog = dataset.catalog
    let variants = VariantDetector(catalog: catalog)
    let postings = PostingLists(transactions)
    let scorer = PairScorer(dataset: dataset, transactions: transactions)
    let pricing = BundlePricing(options: options)
    let wtp =
      options.pricingModel == .willingnessToPay
      ? WTPPricer(
        dataset: dataset, options: options, shoppers: itemsets.transactionCount,
        count: { [itemsets] in itemsets.count(of: $0) ?? 0 }) : nil
    let n = transactions.count
    var stamp = [Int32](repeating: 0, count: n)
    var seen = [UInt8](repeating: 0, count: n)
    var generation: Int32 = 0
    var scored: [ProductBundle] = []

    for itemset in itemsets.itemsets where (options.minSize...options.maxSize).contains(itemset.items.count) {
      report.candidates += 1
      let items = itemset.items
      if items.contains(where: { isUnavailable(catalog[$0]) }) {
        report.droppedUnavailable += 1
        continue
      }
      guard items.allSatisfy({ (catalog[$0].price ?? 0) > 0 }) else {
        report.droppedUnpriced += 1
        continue
      }
      if options.dropVariants && variants.containsVariants(items) {
        report.droppedVariants += 1
        continue
      }
      var pairScores: [PairScore] = []
      for a in items.indices {
        for b in items.indices where b > a { pairScores.append(scorer.score(items[a], items[b])) }
      }
      if options.dropVariants && pairScores.contains(where: { $0.relation == .substitute }) {
        report.droppedSubstitutes += 1
        continue
      }
      guard let association = association(of: itemset) else {
        report.droppedWeak += 1
        continue
      }

      // Orders with some but not all of the items, and the list margin they lacked.
      let bundleItems = items.map { bundleItem($0, catalog: catalog) }
      let unitMargins = bundleItems.map { $0.price - $0.cost }
      generation &+= 1
      var touched: [Int32] = []
      for (position, item) in items.enumerated() {
        let bit = UInt8(1 << position)
        for t in postings[item] {
          if stamp[Int(t)] != generation {
            stamp[Int(t)] = generation
            seen[Int(t)] = 0
            touched.append(t)
          }
          seen[Int(t)] |= bit
        }
      }
      let full = UInt8((1 << items.count) - 1)
      var partial = 0
      var missingMarginSum = 0.0
      for t in touched where seen[Int(t)] != full {
        partial += 1
        let mask = seen[Int(t)]
        for position in items.indices where mask & UInt8(1 << position) == 0 {
          missingMarginSum += unitMargins[position]
        }
      }
      let together = itemset.count
      let opportunities = together + partial
      let completion = Double(together) / Double(max(opportunities, 1))
      let listPrice = bundleItems.reduce(0) { $0 + $1.price }
      let cost = bundleItems.reduce(0) { $0 + $1.cost }
      var detail: BundlePricingDetail?
      let quote: PriceQuote?
      if let wtp {
        detail = wtp.price(items: items, bundleItems: bundleItems)
        quote = detail.map {
          PriceQuote(
            price: $0.quote.price, discount: $0.quote.discount, completionRate: $0.quote.attachRate,
            expectedIncrementalProfit: $0.quote.expectedIncrementalProfit)
        }
      } else {
        quote = pricing.bestPrice(
          listPrice: listPrice, cost: cost, together: together, partial: partial,
          meanMissingMargin: partial > 0 ? missingMarginSum / Double(partial) : 0)
      }
      guard let quote, quote.expectedIncrementalProfit > 0, quote.discount > 0 || detail == nil else {
        report.droppedUnprofitable += 1
        continue
      }
      let evidence = BundleEvidence(
        orders: n, ordersTogether: together, ordersPartial: partial,
        expectedTogether: association.expected, lift: association.lift, confidence: association.confidence,
        anchor: catalog.externalID(association.anchor), completionRate: completion)
      let bundle = ProductBundle(
        rank: 0, items: bundleItems, listPrice: listPrice, bundlePrice: quote.price, discount: quote.discount,
        margin: quote.price - cost, marginRate: (quote.price - cost) / quote.price,
        expectedCompletionRate: quote.completionRate, expectedIncrementalProfit: quote.expectedIncrementalProfit,
        evidence: evidence, explanation: "", pricing: detail)
      scored.append(bundle)
    }

    scored.sort { a, b in
      if a.expectedIncrementalProfit != b.expectedIncrementalProfit {
        return a.expectedIncrementalProfit > b.expectedIncrementalProfit
      }
      if a.evidence.lift != b.evidence.lift { return a.evidence.lift > b.evidence.lift }
      return a.items.map(\.item).lexicographicallyPrecedes(b.items.map(\.item))
    }
    let explainer = BundleExplainer(options: options, catalog: catalog)
    var chosen: [ProductBundle] = []
    var uses: [Int32: Int] = [:]
    for var bundle in scored {
      guard chosen.count < options.count else { break }
      let ids = Set(bundle.items.map(\.item))
      let overused = ids.contains { uses[$0, default: 0] >= options.maxBundlesPerItem }
      let inside = chosen.contains { ids.isSubset(of: Set($0.items.map(\.item))) }
      if overused || inside {
        report.droppedRedundant += 1
        continue
      }
      for id in ids { uses[id, default: 0] += 1 }
      bundle.rank = chosen.count + 1
      let items = bundle.items.map(\.item)
      var pairScores: [PairScore] = []
      for a in items.indices {
        for b in items.indices where b > a { pairScores.append(scorer.score(items[a], items[b])) }
      }
      bundle.explanation = explainer.explain(bundle)
      bundle.why = explainer.structured(bundle, pairs: pairScores)
      chosen.append(bundle)
    }
    return (chosen, report)
  }

  // MARK: - Helpers

  private func isUnavailable(_ attributes: ItemAttributes) -> Bool {
    attributes.hidden || (attributes.stock.map { $0 <= 0 } ?? false)
  }

  private func bundleItem(_ item: Int32, catalog: Catalog) -> BundleItem {
    let attributes = catalog[item]
    let price = attributes.price ?? 0
    let knownCost = attributes.cost.flatMap { $0 >= 0 ? $0 : nil }
    return BundleItem(
      item: item, id: catalog.externalID(item), title: catalog.displayName(item), price: price,
      cost: knownCost ?? price * (1 - options.assumedMarginRate), costAssumed: knownCost == nil)
  }

  /// Lift and confidence of the weakest and strongest "item → rest" splits of an itemset.
  private func association(
    of itemset: FrequentItemset
  ) -> (
    lift: Double, confidence: Double, anchor: Int32, expected: Double
  )? {
    let n = Double(itemsets.transactionCount)
    let together = Double(itemset.count)
    var expected = n
    var minLift = Double.infinity
    var bestConfidence = -1.0
    var anchor = itemset.items[0]
    for (position, item) in itemset.items.enumerated() {
      var rest = itemset.items
      rest.remove(at: position)
      guard let itemCount = itemsets.count(of: [item]), let restCount = itemsets.count(of: rest) else { return nil }
      expected *= Double(itemCount) / n
      minLift = min(minLift, together * n / (Double(itemCount) * Double(restCount)))
      let confidence = together / Double(itemCount)
      if confidence > bestConfidence {
        bestConfidence = confidence
        anchor = item
      }
    }
    guard minLift >= options.minLift else { return nil }
    return (minLift, bestConfidence, anchor, expected)
  }
}

/// For each item, the ascending indices of the transactions that contain it.
struct PostingLists: Sendable {
  private let offsets: [Int]
  private let transactionIDs: [Int32]

  init(_ transactions: TransactionSet) {
    var offsets = [Int](repeating: 0, count: transactions.itemCount + 1)
    for item in transactions.items { offsets[Int(item) + 1] += 1 }
    for i in 0..<transactions.itemCount { offsets[i + 1] += offsets[i] }
    var cursor = offsets
    var ids = [Int32](repeating: 0, count: transactions.items.count)
    for t in 0..<transactions.count {
      for item in transactions[t] {
        ids[cursor[Int(item)]] = Int32(t)
        cursor[Int(item)] += 1
      }
    }
    self.offsets = offsets
    self.transactionIDs = ids
  }

  subscript(item: Int32) -> ArraySlice<Int32> { transactionIDs[offsets[Int(item)]..<offsets[Int(item) + 1]] }
}
