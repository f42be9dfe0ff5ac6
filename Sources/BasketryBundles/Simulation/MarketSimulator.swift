import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Settings of ``MarketSimulator``.
///
/// Defaults: the 60 most-bought items, up to 12 complement blocks (real co-purchases ≥ 20, lift ≥ 2),
/// per-visit incidence = 0.5 × per-order incidence, a 35 % margin where costs are unknown, true elasticities
/// at the Lerner level × e^(0.3·N(0, 1)); a history of 100,000 visits over 20 weekly price periods with the
/// data's own price points and ±10 % price tests; 200,000 evaluation visits; bundle candidates need ≥ 30
/// observed co-purchases, lift ≥ 1.5 and a Poisson z-score ≥ 4 against independence; discounts up to 20 %
/// under a 20 % margin floor; the fixed strategy gives 10 %; seeds 1–5.
public struct MarketSimulationOptions: Sendable, Hashable {
  /// Seeds; each gives a new history and new evaluation shoppers. Default 1...5.
  public var seeds: [UInt64]
  /// Items taken from the calibration data (most bought first). Default 60.
  public var items: Int
  /// Largest number of complement blocks in the true world. Default 12.
  public var maxBlocks: Int
  /// Fewest real co-purchases for a true complement block. Default 20.
  public var minBlockTogether: Int
  /// Smallest real lift for a true complement block. Default 2.
  public var minBlockLift: Double
  /// Per-visit purchase incidence as a multiple of the per-order incidence in the calibration data. Default 0.5.
  public var visitShareOfOrders: Double
  /// Margin assumed where costs are unknown. Default 0.35.
  public var assumedMarginRate: Double
  /// Visits in the observed history. Default 100,000 (about 80,000 orders).
  public var historyVisits: Int
  /// Price periods in the history (the shop's prices vary between periods). Default 20.
  public var historyPeriods: Int
  /// Half-width of random weekly price tests in the history, as a fraction: each period every item's
  /// price is additionally multiplied by e^u, u uniform in ±log(1 + this). 0 keeps only the real observed
  /// price points. Default 0.1.
  public var priceTestSpread: Double
  /// Visits in each evaluation. Default 200,000.
  public var evaluationVisits: Int
  /// Fewest observed co-purchases for Basketry's candidate bundles. Default 30.
  public var minCandidateTogether: Int
  /// Smallest observed lift for Basketry's candidate bundles. Default 1.5.
  public var minCandidateLift: Double
  /// Smallest Poisson z-score of observed co-purchases against independence for a candidate. Default 4.
  public var minCandidateZ: Double
  /// Largest discount. Default 0.2.
  public var maxDiscount: Double
  /// Margin floor. Default 0.2.
  public var marginFloor: Double
  /// The fixed strategy's discount. Default 0.1.
  public var fixedDiscount: Double
  /// Shoppers simulated by Basketry's price optimiser (on its estimated model). Default 50,000.
  public var optimizerDraws: Int
  /// Elasticity scenarios Basketry averages over when pricing (``ElasticityScenarios``); 1 prices at the
  /// point estimate, 3 shifts all items together, 9 crosses both items of a pair. Default 9.
  public var maxScenarios: Int
  /// How the true elasticities are set. Default `.lerner(spread: 0.3)`.
  public var trueElasticity: TrueElasticity

  /// How the simulated world's true price elasticities are set.
  public enum TrueElasticity: Sendable, Hashable {
    /// The calibration data's own estimate (``PriceResponseEstimator``), clamped to [−4, −0.8].
    case estimated
    /// The elasticity at which the list price is profit-maximising for the item alone (Lerner:
    /// ε = −1 / margin rate), times e^(spread · N(0, 1)) per item: shops price near their optimum.
    case lerner(spread: Double)
  }

  /// Creates options with the documented defaults.
  public init(
    seeds: [UInt64] = [1, 2, 3, 4, 5], items: Int = 60, maxBlocks: Int = 12, minBlockTogether: Int = 20,
    minBlockLift: Double = 2, visitShareOfOrders: Double = 0.5, assumedMarginRate: Double = 0.35,
    historyVisits: Int = 100_000, historyPeriods: Int = 20, evaluationVisits: Int = 200_000,
    minCandidateTogether: Int = 30, minCandidateLift: Double = 1.5, minCandidateZ: Double = 4,
    maxDiscount: Double = 0.2,
    marginFloor: Double = 0.2, fixedDiscount: Double = 0.1, optimizerDraws: Int = 50_000,
    trueElasticity: TrueElasticity = .lerner(spread: 0.3), maxScenarios: Int = 9, priceTestSpread: Double = 0.1
  ) {
    self.trueElasticity = trueElasticity
    self.priceTestSpread = priceTestSpread
    self.maxScenarios = maxScenarios
    self.seeds = seeds
    self.items = items
    self.maxBlocks = maxBlocks
    self.minBlockTogether = minBlockTogether
    self.minBlockLift = minBlockLift
    self.visitShareOfOrders = visitShareOfOrders
    self.assumedMarginRate = assumedMarginRate
    self.historyVisits = historyVisits
    self.historyPeriods = historyPeriods
    self.evaluationVisits = evaluationVisits
    self.minCandidateTogether = minCandidateTogether
    self.minCandidateLift = minCandidateLift
    self.minCandidateZ = minCandidateZ
    self.maxDiscount = maxDiscount
    self.marginFloor = marginFloor
    self.fixedDiscount = fixedDiscount
    self.optimizerDraws = optimizerDraws
  }
}

/// A bundle offer: item indices of the world and a price.
public struct SimulatedOffer: Sendable, Hashable, Codable {
  /// Item indices in the world.
  public var items: [Int]
  /// Bundle price.
  public var price: Double
  /// Discount off the list prices.
  public var discount: Double
}

/// What one strategy earned on one seed's evaluation shoppers.
public struct StrategyOutcome: Sendable, Hashable, Codable {
  /// Strategy name.
  public var name: String
  /// Total revenue.
  public var revenue: Double
  /// Total profit (revenue − cost of goods).
  public var profit: Double
  /// Orders (visits that bought anything).
  public var orders: Int
  /// Share of orders with at least one bundle.
  public var attachRate: Double
  /// Revenue per order.
  public var aov: Double
  /// Bundles offered.
  public var offers: [SimulatedOffer]

  private enum CodingKeys: String, CodingKey {
    case name, revenue, profit, orders, aov, offers
    case attachRate = "attach_rate"
  }
}

/// A statistic's mean over seeds with a 95 % confidence interval (Student t).
public struct SeedSummary: Sendable, Hashable, Codable {
  /// Mean over seeds.
  public var mean: Double
  /// Lower end of the 95 % interval.
  public var low: Double
  /// Upper end of the 95 % interval.
  public var high: Double

  /// Summarises values over seeds: mean ± t₀.₉₇₅(n − 1) · sd / √n.
  public init(_ values: [Double]) {
    let n = Double(values.count)
    mean = values.reduce(0, +) / max(n, 1)
    guard values.count > 1 else {
      low = mean
      high = mean
      return
    }
    let m = mean
    let sd = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot()
    let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]
    let t = values.count - 2 < table.count ? table[values.count - 2] : 1.96
    low = mean - t * sd / n.squareRoot()
    high = mean + t * sd / n.squareRoot()
  }
}

/// One strategy summarised over seeds.
public struct StrategySummary: Sendable, Hashable, Codable {
  /// Strategy name.
  public var name: String
  /// Revenue per seed's evaluation.
  public var revenue: SeedSummary
  /// Profit.
  public var profit: SeedSummary
  /// Attach rate.
  public var attachRate: SeedSummary
  /// Average order value.
  public var aov: SeedSummary
  /// Profit uplift over "no bundles".
  public var profitUplift: SeedSummary
}

/// The simulator's result: per-seed outcomes and their summary.
public struct MarketSimulationResult: Sendable, Hashable {
  /// The calibrated world.
  public var world: MarketWorld
  /// Outcomes by seed, then by strategy (no bundles, fixed discount, Basketry, oracle).
  public var outcomes: [[StrategyOutcome]]
  /// Summaries by strategy.
  public var summaries: [StrategySummary]
  /// Basketry's profit uplift as a share of the oracle's, per seed.
  public var upliftShares: [Double]
  /// Mean Basketry uplift over mean oracle uplift.
  public var upliftShareOfMeans: Double
}

/// Compares bundling strategies on synthetic shoppers whose valuations are known.
///
/// For each seed:
/// 1. **History.** `historyVisits` shoppers over `historyPeriods` periods; each period the shop charges
///    every item a price drawn from its real observed price ratios. Each shopper draws true valuations
///    (``MarketWorld``) and buys every item worth more than its price; orders become a ``Dataset``
///    with unit prices and times. Basketry sees only this dataset and the visits per period.
/// 2. **Basketry.** From the observed orders only: per-period purchase incidence and its price
///    elasticity (``PriceResponseEstimator``), the incidence at list price, pair co-purchase lift and its
///    copula correlation; candidate pairs are matched greedily by lift; each is priced by
///    ``BundlePriceOptimizer`` on the *estimated* valuation model and offered when its expected
///    incremental profit is positive.
/// 3. **Strategies** on the same fresh `evaluationVisits` shoppers at list prices: no bundles; every
///    candidate at `fixedDiscount`; Basketry's; the oracle, which prices the true blocks with the true
///    valuation distributions (it knows the population, not each shopper).
/// - Complexity: O(seeds · (history + evaluation visits) · items) plus the optimisations.
public struct MarketSimulator: Sendable {
  /// The true world.
  public let world: MarketWorld
  /// Settings.
  public let options: MarketSimulationOptions

  /// Creates a simulator over a calibrated world.
  public init(world: MarketWorld, options: MarketSimulationOptions) {
    self.world = world
    self.options = options
  }

  /// Names of the strategies, in output order.
  public static let strategyNames = ["no bundles", "fixed discount", "basketry", "oracle"]

  /// Runs every seed.
  public func run() -> MarketSimulationResult {
    var outcomes: [[StrategyOutcome]] = []
    for seed in options.seeds { outcomes.append(run(seed: seed)) }
    var summaries: [StrategySummary] = []
    for (index, name) in Self.strategyNames.enumerated() {
      let column = outcomes.map { $0[index] }
      let uplift = outcomes.map { $0[index].profit - $0[0].profit }
      summaries.append(
        StrategySummary(
          name: name, revenue: SeedSummary(column.map(\.revenue)), profit: SeedSummary(column.map(\.profit)),
          attachRate: SeedSummary(column.map(\.attachRate)), aov: SeedSummary(column.map(\.aov)),
          profitUplift: SeedSummary(uplift)))
    }
    let shares = outcomes.map { row -> Double in
      let oracle = row[3].profit - row[0].profit
      return oracle != 0 ? (row[2].profit - row[0].profit) / oracle : 0
    }
    let oracleMean = summaries[3].profitUplift.mean
    return MarketSimulationResult(
      world: world, outcomes: outcomes, summaries: summaries, upliftShares: shares,
      upliftShareOfMeans: oracleMean != 0 ? summaries[2].profitUplift.mean / oracleMean : 0)
  }

  /// Runs one seed: history, Basketry's estimates, and the four strategies on the same shoppers.
  public func run(seed: UInt64) -> [StrategyOutcome] {
    let plan = basketryPlan(seed: seed)
    let fixed = plan.candidates.compactMap { members -> SimulatedOffer? in
      let list = members.reduce(0) { $0 + world.items[$1].valuation.price }
      let cost = members.reduce(0) { $0 + world.items[$1].valuation.cost }
      let price = (list * (1 - options.fixedDiscount) * 100).rounded() / 100
      guard (price - cost) / price >= options.marginFloor - 1e-12 else { return nil }
      return SimulatedOffer(items: members, price: price, discount: 1 - price / list)
    }
    let oracle = oracleOffers(seed: seed)
    return evaluate(
      strategies: [[], fixed, plan.offers, oracle], names: Self.strategyNames, seed: seed &+ 0x5EED)
  }

  /// Basketry's plan for one seed, estimated from that seed's simulated history only.
  public func basketryPlan(seed: UInt64) -> BasketryStrategy.Plan {
    let history = simulateHistory(seed: seed)
    return BasketryStrategy(options: options, seed: seed).plan(
      history: history, listPrices: world.items.map(\.valuation.price), costs: world.items.map(\.valuation.cost))
  }

  // MARK: - History

  /// The observed history of one seed: orders with unit prices and the visits per period.
  public func simulateHistory(seed: UInt64) -> ObservedMarket {
    var rng = SplitMix64(seed: seed &* 0x9E37_79B9 &+ 17)
    let m = world.items.count
    var catalog = Catalog()
    for item in world.items {
      let id = catalog.intern(item.id)
      catalog[id] = ItemAttributes(title: item.title, price: item.valuation.price, cost: item.valuation.cost)
    }
    var baskets = Baskets()
    var values = [Double](repeating: 0, count: m)
    let periods = max(options.historyPeriods, 1)
    let perPeriod = options.historyVisits / periods
    var visits: [Int] = []
    var order = 0
    for period in 0..<periods {
      let prices = world.items.map { item -> Double in
        var ratio = item.priceRatios[Int(rng.next() % UInt64(item.priceRatios.count))]
        if options.priceTestSpread > 0 {
          let width = log(1 + options.priceTestSpread)
          ratio *= exp(width * (2 * rng.nextUnit() - 1))
        }
        return (item.valuation.price * ratio * 100).rounded() / 100
      }
      visits.append(perPeriod)
      for _ in 0..<perPeriod {
        world.drawValuations(&values, blockOf: [], rng: &rng)
        var lines: [(item: Int32, quantity: Double, unitPrice: Double)] = []
        for i in 0..<m where values[i] > prices[i] { lines.append((Int32(i), 1, prices[i])) }
        if !lines.isEmpty {
          order += 1
          baskets.append(orderID: "s\(order)", timestamp: Int64(period) * 604_800, lines: lines)
        }
      }
    }
    return ObservedMarket(
      dataset: Dataset(catalog: catalog, baskets: baskets), visitsPerPeriod: visits, periodSeconds: 604_800)
  }

  // MARK: - Oracle

  func oracleOffers(seed: UInt64) -> [SimulatedOffer] {
    let optimizer = BundlePriceOptimizer(
      maxDiscount: options.maxDiscount, discountStep: 0.01, marginFloor: options.marginFloor,
      draws: options.optimizerDraws * 2, seed: seed &+ 991)
    var offers: [SimulatedOffer] = []
    for block in world.blocks {
      let model = world.valuationModel(block.items)
      guard let quote = optimizer.bestPrice(model: model, shoppers: 1), quote.expectedIncrementalProfit > 0,
        quote.discount > 0
      else { continue }
      offers.append(SimulatedOffer(items: block.items, price: quote.price, discount: quote.discount))
    }
    return offers
  }

  // MARK: - Evaluation

  /// Evaluates strategies (disjoint offers each) on the same fresh shoppers at list prices.
  public func evaluate(strategies: [[SimulatedOffer]], names: [String], seed: UInt64) -> [StrategyOutcome] {
    let m = world.items.count
    let prices = world.items.map(\.valuation.price)
    let costs = world.items.map(\.valuation.cost)
    var inOffer = [[Bool]](repeating: [Bool](repeating: false, count: m), count: strategies.count)
    for (s, offers) in strategies.enumerated() { for offer in offers { for i in offer.items { inOffer[s][i] = true } } }
    var revenue = [Double](repeating: 0, count: strategies.count)
    var profit = [Double](repeating: 0, count: strategies.count)
    var orders = [Int](repeating: 0, count: strategies.count)
    var attached = [Int](repeating: 0, count: strategies.count)
    var rng = SplitMix64(seed: seed)
    var values = [Double](repeating: 0, count: m)
    var sub = [Double](repeating: 0, count: 8)
    for _ in 0..<options.evaluationVisits {
      world.drawValuations(&values, blockOf: [], rng: &rng)
      for (s, offers) in strategies.enumerated() {
        var spent = 0.0
        var earned = 0.0
        var bought = false
        var bundles = 0
        for i in 0..<m where !inOffer[s][i] && values[i] > prices[i] {
          spent += prices[i]
          earned += prices[i] - costs[i]
          bought = true
        }
        for offer in offers {
          for (k, i) in offer.items.enumerated() { sub[k] = values[i] }
          let choice = sub.withUnsafeBufferPointer { buffer in
            BundleChoice.choose(
              valuations: UnsafeBufferPointer(rebasing: buffer[0..<offer.items.count]),
              prices: offer.items.map { prices[$0] }, costs: offer.items.map { costs[$0] }, bundlePrice: offer.price)
          }
          spent += choice.revenue
          earned += choice.profit
          if choice.itemsBought > 0 { bought = true }
          if choice.takesBundle { bundles += 1 }
        }
        revenue[s] += spent
        profit[s] += earned
        if bought { orders[s] += 1 }
        if bundles > 0 { attached[s] += 1 }
      }
    }
    return strategies.indices.map { s in
      StrategyOutcome(
        name: names[s], revenue: revenue[s], profit: profit[s], orders: orders[s],
        attachRate: orders[s] > 0 ? Double(attached[s]) / Double(orders[s]) : 0,
        aov: orders[s] > 0 ? revenue[s] / Double(orders[s]) : 0, offers: strategies[s])
    }
  }
}

/// What the shop observed in the simulated history: its orders and its traffic.
public struct ObservedMarket: Sendable, Hashable {
  /// Orders with unit prices and period timestamps.
  public var dataset: Dataset
  /// Visits (shoppers, buying or not) per period, in period order.
  public var visitsPerPeriod: [Int]
  /// Length of a period in seconds (timestamps are period × this).
  public var periodSeconds: Int64
}
