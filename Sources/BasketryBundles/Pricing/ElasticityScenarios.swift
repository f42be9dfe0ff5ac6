/// Valuation models spanning the uncertainty of estimated elasticities, for pricing under uncertainty.
public enum ElasticityScenarios {
  /// Three-point Gauss–Hermite nodes (in standard errors) and weights for a normal distribution.
  public static let nodes: [(offset: Double, weight: Double)] = [
    (-(3.0).squareRoot(), 1.0 / 6), (0, 2.0 / 3), ((3.0).squareRoot(), 1.0 / 6),
  ]

  /// Every combination of each item's elasticity at ε̂ + node · SE (3ⁿ scenarios, product weights),
  /// each calibrated with ``ItemValuation/calibrated(price:cost:incidence:elasticity:)``.
  /// - Parameters:
  ///   - items: list price, cost, incidence at the reference price (list price when nil) and estimated
  ///     response per item.
  ///   - correlation: correlation of log valuations (row-major).
  ///   - maxScenarios: above this many combinations, all items shift together (3 scenarios). Default 81.
  public static func scenarios(
    items: [(price: Double, cost: Double, incidence: Double, referencePrice: Double?, response: PriceResponse)],
    correlation: [Double],
    maxScenarios: Int = 81
  ) -> [(model: BundleValuationModel, weight: Double)] {
    var combos: [[Int]] = [[]]
    for _ in items { combos = combos.flatMap { c in nodes.indices.map { c + [$0] } } }
    let joint = combos.count > maxScenarios
    if joint {
      // Too many combinations: shift every item's elasticity together.
      combos = nodes.indices.map { [Int](repeating: $0, count: items.count) }
    }
    return combos.map { combo in
      var weight = 1.0
      var valuations: [ItemValuation] = []
      for (k, item) in items.enumerated() {
        let node = nodes[combo[k]]
        if !joint || k == 0 { weight *= node.weight }
        let elasticity = item.response.elasticity + node.offset * item.response.standardError
        valuations.append(
          ItemValuation.calibrated(
            price: item.price, cost: item.cost, incidence: item.incidence, elasticity: min(elasticity, -0.3),
            referencePrice: item.referencePrice))
      }
      return (BundleValuationModel(items: valuations, correlation: correlation), weight)
    }
  }
}
