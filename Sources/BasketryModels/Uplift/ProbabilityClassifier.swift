import BasketryCore

/// A binary classifier on any feature table: per-column standardisation (``FeatureScaler``) then the
/// propensity model's network (``MultilayerPerceptron``; 32–16–1 by default, or logistic regression with
/// ``PropensityModel/Kind/logisticRegression``), trained on binary cross-entropy with Adam.
///
/// ``PropensityModel`` is this classifier on the fixed ``PropensityFeatures`` columns; uplift learners need
/// other columns (campaign history, browsing in the promoted category) and several fits per model.
public struct ProbabilityClassifier: Sendable, Hashable, Codable {
  /// Hyper-parameters (the propensity model's; defaults MLP [32, 16], lr 0.01, batch 128, 10 epochs, seed 42).
  public var configuration: PropensityModel.Configuration
  /// Standardisation fitted on the training rows.
  public private(set) var scaler = FeatureScaler(means: [], deviations: [])
  /// The network.
  public private(set) var network = MultilayerPerceptron(layerSizes: [], parameters: [])
  /// Number of feature columns, set by ``fit(features:width:labels:)``.
  public private(set) var width = 0

  /// Creates an unfitted classifier.
  public init(configuration: PropensityModel.Configuration = .init()) {
    self.configuration = configuration
  }

  /// Whether ``fit(features:width:labels:)`` has run.
  public var isFitted: Bool { width > 0 }

  /// Fits the scaler and the network.
  /// - Parameters:
  ///   - features: row-major rows × `width` values.
  ///   - width: number of columns.
  ///   - labels: the class of each row.
  ///   - name: the model's name in errors.
  /// - Throws: ``UpliftError`` when the table is empty or inconsistent, or the labels have one class only.
  /// - Complexity: O(epochs · rows · parameters).
  public mutating func fit(features: [Float], width: Int, labels: [Bool], name: String = "classifier") throws {
    guard width > 0, !labels.isEmpty, features.count == labels.count * width else {
      throw UpliftError("\(name): empty or inconsistent table (\(labels.count) rows, \(features.count) values)")
    }
    guard labels.contains(true), labels.contains(false) else {
      throw UpliftError("\(name): the labels of its \(labels.count) rows contain one class only")
    }
    let t = configuration.training
    guard t.learningRate > 0, t.batchSize > 0, t.epochs >= 0, configuration.hiddenLayers.allSatisfy({ $0 > 0 })
    else {
      throw UpliftError("\(name): invalid hyper-parameters \(configuration)")
    }
    scaler = FeatureScaler(fitting: features, columns: width)
    let hidden = configuration.kind == .multilayerPerceptron ? configuration.hiddenLayers : []
    network = MultilayerPerceptron(layerSizes: [width] + hidden + [1], seed: t.seed)
    network.train(inputs: scaler.transform(features), labels: labels.map { $0 ? 1 : 0 }, options: t)
    self.width = width
  }

  /// P(class = true) per row.
  /// - Throws: ``UpliftError`` when unfitted or the table has another width.
  /// - Complexity: O(rows · parameters).
  public func predict(_ features: [Float]) throws -> [Double] {
    guard isFitted else { throw UpliftError("classifier is not fitted", category: .unavailable) }
    guard features.count % width == 0 else {
      throw UpliftError("table of \(features.count) values does not have \(width) columns")
    }
    if features.isEmpty { return [] }
    return network.predict(scaler.transform(features)).map { Double($0) }
  }

  // MARK: - Codable

  enum CodingKeys: String, CodingKey {
    case configuration, width, means, deviations
    case layerSizes = "layer_sizes"
    case parameters
  }

  /// Decodes a classifier written by ``encode(to:)``.
  /// - Throws: `DecodingError` when the statistics or the parameters do not fit the layer sizes.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    configuration = try c.decode(PropensityModel.Configuration.self, forKey: .configuration)
    let width = try c.decode(Int.self, forKey: .width)
    let means = try c.decode([Float].self, forKey: .means)
    let deviations = try c.decode([Float].self, forKey: .deviations)
    let sizes = try c.decode([Int].self, forKey: .layerSizes)
    let parameters = try c.decode([Float].self, forKey: .parameters)
    let fitted = width > 0
    guard
      !fitted
        || (means.count == width && deviations.count == width && sizes.count >= 2 && sizes.first == width
          && sizes.last == 1 && sizes.allSatisfy { $0 > 0 && $0 <= 1 << 16 }
          && parameters.count == MultilayerPerceptron.parameterCount(sizes))
    else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: c.codingPath,
          debugDescription: "classifier of width \(width) with \(means.count) means, layers \(sizes) and "
            + "\(parameters.count) parameters"))
    }
    self.width = width
    scaler = FeatureScaler(means: means, deviations: deviations)
    network = MultilayerPerceptron(layerSizes: sizes, parameters: parameters)
  }

  /// Encodes the configuration, the standardisation and the network's parameters.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(configuration, forKey: .configuration)
    try c.encode(width, forKey: .width)
    try c.encode(scaler.means, forKey: .means)
    try c.encode(scaler.deviations, forKey: .deviations)
    try c.encode(network.layerSizes, forKey: .layerSizes)
    try c.encode(network.parameters, forKey: .parameters)
  }
}
