import BasketryCore

// MARK: - Option parsing

/// Reads `key=value` hyper-parameters for the learned models (the strings a command line or registry passes).
struct LearnedModelOptions {
  let model: String
  let values: [String: String]
  private(set) var used: Set<String> = []

  init(model: String, values: [String: String]) {
    self.model = model
    self.values = values
  }

  mutating func text(_ keys: String...) -> String? {
    for key in keys {
      if let value = values[key] {
        used.insert(key)
        return value
      }
    }
    return nil
  }

  mutating func int(_ keys: String..., default defaultValue: Int) throws -> Int {
    for key in keys {
      if let value = values[key] {
        used.insert(key)
        guard let number = Int(value) else {
          throw ModelError(model: model, "parameter \(key)=\(value) is not an integer")
        }
        return number
      }
    }
    return defaultValue
  }

  mutating func float(_ keys: String..., default defaultValue: Float) throws -> Float {
    for key in keys {
      if let value = values[key] {
        used.insert(key)
        guard let number = Float(value), number.isFinite else {
          throw ModelError(model: model, "parameter \(key)=\(value) is not a number")
        }
        return number
      }
    }
    return defaultValue
  }

  mutating func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
    guard let value = values[key]?.lowercased() else { return defaultValue }
    used.insert(key)
    switch value {
    case "true", "1", "yes": return true
    case "false", "0", "no": return false
    default: throw ModelError(model: model, "parameter \(key)=\(value) is not a boolean")
    }
  }

  mutating func choice<T>(_ key: String, _ options: [String: T], default defaultValue: T) throws -> T {
    guard let value = values[key] else { return defaultValue }
    used.insert(key)
    guard let choice = options[value.lowercased()] else {
      throw ModelError(
        model: model, "parameter \(key)=\(value) must be one of \(options.keys.sorted().joined(separator: ", "))")
    }
    return choice
  }

  /// Throws for keys nobody read (typos).
  func finish() throws {
    let unknown = Set(values.keys).subtracting(used)
    guard unknown.isEmpty else {
      throw ModelError(model: model, "unknown parameter(s) \(unknown.sorted().joined(separator: ", "))")
    }
  }
}

// MARK: - Model initialisers from options

extension ImplicitALS {
  /// Creates an unfitted model from string options (for the model registry and the command line).
  ///
  /// Keys: `factors` (64), `regularization`/`reg`/`lambda` (0.01), `iterations` (15), `confidence`
  /// (`scaled` = α·r as in implicit, `linear` = 1 + α·r, `log` = 1 + α·log(1 + r/ε); default `scaled`),
  /// `alpha` (1), `epsilon` (1), `solver` (`cg` or `cholesky`; `cg`), `cg_steps` (3), `threads` (0 = all cores).
  /// - Throws: ``ModelError`` for unknown keys or malformed values.
  public init(options: [String: String], seed: UInt64 = 42) throws {
    var o = LearnedModelOptions(model: "als", values: options)
    var c = Configuration(seed: seed)
    c.factors = try o.int("factors", default: c.factors)
    c.regularization = try o.float("regularization", "reg", "lambda", default: c.regularization)
    c.iterations = try o.int("iterations", default: c.iterations)
    let alpha = try o.float("alpha", default: 1)
    let epsilon = try o.float("epsilon", default: 1)
    c.confidence = try o.choice(
      "confidence",
      [
        "scaled": .scaled(alpha: alpha), "linear": .linear(alpha: alpha),
        "log": .logarithmic(alpha: alpha, epsilon: epsilon),
      ],
      default: .scaled(alpha: alpha))
    let steps = try o.int("cg_steps", default: 3)
    c.solver = try o.choice(
      "solver", ["cg": .conjugateGradient(steps: steps), "cholesky": .cholesky],
      default: .conjugateGradient(steps: steps))
    c.threads = try o.int("threads", default: 0)
    try o.finish()
    self.init(configuration: c)
  }
}

extension BPR {
  /// Creates an unfitted model from string options.
  ///
  /// Keys: `factors` (64), `learning_rate`/`lr` (0.05), `regularization`/`reg` (0.01), `epochs`/`iterations` (100),
  /// `item_bias` (true).
  /// - Throws: ``ModelError`` for unknown keys or malformed values.
  public init(options: [String: String], seed: UInt64 = 42) throws {
    var o = LearnedModelOptions(model: "bpr", values: options)
    var c = Configuration(seed: seed)
    c.factors = try o.int("factors", default: c.factors)
    c.learningRate = try o.float("learning_rate", "lr", default: c.learningRate)
    c.regularization = try o.float("regularization", "reg", default: c.regularization)
    c.epochs = try o.int("epochs", "iterations", default: c.epochs)
    c.itemBias = try o.bool("item_bias", default: c.itemBias)
    try o.finish()
    self.init(configuration: c)
  }
}

extension NeuralHistoryScorer {
  /// Creates an unfitted model from string options.
  ///
  /// Keys: `dimension`/`factors` (64), `similarity` (`dot` or `cosine`; dot), `loss` (`squared` or `bce`;
  /// squared), `weighting` (`raw` or `normalized`; normalized), `negatives` (8), `epochs` (20),
  /// `learning_rate`/`lr` (0.01), `users_per_batch` (32), `max_positives` (50).
  /// - Throws: ``ModelError`` for unknown keys or malformed values.
  public init(options: [String: String], seed: UInt64 = 42) throws {
    var o = LearnedModelOptions(model: "neural", values: options)
    var c = Configuration(seed: seed)
    c.dimension = try o.int("dimension", "factors", default: c.dimension)
    c.similarity = try o.choice("similarity", ["dot": .dot, "cosine": .cosine], default: c.similarity)
    c.loss = try o.choice(
      "loss", ["squared": .squaredError, "mse": .squaredError, "bce": .binaryCrossEntropy], default: c.loss)
    c.weighting = try o.choice("weighting", ["raw": .raw, "normalized": .normalized], default: c.weighting)
    c.negatives = try o.int("negatives", default: c.negatives)
    c.epochs = try o.int("epochs", default: c.epochs)
    c.learningRate = try o.float("learning_rate", "lr", default: c.learningRate)
    c.usersPerBatch = try o.int("users_per_batch", default: c.usersPerBatch)
    c.maxPositivesPerUser = try o.int("max_positives", default: c.maxPositivesPerUser)
    try o.finish()
    self.init(configuration: c)
  }
}
