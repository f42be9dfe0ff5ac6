import BasketryCore
import Foundation

/// Predicts whether a user buys in the next period from ``PropensityFeatures``.
///
/// Features are standardised with statistics from the training rows (``FeatureScaler``), then fed to a
/// ``MultilayerPerceptron`` 32–16–1 (ReLU, ReLU, sigmoid) or, as the baseline, logistic regression (no hidden
/// layer) on the same features. Both minimise binary cross-entropy with Adam.
///
/// Defaults: hidden layers [32, 16], Adam learning rate 0.01, batch 128, 10 epochs,
/// no L2, seed 42. The logistic baseline uses the same optimiser settings.
public struct PropensityModel: Sendable, Hashable {
  /// The classifier.
  public enum Kind: Int, Sendable, Hashable, Codable {
    /// MLP with ``Configuration/hiddenLayers`` (ReLU) and a sigmoid output.
    case multilayerPerceptron
    /// Logistic regression on the same features.
    case logisticRegression
  }

  /// Hyper-parameters.
  public struct Configuration: Sendable, Hashable, Codable {
    /// Classifier kind. Default `.multilayerPerceptron`.
    public var kind: Kind
    /// Hidden widths for the MLP. Default [32, 16].
    public var hiddenLayers: [Int]
    /// Optimiser settings. Default lr 0.01, batch 128, 10 epochs, L2 0, seed 42.
    public var training: MultilayerPerceptron.TrainingOptions

    /// Creates a configuration; see the properties for defaults.
    public init(
      kind: Kind = .multilayerPerceptron, hiddenLayers: [Int] = [32, 16],
      training: MultilayerPerceptron.TrainingOptions = .init()
    ) {
      self.kind = kind
      self.hiddenLayers = hiddenLayers
      self.training = training
    }
  }

  /// The model's short name.
  public var name: String { configuration.kind == .multilayerPerceptron ? "propensity-mlp" : "propensity-logistic" }
  /// Hyper-parameters.
  public var configuration: Configuration
  /// Standardisation fitted on the training rows.
  public private(set) var scaler = FeatureScaler(means: [], deviations: [])
  /// The network (logistic regression is a network without hidden layers).
  public private(set) var network = MultilayerPerceptron(layerSizes: [], parameters: [])
  /// Whether ``fit(_:)`` has run.
  public private(set) var isFitted = false

  /// Creates an unfitted model.
  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// Fits the scaler and the classifier on labelled features.
  /// - Throws: ``ModelError`` when there are no rows, one class only, or invalid hyper-parameters.
  /// - Complexity: O(epochs · rows · parameters).
  public mutating func fit(_ features: PropensityFeatures) throws {
    let columns = PropensityFeatures.featureCount
    guard features.count > 0, features.values.count == features.count * columns,
      features.labels.count == features.count
    else {
      throw ModelError(model: name, "feature table is empty or inconsistent (\(features.count) rows)")
    }
    guard features.labels.contains(true), features.labels.contains(false) else {
      throw ModelError(model: name, "labels contain one class only")
    }
    let t = configuration.training
    guard t.learningRate > 0, t.batchSize > 0, t.epochs >= 0, t.l2 >= 0,
      configuration.hiddenLayers.allSatisfy({ $0 > 0 })
    else {
      throw ModelError(model: name, "invalid hyper-parameters \(configuration)")
    }
    scaler = FeatureScaler(fitting: features.values, columns: columns)
    let hidden = configuration.kind == .multilayerPerceptron ? configuration.hiddenLayers : []
    network = MultilayerPerceptron(layerSizes: [columns] + hidden + [1], seed: t.seed)
    network.train(
      inputs: scaler.transform(features.values), labels: features.labels.map { $0 ? 1 : 0 }, options: t)
    isFitted = true
  }

  /// The probability that each row's user buys in the next period.
  /// - Throws: ``ModelError`` when unfitted or the table has the wrong width.
  public func predict(_ features: PropensityFeatures) throws -> [Float] {
    guard isFitted else { throw ModelError.notFitted(name) }
    guard features.values.count == features.count * PropensityFeatures.featureCount else {
      throw ModelError(model: name, "feature table has \(features.values.count) values for \(features.count) rows")
    }
    return network.predict(scaler.transform(features.values))
  }

  // MARK: - Persistence

  static let formatVersion: UInt32 = 1

  /// Writes the model as little-endian binary.
  /// - Throws: ``ModelError`` when unfitted or on I/O failure.
  public func save(to url: URL) throws {
    guard isFitted else { throw ModelError.notFitted(name) }
    var writer = BinaryArchiveWriter(model: "propensity", version: Self.formatVersion)
    writer.write(configuration.kind.rawValue)
    writer.write(configuration.hiddenLayers)
    let t = configuration.training
    writer.write(t.learningRate)
    writer.write(t.batchSize)
    writer.write(t.epochs)
    writer.write(t.l2)
    writer.write(Int64(bitPattern: t.seed))
    writer.write(scaler.means)
    writer.write(scaler.deviations)
    writer.write(network.layerSizes)
    writer.write(network.parameters)
    try writer.save(to: url, model: name)
  }

  /// Reads a model written by ``save(to:)``.
  /// - Throws: ``ModelError`` when the file is missing, corrupt or of another model.
  public static func load(from url: URL) throws -> PropensityModel {
    let name = "propensity"
    var reader = try BinaryArchiveReader(url: url, model: name, supportedVersions: 1...formatVersion)
    var c = Configuration()
    c.kind = Kind(rawValue: try reader.readInt(in: 0...1, field: "kind")) ?? .multilayerPerceptron
    c.hiddenLayers = try reader.readInts(field: "hiddenLayers")
    c.training.learningRate = try reader.readFloat()
    c.training.batchSize = try reader.readInt(field: "batchSize")
    c.training.epochs = try reader.readInt(field: "epochs")
    c.training.l2 = try reader.readFloat()
    c.training.seed = UInt64(bitPattern: try reader.readInt64())
    let columns = PropensityFeatures.featureCount
    let means = try reader.readFloats(count: columns, field: "means")
    let deviations = try reader.readFloats(count: columns, field: "deviations")
    let sizes = try reader.readInts(field: "layerSizes")
    guard sizes.count >= 2, sizes.first == columns, sizes.last == 1, sizes.allSatisfy({ $0 > 0 && $0 <= 1 << 16 })
    else {
      throw ModelError(model: name, "\(url.path): invalid layer sizes \(sizes)")
    }
    let parameters = try reader.readFloats(count: MultilayerPerceptron.parameterCount(sizes), field: "parameters")
    var model = PropensityModel(configuration: c)
    model.scaler = FeatureScaler(means: means, deviations: deviations)
    model.network = MultilayerPerceptron(layerSizes: sizes, parameters: parameters)
    model.isFitted = true
    return model
  }
}
