import BasketryCore
import BasketryStore
import Foundation
import GRDB

#if canImport(GRDBSQLite)
  import GRDBSQLite
#else
  import SQLite3
#endif

/// The SQLite store: one database file, in WAL mode, via GRDB.
///
/// Durability: every write runs in a transaction with `PRAGMA synchronous = FULL`, so the WAL is
/// fsynced at each commit and an acknowledged append survives a crash or `kill -9` (and a power
/// loss, as far as the disk honours fsync). Checkpoints use SQLite's automatic policy (every
/// 1000 WAL pages). Readers run concurrently with the single writer (WAL).
public final class SQLiteStore: Store {
  /// The database pool.
  public let pool: DatabasePool
  /// The database file.
  public let path: String

  /// Opens (creating if needed) the database file and migrates it.
  /// - Parameter path: file path; its directory must exist.
  /// - Throws: ``StoreError`` when the file cannot be opened.
  public init(path: String) throws {
    var configuration = Configuration()
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
      try db.execute(sql: "PRAGMA busy_timeout = 5000")
      // Reads through a memory map: no read system call per page when the writer has changed the file.
      try db.execute(sql: "PRAGMA mmap_size = 268435456")
      // The writer keeps the pages its inserts touch (the upper levels and recent leaves of the events',
      // impressions' and their indexes' B-trees) in its own cache: 64 MB instead of SQLite's 2 MB, so a flush of
      // buffered impressions does not read them again from the WAL. Readers keep the default.
      if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -65536") }
    }
    configuration.busyMode = .timeout(5)
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
    } catch {
      throw StoreError(.invalidLocation, operation: "open \(path)", message: "\(error)")
    }
    self.path = path
  }

  /// A database error as a ``StoreError``: busy, locked, full, read-only, I/O and cannot-open failures are
  /// `unavailable` (a retry may succeed; the transaction was rolled back), the rest `database`.
  static func storeError(_ error: any Error, operation: String) -> StoreError {
    if let error = error as? DatabaseError {
      switch error.resultCode {
      case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN:
        return StoreError(.unavailable, operation: operation, message: "\(error)")
      default: break
      }
    }
    return StoreError(.database, operation: operation, message: "\(error)")
  }

  /// Runs a write transaction, mapping database errors to ``StoreError``.
  private func write<T: Sendable>(_ operation: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
    do {
      return try await pool.write(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw Self.storeError(error, operation: operation)
    }
  }

  private func read<T: Sendable>(_ operation: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
    do {
      return try await pool.read(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw Self.storeError(error, operation: operation)
    }
  }

  /// Runs a one-statement read on the calling thread (no hop to GRDB's queue and back) and without a wrapping
  /// transaction (a single SELECT reads one consistent snapshot by itself): for the index lookups made on every
  /// request, where the thread switches and the BEGIN/COMMIT of ``read(_:_:)`` cost more than the query.
  private func readInline<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
    do {
      return try pool.unsafeRead(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw Self.storeError(error, operation: operation)
    }
  }

  // MARK: - Schema

  /// Applies the schema versions this database has not recorded (``StoreMigrations``), in order, each in its own
  /// transaction, and records them in `grdb_migrations`.
  /// - Throws: ``StoreError`` when the database records a version this binary does not know (a newer Basketry
  ///   wrote it), or the database fails.
  public func migrate() async throws {
    var migrator = DatabaseMigrator()
    for name in StoreMigrations.names {
      let statements = Self.migrations[name] ?? []
      migrator.registerMigration(name) { db in
        for statement in statements { try db.execute(sql: statement) }
      }
    }
    let known = Set(StoreMigrations.names)
    let unknown = try await read("migrate") { db in
      try db.tableExists("grdb_migrations")
        ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations").filter { !known.contains($0) } : []
    }
    guard unknown.isEmpty else { throw StoreMigrations.newerDatabase(unknown) }
    do {
      try migrator.migrate(pool)
    } catch {
      throw Self.storeError(error, operation: "migrate")
    }
  }

  /// The versions recorded in this database, in the order they were applied.
  /// - Throws: ``StoreError``.
  public func appliedMigrations() async throws -> [String] {
    try await read("applied migrations") { db in
      try db.tableExists("grdb_migrations")
        ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") : []
    }
  }

  /// Each version's statements (see ``StoreMigrations/names``); all idempotent, so a database made before
  /// versions were recorded is upgraded by running them all.
  static let migrations: [String: [String]] = [
    StoreMigrations.names[0]: [
      """
      CREATE TABLE IF NOT EXISTS events (
        event_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, item TEXT NOT NULL, type TEXT NOT NULL,
        value REAL NOT NULL, price REAL, ts INTEGER NOT NULL, session TEXT, rec_id TEXT, basket_key TEXT)
      """,
      "CREATE INDEX IF NOT EXISTS events_user ON events(user_id)",
      "CREATE INDEX IF NOT EXISTS events_rec ON events(rec_id) WHERE rec_id IS NOT NULL",
      "CREATE TABLE IF NOT EXISTS baskets (basket_key TEXT PRIMARY KEY, user_id TEXT NOT NULL, ts INTEGER NOT NULL)",
      "CREATE INDEX IF NOT EXISTS baskets_user ON baskets(user_id)",
      """
      CREATE TABLE IF NOT EXISTS basket_items (
        basket_key TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (basket_key, item))
      """,
      "CREATE TABLE IF NOT EXISTS item_counts (item TEXT PRIMARY KEY, n INTEGER NOT NULL)",
      "CREATE TABLE IF NOT EXISTS pair_counts (a TEXT NOT NULL, b TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (a, b))",
      "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
      "INSERT INTO meta(key, value) VALUES ('baskets', 0) ON CONFLICT(key) DO NOTHING",
      "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, payload TEXT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS models (version INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, payload BLOB NOT NULL)",
      "CREATE TABLE IF NOT EXISTS experiments (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, payload TEXT NOT NULL)",
      """
      CREATE TABLE IF NOT EXISTS impressions (
        rec_id TEXT PRIMARY KEY, experiment_id TEXT, variant TEXT, user_id TEXT NOT NULL, session TEXT NOT NULL,
        kind TEXT NOT NULL, key TEXT NOT NULL, arm INTEGER NOT NULL, discount REAL NOT NULL, price REAL NOT NULL,
        margin REAL NOT NULL, propensity REAL NOT NULL, ts INTEGER NOT NULL)
      """,
      """
      CREATE TABLE IF NOT EXISTS bandit (
        key TEXT NOT NULL, arm INTEGER NOT NULL, trials INTEGER NOT NULL, successes INTEGER NOT NULL,
        reward_sum REAL NOT NULL, PRIMARY KEY (key, arm))
      """,
    ],
    // The change feed (see `Store`): AUTOINCREMENT so pruned or redacted numbers are never reused.
    StoreMigrations.names[1]: [
      """
      CREATE TABLE IF NOT EXISTS changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT, user_id TEXT, basket_key TEXT,
        payload TEXT, erased_by INTEGER, created_at INTEGER NOT NULL)
      """,
      "CREATE INDEX IF NOT EXISTS changes_user ON changes(user_id) WHERE user_id IS NOT NULL",
      "INSERT INTO meta(key, value) VALUES ('changes_pruned', 0) ON CONFLICT(key) DO NOTHING",
      "CREATE TABLE IF NOT EXISTS erased_users (user_id TEXT PRIMARY KEY, erased_at INTEGER NOT NULL)",
    ],
    // One row per list of recommended items (its items' ids share the list id as prefix).
    StoreMigrations.names[2]: [
      """
      CREATE TABLE IF NOT EXISTS recommendation_lists (
        list_id TEXT PRIMARY KEY, first_seq INTEGER NOT NULL, experiment_id TEXT, variant TEXT, user_id TEXT NOT NULL,
        items TEXT NOT NULL, n INTEGER NOT NULL, model_version INTEGER, ts INTEGER NOT NULL) WITHOUT ROWID
      """,
      "CREATE INDEX IF NOT EXISTS recommendation_lists_user ON recommendation_lists(user_id)",
      """
      CREATE INDEX IF NOT EXISTS recommendation_lists_experiment ON recommendation_lists(experiment_id)
      WHERE experiment_id IS NOT NULL
      """,
    ],
    // Most impressions are outside experiments: only those in one are indexed by it.
    StoreMigrations.names[3]: [
      "DROP INDEX IF EXISTS impressions_experiment",
      "CREATE INDEX IF NOT EXISTS impressions_in_experiment ON impressions(experiment_id) WHERE experiment_id IS NOT NULL",
      "CREATE INDEX IF NOT EXISTS impressions_user ON impressions(user_id)",
    ],
    // SQLite stores model payloads as BLOB from the start (a JSON text payload reads back as its bytes).
    StoreMigrations.names[4]: [],
    // Impressions and recommendation lists are found by user through the days the user has any (an erasure
    // deletes by day range), not by an index on user_id: such an index gets a random insert per offer, a page
    // written per row, which cost more than everything else the serving path writes.
    StoreMigrations.names[5]: [
      """
      CREATE TABLE IF NOT EXISTS impression_days (
        user_id TEXT NOT NULL, day INTEGER NOT NULL, PRIMARY KEY (user_id, day)) WITHOUT ROWID
      """,
      """
      INSERT OR IGNORE INTO impression_days (user_id, day)
      SELECT user_id, ts / 86400 FROM impressions UNION SELECT user_id, ts / 86400 FROM recommendation_lists
      """,
      "CREATE INDEX IF NOT EXISTS impressions_ts ON impressions(ts)",
      "CREATE INDEX IF NOT EXISTS recommendation_lists_ts ON recommendation_lists(ts)",
      "DROP INDEX IF EXISTS impressions_user",
      "DROP INDEX IF EXISTS recommendation_lists_user",
    ],
    // The bundle offers of one response in one row (`OfferList`), found by user through `impression_days`.
    StoreMigrations.names[6]: [
      """
      CREATE TABLE IF NOT EXISTS offer_lists (
        list_id TEXT PRIMARY KEY, first_seq INTEGER NOT NULL, experiment_id TEXT, variant TEXT, user_id TEXT NOT NULL,
        session TEXT NOT NULL, kind TEXT NOT NULL, offers TEXT NOT NULL, n INTEGER NOT NULL, ts INTEGER NOT NULL)
        WITHOUT ROWID
      """,
      "CREATE INDEX IF NOT EXISTS offer_lists_ts ON offer_lists(ts)",
      """
      CREATE INDEX IF NOT EXISTS offer_lists_in_experiment ON offer_lists(experiment_id)
      WHERE experiment_id IS NOT NULL
      """,
    ],
  ]

  // MARK: - Events

  public func append(_ events: [StoredEvent]) async throws -> AppendOutcome {
    guard !events.isEmpty else { return AppendOutcome() }
    let now = StoreJSON.now()
    return try await write("append events") { db in
      var outcome = AppendOutcome()
      for event in events {
        let isPurchase = event.type == .purchase
        try db.execute(
          sql: """
            INSERT INTO events (event_id, user_id, item, type, value, price, ts, session, rec_id, basket_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING
            """,
          arguments: [
            event.eventID, event.user, event.item, event.type.rawValue, event.value, event.price, event.timestamp,
            event.session, event.recommendationID, isPurchase ? event.basketKey : nil,
          ])
        guard db.changesCount == 1 else {
          outcome.duplicates += 1
          continue
        }
        outcome.inserted += 1
        outcome.insertedIDs.append(event.eventID)
        guard isPurchase else { continue }
        let key = event.basketKey
        try db.execute(
          sql: "INSERT INTO baskets (basket_key, user_id, ts) VALUES (?, ?, ?) ON CONFLICT(basket_key) DO NOTHING",
          arguments: [key, event.user, event.timestamp])
        let newBasket = db.changesCount == 1
        if newBasket { try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'baskets'") }
        try db.execute(
          sql: "INSERT INTO basket_items (basket_key, item) VALUES (?, ?) ON CONFLICT DO NOTHING",
          arguments: [key, event.item])
        guard db.changesCount == 1 else { continue }
        let partners = try String.fetchAll(
          db, sql: "SELECT item FROM basket_items WHERE basket_key = ? AND item <> ? ORDER BY item",
          arguments: [key, event.item])
        try db.execute(
          sql: "INSERT INTO item_counts (item, n) VALUES (?, 1) ON CONFLICT(item) DO UPDATE SET n = n + 1",
          arguments: [event.item])
        for partner in partners {
          let (a, b) = event.item < partner ? (event.item, partner) : (partner, event.item)
          try db.execute(
            sql: "INSERT INTO pair_counts (a, b, n) VALUES (?, ?, 1) ON CONFLICT(a, b) DO UPDATE SET n = n + 1",
            arguments: [a, b])
        }
        var delta = BasketDelta(item: event.item, partners: partners, newBasket: newBasket)
        try db.execute(
          sql: """
            INSERT INTO changes (kind, user_id, basket_key, payload, created_at) VALUES (?, ?, ?, ?, ?)
            """,
          arguments: [
            ChangePayload.purchase, event.user, key, try ChangePayload.encode(delta: delta, operation: "append events"),
            now,
          ])
        delta.sequence = db.lastInsertedRowID
        outcome.deltas.append(delta)
      }
      return outcome
    }
  }

  public func events(user: String) async throws -> [StoredEvent] {
    try readInline("read events") { db in
      // A cached prepared statement: this read runs on every recommendation request.
      let statement = try db.cachedStatement(sql: "SELECT * FROM events WHERE user_id = ? ORDER BY ts, rowid")
      return try Row.fetchAll(statement, arguments: [user]).map(Self.event)
    }
  }

  public func event(id: String) async throws -> StoredEvent? {
    try await read("read event") { db in
      try Row.fetchOne(db, sql: "SELECT * FROM events WHERE event_id = ?", arguments: [id]).map(Self.event)
    }
  }

  static func event(_ row: Row) -> StoredEvent {
    StoredEvent(
      eventID: row["event_id"], user: row["user_id"], item: row["item"], type: EventType(rawValue: row["type"]),
      value: row["value"], price: row["price"], timestamp: row["ts"], session: row["session"],
      recommendationID: row["rec_id"])
  }

  public func eventCount() async throws -> Int {
    try await read("count events") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0 }
  }

  public func purchaseBaskets() async throws -> [PurchaseBasket] {
    try await read("read baskets") { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT basket_key, user_id, ts, item, value, price FROM events
          WHERE type = 'purchase' AND basket_key IS NOT NULL ORDER BY basket_key, ts, rowid
          """)
      return StoreJSON.groupBaskets(
        rows.map { row in
          let price: Double? = row["price"]
          return (row["basket_key"], row["user_id"], row["ts"], row["item"], row["value"], price ?? .nan)
        })
    }
  }

  // MARK: - Catalog

  @discardableResult
  public func putItem(_ item: CatalogItem) async throws -> Int64 {
    let payload = try StoreJSON.encode(item, operation: "put item")
    return try await write("put item") { db in
      try db.execute(
        sql: "INSERT INTO items (id, payload) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET payload = excluded.payload",
        arguments: [item.id, payload])
      return try Self.recordItemChange(db, id: item.id, payload: payload)
    }
  }

  /// Appends a catalog change to the feed; returns its sequence number.
  private static func recordItemChange(_ db: Database, id: String, payload: String?) throws -> Int64 {
    try db.execute(
      sql: "INSERT INTO changes (kind, key, payload, created_at) VALUES (?, ?, ?, ?)",
      arguments: [ChangePayload.item, id, payload, StoreJSON.now()])
    return db.lastInsertedRowID
  }

  public func item(id: String) async throws -> CatalogItem? {
    let payload = try await read("read item") { db in
      try String.fetchOne(db, sql: "SELECT payload FROM items WHERE id = ?", arguments: [id])
    }
    return try payload.map { try StoreJSON.decode(CatalogItem.self, from: $0, operation: "read item") }
  }

  public func items() async throws -> [CatalogItem] {
    let payloads = try await read("read items") { db in
      try String.fetchAll(db, sql: "SELECT payload FROM items ORDER BY id")
    }
    return try payloads.map { try StoreJSON.decode(CatalogItem.self, from: $0, operation: "read items") }
  }

  public func deleteItem(id: String) async throws -> Bool {
    try await write("delete item") { db in
      try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [id])
      guard db.changesCount > 0 else { return false }
      _ = try Self.recordItemChange(db, id: id, payload: nil)
      return true
    }
  }

  // MARK: - Users

  public func deleteUser(_ user: String) async throws -> DeletionReceipt {
    try await write("delete user") { db in
      var receipt = DeletionReceipt(user: user, erasedAt: StoreJSON.now())
      let keys = try String.fetchAll(db, sql: "SELECT basket_key FROM baskets WHERE user_id = ?", arguments: [user])
      // The user's purchases still in the change feed, by basket, oldest first.
      var published: [String: [BasketDelta]] = [:]
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT seq, basket_key, payload FROM changes WHERE user_id = ? AND kind = ? AND erased_by IS NULL
          ORDER BY seq
          """, arguments: [user, ChangePayload.purchase])
      {
        let key: String? = row["basket_key"]
        let payload: String? = row["payload"]
        guard let key, let payload else { continue }
        let change = try ChangePayload.decode(
          sequence: row["seq"], kind: ChangePayload.purchase, key: nil, payload: payload, erasedBy: nil,
          operation: "delete user")
        if case .purchase(let delta) = change.kind { published[key, default: []].append(delta) }
      }
      for key in keys {
        let items = try String.fetchAll(
          db, sql: "SELECT item FROM basket_items WHERE basket_key = ? ORDER BY item", arguments: [key])
        receipt.removedDeltas += ChangePayload.deltas(basket: items, published: published[key] ?? [])
        for item in items {
          try db.execute(sql: "UPDATE item_counts SET n = n - 1 WHERE item = ?", arguments: [item])
        }
        for i in items.indices {
          for j in items.indices where j > i {
            try db.execute(
              sql: "UPDATE pair_counts SET n = n - 1 WHERE a = ? AND b = ?", arguments: [items[i], items[j]])
            receipt.pairContributionsRemoved += 1
          }
        }
        try db.execute(sql: "DELETE FROM basket_items WHERE basket_key = ?", arguments: [key])
        receipt.removedBaskets.append(items)
      }
      try db.execute(sql: "DELETE FROM item_counts WHERE n <= 0")
      try db.execute(sql: "DELETE FROM pair_counts WHERE n <= 0")
      try db.execute(sql: "DELETE FROM baskets WHERE user_id = ?", arguments: [user])
      receipt.basketsRemoved = db.changesCount
      try db.execute(
        sql: "UPDATE meta SET value = MAX(value - ?, 0) WHERE key = 'baskets'", arguments: [receipt.basketsRemoved])
      try db.execute(sql: "DELETE FROM events WHERE user_id = ?", arguments: [user])
      receipt.eventsRemoved = db.changesCount
      // The user's impressions and lists, day by day (see `impression_days`).
      let days = try Int64.fetchAll(db, sql: "SELECT day FROM impression_days WHERE user_id = ?", arguments: [user])
      for day in days {
        let range: StatementArguments = [user, day * 86_400, (day + 1) * 86_400]
        try db.execute(sql: "DELETE FROM impressions WHERE user_id = ? AND ts >= ? AND ts < ?", arguments: range)
        receipt.impressionsRemoved += db.changesCount
        receipt.impressionsRemoved +=
          try Int.fetchOne(
            db, sql: "SELECT COALESCE(SUM(n), 0) FROM recommendation_lists WHERE user_id = ? AND ts >= ? AND ts < ?",
            arguments: range) ?? 0
        try db.execute(
          sql: "DELETE FROM recommendation_lists WHERE user_id = ? AND ts >= ? AND ts < ?", arguments: range)
        receipt.impressionsRemoved +=
          try Int.fetchOne(
            db, sql: "SELECT COALESCE(SUM(n), 0) FROM offer_lists WHERE user_id = ? AND ts >= ? AND ts < ?",
            arguments: range) ?? 0
        try db.execute(sql: "DELETE FROM offer_lists WHERE user_id = ? AND ts >= ? AND ts < ?", arguments: range)
      }
      try db.execute(sql: "DELETE FROM impression_days WHERE user_id = ?", arguments: [user])
      try db.execute(
        sql: """
          INSERT INTO erased_users (user_id, erased_at) VALUES (?, ?)
          ON CONFLICT(user_id) DO UPDATE SET erased_at = excluded.erased_at
          """, arguments: [user, receipt.erasedAt])
      try db.execute(
        sql: "INSERT INTO changes (kind, key, payload, created_at) VALUES (?, ?, ?, ?)",
        arguments: [
          ChangePayload.erasure, user,
          try ChangePayload.encode(deltas: receipt.removedDeltas, operation: "delete user"),
          receipt.erasedAt,
        ])
      receipt.changeSequence = db.lastInsertedRowID
      try db.execute(
        sql: """
          UPDATE changes SET payload = NULL, user_id = NULL, basket_key = NULL, erased_by = ?
          WHERE user_id = ? AND kind = ?
          """, arguments: [receipt.changeSequence, user, ChangePayload.purchase])
      return receipt
    }
  }

  // MARK: - Co-occurrence

  public func cooccurrence() async throws -> CooccurrenceSnapshot {
    try await read("read co-occurrence") { db in try Self.cooccurrence(db) }
  }

  private static func cooccurrence(_ db: Database) throws -> CooccurrenceSnapshot {
    var snapshot = CooccurrenceSnapshot()
    snapshot.baskets = try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'baskets'") ?? 0
    for row in try Row.fetchAll(db, sql: "SELECT item, n FROM item_counts") {
      snapshot.itemCounts[row["item"]] = row["n"]
    }
    snapshot.pairs = try Row.fetchAll(db, sql: "SELECT a, b, n FROM pair_counts ORDER BY a, b").map {
      PairCount(a: $0["a"], b: $0["b"], count: $0["n"])
    }
    return snapshot
  }

  // MARK: - Change feed

  public func liveState() async throws -> LiveState {
    let (sequence, snapshot, payloads) = try await read("read live state") { db in
      // One read transaction: the counts, the catalog and the newest change agree.
      let newest = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM changes") ?? 0
      let pruned = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'changes_pruned'") ?? 0
      return (
        max(newest, pruned), try Self.cooccurrence(db),
        try String.fetchAll(db, sql: "SELECT payload FROM items ORDER BY id")
      )
    }
    let items = try payloads.map { try StoreJSON.decode(CatalogItem.self, from: $0, operation: "read live state") }
    return LiveState(sequence: sequence, cooccurrence: snapshot, items: items)
  }

  public func changes(after cursor: Int64, limit: Int) async throws -> ChangeBatch {
    try await read("read changes") { db in
      let changes = try Row.fetchAll(
        db,
        sql: "SELECT seq, kind, key, payload, erased_by, user_id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
        arguments: [cursor, max(limit, 1)]
      ).map {
        try ChangePayload.decode(
          sequence: $0["seq"], kind: $0["kind"], key: $0["key"], payload: $0["payload"], erasedBy: $0["erased_by"],
          user: $0["user_id"], operation: "read changes")
      }
      let pruned = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'changes_pruned'") ?? 0
      return ChangeBatch(changes: changes, complete: cursor >= pruned)
    }
  }

  @discardableResult
  public func pruneChanges(before timestamp: Int64) async throws -> Int {
    try await write("prune changes") { db in
      guard
        let last = try Int64.fetchOne(
          db, sql: "SELECT MAX(seq) FROM changes WHERE created_at < ?", arguments: [timestamp])
      else { return 0 }
      try db.execute(sql: "DELETE FROM changes WHERE seq <= ?", arguments: [last])
      let deleted = db.changesCount
      try db.execute(sql: "UPDATE meta SET value = MAX(value, ?) WHERE key = 'changes_pruned'", arguments: [last])
      return deleted
    }
  }

  // MARK: - Models

  public func publishModel(_ payload: [UInt8]) async throws -> Int64 {
    try await write("publish model") { db in
      let next = (try Int64.fetchOne(db, sql: "SELECT MAX(version) FROM models") ?? 0) + 1
      try db.execute(
        sql: "INSERT INTO models (version, created_at, payload) VALUES (?, ?, ?)",
        arguments: [next, StoreJSON.now(), Data(payload)])
      return next
    }
  }

  public func latestModel() async throws -> ModelArtifact? {
    try await read("read model") { db in
      try Row.fetchOne(db, sql: "SELECT version, created_at, payload FROM models ORDER BY version DESC LIMIT 1").map {
        let data: Data = $0["payload"]
        return ModelArtifact(version: $0["version"], createdAt: $0["created_at"], payload: [UInt8](data))
      }
    }
  }

  public func erasedUsers() async throws -> Set<String> {
    try await read("read erased users") { db in Set(try String.fetchAll(db, sql: "SELECT user_id FROM erased_users")) }
  }

  public func model(version: Int64) async throws -> ModelArtifact? {
    try await read("read model") { db in
      try Row.fetchOne(
        db, sql: "SELECT version, created_at, payload FROM models WHERE version = ?", arguments: [version]
      )
      .map {
        let data: Data = $0["payload"]
        return ModelArtifact(version: $0["version"], createdAt: $0["created_at"], payload: [UInt8](data))
      }
    }
  }

  public func latestModelVersion() async throws -> Int64? {
    try await read("read model version") { db in try Int64.fetchOne(db, sql: "SELECT MAX(version) FROM models") }
  }

  public func modelVersions(after: Int64?, pollInterval: Duration) -> AsyncStream<Int64> {
    AsyncStream { continuation in
      let task = Task {
        var last = after ?? 0
        while !Task.isCancelled {
          if let version = try? await self.latestModelVersion(), version > last {
            last = version
            continuation.yield(version)
          }
          try? await Task.sleep(for: pollInterval)
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  // MARK: - Experiments

  public func createExperiment(_ experiment: Experiment) async throws {
    let payload = try StoreJSON.encode(experiment, operation: "create experiment")
    try await write("create experiment") { db in
      try db.execute(
        sql: "INSERT INTO experiments (id, created_at, payload) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
        arguments: [experiment.id, experiment.createdAt, payload])
      if db.changesCount == 0 {
        throw StoreError(.conflict, operation: "create experiment", message: "experiment '\(experiment.id)' exists")
      }
    }
  }

  public func experiment(id: String) async throws -> Experiment? {
    let payload = try await read("read experiment") { db in
      try String.fetchOne(db, sql: "SELECT payload FROM experiments WHERE id = ?", arguments: [id])
    }
    return try payload.map { try StoreJSON.decode(Experiment.self, from: $0, operation: "read experiment") }
  }

  public func experiments() async throws -> [Experiment] {
    let payloads = try await read("read experiments") { db in
      try String.fetchAll(db, sql: "SELECT payload FROM experiments ORDER BY created_at, id")
    }
    return try payloads.map { try StoreJSON.decode(Experiment.self, from: $0, operation: "read experiments") }
  }

  public func recordImpressions(_ impressions: [Impression]) async throws {
    guard !impressions.isEmpty else { return }
    try await write("record impressions") { db in
      try Self.insertEach(
        db,
        sql: """
          INSERT INTO impressions (rec_id, experiment_id, variant, user_id, session, kind, key, arm, discount, price,
            margin, propensity, ts)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rec_id) DO NOTHING
          """, impressions, operation: "record impressions"
      ) { handle, i in
        Self.bind(handle, 1, i.recommendationID)
        Self.bind(handle, 2, i.experimentID)
        Self.bind(handle, 3, i.variant)
        Self.bind(handle, 4, i.user)
        Self.bind(handle, 5, i.session)
        Self.bind(handle, 6, i.kind)
        Self.bind(handle, 7, i.key)
        sqlite3_bind_int64(handle, 8, Int64(i.arm))
        sqlite3_bind_double(handle, 9, i.discount)
        sqlite3_bind_double(handle, 10, i.price)
        sqlite3_bind_double(handle, 11, i.margin)
        sqlite3_bind_double(handle, 12, i.propensity)
        sqlite3_bind_int64(handle, 13, i.timestamp)
      }
      try Self.recordDays(db, impressions.lazy.map { ($0.user, $0.timestamp) }, operation: "record impressions")
    }
  }

  public func recordOfferLists(_ lists: [OfferList]) async throws {
    guard !lists.isEmpty else { return }
    try await write("record offer lists") { db in
      try Self.insertEach(
        db,
        sql: """
          INSERT INTO offer_lists (list_id, first_seq, experiment_id, variant, user_id, session, kind, offers, n, ts)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(list_id) DO NOTHING
          """, lists, operation: "record offer lists"
      ) { handle, list in
        Self.bind(handle, 1, list.id)
        sqlite3_bind_int64(handle, 2, Int64(list.firstSequence))
        Self.bind(handle, 3, list.experimentID)
        Self.bind(handle, 4, list.variant)
        Self.bind(handle, 5, list.user)
        Self.bind(handle, 6, list.session)
        Self.bind(handle, 7, list.kind)
        Self.bind(handle, 8, list.encodedOffers)
        sqlite3_bind_int64(handle, 9, Int64(list.offers.count))
        sqlite3_bind_int64(handle, 10, list.timestamp)
      }
      try Self.recordDays(db, lists.lazy.map { ($0.user, $0.timestamp) }, operation: "record offer lists")
    }
  }

  /// An `offer_lists` row as a list.
  private static func offerList(_ row: Row, operation: String) throws -> OfferList {
    let firstSequence: Int64 = row["first_seq"]
    return OfferList(
      id: row["list_id"], firstSequence: UInt32(truncatingIfNeeded: firstSequence),
      experimentID: row["experiment_id"], variant: row["variant"], user: row["user_id"], session: row["session"],
      kind: row["kind"], offers: try OfferList.decodeOffers(row["offers"], operation: operation), timestamp: row["ts"])
  }

  /// Records the days on which users have impressions or lists (`impression_days`), each pair once.
  private static func recordDays<S: Sequence>(_ db: Database, _ entries: S, operation: String) throws
  where S.Element == (String, Int64) {
    let pairs = UserDay.distinct(entries)
    try Self.insertEach(
      db, sql: "INSERT INTO impression_days (user_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING", pairs,
      operation: operation
    ) { handle, pair in
      Self.bind(handle, 1, pair.user)
      sqlite3_bind_int64(handle, 2, pair.day)
    }
  }

  /// Runs a cached insert once per row, binding through the C API: GRDB's per-row argument arrays cost more than
  /// the inserts themselves at tens of thousands of rows per second.
  /// - Parameters:
  ///   - sql: the statement (cached by the connection).
  ///   - rows: the rows.
  ///   - operation: named by the error.
  ///   - bind: binds one row's values to the statement.
  /// - Throws: ``StoreError`` (database) naming `operation` when a step fails.
  /// - Complexity: O(rows) steps.
  private static func insertEach<S: Sequence>(
    _ db: Database, sql: String, _ rows: S, operation: String, bind: (SQLiteStatement, S.Element) -> Void
  ) throws {
    let statement = try db.cachedStatement(sql: sql)
    let handle = statement.sqliteStatement
    defer {
      sqlite3_reset(handle)
      sqlite3_clear_bindings(handle)
    }
    for row in rows {
      sqlite3_reset(handle)
      bind(handle, row)
      let code = sqlite3_step(handle)
      guard code == SQLITE_DONE else {
        let message = sqlite3_errmsg(db.sqliteConnection).map { String(cString: $0) } ?? "code \(code)"
        throw StoreError(.database, operation: operation, message: message)
      }
    }
  }

  /// Binds text (copied by SQLite), or NULL.
  private static func bind(_ handle: SQLiteStatement, _ index: Int32, _ text: String?) {
    guard let text else {
      sqlite3_bind_null(handle, index)
      return
    }
    // Binding fails only for an index out of range (fixed by the statement) or out of memory.
    _ = text.withCString { sqlite3_bind_text(handle, index, $0, -1, sqliteTransient) }
  }

  /// SQLITE_TRANSIENT: SQLite copies the bound bytes.
  private static var sqliteTransient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

  public func impression(id: String) async throws -> Impression? {
    try await read("read impression") { db in
      if let row = try Row.fetchOne(db, sql: "SELECT * FROM impressions WHERE rec_id = ?", arguments: [id]) {
        return Self.impression(row)
      }
      // An offer of a list: the list id is the id's first characters.
      guard id.utf8.count == RecommendationList.idPrefixLength + 8,
        let row = try Row.fetchOne(
          db, sql: "SELECT * FROM offer_lists WHERE list_id = ?",
          arguments: [String(id.prefix(RecommendationList.idPrefixLength))])
      else { return nil }
      let list = try Self.offerList(row, operation: "read impression")
      return list.position(of: id).map(list.impression(at:))
    }
  }

  public func impressions(experiment: String) async throws -> [Impression] {
    try await read("read experiment impressions") { db in
      var impressions = try Row.fetchAll(
        db, sql: "SELECT * FROM impressions WHERE experiment_id = ? ORDER BY ts, rec_id", arguments: [experiment]
      ).map(Self.impression)
      let lists = try Row.fetchAll(
        db, sql: "SELECT * FROM offer_lists WHERE experiment_id = ? ORDER BY ts, list_id", arguments: [experiment])
      guard !lists.isEmpty else { return impressions }
      for row in lists { impressions += try Self.offerList(row, operation: "read experiment impressions").impressions }
      return impressions.sorted { ($0.timestamp, $0.recommendationID) < ($1.timestamp, $1.recommendationID) }
    }
  }

  static func impression(_ row: Row) -> Impression {
    Impression(
      recommendationID: row["rec_id"], experimentID: row["experiment_id"], variant: row["variant"],
      user: row["user_id"], session: row["session"], kind: row["kind"], key: row["key"], arm: row["arm"],
      discount: row["discount"], price: row["price"], margin: row["margin"], propensity: row["propensity"],
      timestamp: row["ts"])
  }

  public func recordRecommendationLists(_ lists: [RecommendationList]) async throws {
    guard !lists.isEmpty else { return }
    let encoded = lists.map { StoreJSON.encode(strings: $0.items) }
    try await write("record recommendation lists") { db in
      try Self.insertEach(
        db,
        sql: """
          INSERT INTO recommendation_lists (list_id, first_seq, experiment_id, variant, user_id, items, n,
            model_version, ts)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(list_id) DO NOTHING
          """, zip(lists, encoded), operation: "record recommendation lists"
      ) { handle, row in
        let (list, items) = row
        Self.bind(handle, 1, list.id)
        sqlite3_bind_int64(handle, 2, Int64(list.firstSequence))
        Self.bind(handle, 3, list.experimentID)
        Self.bind(handle, 4, list.variant)
        Self.bind(handle, 5, list.user)
        Self.bind(handle, 6, items)
        sqlite3_bind_int64(handle, 7, Int64(list.items.count))
        if let version = list.modelVersion {
          sqlite3_bind_int64(handle, 8, version)
        } else {
          sqlite3_bind_null(handle, 8)
        }
        sqlite3_bind_int64(handle, 9, list.timestamp)
      }
      try Self.recordDays(db, lists.lazy.map { ($0.user, $0.timestamp) }, operation: "record recommendation lists")
    }
  }

  public func recommendationList(id: String) async throws -> RecommendationList? {
    let row = try await read("read recommendation list") { db in
      try Row.fetchOne(db, sql: "SELECT * FROM recommendation_lists WHERE list_id = ?", arguments: [id]).map {
        row -> (RecommendationList, String) in
        let firstSequence: Int64 = row["first_seq"]
        let list = RecommendationList(
          id: row["list_id"], firstSequence: UInt32(truncatingIfNeeded: firstSequence),
          experimentID: row["experiment_id"], variant: row["variant"], user: row["user_id"], items: [],
          modelVersion: row["model_version"], timestamp: row["ts"])
        return (list, row["items"])
      }
    }
    guard var (list, items) = row else { return nil }
    list.items = try StoreJSON.decode([String].self, from: items, operation: "read recommendation list")
    return list
  }

  public func replayLog(limit: Int) async throws -> [(impression: Impression, reward: Double)] {
    try await read("read replay log") { db in
      var log: [(impression: Impression, reward: Double)] = try Row.fetchAll(
        db,
        sql: """
          SELECT i.*, CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.rec_id = i.rec_id AND e.type = 'purchase')
            THEN i.margin ELSE 0 END AS reward
          FROM impressions i WHERE i.kind = 'bundle' ORDER BY i.ts DESC, i.rec_id LIMIT ?
          """, arguments: [limit]
      ).map { (Self.impression($0), $0["reward"]) }
      // The newest `limit` lists hold at least the newest `limit` offers; an offer earns its margin when a purchase
      // names its id (ids of a list's offers sort in [list id, list id + "g")).
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT l.*, (SELECT group_concat(e.rec_id, ',') FROM events e
            WHERE e.rec_id >= l.list_id AND e.rec_id < l.list_id || 'g' AND e.type = 'purchase') AS bought
          FROM offer_lists l WHERE l.kind = 'bundle' ORDER BY l.ts DESC, l.list_id LIMIT ?
          """, arguments: [limit])
      {
        let list = try Self.offerList(row, operation: "read replay log")
        let bought = Set(((row["bought"] as String?) ?? "").split(separator: ",").map(String.init))
        for impression in list.impressions {
          log.append((impression, bought.contains(impression.recommendationID) ? impression.margin : 0))
        }
      }
      log.sort { a, b in
        a.impression.timestamp != b.impression.timestamp
          ? a.impression.timestamp > b.impression.timestamp
          : a.impression.recommendationID < b.impression.recommendationID
      }
      return Array(log.prefix(limit))
    }
  }

  public func tallies(experiment: String) async throws -> [VariantTally] {
    try await read("read experiment tallies") { db in
      var byVariant: [String: VariantTally] = [:]
      // Impressions: bundle offers, plus every item of the recommendation lists; sessions across both.
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT variant, SUM(n) AS n, COUNT(DISTINCT s) AS s FROM (
            SELECT variant, 1 AS n, session AS s FROM impressions WHERE experiment_id = ?
            UNION ALL SELECT variant, n, session AS s FROM offer_lists WHERE experiment_id = ?
            UNION ALL SELECT variant, n, user_id AS s FROM recommendation_lists WHERE experiment_id = ?)
          GROUP BY variant
          """, arguments: [experiment, experiment, experiment])
      {
        let name: String = row["variant"] ?? ""
        byVariant[name] = VariantTally(variant: name, impressions: row["n"], sessions: row["s"])
      }
      // An item's id is its list's id followed by eight hex digits: those ids sort in [list id, list id + "g").
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT variant, COUNT(DISTINCT rec_id) AS n FROM (
            SELECT i.variant AS variant, i.rec_id AS rec_id FROM impressions i JOIN events e ON e.rec_id = i.rec_id
            WHERE i.experiment_id = ? AND e.type IN ('view', 'cart')
            UNION ALL SELECT o.variant, e.rec_id FROM offer_lists o
            JOIN events e ON e.rec_id >= o.list_id AND e.rec_id < o.list_id || 'g'
            WHERE o.experiment_id = ? AND e.type IN ('view', 'cart')
            UNION ALL SELECT l.variant, e.rec_id FROM recommendation_lists l
            JOIN events e ON e.rec_id >= l.list_id AND e.rec_id < l.list_id || 'g'
            WHERE l.experiment_id = ? AND e.type IN ('view', 'cart'))
          GROUP BY variant
          """, arguments: [experiment, experiment, experiment])
      {
        let name: String = row["variant"] ?? ""
        byVariant[name, default: VariantTally(variant: name)].clicks = row["n"]
      }
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT variant, rec_id, SUM(revenue) AS revenue FROM (
            SELECT i.variant AS variant, i.rec_id AS rec_id, e.value * COALESCE(e.price, 0) AS revenue
            FROM impressions i JOIN events e ON e.rec_id = i.rec_id
            WHERE i.experiment_id = ? AND e.type = 'purchase'
            UNION ALL SELECT o.variant, e.rec_id, e.value * COALESCE(e.price, 0) FROM offer_lists o
            JOIN events e ON e.rec_id >= o.list_id AND e.rec_id < o.list_id || 'g'
            WHERE o.experiment_id = ? AND e.type = 'purchase'
            UNION ALL SELECT l.variant, e.rec_id, e.value * COALESCE(e.price, 0) FROM recommendation_lists l
            JOIN events e ON e.rec_id >= l.list_id AND e.rec_id < l.list_id || 'g'
            WHERE l.experiment_id = ? AND e.type = 'purchase')
          GROUP BY variant, rec_id ORDER BY rec_id
          """, arguments: [experiment, experiment, experiment])
      {
        let name: String = row["variant"] ?? ""
        byVariant[name, default: VariantTally(variant: name)].orderValues.append(row["revenue"])
      }
      return byVariant.values.sorted { $0.variant < $1.variant }
    }
  }

  // MARK: - Bandit

  public func addBanditCounts(_ records: [BanditArmRecord]) async throws {
    guard !records.isEmpty else { return }
    try await write("add bandit counts") { db in
      // One prepared statement bound through the C API: a flush adds hundreds of arms, and compiling the upsert
      // for each cost more than running it.
      try Self.insertEach(
        db,
        sql: """
          INSERT INTO bandit (key, arm, trials, successes, reward_sum) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT(key, arm) DO UPDATE SET trials = trials + excluded.trials,
            successes = successes + excluded.successes, reward_sum = reward_sum + excluded.reward_sum
          """, records, operation: "add bandit counts"
      ) { handle, r in
        Self.bind(handle, 1, r.key)
        sqlite3_bind_int64(handle, 2, Int64(r.arm))
        sqlite3_bind_int64(handle, 3, Int64(r.trials))
        sqlite3_bind_int64(handle, 4, Int64(r.successes))
        sqlite3_bind_double(handle, 5, r.rewardSum)
      }
    }
  }

  public func banditCounts() async throws -> [BanditArmRecord] {
    try await read("read bandit counts") { db in
      try Row.fetchAll(db, sql: "SELECT * FROM bandit ORDER BY key, arm").map {
        BanditArmRecord(
          key: $0["key"], arm: $0["arm"], trials: $0["trials"], successes: $0["successes"], rewardSum: $0["reward_sum"])
      }
    }
  }

  // MARK: - Lifecycle

  /// The journal mode (`wal`) and synchronous setting (2 = FULL) in force.
  public func durabilitySettings() async throws -> (journalMode: String, synchronous: Int) {
    try await read("read pragmas") { db in
      (
        try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
        try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
      )
    }
  }

  public func ping() async -> Bool {
    (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
  }

  public func close() async {
    try? pool.close()
  }
}
