import BasketryCore

/// Settings of the discount bandit.
///
/// Defaults: discount levels 0, 5, 10, 15 and 20 % of the list price, a 20 % margin floor and a
/// uniform Beta(1, 1) prior on each level's purchase probability.
public struct DiscountBanditConfiguration: Sendable, Hashable, Codable {
  /// The discount levels (fractions of the list price) the bandit chooses among.
  public var levels: [Double]
  /// Smallest allowed margin rate (price − cost) / price; levels below it are never offered.
  public var marginFloor: Double
  /// Beta prior pseudo-successes. Default 1.
  public var priorAlpha: Double
  /// Beta prior pseudo-failures. Default 1.
  public var priorBeta: Double

  /// Creates a configuration with the documented defaults.
  public init(
    levels: [Double] = [0, 0.05, 0.10, 0.15, 0.20], marginFloor: Double = 0.20, priorAlpha: Double = 1,
    priorBeta: Double = 1
  ) {
    self.levels = levels
    self.marginFloor = marginFloor
    self.priorAlpha = priorAlpha
    self.priorBeta = priorBeta
  }
}

/// What one arm (discount level of one bundle) has seen.
public struct ArmStatistics: Sendable, Hashable, Codable {
  /// Times offered.
  public var trials: Int
  /// Times the offer led to an attributed purchase.
  public var successes: Int
  /// Sum of the margins earned from those purchases.
  public var rewardSum: Double

  /// Creates statistics.
  public init(trials: Int = 0, successes: Int = 0, rewardSum: Double = 0) {
    self.trials = trials
    self.successes = successes
    self.rewardSum = rewardSum
  }
}

/// The bandit's choice for one impression.
public struct DiscountChoice: Sendable, Hashable, Codable {
  /// Index into ``DiscountBanditConfiguration/levels``.
  public var arm: Int
  /// The discount as a fraction of the list price.
  public var discount: Double
  /// The offered price: list × (1 − discount), rounded to cents.
  public var price: Double
  /// Price minus cost.
  public var margin: Double
  /// margin / price; never below the floor.
  public var marginRate: Double
  /// Estimated probability that Thompson sampling picks this arm in this state (for IPS replay).
  public var propensity: Double

  /// Creates a choice.
  public init(arm: Int, discount: Double, price: Double, margin: Double, marginRate: Double, propensity: Double) {
    self.arm = arm
    self.discount = discount
    self.price = price
    self.margin = margin
    self.marginRate = marginRate
    self.propensity = propensity
  }
}

/// Thompson sampling over discount levels per bundle, with the margin floor as a hard constraint.
///
/// After Ferreira, Simchi-Levi & Wang, "Online network revenue management using Thompson
/// sampling" (Operations Research, 2018): each level k of a bundle has an unknown purchase
/// probability θ_k with posterior Beta(α + s_k, β + n_k − s_k). For each impression the bandit
/// draws θ̃_k from every posterior and offers the level maximising θ̃_k · margin_k among the
/// feasible levels, those whose margin rate (p_k − cost) / p_k is at least the floor (p_k the
/// price at level k). Restricting the action set to feasible prices is the per-period form of
/// the paper's constrained LP step with a single product and no inventory limit.
/// Rewards are the margins of purchases attributed to the impression's recommendation id.
///
/// - Complexity: O(levels) Beta draws per choice; O(levels · samples) to estimate a propensity.
public struct ThompsonDiscountBandit: Sendable {
  /// Settings.
  public let configuration: DiscountBanditConfiguration
  /// Per bundle key, statistics for each level.
  public private(set) var arms: [String: [ArmStatistics]]

  /// Creates a bandit with no observations.
  public init(configuration: DiscountBanditConfiguration = DiscountBanditConfiguration()) {
    self.configuration = configuration
    self.arms = [:]
  }

  /// The levels whose price keeps the margin floor for a bundle with this list price and cost.
  public func feasibleArms(listPrice: Double, cost: Double) -> [Int] {
    configuration.levels.indices.filter { k in
      let price = Self.price(listPrice, configuration.levels[k])
      return price > 0 && (price - cost) / price >= configuration.marginFloor - 1e-12
    }
  }

  /// Chooses a discount for one impression of a bundle.
  /// - Parameters:
  ///   - key: the bundle's identity (e.g. its sorted item ids joined).
  ///   - listPrice: the sum of the items' prices.
  ///   - cost: the sum of the items' costs.
  ///   - propensitySamples: Monte-Carlo draws used to estimate the choice's probability (0: skip, report 1).
  ///   - rng: the random source.
  /// - Returns: the choice, or nil when no level keeps the margin floor.
  public func choose(
    key: String, listPrice: Double, cost: Double, propensitySamples: Int = 0, using rng: inout SplitMix64
  ) -> DiscountChoice? {
    Self.choose(
      statistics: arms[key], configuration: configuration, listPrice: listPrice, cost: cost,
      propensitySamples: propensitySamples, using: &rng)
  }

  /// Chooses a discount from a snapshot of one bundle's arm statistics (so callers can sample
  /// outside a lock); same rule as ``choose(key:listPrice:cost:propensitySamples:using:)``.
  public static func choose(
    statistics: [ArmStatistics]?, configuration: DiscountBanditConfiguration, listPrice: Double, cost: Double,
    propensitySamples: Int = 0, using rng: inout SplitMix64
  ) -> DiscountChoice? {
    var propensity = 1.0
    let levels = configuration.levels
    // The feasible levels' posterior parameters and margins, on the stack (no per-call arrays).
    let arm: Int? = withUnsafeTemporaryAllocation(of: FeasibleArm.self, capacity: levels.count) { buffer in
      var count = 0
      for k in levels.indices {
        let price = Self.price(listPrice, levels[k])
        guard price > 0 && (price - cost) / price >= configuration.marginFloor - 1e-12 else { continue }
        let s = statistics.flatMap { k < $0.count ? $0[k] : nil } ?? ArmStatistics()
        buffer.initializeElement(
          at: count,
          to: FeasibleArm(
            arm: k, alpha: configuration.priorAlpha + Double(s.successes),
            beta: configuration.priorBeta + Double(max(s.trials - s.successes, 0)), margin: price - cost))
        count += 1
      }
      guard count > 0 else { return nil }
      let feasible = UnsafeBufferPointer(rebasing: buffer[..<count])
      func draw(_ rng: inout SplitMix64) -> Int {
        var best = feasible[0].arm
        var bestValue = -Double.infinity
        for candidate in feasible {
          let theta = BetaSampler.beta(alpha: candidate.alpha, beta: candidate.beta, using: &rng)
          let value = theta * candidate.margin
          if value > bestValue {
            bestValue = value
            best = candidate.arm
          }
        }
        return best
      }
      let arm = draw(&rng)
      if propensitySamples > 0 {
        var hits = 0
        for _ in 0..<propensitySamples where draw(&rng) == arm { hits += 1 }
        // Add-one smoothing keeps the estimate positive, so IPS weights stay finite.
        propensity = Double(hits + 1) / Double(propensitySamples + 1)
      }
      return arm
    }
    guard let arm else { return nil }
    let price = Self.price(listPrice, configuration.levels[arm])
    return DiscountChoice(
      arm: arm, discount: configuration.levels[arm], price: price, margin: price - cost,
      marginRate: (price - cost) / price, propensity: propensity)
  }

  /// Records the outcome of an impression.
  /// - Parameters:
  ///   - key: the bundle key.
  ///   - arm: the level offered.
  ///   - purchased: whether an attributed purchase followed.
  ///   - reward: the margin earned (0 without a purchase).
  public mutating func record(key: String, arm: Int, purchased: Bool, reward: Double) {
    guard configuration.levels.indices.contains(arm) else { return }
    var stats = arms[key] ?? Array(repeating: ArmStatistics(), count: configuration.levels.count)
    stats[arm].trials += 1
    if purchased {
      stats[arm].successes += 1
      stats[arm].rewardSum += reward
    }
    arms[key] = stats
  }

  /// Records that an arm was offered (its outcome comes later through ``recordPurchase(key:arm:reward:)``).
  public mutating func recordImpression(key: String, arm: Int) {
    guard configuration.levels.indices.contains(arm) else { return }
    var stats = arms[key] ?? Array(repeating: ArmStatistics(), count: configuration.levels.count)
    stats[arm].trials += 1
    arms[key] = stats
  }

  /// Records an attributed purchase for an arm already counted by ``recordImpression(key:arm:)``.
  public mutating func recordPurchase(key: String, arm: Int, reward: Double) {
    guard configuration.levels.indices.contains(arm) else { return }
    var stats = arms[key] ?? Array(repeating: ArmStatistics(), count: configuration.levels.count)
    stats[arm].successes += 1
    stats[arm].rewardSum += reward
    arms[key] = stats
  }

  /// Adds counts observed elsewhere (another replica, or the store at start-up).
  public mutating func merge(key: String, arm: Int, statistics: ArmStatistics) {
    guard configuration.levels.indices.contains(arm) else { return }
    var stats = arms[key] ?? Array(repeating: ArmStatistics(), count: configuration.levels.count)
    stats[arm].trials += statistics.trials
    stats[arm].successes += statistics.successes
    stats[arm].rewardSum += statistics.rewardSum
    arms[key] = stats
  }

  /// list × (1 − discount), rounded to cents.
  public static func price(_ listPrice: Double, _ discount: Double) -> Double {
    (listPrice * (1 - discount) * 100).rounded() / 100
  }
}

/// A feasible level during one choice: its posterior Beta(alpha, beta) and its margin.
private struct FeasibleArm {
  var arm: Int
  var alpha: Double
  var beta: Double
  var margin: Double
}
