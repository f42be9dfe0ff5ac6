import BasketryCore

/// Hyper-parameters for a model built by name: string values by key, read with typed accessors, plus a seed.
public struct ModelParameters: Sendable, Hashable {
  /// Values by key (`lambda` → `"400"`).
  public var values: [String: String]
  /// Seed for every stochastic step. Default 42.
  public var seed: UInt64

  /// Creates parameters.
  public init(_ values: [String: String] = [:], seed: UInt64 = 42) {
    self.values = values
    self.seed = seed
  }

  /// These parameters with `defaults` filled in where a key is absent.
  public func withDefaults(_ defaults: [String: String]) -> ModelParameters {
    ModelParameters(values.merging(defaults) { mine, _ in mine }, seed: seed)
  }

  /// A `Double` value, or `defaultValue` when absent.
  /// - Throws: ``ModelError`` when present but not a number.
  public func double(_ key: String, default defaultValue: Double, model: String = "model") throws -> Double {
    guard let text = values[key] else { return defaultValue }
    guard let value = Double(text) else { throw ModelError(model: model, "parameter \(key)=\(text) is not a number") }
    return value
  }

  /// An optional `Double` value.
  /// - Throws: ``ModelError`` when present but not a number.
  public func optionalDouble(_ key: String, model: String = "model") throws -> Double? {
    guard let text = values[key] else { return nil }
    guard let value = Double(text) else { throw ModelError(model: model, "parameter \(key)=\(text) is not a number") }
    return value
  }

  /// An `Int` value, or `defaultValue` when absent.
  /// - Throws: ``ModelError`` when present but not an integer.
  public func int(_ key: String, default defaultValue: Int, model: String = "model") throws -> Int {
    guard let text = values[key] else { return defaultValue }
    guard let value = Int(text) else { throw ModelError(model: model, "parameter \(key)=\(text) is not an integer") }
    return value
  }

  /// A `Bool` value (`true/false/1/0/yes/no`), or `defaultValue` when absent.
  /// - Throws: ``ModelError`` when present but not a boolean.
  public func bool(_ key: String, default defaultValue: Bool, model: String = "model") throws -> Bool {
    guard let text = values[key]?.lowercased() else { return defaultValue }
    switch text {
    case "true", "1", "yes": return true
    case "false", "0", "no": return false
    default: throw ModelError(model: model, "parameter \(key)=\(text) is not a boolean")
    }
  }

  /// A string value, or `defaultValue` when absent.
  public func string(_ key: String, default defaultValue: String) -> String { values[key] ?? defaultValue }
}

/// Builds recommenders by their command-line name (`pop`, `freq`, `itemknn`, `ease`, …).
///
/// Every model is one line in ``factories``.
public enum ModelRegistry {
  /// Builds a model from hyper-parameters.
  public typealias Factory = @Sendable (ModelParameters) throws -> any Recommender

  /// Model factories by name.
  public static let factories: [String: Factory] = [
    "pop": { try PopularityRecommender(parameters: $0) },
    "pop-recent": { try PopularityRecommender(parameters: $0.withDefaults(["half_life_days": "30"])) },
    "freq": { try PersonalFrequencyRecommender(parameters: $0) },
    "itemknn": { try ItemKNNRecommender(parameters: $0) },
    "itemknn-cosine": { try ItemKNNRecommender(parameters: $0.withDefaults(["similarity": "cosine"])) },
    "itemknn-bm25": { try ItemKNNRecommender(parameters: $0.withDefaults(["similarity": "bm25"])) },
    "itemknn-lift": { try ItemKNNRecommender(parameters: $0.withDefaults(["similarity": "lift"])) },
    "repeat-explore": { try RepeatExploreRecommender(parameters: $0) },
    "tifuknn": { try TIFUKNNRecommender(parameters: $0) },
    "ease": { try EASERecommender(parameters: $0) },
    "als": { try ImplicitALS(options: $0.values, seed: $0.seed) },
    "bpr": { try BPR(options: $0.values, seed: $0.seed) },
    "neural": { try NeuralHistoryScorer(options: $0.values, seed: $0.seed) },
  ]

  /// The registered names, sorted.
  public static var names: [String] { factories.keys.sorted() }

  /// Builds a model by name.
  /// - Parameters:
  ///   - name: a registered name.
  ///   - parameters: hyper-parameters (unknown keys are ignored).
  /// - Throws: ``ModelError`` (`.notFound`) for an unknown name, or the model's own parameter errors.
  public static func make(name: String, parameters: ModelParameters = ModelParameters()) throws -> any Recommender {
    guard let factory = factories[name] else {
      throw ModelError(
        model: name, "unknown model '\(name)'; known: \(names.joined(separator: ", "))", category: .notFound)
    }
    return try factory(parameters)
  }
}
