import BasketryCore
import BasketryOnline
import BasketrySemantic
import BasketryStore
import BasketryTraining
import Foundation
import Hummingbird
import Logging
import UnixSignals

/// Entry points used by `basketry serve` and `basketry train`.
public enum ServerMain {
  /// A logger at the configured level. Raw user ids are never logged (only pseudonyms).
  public static func logger(level: String) -> Logger {
    var logger = Logger(label: "basketry")
    logger.logLevel = Logger.Level(rawValue: level) ?? .info
    return logger
  }

  /// Opens the store, starts the engine and serves until SIGTERM/SIGINT (graceful shutdown:
  /// in-flight requests finish, buffered impressions are flushed, then the store is closed).
  /// - Parameters:
  ///   - configuration: settings.
  ///   - onRunning: called with the bound port.
  /// - Throws: ``ConfigurationError`` when the configuration must not serve (``ServerConfiguration/checkExposure()``),
  ///   store errors.
  public static func serve(
    configuration: ServerConfiguration, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
  ) async throws {
    let logger = logger(level: configuration.logLevel)
    try configuration.checkExposure()
    if configuration.pseudonymKey.isEmpty {
      logger.warning("no pseudonym_key configured (BASKETRY_PSEUDONYM_KEY); using the development key")
    }
    if configuration.apiKeys.isEmpty {
      logger.warning("no api_keys configured; every endpoint is open")
    }
    let store = try await StoreFactory.open(configuration.store, logger: logger)
    let engine = Engine(store: store, configuration: configuration, logger: logger)
    try await engine.start()
    logger.info(
      "store open",
      metadata: [
        "store": "\(StoreFactory.redacted(configuration.store))",
        "model": "\(engine.modelVersion.map(String.init) ?? "none")",
      ])
    let app = BasketryService.application(engine: engine, onRunning: onRunning)
    do {
      try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    } catch {
      await engine.flush()
      await store.close()
      throw error
    }
    await engine.flush()
    await store.close()
  }

  /// Trains a model with the training pipeline, from the store's purchases or a given dataset, and publishes it
  /// as a new version (every running server on the store switches to it).
  /// - Parameters:
  ///   - location: the store.
  ///   - dataset: orders from files; nil to train on the store's purchase events.
  ///   - files: the files and format the dataset was read from (its provenance).
  ///   - options: training settings.
  ///   - pseudonymKey: the key that turns the files' raw user ids into the service's pseudonyms (the
  ///     configuration's effective key; ignored for the store's events, which are pseudonymised already).
  ///   - progress: called with a line per finished stage.
  /// - Returns: the published version, the model and the run's report.
  /// - Throws: store, mining, bundle or model errors.
  public static func train(
    location: String, dataset: Dataset?, files: (paths: [String], format: String)? = nil,
    options: TrainingOptions, pseudonymKey: String = ServerConfiguration().effectivePseudonymKey,
    titleEncoder: SentenceEncoder? = nil, progress: @escaping (String) -> Void = { _ in }
  ) async throws -> (version: Int64, model: ServingModel, report: TrainingReport) {
    let logger = logger(level: "warning")
    let store = try await StoreFactory.open(location, logger: logger)
    do {
      try await store.migrate()
      let data: Dataset
      let provenance: ModelProvenance
      let userKey: (String) -> String
      var keyCheck: String?
      if let dataset {
        let pseudonymizer = Pseudonymizer(secret: pseudonymKey)
        // Users erased from the service are left out of training, whatever the files still hold.
        data = StoreTraining.removing(try await store.erasedUsers(), from: dataset) { pseudonymizer.pseudonym($0) }
        provenance = .files(files?.paths ?? [], format: files?.format ?? "")
        userKey = { pseudonymizer.pseudonym($0) }
        keyCheck = pseudonymizer.keyCheck
      } else {
        data = try await StoreTraining.dataset(from: store)
        provenance = .store(StoreFactory.redacted(location))
        userKey = { $0 }
      }
      let (model, report) = try TrainingPipeline.train(
        dataset: data, provenance: provenance, options: options, userKey: userKey,
        now: Int64(Date().timeIntervalSince1970), pseudonymKeyCheck: keyCheck, titleEncoder: titleEncoder,
        progress: progress)
      let version = try await store.publishModel(try model.encoded())
      await store.close()
      return (version, model, report)
    } catch {
      await store.close()
      throw error
    }
  }
}

/// Builds a training dataset from a store's purchase events and catalog.
public enum StoreTraining {
  /// The dataset without the orders and events of users whose key is in `erased`.
  /// - Parameters:
  ///   - erased: user keys (pseudonyms) to leave out.
  ///   - dataset: orders read from files (raw user ids).
  ///   - key: a raw user id's key.
  /// - Complexity: O(users + orders + lines + events).
  public static func removing(_ erased: Set<String>, from dataset: Dataset, key: (String) -> String) -> Dataset {
    if erased.isEmpty { return dataset }
    let dropped = dataset.users.strings.map { erased.contains(key($0)) }
    guard dropped.contains(true) else { return dataset }
    func keep(_ user: Int32) -> Bool { user < 0 || Int(user) >= dropped.count || !dropped[Int(user)] }
    var result = dataset
    result.baskets = dataset.baskets.filter { keep(dataset.baskets.users[$0]) }
    result.events = dataset.events.filter { keep($0.user) }
    return result
  }

  /// The store's purchases as orders (one per basket), with catalog titles, prices and costs.
  /// - Complexity: O(lines).
  public static func dataset(from store: any Store) async throws -> Dataset {
    let baskets = try await store.purchaseBaskets()
    let items = try await store.items()
    var dataset = Dataset()
    var users = Interner()
    var observedPrice: [Int32: Double] = [:]
    for item in items {
      let id = dataset.catalog.intern(item.id)
      dataset.catalog[id] = ItemAttributes(
        title: item.title, categoryPath: item.category, price: item.price, cost: item.cost, stock: item.stock,
        hidden: item.hidden || !item.isServable(at: Int64(Date().timeIntervalSince1970)))
    }
    for basket in baskets {
      let user = users.intern(basket.user)
      var lines: [(item: Int32, quantity: Double, unitPrice: Double)] = []
      for line in basket.lines {
        let id = dataset.catalog.intern(line.item)
        if line.price.isFinite && line.price > 0 { observedPrice[id] = line.price }
        lines.append((id, line.quantity, line.price))
      }
      dataset.baskets.append(orderID: basket.key, user: user, timestamp: basket.timestamp, lines: lines)
    }
    for (id, price) in observedPrice where dataset.catalog[id].price == nil { dataset.catalog[id].price = price }
    dataset.users = users
    return dataset
  }
}
