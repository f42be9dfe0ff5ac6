import BasketryCore

/// The price of a bundle under the willingness-to-pay model and its expected effect.
public struct WillingnessToPayQuote: Sendable, Hashable, Codable {
  /// Bundle price, rounded to cents.
  public var price: Double
  /// 1 − price / list price.
  public var discount: Double
  /// Sum of the items' list prices.
  public var listPrice: Double
  /// Sum of the items' costs.
  public var cost: Double
  /// Share of shoppers who take the bundle, among those who buy at least one of its items.
  public var attachRate: Double
  /// Share of all shoppers who take the bundle.
  public var takeRate: Double
  /// Expected profit per shopper from these items without the bundle.
  public var baselineProfitPerShopper: Double
  /// Expected profit per shopper from these items with the bundle at this price.
  public var profitPerShopper: Double
  /// Expected revenue change per shopper.
  public var revenueChangePerShopper: Double
  /// Change of the average spend on these items per shopper who buys any of them (the bundle's
  /// effect on average order value).
  public var aovChange: Double
  /// Expected incremental profit over the population the quote was scaled to.
  public var expectedIncrementalProfit: Double
  /// Expected incremental revenue over the same population.
  public var expectedIncrementalRevenue: Double
  /// Monte Carlo standard error of ``expectedIncrementalProfit``.
  public var profitStandardError: Double

  /// Margin rate of the bundle price.
  public var marginRate: Double { price > 0 ? (price - cost) / price : 0 }

  private enum CodingKeys: String, CodingKey {
    case price, discount, cost
    case listPrice = "list_price"
    case attachRate = "attach_rate"
    case takeRate = "take_rate"
    case baselineProfitPerShopper = "baseline_profit_per_shopper"
    case profitPerShopper = "profit_per_shopper"
    case revenueChangePerShopper = "revenue_change_per_shopper"
    case aovChange = "aov_change"
    case expectedIncrementalProfit = "expected_incremental_profit"
    case expectedIncrementalRevenue = "expected_incremental_revenue"
    case profitStandardError = "profit_standard_error"
  }
}

/// Finds the bundle discount that maximises expected profit under a ``BundleValuationModel``.
///
/// Simulates `draws` shoppers from the valuation model (common random numbers: the same shoppers for
/// every candidate price), lets each choose by ``BundleChoice`` with and without the bundle, and picks
/// the discount d on the grid 0, step, … ≤ maxDiscount that maximises
///
///     E[profit | bundle at L(1 − d)] − E[profit | no bundle]
///
/// subject to (price − cost) / price ≥ marginFloor. d = 0 (no incentive) is the fallback; a quote
/// with non-positive incremental profit means "do not offer".
///
/// Pairs are evaluated exactly by one-dimensional integration (no simulation noise); larger bundles by
/// simulation. Defaults: 4,000 draws, seed 1.
public struct BundlePriceOptimizer: Sendable {
  /// Largest discount, as a fraction of the list price.
  public var maxDiscount: Double
  /// Discount grid step.
  public var discountStep: Double
  /// Smallest margin rate of the bundle price.
  public var marginFloor: Double
  /// Simulated shoppers per evaluation (bundles of three or more items).
  public var draws: Int
  /// Evaluate pairs by exact integration instead of simulation (``PairExpectation``). Default true.
  public var exactPairs: Bool = true
  /// Seed of the simulated shoppers.
  public var seed: UInt64

  /// Creates an optimiser.
  public init(
    maxDiscount: Double = 0.2, discountStep: Double = 0.01, marginFloor: Double = 0.2, draws: Int = 4000,
    seed: UInt64 = 1
  ) {
    self.maxDiscount = maxDiscount
    self.discountStep = discountStep
    self.marginFloor = marginFloor
    self.draws = draws
    self.seed = seed
  }

  /// Creates an optimiser from bundle options.
  public init(options: BundleOptions, draws: Int = 4000, seed: UInt64 = 1) {
    self.init(
      maxDiscount: options.maxDiscount, discountStep: options.discountStep, marginFloor: options.marginFloor,
      draws: draws, seed: seed)
  }

  /// The most profitable admissible price.
  /// - Parameters:
  ///   - model: valuations of the bundle's items (prices and costs inside).
  ///   - shoppers: population the expected totals are scaled to (e.g. orders in the period).
  /// - Returns: the best quote, or nil when even the list price breaks the margin floor.
  /// - Complexity: O(draws · n · grid size).
  public func bestPrice(model: BundleValuationModel, shoppers: Double) -> WillingnessToPayQuote? {
    let quotes = evaluateGrid(model: model, shoppers: shoppers)
    var best: WillingnessToPayQuote?
    for quote in quotes
    where best.map({ quote.expectedIncrementalProfit > $0.expectedIncrementalProfit + 1e-12 }) ?? true {
      best = quote
    }
    return best
  }

  /// The most profitable admissible price when the valuation model itself is uncertain: maximises the
  /// weighted mean of the expected incremental profit over scenarios (e.g. elasticity at its estimate
  /// and ± √3 standard errors with Gauss–Hermite weights 1/6, 2/3, 1/6 per item), all on the same
  /// simulated shoppers. The returned quote's fields are the weighted means over scenarios.
  /// - Complexity: O(scenarios · draws · n · grid size).
  public func bestPrice(
    scenarios: [(model: BundleValuationModel, weight: Double)], shoppers: Double
  ) -> WillingnessToPayQuote? {
    guard let first = scenarios.first else { return nil }
    if scenarios.count == 1 { return bestPrice(model: first.model, shoppers: shoppers) }
    let total = scenarios.reduce(0) { $0 + $1.weight }
    guard total > 0 else { return nil }
    var grids: [[WillingnessToPayQuote]] = []
    for scenario in scenarios { grids.append(evaluateGrid(model: scenario.model, shoppers: shoppers)) }
    let length = grids.map(\.count).min() ?? 0
    var best: WillingnessToPayQuote?
    for g in 0..<length {
      var quote = grids[0][g]
      func mean(_ key: KeyPath<WillingnessToPayQuote, Double>) -> Double {
        zip(grids, scenarios).reduce(0) { $0 + $1.0[g][keyPath: key] * $1.1.weight } / total
      }
      quote.attachRate = mean(\.attachRate)
      quote.takeRate = mean(\.takeRate)
      quote.baselineProfitPerShopper = mean(\.baselineProfitPerShopper)
      quote.profitPerShopper = mean(\.profitPerShopper)
      quote.revenueChangePerShopper = mean(\.revenueChangePerShopper)
      quote.aovChange = mean(\.aovChange)
      quote.expectedIncrementalProfit = mean(\.expectedIncrementalProfit)
      quote.expectedIncrementalRevenue = mean(\.expectedIncrementalRevenue)
      quote.profitStandardError = mean(\.profitStandardError)
      if best.map({ quote.expectedIncrementalProfit > $0.expectedIncrementalProfit + 1e-12 }) ?? true { best = quote }
    }
    return best
  }

  /// The quote at one discount (no grid search), or nil when it breaks the margin floor.
  public func quote(model: BundleValuationModel, discount: Double, shoppers: Double) -> WillingnessToPayQuote? {
    if exactPairs && model.items.count == 2 {
      return Self.exactQuote(
        PairExpectation(model), model: model, discount: discount, shoppers: shoppers,
        marginFloor: marginFloor)
    }
    let sample = Sample(model: model, draws: draws, seed: seed)
    return sample.quote(discount: discount, shoppers: shoppers, marginFloor: marginFloor)
  }

  /// Quotes for every admissible discount on the grid, ascending.
  public func evaluateGrid(model: BundleValuationModel, shoppers: Double) -> [WillingnessToPayQuote] {
    let exact = exactPairs && model.items.count == 2 ? PairExpectation(model) : nil
    let sample = exact == nil ? Sample(model: model, draws: draws, seed: seed) : nil
    var quotes: [WillingnessToPayQuote] = []
    var step = 0
    while true {
      let d = Double(step) * discountStep
      if d > maxDiscount + 1e-12 { break }
      step += 1
      let quote: WillingnessToPayQuote?
      if let exact {
        quote = Self.exactQuote(exact, model: model, discount: d, shoppers: shoppers, marginFloor: marginFloor)
      } else {
        quote = sample?.quote(discount: d, shoppers: shoppers, marginFloor: marginFloor)
      }
      guard let quote else { break }
      quotes.append(quote)
    }
    return quotes
  }

  /// The quote for a pair by exact integration (``PairExpectation``).
  static func exactQuote(
    _ pair: PairExpectation, model: BundleValuationModel, discount d: Double, shoppers: Double, marginFloor: Double
  ) -> WillingnessToPayQuote? {
    let listPrice = pair.price.0 + pair.price.1
    let cost = pair.cost.0 + pair.cost.1
    let price = (listPrice * (1 - d) * 100).rounded() / 100
    guard price > 0, (price - cost) / price >= marginFloor - 1e-12 else { return nil }
    let e = pair.expectations(bundlePrice: price)
    let p1 = model.items[0].purchaseProbability(at: pair.price.0)
    let p2 = model.items[1].purchaseProbability(at: pair.price.1)
    let baseProfit = p1 * (pair.price.0 - pair.cost.0) + p2 * (pair.price.1 - pair.cost.1)
    let aovWith = e.buyers > 0 ? e.revenueWith / e.buyers : 0
    let aovWithout = e.baseBuyers > 0 ? e.revenueWithout / e.baseBuyers : 0
    return WillingnessToPayQuote(
      price: price, discount: 1 - price / listPrice, listPrice: listPrice, cost: cost,
      attachRate: e.buyers > 0 ? e.take / e.buyers : 0, takeRate: e.take, baselineProfitPerShopper: baseProfit,
      profitPerShopper: baseProfit + e.profit, revenueChangePerShopper: e.revenue, aovChange: aovWith - aovWithout,
      expectedIncrementalProfit: e.profit * shoppers, expectedIncrementalRevenue: e.revenue * shoppers,
      profitStandardError: 0)
  }

  // MARK: - Simulated shoppers

  /// Drawn valuations with the no-bundle outcome precomputed.
  struct Sample {
    let n: Int
    let count: Int
    let values: [Double]
    let prices: [Double]
    let costs: [Double]
    let listPrice: Double
    let cost: Double
    let baseProfit: [Double]
    let baseRevenue: [Double]
    let baseBuys: [Bool]

    init(model: BundleValuationModel, draws: Int, seed: UInt64) {
      let n = model.items.count
      let count = max(draws, 1)
      let values = model.draw(count: count, seed: seed)
      let prices = model.items.map(\.price)
      let costs = model.items.map(\.cost)
      self.n = n
      self.count = count
      self.values = values
      self.prices = prices
      self.costs = costs
      listPrice = prices.reduce(0, +)
      cost = costs.reduce(0, +)
      var profit = [Double](repeating: 0, count: count)
      var revenue = [Double](repeating: 0, count: count)
      var buys = [Bool](repeating: false, count: count)
      values.withUnsafeBufferPointer { all in
        for s in 0..<count {
          let row = UnsafeBufferPointer(rebasing: all[(s * n)..<(s * n + n)])
          let choice = BundleChoice.choose(valuations: row, prices: prices, costs: costs, bundlePrice: nil)
          profit[s] = choice.profit
          revenue[s] = choice.revenue
          buys[s] = choice.itemsBought > 0
        }
      }
      baseProfit = profit
      baseRevenue = revenue
      baseBuys = buys
    }

    func quote(discount d: Double, shoppers: Double, marginFloor: Double) -> WillingnessToPayQuote? {
      let price = (listPrice * (1 - d) * 100).rounded() / 100
      guard price > 0, (price - cost) / price >= marginFloor - 1e-12 else { return nil }
      var takes = 0
      var buyers = 0
      var baseBuyers = 0
      var profitSum = 0.0
      var baseProfitSum = 0.0
      var revenueSum = 0.0
      var baseRevenueSum = 0.0
      var deltaSum = 0.0
      var deltaSquares = 0.0
      values.withUnsafeBufferPointer { all in
        for s in 0..<count {
          let row = UnsafeBufferPointer(rebasing: all[(s * n)..<(s * n + n)])
          let choice = BundleChoice.choose(valuations: row, prices: prices, costs: costs, bundlePrice: price)
          if choice.takesBundle { takes += 1 }
          if choice.itemsBought > 0 { buyers += 1 }
          if baseBuys[s] { baseBuyers += 1 }
          profitSum += choice.profit
          baseProfitSum += baseProfit[s]
          revenueSum += choice.revenue
          baseRevenueSum += baseRevenue[s]
          let delta = choice.profit - baseProfit[s]
          deltaSum += delta
          deltaSquares += delta * delta
        }
      }
      let m = Double(count)
      let meanDelta = deltaSum / m
      let varianceDelta = max(0, deltaSquares / m - meanDelta * meanDelta)
      let aovWith = buyers > 0 ? revenueSum / Double(buyers) : 0
      let aovWithout = baseBuyers > 0 ? baseRevenueSum / Double(baseBuyers) : 0
      return WillingnessToPayQuote(
        price: price, discount: 1 - price / listPrice, listPrice: listPrice, cost: cost,
        attachRate: buyers > 0 ? Double(takes) / Double(buyers) : 0, takeRate: Double(takes) / m,
        baselineProfitPerShopper: baseProfitSum / m, profitPerShopper: profitSum / m,
        revenueChangePerShopper: (revenueSum - baseRevenueSum) / m, aovChange: aovWith - aovWithout,
        expectedIncrementalProfit: meanDelta * shoppers,
        expectedIncrementalRevenue: (revenueSum - baseRevenueSum) / m * shoppers,
        profitStandardError: (varianceDelta / m).squareRoot() * shoppers)
    }
  }
}
