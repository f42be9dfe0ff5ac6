import Foundation

/// How well predicted holdout purchases match the actual ones, per customer and by calibration
/// frequency: the evaluation of `lifetimes`' `calibration_and_holdout_data` and BTYDplus.
public struct HoldoutEvaluation: Sendable, Hashable, Codable {
  /// Per-customer error metrics of one predictor.
  public struct Metrics: Sendable, Hashable, Codable {
    /// Customers.
    public var customers: Int
    /// Mean absolute error per customer: (1/n) Σ |actual − predicted|.
    public var mae: Double
    /// Root mean squared error per customer.
    public var rmse: Double
    /// Pearson correlation of actual and predicted (0 when either is constant).
    public var pearson: Double
    /// BTYDplus's MAE, Σ |actual − predicted| / Σ actual.
    public var relativeMAE: Double
    /// Σ actual.
    public var actualTotal: Double
    /// Σ predicted.
    public var predictedTotal: Double

    /// Computes the metrics.
    /// - Complexity: O(n).
    public init(actual: [Double], predicted: [Double]) {
      let n = Double(max(actual.count, 1))
      var absolute = 0.0
      var squared = 0.0
      for (a, p) in zip(actual, predicted) {
        absolute += abs(a - p)
        squared += (a - p) * (a - p)
      }
      let actualTotal = actual.reduce(0, +)
      customers = actual.count
      mae = absolute / n
      rmse = (squared / n).squareRoot()
      relativeMAE = actualTotal > 0 ? absolute / actualTotal : 0
      self.actualTotal = actualTotal
      predictedTotal = predicted.reduce(0, +)
      let meanA = actualTotal / n
      let meanP = predictedTotal / n
      var covariance = 0.0
      var varianceA = 0.0
      var varianceP = 0.0
      for (a, p) in zip(actual, predicted) {
        covariance += (a - meanA) * (p - meanP)
        varianceA += (a - meanA) * (a - meanA)
        varianceP += (p - meanP) * (p - meanP)
      }
      pearson = varianceA > 0 && varianceP > 0 ? covariance / (varianceA * varianceP).squareRoot() : 0
    }
  }

  /// One calibration-frequency group: its customers' actual and predicted holdout totals.
  public struct Group: Sendable, Hashable, Codable {
    /// Calibration frequency x (the last group holds x ≥ this).
    public var frequency: Int
    /// Whether this is the open-ended last group.
    public var isOpenEnded: Bool
    /// Customers in the group.
    public var customers: Int
    /// Σ actual holdout purchases.
    public var actual: Double
    /// Σ predicted, one entry per predictor in ``HoldoutEvaluation/predictors`` order.
    public var predicted: [Double]
  }

  /// Predictor names, e.g. `["naive", "bgnbd"]`.
  public var predictors: [String]
  /// Metrics per predictor, in ``predictors`` order.
  public var metrics: [Metrics]
  /// Groups x = 0, 1, …, `lastGroup − 1`, and x ≥ `lastGroup`.
  public var groups: [Group]

  /// Evaluates named predictions against actual holdout purchases.
  /// - Parameters:
  ///   - frequency: calibration frequency of each customer.
  ///   - actual: holdout purchases of each customer.
  ///   - predictions: name and per-customer predictions, each as long as `actual`.
  ///   - lastGroup: the open-ended last group's lower bound. Default 7.
  /// - Complexity: O(customers × predictors).
  public init(frequency: [Int], actual: [Int], predictions: [(name: String, values: [Double])], lastGroup: Int = 7) {
    let actualValues = actual.map(Double.init)
    predictors = predictions.map(\.name)
    metrics = predictions.map { Metrics(actual: actualValues, predicted: $0.values) }
    var groups = (0...lastGroup).map {
      Group(
        frequency: $0, isOpenEnded: $0 == lastGroup, customers: 0, actual: 0,
        predicted: [Double](repeating: 0, count: predictions.count))
    }
    for i in actual.indices {
      let g = min(max(frequency[i], 0), lastGroup)
      groups[g].customers += 1
      groups[g].actual += actualValues[i]
      for (k, prediction) in predictions.enumerated() { groups[g].predicted[k] += prediction.values[i] }
    }
    self.groups = groups
  }

  /// The naive baseline: each customer keeps buying at their calibration rate, x / T · t (0 when
  /// T = 0).
  public static func naivePrediction(_ rfm: RFM, horizon t: Double) -> Double {
    rfm.age > 0 ? Double(rfm.frequency) / rfm.age * t : 0
  }

  /// The groups in which predictor `index` is closer to the actual total than predictor `baseline`
  /// (|predicted − actual| strictly smaller).
  public func groupsWon(by index: Int, against baseline: Int) -> [Int] {
    groups.filter { abs($0.predicted[index] - $0.actual) < abs($0.predicted[baseline] - $0.actual) }.map(\.frequency)
  }
}
