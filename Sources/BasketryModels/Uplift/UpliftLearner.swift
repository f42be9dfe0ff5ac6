import BasketryCore

/// One customer's modelled purchase probabilities with and without the campaign.
public struct UpliftPrediction: Sendable, Hashable, Codable {
  /// P(buy | treated).
  public var treated: Double
  /// P(buy | control).
  public var control: Double

  /// Creates a prediction.
  public init(treated: Double, control: Double) {
    self.treated = treated
    self.control = control
  }

  /// The uplift P(buy | treated) − P(buy | control); negative for customers the campaign puts off.
  public var uplift: Double { treated - control }
}

/// A model of how a campaign changes each customer's purchase probability, fitted on a randomised log.
public protocol UpliftLearner: Sendable {
  /// Short name (`t-learner`, `class-transformation`).
  var name: String { get }
  /// Fits on a randomised campaign log.
  /// - Throws: ``UpliftError`` when the log cannot be fitted (empty, one arm, one outcome).
  mutating func fit(_ sample: UpliftSample) throws
  /// P(buy | treated) and P(buy | control) per row of a row-major table with the training columns.
  /// - Throws: ``UpliftError`` when unfitted or the table has another width.
  func predict(_ features: [Float]) throws -> [UpliftPrediction]
}

/// Which uplift learner to fit.
public enum UpliftLearnerKind: String, Sendable, Hashable, Codable, CaseIterable {
  /// ``TwoModelUplift``.
  case twoModel = "t-learner"
  /// ``ClassTransformationUplift``.
  case classTransformation = "class-transformation"

  /// An unfitted learner of this kind.
  public func make(configuration: PropensityModel.Configuration = .init()) -> any UpliftLearner {
    switch self {
    case .twoModel: TwoModelUplift(configuration: configuration)
    case .classTransformation: ClassTransformationUplift(configuration: configuration)
    }
  }
}

// MARK: - T-learner

/// The two-model uplift learner (T-learner; Künzel et al. 2019): one classifier fitted on the treated
/// customers, P̂(buy | x, treated), one on the control customers, P̂(buy | x, control); the uplift is their
/// difference τ̂(x) = P̂₁(x) − P̂₀(x).
///
/// Both classifiers are ``ProbabilityClassifier``s with the same configuration (default the propensity MLP,
/// 32–16–1, 10 epochs; the control model's seed is the treated model's + 1).
public struct TwoModelUplift: UpliftLearner, Hashable, Codable {
  public var name: String { "t-learner" }
  /// The classifier fitted on the treated customers.
  public private(set) var treatedModel: ProbabilityClassifier
  /// The classifier fitted on the control customers.
  public private(set) var controlModel: ProbabilityClassifier

  /// Creates an unfitted learner.
  public init(configuration: PropensityModel.Configuration = .init()) {
    treatedModel = ProbabilityClassifier(configuration: configuration)
    var control = configuration
    control.training.seed &+= 1
    controlModel = ProbabilityClassifier(configuration: control)
  }

  /// Fits both classifiers.
  /// - Throws: ``UpliftError`` when an arm is empty or has one outcome only.
  /// - Complexity: O(epochs · rows · parameters).
  public mutating func fit(_ sample: UpliftSample) throws {
    let treated = sample.treated.indices.filter { sample.treated[$0] }
    let control = sample.treated.indices.filter { !sample.treated[$0] }
    try treatedModel.fit(
      features: sample.rows(treated), width: sample.width, labels: treated.map { sample.converted[$0] },
      name: "\(name) treated model")
    try controlModel.fit(
      features: sample.rows(control), width: sample.width, labels: control.map { sample.converted[$0] },
      name: "\(name) control model")
  }

  /// P̂(buy | treated) and P̂(buy | control) per row.
  /// - Complexity: O(rows · parameters).
  public func predict(_ features: [Float]) throws -> [UpliftPrediction] {
    let treated = try treatedModel.predict(features)
    let control = try controlModel.predict(features)
    return zip(treated, control).map { UpliftPrediction(treated: $0, control: $1) }
  }
}

// MARK: - Class transformation

/// The class-transformation uplift learner (Jaśkowski & Jaroszewicz 2012): with treatment assigned at random
/// with probability ½, the transformed class Z = Y·W + (1 − Y)(1 − W) (treated buyers and control
/// non-buyers) satisfies P(Z = 1 | x) = ½ + τ(x)/2, so one classifier gives τ̂(x) = 2·P̂(Z = 1 | x) − 1.
///
/// When the log's treated share e is not ½, the larger arm is subsampled (seeded) to the smaller arm's size
/// before fitting the Z classifier, which restores the ½ the identity needs. A second classifier fits
/// m̂(x) = P̂(buy | x) on every row, ignoring treatment; since m = e·P₁ + (1 − e)·P₀, the per-arm
/// probabilities are P̂₁ = m̂ + (1 − e)·τ̂ and P̂₀ = m̂ − e·τ̂, clamped to [0, 1].
public struct ClassTransformationUplift: UpliftLearner, Hashable, Codable {
  public var name: String { "class-transformation" }
  /// The classifier of the transformed class Z.
  public private(set) var transformedModel: ProbabilityClassifier
  /// The classifier of P(buy | x), ignoring treatment.
  public private(set) var outcomeModel: ProbabilityClassifier
  /// The treated share e of the training log.
  public private(set) var treatedShare = 0.5

  /// Creates an unfitted learner.
  public init(configuration: PropensityModel.Configuration = .init()) {
    transformedModel = ProbabilityClassifier(configuration: configuration)
    var outcome = configuration
    outcome.training.seed &+= 1
    outcomeModel = ProbabilityClassifier(configuration: outcome)
  }

  /// Fits the Z classifier on an arm-balanced subsample and the outcome classifier on every row.
  /// - Throws: ``UpliftError`` when an arm is empty or Z or the outcome has one class only.
  /// - Complexity: O(epochs · rows · parameters).
  public mutating func fit(_ sample: UpliftSample) throws {
    var treated = sample.treated.indices.filter { sample.treated[$0] }
    var control = sample.treated.indices.filter { !sample.treated[$0] }
    guard !treated.isEmpty, !control.isEmpty else {
      throw UpliftError("\(name): the log needs treated and control customers (\(treated.count) and \(control.count))")
    }
    treatedShare = Double(treated.count) / Double(sample.count)
    var rng = SplitMix64(seed: transformedModel.configuration.training.seed ^ 0xC1A5_5E5)
    if treated.count > control.count {
      treated.shuffle(using: &rng)
      treated = Array(treated.prefix(control.count))
    } else if control.count > treated.count {
      control.shuffle(using: &rng)
      control = Array(control.prefix(treated.count))
    }
    let balanced = (treated + control).sorted()
    try transformedModel.fit(
      features: sample.rows(balanced), width: sample.width,
      labels: balanced.map { sample.converted[$0] == sample.treated[$0] }, name: "\(name) Z model")
    try outcomeModel.fit(
      features: sample.features, width: sample.width, labels: sample.converted, name: "\(name) outcome model")
  }

  /// P̂(buy | treated) and P̂(buy | control) per row.
  /// - Complexity: O(rows · parameters).
  public func predict(_ features: [Float]) throws -> [UpliftPrediction] {
    let z = try transformedModel.predict(features)
    let m = try outcomeModel.predict(features)
    let e = treatedShare
    return zip(z, m).map { z, m in
      let tau = 2 * z - 1
      return UpliftPrediction(treated: min(max(m + (1 - e) * tau, 0), 1), control: min(max(m - e * tau, 0), 1))
    }
  }
}
