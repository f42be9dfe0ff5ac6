import BasketryCore

/// A simulated market for one bundle with known purchase probabilities per discount level,
/// used to check the bandit: regret against the best feasible level, and the margin floor.
///
/// Pseudo-regret after T impressions is Σ_t (μ* − μ_{a_t}) where μ_k = θ_k · margin_k is the
/// expected margin of level k and μ* the best over feasible levels.
public struct DiscountSimulation: Sendable {
  /// List price of the bundle.
  public var listPrice: Double
  /// Cost of the bundle.
  public var cost: Double
  /// True purchase probability at each level of the configuration.
  public var purchaseProbabilities: [Double]
  /// Bandit settings.
  public var configuration: DiscountBanditConfiguration

  /// Creates a simulation.
  public init(
    listPrice: Double, cost: Double, purchaseProbabilities: [Double],
    configuration: DiscountBanditConfiguration = DiscountBanditConfiguration()
  ) {
    self.listPrice = listPrice
    self.cost = cost
    self.purchaseProbabilities = purchaseProbabilities
    self.configuration = configuration
  }

  /// The outcome of a run.
  public struct Result: Sendable, Hashable {
    /// Cumulative pseudo-regret of Thompson sampling after each impression.
    public var regret: [Double]
    /// Cumulative pseudo-regret of always offering `fixedArm`.
    public var fixedRegret: [Double]
    /// Total margin earned by Thompson sampling (realised).
    public var margin: Double
    /// Times an offered price broke the margin floor (must be 0).
    public var floorViolations: Int
    /// The best feasible level.
    public var bestArm: Int
    /// Times each level was offered.
    public var pulls: [Int]
  }

  /// Expected margin per impression of each level (−∞ for infeasible levels).
  public func expectedMargins(bandit: ThompsonDiscountBandit) -> [Double] {
    let feasible = Set(bandit.feasibleArms(listPrice: listPrice, cost: cost))
    return configuration.levels.indices.map { k in
      guard feasible.contains(k) else { return -Double.infinity }
      return purchaseProbabilities[k] * (ThompsonDiscountBandit.price(listPrice, configuration.levels[k]) - cost)
    }
  }

  /// Runs `rounds` impressions.
  /// - Parameters:
  ///   - rounds: impressions to simulate.
  ///   - fixedArm: the comparison policy's level.
  ///   - seed: random seed.
  /// - Complexity: O(rounds · levels).
  public func run(rounds: Int, fixedArm: Int, seed: UInt64) -> Result {
    var bandit = ThompsonDiscountBandit(configuration: configuration)
    var rng = SplitMix64(seed: seed)
    let means = expectedMargins(bandit: bandit)
    let best = means.indices.max { means[$0] < means[$1] } ?? 0
    let fixedGap = means[best] - (means[fixedArm].isFinite ? means[fixedArm] : 0)
    var regret: [Double] = []
    var fixedRegret: [Double] = []
    regret.reserveCapacity(rounds)
    fixedRegret.reserveCapacity(rounds)
    var total = 0.0
    var margin = 0.0
    var violations = 0
    var pulls = Array(repeating: 0, count: configuration.levels.count)
    for t in 0..<rounds {
      guard let choice = bandit.choose(key: "sim", listPrice: listPrice, cost: cost, using: &rng) else { break }
      if choice.marginRate < configuration.marginFloor - 1e-9 { violations += 1 }
      pulls[choice.arm] += 1
      let bought = rng.nextUnit() < purchaseProbabilities[choice.arm]
      if bought { margin += choice.margin }
      bandit.record(key: "sim", arm: choice.arm, purchased: bought, reward: bought ? choice.margin : 0)
      total += means[best] - means[choice.arm]
      regret.append(total)
      fixedRegret.append(Double(t + 1) * fixedGap)
    }
    return Result(
      regret: regret, fixedRegret: fixedRegret, margin: margin, floorViolations: violations, bestArm: best,
      pulls: pulls)
  }
}
