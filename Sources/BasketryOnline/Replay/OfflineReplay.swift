/// One logged decision: in some context the logging policy took an action with a known
/// probability and observed a reward.
public struct LoggedDecision: Sendable, Hashable, Codable {
  /// Context key (e.g. the bundle key).
  public var context: String
  /// The action taken (e.g. the discount level index).
  public var action: Int
  /// Probability with which the logging policy took it (> 0).
  public var propensity: Double
  /// Observed reward (e.g. attributed margin; 0 without a purchase).
  public var reward: Double

  /// Creates a logged decision.
  public init(context: String, action: Int, propensity: Double, reward: Double) {
    self.context = context
    self.action = action
    self.propensity = propensity
    self.reward = reward
  }
}

/// An off-policy estimate of a new policy's mean reward per decision.
public struct ReplayEstimate: Sendable, Hashable, Codable {
  /// Decisions used.
  public var count: Int
  /// Inverse propensity scoring: (1/n) Σ π(a|x) / p · r.
  public var ips: Double
  /// Self-normalised IPS: Σ w·r / Σ w with w = π(a|x) / p.
  public var snips: Double
  /// Standard error of the IPS estimate: sd(w·r) / √n.
  public var standardError: Double
  /// Effective sample size (Σ w)² / Σ w².
  public var effectiveSampleSize: Double
  /// Mean reward the logging policy actually got.
  public var loggedMean: Double
}

/// Off-policy evaluation from logged impressions (inverse propensity scoring).
///
/// Estimates the reward a target policy π would have earned on the logged traffic, without
/// running it: each logged decision is weighted by w = π(a | x) / p, the target's probability of
/// the logged action over the logging policy's. Weights are clipped at `maxWeight` (default 100)
/// to bound variance; the estimate is unbiased when no weight is clipped and every action π can
/// take had positive logging probability.
public enum OfflineReplay {
  /// Estimates the target policy's mean reward.
  /// - Parameters:
  ///   - logs: logged decisions (propensity > 0; others are skipped).
  ///   - maxWeight: weight clipping bound.
  ///   - targetProbability: π(a | x) for a logged decision's context and action.
  /// - Complexity: O(logs).
  public static func estimate(
    _ logs: [LoggedDecision], maxWeight: Double = 100, targetProbability: (LoggedDecision) -> Double
  ) -> ReplayEstimate {
    var n = 0
    var sumWR = 0.0
    var sumWR2 = 0.0
    var sumW = 0.0
    var sumW2 = 0.0
    var sumR = 0.0
    for decision in logs where decision.propensity > 0 {
      let w = min(targetProbability(decision) / decision.propensity, maxWeight)
      n += 1
      sumWR += w * decision.reward
      sumWR2 += (w * decision.reward) * (w * decision.reward)
      sumW += w
      sumW2 += w * w
      sumR += decision.reward
    }
    guard n > 0 else {
      return ReplayEstimate(count: 0, ips: 0, snips: 0, standardError: 0, effectiveSampleSize: 0, loggedMean: 0)
    }
    let mean = sumWR / Double(n)
    let variance = max(sumWR2 / Double(n) - mean * mean, 0)
    return ReplayEstimate(
      count: n, ips: mean, snips: sumW > 0 ? sumWR / sumW : 0,
      standardError: (variance / Double(n)).squareRoot(),
      effectiveSampleSize: sumW2 > 0 ? sumW * sumW / sumW2 : 0, loggedMean: sumR / Double(n))
  }
}
