import BasketryCore

/// A randomised campaign log as a feature table: per customer, features, whether they were treated (offered
/// the campaign) and whether they converted (bought what the campaign promotes within its window).
public struct UpliftSample: Sendable, Hashable, Codable {
  /// Feature names, in column order.
  public var featureNames: [String]
  /// Row-major rows × ``featureNames``.count feature values.
  public var features: [Float]
  /// Whether each customer was treated.
  public var treated: [Bool]
  /// Whether each customer converted.
  public var converted: [Bool]

  /// Creates a sample.
  /// - Throws: ``UpliftError`` when the arrays do not fit together.
  public init(featureNames: [String], features: [Float], treated: [Bool], converted: [Bool]) throws {
    guard !featureNames.isEmpty, treated.count == converted.count,
      features.count == treated.count * featureNames.count
    else {
      throw UpliftError(
        "inconsistent sample: \(features.count) values, \(featureNames.count) columns, \(treated.count) "
          + "treatment flags and \(converted.count) outcomes")
    }
    self.featureNames = featureNames
    self.features = features
    self.treated = treated
    self.converted = converted
  }

  /// Creates a sample whose arrays the caller built consistent (features.count = rows × columns).
  public init(uncheckedFeatureNames featureNames: [String], features: [Float], treated: [Bool], converted: [Bool]) {
    self.featureNames = featureNames
    self.features = features
    self.treated = treated
    self.converted = converted
  }

  /// Number of customers.
  public var count: Int { treated.count }
  /// Number of feature columns.
  public var width: Int { featureNames.count }

  /// The rows at `indices`, in that order.
  /// - Complexity: O(indices · width).
  public func rows(_ indices: [Int]) -> [Float] {
    var result: [Float] = []
    result.reserveCapacity(indices.count * width)
    for row in indices { result.append(contentsOf: features[(row * width)..<((row + 1) * width)]) }
    return result
  }
}

/// An uplift model or campaign that cannot be fitted or scored, with the reason.
public struct UpliftError: BasketryError {
  /// What is wrong, naming the offending value.
  public var message: String
  public var category: ErrorCategory

  /// Creates an error.
  public init(_ message: String, category: ErrorCategory = .invalidInput) {
    self.message = message
    self.category = category
  }

  public var description: String { "uplift: \(message)" }
}
