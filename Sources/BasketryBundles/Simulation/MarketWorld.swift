import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The ground truth of a simulated market: items with list prices, costs and log-normal valuation
/// distributions, and disjoint blocks of complementary items whose valuations are correlated.
///
/// Calibrated on a real shop (``MarketWorld/calibrated(from:options:)``): the most-bought items, their
/// median unit price, purchase incidence per order and a price elasticity estimated from their own price
/// variation; complement blocks are the pairs with the highest co-purchase lift (variants of one product
/// excluded), matched greedily so that blocks are disjoint, each with the Gaussian-copula correlation that
/// reproduces the pair's real joint purchase rate.
public struct MarketWorld: Sendable, Hashable {
  /// One item of the world.
  public struct Item: Sendable, Hashable {
    /// External id in the calibration data.
    public var id: String
    /// Title.
    public var title: String
    /// True valuation distribution (list price and cost inside).
    public var valuation: ItemValuation
    /// Observed price ratios (unit price / list price) the shop charged in the calibration data, used
    /// to vary prices in the simulated history.
    public var priceRatios: [Double]
    /// True purchase-incidence elasticity at the list price.
    public var elasticity: Double
    /// The elasticity estimated from the calibration data's price variation.
    public var estimatedElasticity: Double
  }

  /// A block of complementary items with correlated valuations.
  public struct Block: Sendable, Hashable {
    /// Indices into ``MarketWorld/items``.
    public var items: [Int]
    /// Correlation of the log valuations.
    public var correlation: Double
    /// Co-purchase lift in the calibration data.
    public var lift: Double
  }

  /// The items.
  public var items: [Item]
  /// Disjoint complement blocks.
  public var blocks: [Block]

  /// Calibrates a world on a real shop's orders.
  /// - Throws: ``SimulationError`` when the data has too few priced, repeatedly bought items.
  /// - Complexity: O(lines + items²) plus the price-response estimate.
  public static func calibrated(from dataset: Dataset, options: MarketSimulationOptions) throws -> MarketWorld {
    let baskets = dataset.baskets
    let catalog = dataset.catalog
    let transactions = dataset.transactions()
    let n = Double(max(transactions.count, 1))
    let support = transactions.itemSupportCounts()
    let variants = VariantDetector(catalog: catalog)
    var pricesByItem = [[Double]](repeating: [], count: catalog.count)
    for line in 0..<baskets.lineCount where baskets.unitPrices[line] > 0 && baskets.unitPrices[line].isFinite {
      pricesByItem[Int(baskets.items[line])].append(baskets.unitPrices[line])
    }
    var eligible: [Int] = []
    for item in 0..<catalog.count where !pricesByItem[item].isEmpty && !catalog[Int32(item)].hidden {
      let startsWithDigit = catalog.externalID(Int32(item)).first?.isNumber ?? false
      if startsWithDigit { eligible.append(item) }
    }
    let ranked = eligible.sorted { a, b in support[a] != support[b] ? support[a] > support[b] : a < b }
    let chosen = Array(ranked.prefix(options.items))
    guard chosen.count >= 4 else {
      throw SimulationError(message: "the calibration data has only \(chosen.count) priced items bought repeatedly")
    }
    let responses = PriceResponseEstimator.estimate(baskets: baskets, catalog: catalog)
    var items: [Item] = []
    for item in chosen {
      let sorted = pricesByItem[item].sorted()
      let list = sorted[sorted.count / 2]
      let ratios = sorted.map { $0 / list }.filter { $0 >= 0.8 && $0 <= 1.25 }
      let estimated = responses[Int32(item)].elasticity
      let margin = catalog[Int32(item)].cost.map { 1 - $0 / list } ?? options.assumedMarginRate
      var noise = SplitMix64(seed: UInt64(item) &+ 0xE1A5)
      let elasticity: Double
      switch options.trueElasticity {
      case .estimated: elasticity = min(max(estimated, -4), -0.8)
      case .lerner(let spread): elasticity = -exp(spread * noise.nextGaussian()) / max(margin, 0.05)
      }
      let incidence = Double(support[item]) / n * options.visitShareOfOrders
      let cost = catalog[Int32(item)].cost ?? list * (1 - options.assumedMarginRate)
      items.append(
        Item(
          id: catalog.externalID(Int32(item)), title: catalog.displayName(Int32(item)),
          valuation: ItemValuation.calibrated(price: list, cost: cost, incidence: incidence, elasticity: elasticity),
          priceRatios: ratios.isEmpty ? [1] : ratios, elasticity: elasticity,
          estimatedElasticity: estimated))
    }
    // Pair co-purchase counts among the chosen items.
    var position = [Int](repeating: -1, count: catalog.count)
    for (index, item) in chosen.enumerated() { position[item] = index }
    let m = chosen.count
    var together = [Int](repeating: 0, count: m * m)
    for t in 0..<transactions.count {
      let present = transactions[t].compactMap { position[Int($0)] >= 0 ? position[Int($0)] : nil }
      for a in present.indices {
        for b in present.indices where b > a {
          together[present[a] * m + present[b]] += 1
          together[present[b] * m + present[a]] += 1
        }
      }
    }
    var pairs: [(a: Int, b: Int, lift: Double)] = []
    for a in 0..<m {
      for b in (a + 1)..<m where together[a * m + b] >= options.minBlockTogether {
        let supportA = Double(support[chosen[a]])
        let supportB = Double(support[chosen[b]])
        let lift = Double(together[a * m + b]) * n / (supportA * supportB)
        if lift >= options.minBlockLift && !variants.areVariants(Int32(chosen[a]), Int32(chosen[b])) {
          pairs.append((a, b, lift))
        }
      }
    }
    pairs.sort { $0.lift != $1.lift ? $0.lift > $1.lift : ($0.a, $0.b) < ($1.a, $1.b) }
    var used = [Bool](repeating: false, count: m)
    var blocks: [Block] = []
    for pair in pairs where !used[pair.a] && !used[pair.b] && blocks.count < options.maxBlocks {
      used[pair.a] = true
      used[pair.b] = true
      let qa = Double(support[chosen[pair.a]]) / n
      let qb = Double(support[chosen[pair.b]]) / n
      let rho = BundleValuationModel.correlation(lift: pair.lift, incidence1: qa, incidence2: qb)
      blocks.append(Block(items: [pair.a, pair.b], correlation: rho, lift: pair.lift))
    }
    return MarketWorld(items: items, blocks: blocks)
  }

  /// Draws one shopper's valuation of every item into `values`.
  func drawValuations(_ values: inout [Double], blockOf: [Int], rng: inout SplitMix64) {
    var z = [Double](repeating: 0, count: items.count)
    for i in items.indices { z[i] = rng.nextGaussian() }
    for block in blocks where block.items.count == 2 {
      let a = block.items[0]
      let b = block.items[1]
      z[b] = block.correlation * z[a] + (1 - block.correlation * block.correlation).squareRoot() * z[b]
    }
    for i in items.indices {
      values[i] = exp(items[i].valuation.logMean + items[i].valuation.logSD * z[i])
    }
  }

  /// The true valuation model of a set of items (correlated within a block, independent otherwise).
  public func valuationModel(_ members: [Int]) -> BundleValuationModel {
    let k = members.count
    var correlation = [Double](repeating: 0, count: k * k)
    for i in 0..<k {
      correlation[i * k + i] = 1
      for j in 0..<k where j != i {
        if let block = blocks.first(where: { $0.items.contains(members[i]) && $0.items.contains(members[j]) }) {
          correlation[i * k + j] = block.correlation
        }
      }
    }
    return BundleValuationModel(items: members.map { items[$0].valuation }, correlation: correlation)
  }
}

/// A simulation that cannot run, with the reason.
public struct SimulationError: BasketryError {
  /// What is wrong.
  public var message: String
  public var category: ErrorCategory { .invalidInput }
  /// Creates an error.
  public init(message: String) { self.message = message }
  public var description: String { "cannot simulate: \(message)" }
}
