import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Basketry's side of the simulation: bundles and prices estimated from observed orders and traffic only.
public struct BasketryStrategy: Sendable {
  /// What Basketry estimated for one candidate bundle.
  public struct Estimate: Sendable, Hashable {
    /// Item indices.
    public var items: [Int]
    /// Estimated valuation model.
    public var model: BundleValuationModel
    /// Estimated price responses of the items.
    public var responses: [PriceResponse]
    /// The chosen quote.
    public var quote: WillingnessToPayQuote?
  }

  /// The plan: candidate bundles, their estimates, and the offers made.
  public struct Plan: Sendable, Hashable {
    /// Candidate bundles (disjoint), best lift first.
    public var candidates: [[Int]]
    /// Estimates per candidate.
    public var estimates: [Estimate]
    /// Offers with positive expected incremental profit.
    public var offers: [SimulatedOffer]
  }

  /// Settings.
  public let options: MarketSimulationOptions
  /// Seed of the optimiser's simulated shoppers.
  public let seed: UInt64

  /// Creates the strategy.
  public init(options: MarketSimulationOptions, seed: UInt64) {
    self.options = options
    self.seed = seed
  }

  /// Estimates and prices bundles from an observed market.
  /// - Parameters:
  ///   - history: the orders and visits the shop observed.
  ///   - listPrices: the shop's list price per item (dense id order).
  ///   - costs: the shop's unit cost per item.
  /// - Complexity: O(lines + items² + candidates · optimiser cost).
  public func plan(history: ObservedMarket, listPrices: [Double], costs: [Double]) -> Plan {
    let baskets = history.dataset.baskets
    let m = listPrices.count
    let periods = history.visitsPerPeriod.count
    let totalVisits = Double(history.visitsPerPeriod.reduce(0, +))
    // Per item and period: purchases and price.
    var counts = [Int](repeating: 0, count: m * periods)
    var priceSums = [Double](repeating: 0, count: m * periods)
    for b in 0..<baskets.count {
      let time = baskets.timestamps[b]
      let period = min(max(Int(time / max(history.periodSeconds, 1)), 0), periods - 1)
      for line in baskets.lineRange(b) {
        let item = Int(baskets.items[line])
        counts[item * periods + period] += 1
        priceSums[item * periods + period] += baskets.unitPrices[line]
      }
    }
    // Probit-linearised incidence: under log-normal valuations z = Φ⁻¹(1 − rate) = (log p − μ) / σ is
    // linear in log p. Scaling z by −h(z̄) (h the hazard at the item's mean z) makes the slope the
    // incidence elasticity at the centre of the observed prices, so the estimator's standard errors,
    // pooling and shrinkage work in elasticity units without the curvature bias of log-log fits.
    var points = [[PricePoint]](repeating: [], count: m)
    var incidence = [Double](repeating: 0, count: m)
    var reference = [Double?](repeating: nil, count: m)
    var support = [Int](repeating: 0, count: m)
    for item in 0..<m {
      var raw: [(x: Double, z: Double, w: Double)] = []
      for period in 0..<periods {
        let c = counts[item * periods + period]
        support[item] += c
        guard c > 0 else { continue }
        let visits = Double(max(history.visitsPerPeriod[period], 1))
        let rate = min(Double(c) / visits, 0.99)
        raw.append((log(priceSums[item * periods + period] / Double(c)), Gaussian.quantile(1 - rate), Double(c)))
      }
      let weight = raw.reduce(0) { $0 + $1.w }
      guard weight > 0 else {
        incidence[item] = 0
        continue
      }
      let meanX = raw.reduce(0) { $0 + $1.x * $1.w } / weight
      let meanZ = raw.reduce(0) { $0 + $1.z * $1.w } / weight
      let h = Gaussian.hazard(meanZ)
      points[item] = raw.map { PricePoint(logPrice: $0.x, logResponse: -h * $0.z, weight: $0.w) }
      incidence[item] = 1 - Gaussian.cdf(meanZ)
      reference[item] = exp(meanX)
    }
    let responses = PriceResponseEstimator.estimate(
      points: points, categories: [String?](repeating: nil, count: m),
      options: PriceResponseOptions(minObservations: 6, minLogPriceSpread: 0.01))
    // Pair co-purchases.
    var together = [Int](repeating: 0, count: m * m)
    for b in 0..<baskets.count {
      let lines = baskets.items(of: b)
      for a in lines.indices {
        for c in lines.indices where c > a {
          let i = Int(lines[a])
          let j = Int(lines[c])
          together[i * m + j] += 1
          together[j * m + i] += 1
        }
      }
    }
    var pairs: [(a: Int, b: Int, lift: Double)] = []
    for a in 0..<m {
      for b in (a + 1)..<m where together[a * m + b] >= options.minCandidateTogether {
        let expected = Double(support[a]) * Double(support[b]) / totalVisits
        let observed = Double(together[a * m + b])
        let lift = observed / max(expected, 1e-12)
        // Poisson z-score against independence, so that chance lifts among many pairs are not candidates.
        let z = (observed - expected) / max(expected, 1e-12).squareRoot()
        if lift >= options.minCandidateLift && z >= options.minCandidateZ { pairs.append((a, b, lift)) }
      }
    }
    pairs.sort { $0.lift != $1.lift ? $0.lift > $1.lift : ($0.a, $0.b) < ($1.a, $1.b) }
    var used = [Bool](repeating: false, count: m)
    var candidates: [[Int]] = []
    for pair in pairs where !used[pair.a] && !used[pair.b] {
      used[pair.a] = true
      used[pair.b] = true
      candidates.append([pair.a, pair.b])
    }
    // Price each candidate on its estimated model.
    let optimizer = BundlePriceOptimizer(
      maxDiscount: options.maxDiscount, discountStep: 0.01, marginFloor: options.marginFloor,
      draws: options.optimizerDraws, seed: seed &+ 4242)
    var estimates: [Estimate] = []
    var offers: [SimulatedOffer] = []
    for members in candidates {
      let a = members[0]
      let b = members[1]
      let rho = Gaussian.correlation(
        jointProbability: Double(together[a * m + b]) / totalVisits, p1: Double(support[a]) / totalVisits,
        p2: Double(support[b]) / totalVisits)
      let valuations = members.map {
        ItemValuation.calibrated(
          price: listPrices[$0], cost: costs[$0], incidence: incidence[$0], elasticity: responses.items[$0].elasticity,
          referencePrice: reference[$0])
      }
      let model = BundleValuationModel(items: valuations, correlation: [1, rho, rho, 1])
      let scenarios = ElasticityScenarios.scenarios(
        items: members.map {
          (
            price: listPrices[$0], cost: costs[$0], incidence: incidence[$0], referencePrice: reference[$0],
            response: responses.items[$0]
          )
        }, correlation: model.correlation, maxScenarios: options.maxScenarios)
      let quote = optimizer.bestPrice(scenarios: scenarios, shoppers: 1)
      estimates.append(
        Estimate(items: members, model: model, responses: members.map { responses.items[$0] }, quote: quote))
      if let quote, quote.expectedIncrementalProfit > 0, quote.discount > 0 {
        offers.append(SimulatedOffer(items: members, price: quote.price, discount: quote.discount))
      }
    }
    return Plan(candidates: candidates, estimates: estimates, offers: offers)
  }
}
