import BasketryCore

/// Willingness-to-pay pricing of candidate bundles over a shop's data: purchase incidences and pair
/// correlations from order counts, price responses from the data's own price variation.
struct WTPPricer: Sendable {
  let options: BundleOptions
  let responses: PriceResponseModel
  let optimizer: BundlePriceOptimizer
  let n: Double
  let count: @Sendable ([Int32]) -> Int

  /// - Parameters:
  ///   - shoppers: orders the incidences are relative to.
  ///   - count: orders containing all of the given (sorted) items.
  init(dataset: Dataset, options: BundleOptions, shoppers: Int, count: @escaping @Sendable ([Int32]) -> Int) {
    self.options = options
    responses = PriceResponseEstimator.estimate(
      baskets: dataset.baskets, catalog: dataset.catalog, options: options.priceResponse)
    optimizer = BundlePriceOptimizer(options: options, draws: options.pricingDraws)
    n = Double(max(shoppers, 1))
    self.count = count
  }

  func incidence(_ item: Int32) -> Double { Double(count([item])) / n }

  /// Prices the bundle; nil when no admissible price exists.
  func price(items: [Int32], bundleItems: [BundleItem]) -> BundlePricingDetail? {
    let k = items.count
    var correlation = [Double](repeating: 0, count: k * k)
    for a in 0..<k {
      correlation[a * k + a] = 1
      for b in (a + 1)..<k {
        let together = Double(count([items[a], items[b]].sorted())) / n
        let rho = Gaussian.correlation(jointProbability: together, p1: incidence(items[a]), p2: incidence(items[b]))
        correlation[a * k + b] = rho
        correlation[b * k + a] = rho
      }
    }
    let itemResponses = items.map { responses[$0] }
    var used: [Double] = []
    var inputs: [(price: Double, cost: Double, incidence: Double, referencePrice: Double?, response: PriceResponse)] =
      []
    for (position, item) in items.enumerated() {
      var response = itemResponses[position]
      let bundleItem = bundleItems[position]
      if options.lernerBound, bundleItem.price > bundleItem.cost {
        let lerner = -bundleItem.price / (bundleItem.price - bundleItem.cost)
        if response.elasticity > lerner { response.elasticity = lerner }
      }
      used.append(response.elasticity)
      inputs.append((bundleItem.price, bundleItem.cost, incidence(item), nil, response))
    }
    let scenarios = ElasticityScenarios.scenarios(items: inputs, correlation: correlation, maxScenarios: 3)
    guard let quote = optimizer.bestPrice(scenarios: scenarios, shoppers: n) else { return nil }
    func shifted(_ sign: Double) -> Double {
      let valuations = inputs.map { input in
        ItemValuation.calibrated(
          price: input.price, cost: input.cost, incidence: input.incidence,
          elasticity: min(input.response.elasticity + sign * input.response.standardError, -0.3))
      }
      let model = BundleValuationModel(items: valuations, correlation: correlation)
      return optimizer.bestPrice(model: model, shoppers: n)?.discount ?? 0
    }
    return BundlePricingDetail(
      responses: itemResponses, elasticitiesUsed: used, incidences: items.map { incidence($0) },
      correlations: correlation, quote: quote, discountRange: [shifted(1), shifted(-1)].sorted())
  }
}
