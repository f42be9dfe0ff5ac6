import Foundation

/// Metrics for score and probability predictions (ratings, purchase propensity).
public enum PredictionMetrics {
  /// Root mean squared error `sqrt(mean((ŷ − y)²))`; 0 for empty input.
  /// - Precondition: equal lengths.
  public static func rmse(predicted: [Double], actual: [Double]) -> Double {
    precondition(predicted.count == actual.count)
    guard !actual.isEmpty else { return 0 }
    let sum = zip(predicted, actual).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    return (sum / Double(actual.count)).squareRoot()
  }

  /// Mean absolute error `mean(|ŷ − y|)`; 0 for empty input.
  /// - Precondition: equal lengths.
  public static func mae(predicted: [Double], actual: [Double]) -> Double {
    precondition(predicted.count == actual.count)
    guard !actual.isEmpty else { return 0 }
    return zip(predicted, actual).reduce(0.0) { $0 + abs($1.0 - $1.1) } / Double(actual.count)
  }

  /// Area under the ROC curve: the probability that a random positive scores above a random negative, ties
  /// counted half (Mann–Whitney U / (n⁺ n⁻), with mid-ranks). `nil` when either class is empty.
  /// - Parameters:
  ///   - scores: predicted scores.
  ///   - labels: true for positives.
  /// - Precondition: equal lengths.
  /// - Complexity: O(n log n).
  public static func auc(scores: [Double], labels: [Bool]) -> Double? {
    precondition(scores.count == labels.count)
    let positives = labels.filter { $0 }.count
    let negatives = labels.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSum = 0.0
    var start = 0
    while start < order.count {
      var end = start
      while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
      let midRank = Double(start + end + 2) / 2  // 1-based average rank of the tie group
      for position in start...end where labels[order[position]] { rankSum += midRank }
      start = end + 1
    }
    let u = rankSum - Double(positives) * Double(positives + 1) / 2
    return u / (Double(positives) * Double(negatives))
  }

  /// Binary cross-entropy `−mean(y log p + (1 − y) log(1 − p))`, with p clipped to [ε, 1 − ε], ε = 1e-15.
  /// - Precondition: equal lengths.
  public static func logLoss(probabilities: [Double], labels: [Bool], epsilon: Double = 1e-15) -> Double {
    precondition(probabilities.count == labels.count)
    guard !labels.isEmpty else { return 0 }
    var sum = 0.0
    for (p, y) in zip(probabilities, labels) {
      let clipped = min(max(p, epsilon), 1 - epsilon)
      sum += y ? -Foundation.log(clipped) : -Foundation.log(1 - clipped)
    }
    return sum / Double(labels.count)
  }
}
