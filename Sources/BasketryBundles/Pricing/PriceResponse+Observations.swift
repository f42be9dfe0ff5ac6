import BasketryCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension PriceResponse {
  /// Folds price-test observations into the estimate: the response is the prior, the observations the
  /// likelihood.
  ///
  /// Units at price p_j are Poisson with mean n_j · exp(a + ε · log(p_j / p_ref)), a with a flat prior
  /// (standard deviation 10 on the log scale), ε ~ N(``elasticity``, ``standardError``²); the result is the
  /// Laplace posterior of ε (``PriceTestPosterior``). Observations at the same price (to the cent) are pooled.
  /// When they show at least `minDistinctPrices` prices with sessions and at least one unit, the item counts as
  /// identified (``source`` ``Source/item``, no ``notIdentifiable`` reason); ``rawElasticity`` becomes the
  /// observations' own estimate (ε with a flat prior), ``observations`` grows by the prices observed and
  /// ``ownWeight`` becomes 1 − (1 − w) · posterior variance / prior variance. Otherwise the response is
  /// returned unchanged.
  /// - Parameters:
  ///   - observations: (price, sessions, units) from a price test.
  ///   - referencePrice: the price the test's log ratios are taken against (usually the current price);
  ///     any positive price gives the same elasticity.
  ///   - minDistinctPrices: fewest prices with sessions to update. Default 2.
  /// - Returns: the updated response.
  /// - Complexity: O(observations + Newton steps · (prices + 2)³).
  public func updated(
    with observations: [PriceObservation], referencePrice: Double, minDistinctPrices: Int = 2
  ) -> PriceResponse {
    var pooled: [Int: (sessions: Double, units: Double)] = [:]
    for o in observations where o.price > 0 && o.price.isFinite && o.sessions > 0 && o.units >= 0 {
      let cents = Int((o.price * 100).rounded())
      var cell = pooled[cents] ?? (0, 0)
      cell.sessions += o.sessions
      cell.units += o.units
      pooled[cents] = cell
    }
    let totalUnits = pooled.values.reduce(0) { $0 + $1.units }
    let totalSessions = pooled.values.reduce(0) { $0 + $1.sessions }
    guard pooled.count >= max(minDistinctPrices, 2), totalUnits > 0, referencePrice > 0,
      standardError > 0 && standardError.isFinite
    else { return self }
    let prices = pooled.keys.sorted()
    let x = prices.map { log(Double($0) / 100 / referencePrice) }
    let sessions = prices.map { pooled[$0]?.sessions ?? 0 }
    let units = prices.map { pooled[$0]?.units ?? 0 }
    // A negligible per-price deviation makes the test's demand model the two-parameter curve.
    let options = PriceTestOptions(levelDeviationSD: 1e-4, baseRateLogSD: 10)
    let baseRate = totalUnits / totalSessions
    let margins = [Double](repeating: 1, count: prices.count)
    let posterior = PriceTestPosterior.fit(
      logPriceRatios: x, sessions: sessions, units: units, margins: margins,
      prior: PriceTestPrior(baseRate: baseRate, elasticity: elasticity, elasticitySE: standardError), options: options)
    let own = PriceTestPosterior.fit(
      logPriceRatios: x, sessions: sessions, units: units, margins: margins,
      prior: PriceTestPrior(baseRate: baseRate, elasticity: 0, elasticitySE: 10), options: options)
    let (mean, sd) = posterior.elasticity
    let raw = own.elasticity
    var result = self
    result.elasticity = mean
    result.standardError = sd
    result.rawElasticity = raw.mean
    result.rawStandardError = raw.sd
    result.observations += prices.count
    result.source = .item
    result.notIdentifiable = nil
    let shrink = (sd * sd) / (standardError * standardError)
    result.ownWeight = min(max(1 - (1 - ownWeight) * shrink, 0), 1)
    return result
  }
}
