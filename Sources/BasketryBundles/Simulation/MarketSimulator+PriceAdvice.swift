import BasketryCore

/// How item price advice from a simulated history compares with the best prices under the true demand.
public struct PriceAdviceEvaluation: Sendable, Hashable {
  /// The advice, from the observed history only.
  public var advice: [ItemPriceAdvice]
  /// True expected profit change per 1,000 visits from the advised prices.
  public var advisedUplift: Double
  /// True expected profit change per 1,000 visits from the oracle's prices: each item's true
  /// profit-maximising price to the cent within the same guardrails (step and margin floor).
  public var oracleUplift: Double
  /// advisedUplift / oracleUplift (0 when the oracle gains nothing).
  public var share: Double
  /// Items whose price response the history identifies.
  public var identified: Int
  /// Items whose price response it does not.
  public var notIdentifiable: Int
}

extension MarketSimulator {
  /// Advises item prices from one seed's simulated history (``simulateHistory(seed:)``), then scores the
  /// advice and the oracle on the world's true demand.
  ///
  /// In the world a visitor buys item i at price p when their valuation exceeds p, so the true profit per
  /// visit is (p − c) · P(vᵢ > p) and items' purchases do not depend on each other's prices; the uplift of a
  /// set of prices is Σᵢ (πᵢ(pᵢ) − πᵢ(listᵢ)) · 1,000. The oracle searches the same interval
  /// [max(list (1 − step), min(list, cost / (1 − minMargin))), list (1 + step)] as the advice.
  /// - Parameters:
  ///   - seed: the history's seed.
  ///   - options: the advice's guardrails (stock and caps do not occur in the world).
  /// - Throws: ``PriceAdviceError`` for options out of range.
  /// - Complexity: that of the history and ``ItemPriceAdvisor/advise(dataset:options:)``, plus
  ///   O(items · candidates).
  public func evaluatePriceAdvice(seed: UInt64, options: PriceAdviceOptions) throws -> PriceAdviceEvaluation {
    let history = simulateHistory(seed: seed)
    let advice = try ItemPriceAdvisor.advise(dataset: history.dataset, options: options)
    var byID: [String: ItemPriceAdvice] = [:]
    for entry in advice { byID[entry.item] = entry }
    var advised = 0.0
    var oracle = 0.0
    for item in world.items {
      let valuation = item.valuation
      let list = valuation.price
      func profit(_ p: Double) -> Double { (p - valuation.cost) * valuation.purchaseProbability(at: p) * 1000 }
      let base = profit(list)
      if let entry = byID[item.id] { advised += profit(entry.advisedPrice) - base }
      let floor = valuation.cost / (1 - options.minMargin)
      let lo = max(list * (1 - options.maxStep), min(list, floor))
      let hi = list * (1 + options.maxStep)
      var best = 0.0
      for candidate in ItemPriceAdvisor.candidates(lo: lo, hi: hi, current: list, ending: .any) {
        best = max(best, profit(candidate) - base)
      }
      oracle += best
    }
    let identified = advice.filter(\.response.isIdentified).count
    return PriceAdviceEvaluation(
      advice: advice, advisedUplift: advised, oracleUplift: oracle, share: oracle > 0 ? advised / oracle : 0,
      identified: identified, notIdentifiable: advice.count - identified)
  }
}
