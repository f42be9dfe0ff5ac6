import BasketryCore

/// Turns a recommender's ranking into purchase probabilities: P(a user buys the item at rank r of their
/// ranking within the horizon), estimated on a temporal hold-out.
///
/// Ranks are grouped in log-spaced bins (1, 2, 3, 4, 5, 6–7, 8–9, 10–12, …, each about 25 % wider than the
/// last, up to the catalog size). For each bin,
///
///     p(bin) = (hits + a · base) / (trials + a),   a = `smoothing` (default 20),
///
/// where trials counts (user, item) pairs ranked in the bin, hits the pairs bought in the hold-out, and base
/// is the overall rate hits / trials. The bin probabilities are then made non-increasing in rank (pool
/// adjacent violators, weighted by trials), so a better rank never means a lower probability.
/// Tied scores share the mean rank of their tie group (a model that cannot tell items apart gives them the
/// same probability).
public struct RankCalibration: Sendable, Hashable, Codable {
  /// Upper rank (inclusive, 1-based) of each bin.
  public var upperRanks: [Int]
  /// Purchase probability of each bin.
  public var probabilities: [Double]
  /// Pairs counted per bin.
  public var trials: [Double]
  /// Pairs bought per bin.
  public var hits: [Double]
  /// Length of the hold-out window the probabilities refer to, in days.
  public var horizonDays: Double
  /// Users the calibration was measured on.
  public var users: Int

  /// Creates a calibration from its tables (e.g. a saved one).
  public init(
    upperRanks: [Int], probabilities: [Double], trials: [Double], hits: [Double], horizonDays: Double, users: Int
  ) {
    self.upperRanks = upperRanks
    self.probabilities = probabilities
    self.trials = trials
    self.hits = hits
    self.horizonDays = horizonDays
    self.users = users
  }

  /// Log-spaced bin bounds 1, 2, 3, 4, 5, 7, 9, 12, 15, … (× 1.25, rounded up) up to `itemCount`.
  static func bounds(itemCount: Int) -> [Int] {
    var bounds: [Int] = []
    var upper = 1
    while upper < itemCount {
      bounds.append(upper)
      upper = max(upper + 1, Int((Double(upper) * 1.25).rounded(.up)))
    }
    bounds.append(max(itemCount, 1))
    return bounds
  }

  /// The bin of a (1-based, possibly fractional) rank.
  func bin(of rank: Double) -> Int {
    var low = 0
    var high = upperRanks.count - 1
    while low < high {
      let middle = (low + high) / 2
      if Double(upperRanks[middle]) >= rank.rounded(.up) { high = middle } else { low = middle + 1 }
    }
    return low
  }

  /// P(buy within the horizon) at a 1-based rank (tie groups pass their mean rank).
  public func probability(rank: Double) -> Double {
    guard !probabilities.isEmpty else { return 0 }
    return probabilities[bin(of: max(rank, 1))]
  }

  /// 1-based ranks of every item under `scores` (higher is better); ties share their group's mean rank.
  /// - Complexity: O(n log n).
  public static func ranks(_ scores: [Float]) -> [Double] {
    let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    var ranks = [Double](repeating: 0, count: scores.count)
    var start = 0
    while start < order.count {
      var end = start + 1
      while end < order.count, scores[order[end]] == scores[order[start]] { end += 1 }
      let mean = Double(start + 1 + end) / 2
      for position in start..<end { ranks[order[position]] = mean }
      start = end
    }
    return ranks
  }

  /// Estimates the calibration from rankings and what users bought afterwards.
  /// - Parameters:
  ///   - rankings: per user, a score for every item (higher is better).
  ///   - outcomes: per user (same order), the items bought in the hold-out window.
  ///   - itemCount: catalog size.
  ///   - horizonDays: length of the hold-out window.
  ///   - smoothing: pseudo-count pulling each bin toward the overall rate.
  /// - Complexity: O(users · n log n).
  public static func fit(
    rankings: [[Float]], outcomes: [Set<Int32>], itemCount: Int, horizonDays: Double, smoothing: Double = 20
  ) -> RankCalibration {
    let upper = bounds(itemCount: itemCount)
    var calibration = RankCalibration(
      upperRanks: upper, probabilities: [], trials: [Double](repeating: 0, count: upper.count),
      hits: [Double](repeating: 0, count: upper.count), horizonDays: horizonDays, users: rankings.count)
    for (scores, bought) in zip(rankings, outcomes) {
      let ranks = Self.ranks(scores)
      var previous = 0
      for (index, bound) in upper.enumerated() {
        calibration.trials[index] += Double(min(bound, scores.count) - min(previous, scores.count))
        previous = bound
      }
      for item in bought where Int(item) < ranks.count {
        calibration.hits[calibration.bin(of: ranks[Int(item)])] += 1
      }
    }
    let totalTrials = calibration.trials.reduce(0, +)
    let base = totalTrials > 0 ? calibration.hits.reduce(0, +) / totalTrials : 0
    let raw = zip(calibration.hits, calibration.trials).map { (hits, trials) in
      (hits + smoothing * base) / (trials + smoothing)
    }
    calibration.probabilities = Self.nonIncreasing(raw, weights: calibration.trials.map { $0 + smoothing })
    return calibration
  }

  /// Weighted pool-adjacent-violators regression onto a non-increasing sequence.
  /// - Complexity: O(n).
  static func nonIncreasing(_ values: [Double], weights: [Double]) -> [Double] {
    var blocks: [(value: Double, weight: Double, count: Int)] = []
    for (value, weight) in zip(values, weights) {
      blocks.append((value, weight, 1))
      while blocks.count > 1, blocks[blocks.count - 2].value < blocks[blocks.count - 1].value {
        let last = blocks.removeLast()
        let previous = blocks.removeLast()
        let weight = previous.weight + last.weight
        blocks.append(
          ((previous.value * previous.weight + last.value * last.weight) / weight, weight, previous.count + last.count)
        )
      }
    }
    return blocks.flatMap { [Double](repeating: $0.value, count: $0.count) }
  }
}
