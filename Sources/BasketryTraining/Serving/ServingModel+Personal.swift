import BasketryBundles
import BasketryCore
import BasketryModels

/// A recommender's rank calibration as the artifact keeps it: rank → P(buy within the horizon), and the average
/// shopper's probability per item (the comparison point of explanations and of cannibalisation).
public struct PersonalCalibration: Sendable, Hashable, Codable {
  /// Rank → probability (``RankCalibration``).
  public var calibration: RankCalibration
  /// Per dense item id, the share of calibration shoppers who bought it within the horizon.
  public var averageProbabilities: [Double]

  /// Creates a calibration.
  public init(calibration: RankCalibration, averageProbabilities: [Double]) {
    self.calibration = calibration
    self.averageProbabilities = averageProbabilities
  }

  private enum CodingKeys: String, CodingKey {
    case calibration
    case averageProbabilities = "average_probabilities"
  }
}

extension ServingModel {
  /// P(the shopper buys each of `items` within the calibration's horizon, at list price and without an offer):
  /// the calibration's probability at each item's rank in the recommender's ranking of the shopper's whole
  /// history (training history plus `live`), ties at their group's mean rank as in calibration.
  /// - Parameters:
  ///   - user: the shopper's key, nil for an anonymous history.
  ///   - live: interactions after the model's data.
  ///   - items: dense item ids.
  /// - Returns: one probability per item, or nil without a calibration or without any history.
  /// - Throws: ``ModelError`` from the recommender.
  /// - Complexity: one scoring of the recommender plus O(|items| · item count).
  public func purchaseProbabilities(user: String?, live: [LiveInteraction], items: [Int32]) throws -> [Double]? {
    guard let personal, let (scores, _) = try scores(user: user, live: live) else { return nil }
    return items.map { item in
      guard Int(item) < scores.count else { return 0 }
      let score = scores[Int(item)]
      var greater = 0
      var equal = 0
      for other in scores {
        if other > score {
          greater += 1
        } else if other == score {
          equal += 1
        }
      }
      return personal.calibration.probability(rank: Double(greater) + Double(1 + equal) / 2)
    }
  }
}
