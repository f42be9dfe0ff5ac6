import BasketryStore
import BasketryStoreSQLite
import BasketryTesting
import Foundation
import GRDB
import Testing

@testable import BasketryStorePostgres

@Suite(.serialized) struct StoreMigrationTests {
  /// A SQLite file as the first release made it: its tables and index only, no recorded versions.
  func firstReleaseDatabase() throws -> String {
    let path = try TestSupport.temporaryDirectory("migrate").appendingPathComponent("old.sqlite").path
    let queue = try DatabaseQueue(path: path)
    try queue.write { db in
      try db.execute(
        sql: """
          CREATE TABLE events (
            event_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, item TEXT NOT NULL, type TEXT NOT NULL,
            value REAL NOT NULL, price REAL, ts INTEGER NOT NULL, session TEXT, rec_id TEXT, basket_key TEXT);
          CREATE INDEX events_user ON events(user_id);
          CREATE TABLE baskets (basket_key TEXT PRIMARY KEY, user_id TEXT NOT NULL, ts INTEGER NOT NULL);
          CREATE TABLE basket_items (basket_key TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (basket_key, item));
          CREATE TABLE item_counts (item TEXT PRIMARY KEY, n INTEGER NOT NULL);
          CREATE TABLE pair_counts (a TEXT NOT NULL, b TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (a, b));
          CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
          INSERT INTO meta VALUES ('baskets', 1);
          CREATE TABLE items (id TEXT PRIMARY KEY, payload TEXT NOT NULL);
          CREATE TABLE models (version INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, payload BLOB NOT NULL);
          CREATE TABLE experiments (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, payload TEXT NOT NULL);
          CREATE TABLE impressions (
            rec_id TEXT PRIMARY KEY, experiment_id TEXT, variant TEXT, user_id TEXT NOT NULL, session TEXT NOT NULL,
            kind TEXT NOT NULL, key TEXT NOT NULL, arm INTEGER NOT NULL, discount REAL NOT NULL, price REAL NOT NULL,
            margin REAL NOT NULL, propensity REAL NOT NULL, ts INTEGER NOT NULL);
          CREATE INDEX impressions_experiment ON impressions(experiment_id);
          CREATE TABLE bandit (
            key TEXT NOT NULL, arm INTEGER NOT NULL, trials INTEGER NOT NULL, successes INTEGER NOT NULL,
            reward_sum REAL NOT NULL, PRIMARY KEY (key, arm));
          INSERT INTO events VALUES ('old-1', 'u1', 'mug', 'purchase', 1, 3.5, 100, 's', NULL, 'u1|s');
          INSERT INTO baskets VALUES ('u1|s', 'u1', 100);
          INSERT INTO basket_items VALUES ('u1|s', 'mug');
          INSERT INTO item_counts VALUES ('mug', 1);
          INSERT INTO impressions VALUES ('old-r1', NULL, NULL, 'u1', 'u1', 'bundle', 'mug+tea', 0, 0, 5, 2, 1, 90000);
          """)
    }
    return path
  }

  @Test func aFirstReleaseSQLiteFileIsUpgradedInPlaceAndKeepsItsData() async throws {
    let path = try firstReleaseDatabase()
    let store = try SQLiteStore(path: path)
    try await store.migrate()
    #expect(try await store.appliedMigrations() == StoreMigrations.names)
    // Old data is there; what later versions added works.
    #expect(try await store.event(id: "old-1")?.item == "mug")
    let outcome = try await store.append([
      StoredEvent(
        eventID: "new-1", user: "u2", item: "mug", type: .purchase, value: 1, price: 3.5, timestamp: 200,
        session: "t", recommendationID: nil),
      StoredEvent(
        eventID: "new-2", user: "u2", item: "tea", type: .purchase, value: 1, price: 2, timestamp: 200,
        session: "t", recommendationID: nil),
    ])
    #expect(outcome.inserted == 2)
    #expect(!(try await store.changes(after: 0, limit: 10)).changes.isEmpty)
    #expect(try await store.eventCount() == 3)
    // The old index is replaced by the partial one.
    let indexes = try await DatabaseQueue(path: path).read { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'impressions'")
    }
    #expect(!indexes.contains("impressions_experiment"))
    #expect(indexes.contains("impressions_in_experiment"))
    // Offers are found by user through their days, not a user index: an old impression is still erased.
    #expect(!indexes.contains("impressions_user") && indexes.contains("impressions_ts"))
    #expect(try await store.impression(id: "old-r1") != nil)
    #expect(try await store.deleteUser("u1").impressionsRemoved == 1)
    #expect(try await store.impression(id: "old-r1") == nil)
    // Migrating again changes nothing.
    try await store.migrate()
    #expect(try await store.appliedMigrations() == StoreMigrations.names)
    await store.close()
  }

  @Test func aSQLiteFileFromANewerBasketryIsRefusedWithAClearError() async throws {
    let path = try firstReleaseDatabase()
    let store = try SQLiteStore(path: path)
    try await store.migrate()
    try await DatabaseQueue(path: path).write { db in
      try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
    }
    let error = try await #require(throws: StoreError.self) { try await store.migrate() }
    #expect(error.description.contains("newer Basketry"))
    #expect(error.description.contains("v99-from-the-future"))
    await store.close()
  }

  /// A database of its own (Scripts/ci/start-postgres.sh makes it): a version from the future recorded there
  /// would make any other test's migrate fail.
  static let postgresURL = ProcessInfo.processInfo.environment["BASKETRY_TEST_POSTGRES_MIGRATIONS_URL"]

  @Test(.enabled(if: postgresURL != nil, "needs BASKETRY_TEST_POSTGRES_MIGRATIONS_URL"))
  func postgresRecordsItsVersionsUpgradesAnUnversionedDatabaseAndRefusesANewerOne() async throws {
    let store = try PostgresStore(url: Self.postgresURL ?? "")
    try await store.migrate()
    #expect(try await store.appliedMigrations() == StoreMigrations.names)
    // A database from before versions were recorded: every step runs again (idempotent) and is recorded.
    try await store.execute(unsafeSQL: "DROP TABLE schema_migrations")
    try await store.migrate()
    #expect(try await store.appliedMigrations() == StoreMigrations.names)
    try await store.execute(
      unsafeSQL: "INSERT INTO schema_migrations (name, applied_at) VALUES ('v99-from-the-future', 0)")
    let error = try await #require(throws: StoreError.self) { try await store.migrate() }
    #expect(error.description.contains("v99-from-the-future"))
    try await store.execute(unsafeSQL: "DELETE FROM schema_migrations WHERE name = 'v99-from-the-future'")
    try await store.migrate()
    await store.close()
  }
}
