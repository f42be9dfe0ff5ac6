import BasketryOnline
import BasketryServer
import BasketryStore
import BasketryStorePostgres
import BasketryTesting
import Foundation
import Logging
import Testing

/// Several `basketry serve` replicas on one PostgreSQL database (needs BASKETRY_TEST_POSTGRES_URL).
@Suite struct ReplicaTests {
  static let url = ProcessInfo.processInfo.environment["BASKETRY_TEST_POSTGRES_URL"]

  func replica() async throws -> Engine {
    var configuration = ServerConfiguration()
    configuration.store = Self.url ?? ""
    configuration.pseudonymKey = "replica-secret"
    var logger = Logger(label: "replica")
    logger.logLevel = .error
    let engine = Engine(
      store: try PostgresStore(url: Self.url ?? "", logger: logger), configuration: configuration, logger: logger)
    try await engine.start()
    return engine
  }

  @Test(.enabled(if: url != nil)) func replicasSwitchModelsOnNotifyAndShareState() async throws {
    let (a, b) = (try await replica(), try await replica())
    let tag = UUID().uuidString.prefix(6).lowercased()
    let (x, y) = ("rx-\(tag)", "ry-\(tag)")
    // Ingest through replica A only.
    for user in 0..<3 {
      _ = try await a.ingest([
        EventInput(
          eventID: "\(tag)-\(user)-1", user: "ru\(tag)-\(user)", item: x, type: .purchase, price: 5, session: "s"),
        EventInput(
          eventID: "\(tag)-\(user)-2", user: "ru\(tag)-\(user)", item: y, type: .purchase, price: 5, session: "s"),
      ])
    }
    #expect(a.neighbors(of: x, k: 5)?.complements.first?.item == y)
    // B listens; a new version published by `basketry train` reaches it by NOTIFY.
    let known = try await b.store.latestModelVersion()
    let stream = b.store.modelVersions(after: known, pollInterval: .seconds(30))
    let (version, _) = try await ServerMain.train(
      location: Self.url ?? "", dataset: nil, source: nil, options: TrainingOptions())
    let heard = await firstVersion(stream, atLeast: version)
    #expect((heard ?? 0) >= version)
    #expect(try await b.reloadModel() || b.modelVersion == version)
    try await b.refreshCooccurrence()
    // B now serves A's purchases too.
    #expect(b.neighbors(of: x, k: 5)?.complements.first?.item == y)
    // Erasure through B is visible to A after its refresh.
    for user in 0..<3 { _ = try await b.deleteUser(rawID: "ru\(tag)-\(user)") }
    try await a.refreshCooccurrence()
    #expect(a.neighbors(of: x, k: 5)?.complements.isEmpty ?? true)
    await a.store.close()
    await b.store.close()
  }
}
