import BasketryMining
import BasketryOnline
import BasketryTesting
import Foundation
import Testing

@Suite struct ThompsonDiscountBanditTests {
  @Test func infeasibleLevelsAreNeverOffered() {
    // List 100, cost 75: margin at 0 % = 25 %, at 5 % ≈ 21 %, at 10 % ≈ 16.7 % (< 20 % floor).
    let bandit = ThompsonDiscountBandit()
    #expect(bandit.feasibleArms(listPrice: 100, cost: 75) == [0, 1])
    var rng = SplitMix64(seed: 1)
    for _ in 0..<500 {
      let choice = bandit.choose(key: "x", listPrice: 100, cost: 75, using: &rng)
      #expect((choice?.marginRate ?? 0) >= 0.2 - 1e-9)
    }
    #expect(bandit.choose(key: "x", listPrice: 100, cost: 90, using: &rng) == nil)
  }

  @Test func betaSamplesHaveTheRightMean() {
    var rng = SplitMix64(seed: 7)
    let draws = (0..<20_000).map { _ in BetaSampler.beta(alpha: 2, beta: 6, using: &rng) }
    let mean = draws.reduce(0, +) / Double(draws.count)
    #expect(abs(mean - 0.25) < 0.01)
    let small = (0..<20_000).map { _ in BetaSampler.beta(alpha: 0.5, beta: 0.5, using: &rng) }
    #expect(abs(small.reduce(0, +) / Double(small.count) - 0.5) < 0.01)
  }

  @Test func betaSamplesWithAUnitParameterHaveTheRightMoments() {
    // Beta(1, b) and Beta(a, 1) are drawn by inversion: check mean a/(a+b) and variance ab/((a+b)²(a+b+1)).
    var rng = SplitMix64(seed: 11)
    for (alpha, beta) in [(1.0, 9.0), (3.0, 1.0), (1.0, 1.0), (1.0, 0.5)] {
      let draws = (0..<40_000).map { _ in BetaSampler.beta(alpha: alpha, beta: beta, using: &rng) }
      let mean = draws.reduce(0, +) / Double(draws.count)
      let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count - 1)
      let sum = alpha + beta
      #expect(abs(mean - alpha / sum) < 0.01)
      #expect(abs(variance - alpha * beta / (sum * sum * (sum + 1))) < 0.005)
      #expect(draws.allSatisfy { (0...1).contains($0) })
    }
  }

  /// Known purchase probabilities per discount; the best feasible level is 10 % off.
  static func market() -> DiscountSimulation {
    // List 100, cost 60: margins 40, 35, 30, 25, 20 (rates 40 %, 36.8 %, 33.3 %, 29.4 %, 25 %).
    // Expected margins: 0.10·40 = 4.0, 0.13·35 = 4.55, 0.20·30 = 6.0, 0.21·25 = 5.25, 0.22·20 = 4.4.
    DiscountSimulation(
      listPrice: 100, cost: 60, purchaseProbabilities: [0.10, 0.13, 0.20, 0.21, 0.22],
      configuration: DiscountBanditConfiguration(marginFloor: 0.20))
  }

  @Test func regretGrowsSublinearlyAndBeatsFixedDiscounts() {
    let simulation = Self.market()
    let rounds = 20_000
    var finals: [Double] = []
    for seed in UInt64(1)...5 {
      let result = simulation.run(rounds: rounds, fixedArm: 0, seed: seed)
      #expect(result.floorViolations == 0)
      #expect(result.bestArm == 2)
      let firstHalf = result.regret[rounds / 2 - 1]
      let secondHalf = result.regret[rounds - 1] - firstHalf
      // Sublinear: the second half adds much less regret than the first.
      #expect(secondHalf < 0.6 * firstHalf)
      // Far below a fixed policy's linear regret (no discount: 2.0 per impression). Thompson
      // sampling's regret has a heavy tail over seeds (over 300 seeds: mean ≈ 2,850, 90th
      // percentile ≈ 4,100, a few runs past 10,000, with either Beta sampler), so single seeds
      // get a looser bound and the mean the tight one.
      #expect(result.regret[rounds - 1] < 0.5 * result.fixedRegret[rounds - 1])
      finals.append(result.regret[rounds - 1])
    }
    #expect(finals.reduce(0, +) / Double(finals.count) < 0.25 * 2.0 * Double(rounds))
    // Regret per round falls as T grows: R(T)/T at T = 20k below R(T/4)/(T/4).
    let result = simulation.run(rounds: rounds, fixedArm: 4, seed: 11)
    #expect(result.regret[rounds - 1] / Double(rounds) < 0.5 * result.regret[rounds / 4 - 1] / Double(rounds / 4))
    // The report's numbers: cumulative regret at checkpoints vs every fixed-discount policy.
    var lines = ["T\tTS\t" + simulation.configuration.levels.map { "fixed \(Int($0 * 100))%" }.joined(separator: "\t")]
    for t in [1_000, 5_000, 10_000, 20_000] {
      let fixed = simulation.configuration.levels.indices.map { arm in
        String(format: "%.0f", simulation.run(rounds: t, fixedArm: arm, seed: 11).fixedRegret[t - 1])
      }
      lines.append("\(t)\t" + String(format: "%.0f", result.regret[t - 1]) + "\t" + fixed.joined(separator: "\t"))
    }
    print("bandit regret (mean of seed 11):\n" + lines.joined(separator: "\n"))
  }

  @Test func floorExcludesTheLargestDiscounts() {
    var simulation = Self.market()
    simulation.configuration.marginFloor = 0.30  // only 0, 5, 10 % feasible
    simulation.purchaseProbabilities = [0.05, 0.06, 0.07, 0.5, 0.9]  // tempting but infeasible deep discounts
    let result = simulation.run(rounds: 5_000, fixedArm: 0, seed: 3)
    #expect(result.floorViolations == 0)
    #expect(result.pulls[3] == 0 && result.pulls[4] == 0)
  }
}

@Suite struct OfflineReplayTests {
  @Test func ipsRecoversATargetPolicysMeanReward() {
    // Logging: uniform over 3 actions; rewards are Bernoulli with means 0.2, 0.5, 0.8.
    var rng = SplitMix64(seed: 5)
    let means = [0.2, 0.5, 0.8]
    var logs: [LoggedDecision] = []
    for _ in 0..<30_000 {
      let action = Int(rng.next() % 3)
      let reward = rng.nextUnit() < means[action] ? 1.0 : 0.0
      logs.append(LoggedDecision(context: "c", action: action, propensity: 1.0 / 3, reward: reward))
    }
    let estimate = OfflineReplay.estimate(logs) { $0.action == 2 ? 1 : 0 }
    #expect(abs(estimate.ips - 0.8) < 4 * estimate.standardError + 0.01)
    #expect(abs(estimate.snips - 0.8) < 0.02)
    #expect(abs(estimate.loggedMean - 0.5) < 0.02)
    #expect(estimate.effectiveSampleSize > 9_000 && estimate.effectiveSampleSize < 11_000)
  }
}

@Suite struct ExperimentStatisticsTests {
  @Test func wilsonAndWaldIntervalsMatchNewcombesWorkedExamples() throws {
    // Newcombe (1998), Statistics in Medicine 17:857–872, table II: Wilson score 81/263 → 0.2553–0.3662,
    // 0/10 → 0–0.2775, 10/10 → 0.7225–1.
    let a = ExperimentStatistics.wilsonInterval(successes: 81, total: 263)
    #expect(abs(a[0] - 0.2553) < 5e-5 && abs(a[1] - 0.3662) < 5e-5)
    let b = ExperimentStatistics.wilsonInterval(successes: 0, total: 10)
    #expect(b[0] == 0 && abs(b[1] - 0.2775) < 5e-5)
    let c = ExperimentStatistics.wilsonInterval(successes: 10, total: 10)
    #expect(abs(c[0] - 0.7225) < 5e-5 && c[1] == 1)
    #expect(ExperimentStatistics.wilsonInterval(successes: 0, total: 0) == [0, 1])
    // Newcombe (1998), difference paper (Statistics in Medicine 17:873–890), example (a): 56/70 − 48/80 = 0.2,
    // simple asymptotic (Wald) interval 0.0575–0.3425.
    let d = try #require(
      ExperimentStatistics.differenceInterval(successesA: 48, totalA: 80, successesB: 56, totalB: 70))
    #expect(abs(d[0] - 0.0575) < 5e-5 && abs(d[1] - 0.3425) < 5e-5)
    #expect(ExperimentStatistics.differenceInterval(successesA: 0, totalA: 0, successesB: 1, totalB: 2) == nil)
  }

  @Test func zTestMatchesAKnownValue() throws {
    // 200/1000 vs 250/1000: pooled 0.225, se = sqrt(0.225·0.775·0.002) = 0.018675, z = 2.6774.
    let result = try #require(
      ExperimentStatistics.twoProportionZTest(successesA: 200, totalA: 1000, successesB: 250, totalB: 1000))
    #expect(abs(result.statistic - 2.6774) < 1e-3)
    #expect(abs(result.pValue - 0.00742) < 2e-4)
  }

  @Test func welchTestMatchesAKnownValue() throws {
    // scipy.stats.ttest_ind([1,2,3,4,5],[2,4,6,8,10], equal_var=False): t = -1.8974, p = 0.10753 (df 5.882).
    let a = ExperimentStatistics.meanAndVariance([1, 2, 3, 4, 5])
    let b = ExperimentStatistics.meanAndVariance([2, 4, 6, 8, 10])
    let result = try #require(
      ExperimentStatistics.welchTTest(
        meanA: b.mean, varianceA: b.variance, countA: 5, meanB: a.mean, varianceB: a.variance, countB: 5))
    #expect(abs(result.statistic + 1.8974) < 1e-3)
    #expect(abs((result.degreesOfFreedom ?? 0) - 5.882) < 1e-2)
    #expect(abs(result.pValue - 0.10753) < 1e-4)
  }

  @Test func sampleSizeMatchesTheTextbookFormula() throws {
    // p1 = 0.10, +10 % relative (0.11), α = 0.05, power 0.8 → about 14,749 per variant.
    let n = try #require(ExperimentStatistics.sampleSizePerVariant(baselineRate: 0.10))
    #expect(abs(n - 14_749) < 30)
    #expect(abs(ExperimentStatistics.normalQuantile(0.975) - 1.959964) < 1e-5)
  }

  @Test func variantAssignmentIsStableAndFollowsWeights() {
    var counts = [0, 0]
    for user in 0..<10_000 {
      let variant = VariantAssigner.assign(unit: "u\(user)", experiment: "e1", weights: [1, 3])
      #expect(variant == VariantAssigner.assign(unit: "u\(user)", experiment: "e1", weights: [1, 3]))
      counts[variant ?? 0] += 1
    }
    #expect(abs(Double(counts[0]) / 10_000 - 0.25) < 0.02)
  }
}

@Suite struct LaplaceMechanismTests {
  @Test func noiseHasScaleSensitivityOverEpsilon() throws {
    let mechanism = try LaplaceMechanism(epsilon: 0.5, sensitivity: 1)
    #expect(mechanism.scale == 2)
    var rng = SplitMix64(seed: 9)
    let draws = (0..<50_000).map { _ in mechanism.noise(using: &rng) }
    let mean = draws.reduce(0, +) / Double(draws.count)
    let meanAbs = draws.reduce(0) { $0 + abs($1) } / Double(draws.count)
    #expect(abs(mean) < 0.05)
    #expect(abs(meanAbs - 2) < 0.05)  // E|X| = b
    #expect(mechanism.release(0, using: &rng) >= 0)
    #expect(throws: OnlineError.self) { try LaplaceMechanism(epsilon: 0) }
  }
}

@Suite struct PrivateItemsetsTests {
  @Test func noisyCountsAreMonotoneAndCloseAtLargeEpsilon() throws {
    let exact = FrequentItemsets(
      transactionCount: 1000,
      itemsets: [
        FrequentItemset(items: [0], count: 400), FrequentItemset(items: [1], count: 300),
        FrequentItemset(items: [0, 1], count: 200),
      ])
    let noisy = try PrivateItemsets.release(exact, epsilon: 1, seed: 3)
    let single0 = try #require(noisy.count(of: [0]))
    let single1 = try #require(noisy.count(of: [1]))
    let pair = try #require(noisy.count(of: [0, 1]))
    #expect(pair <= min(single0, single1))
    #expect(abs(single0 - 400) < 20 && abs(pair - 200) < 20)  // scale 1: |noise| < 20 with overwhelming odds
    #expect(abs(noisy.transactionCount - 1000) < 20)
    // Small ε: large noise, but still monotone and never negative.
    let loud = try PrivateItemsets.release(exact, epsilon: 0.01, minCount: 0, seed: 4)
    for itemset in loud.itemsets { #expect(itemset.count >= 0) }
    #expect(throws: OnlineError.self) { try PrivateItemsets.release(exact, epsilon: -1, seed: 1) }
  }
}
