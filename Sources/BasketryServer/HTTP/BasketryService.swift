import BasketryStore
import BasketryStorePostgres
import BasketryStoreSQLite
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Opens a store from a location: `postgres://…` for PostgreSQL, anything else is a SQLite file path.
public enum StoreFactory {
  /// Opens (and migrates) the store.
  /// - Throws: ``StoreError`` when it cannot be opened.
  public static func open(_ location: String, logger: Logger) async throws -> any Store {
    let store: any Store
    if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
      store = try PostgresStore(url: location, logger: logger)
    } else {
      store = try SQLiteStore(path: location)
    }
    try await store.migrate()
    return store
  }

  /// A location safe to log (password removed).
  public static func redacted(_ location: String) -> String {
    guard location.contains("://"), var components = URLComponents(string: location) else { return location }
    if components.password != nil { components.password = "***" }
    return components.string ?? location
  }
}

/// The HTTP service: router, background model watcher and flusher, graceful shutdown.
public enum BasketryService {
  /// Builds the application for an engine (call `engine.start()` first).
  /// - Parameters:
  ///   - engine: the engine.
  ///   - onRunning: called with the bound port once the server listens.
  public static func application(
    engine: Engine, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
  ) -> some ApplicationProtocol {
    let configuration = engine.configuration
    return Application(
      router: Routes.router(engine: engine),
      configuration: ApplicationConfiguration(
        address: .hostname(configuration.host, port: configuration.port), serverName: "basketry"),
      services: [ModelWatcher(engine: engine), Flusher(engine: engine), ChangeFollower(engine: engine)],
      onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
      logger: engine.logger)
  }
}

/// Switches to new model versions as they are published (NOTIFY or polling) and refreshes
/// shared state that other replicas may change.
struct ModelWatcher: Service {
  let engine: Engine

  func run() async throws {
    let interval = Duration.milliseconds(Int(engine.configuration.modelPollSeconds * 1000))
    let versions = engine.store.modelVersions(after: engine.modelVersion, pollInterval: interval)
    for await _ in versions.cancelOnGracefulShutdown() {
      do {
        if try await engine.reloadModel() {
          try await engine.refreshLiveState()
        }
      } catch {
        engine.logger.error("model reload failed", metadata: ["error": "\(error)"])
      }
    }
  }
}

/// Writes buffered impressions and bandit counts, refreshes experiments periodically, and flushes
/// once more on shutdown (catalog changes arrive through the change feed: ``ChangeFollower``).
struct Flusher: Service {
  let engine: Engine

  func run() async throws {
    let interval = Duration.milliseconds(engine.configuration.flushMilliseconds)
    // After a failed flush the next waits twice as long, up to 5 s (at least the flush interval).
    let longest = max(interval, .seconds(5))
    let refreshEvery = max(
      1, Int(engine.configuration.modelPollSeconds * 1000) / engine.configuration.flushMilliseconds)
    var tick = 0
    var wait = interval
    while true {
      do {
        try await cancelWhenGracefulShutdown { [wait] in try await Task.sleep(for: wait) }
      } catch {
        break
      }
      wait = await engine.flush() ? interval : min(wait * 2, longest)
      tick += 1
      if tick % refreshEvery == 0, !engine.storeHealth.isAway {
        try? await engine.refreshExperiments()
      }
    }
    if await !engine.flush() {
      // The store is away at shutdown: what waits goes to the spill file, replayed by the next process.
      engine.spillIfNeeded(force: true)
    }
  }
}

/// Applies other replicas' purchases, catalog writes and erasures from the store's change feed
/// every `change_poll_seconds`, in the background (requests never wait for it).
struct ChangeFollower: Service {
  let engine: Engine

  func run() async throws {
    await cancelWhenGracefulShutdown { await engine.runChangeFollower() }
  }
}
