import BasketryCore
import BasketryStore
import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL store, via postgres-nio's connection pool.
///
/// Durability: an append returns after the COMMIT of the transaction holding its events, which PostgreSQL
/// makes durable (with the server's default `synchronous_commit = on`); appends that arrive while one
/// transaction is under way share the next one (group commit, see ``append(_:)``). Purchases take a
/// transaction-level advisory lock so concurrent replicas update co-occurrence counts without lost updates or
/// deadlocks. Publishing a model sends `NOTIFY basketry_models, '<version>'` in the publishing
/// transaction; ``modelVersions(pollInterval:)`` LISTENs on that channel (and polls as a fallback),
/// so every replica switches as soon as the version commits.
///
/// Change feed: purchases, catalog writes and erasures append to `changes` (BIGSERIAL) under the
/// same advisory lock, held until COMMIT, so sequence numbers become visible in increasing order
/// and a reader polling `seq > cursor` never skips a change that commits later.
public final class PostgresStore: Store {
  /// The connection pool.
  public let client: PostgresClient
  private let runner: Task<Void, Never>
  let logger: Logger
  /// Appends waiting for the transaction that writes them (see ``append(_:)``).
  let appendQueue = AppendQueue()
  static let channel = "basketry_models"
  static let purchaseLock = 0x6261_736B  // "bask"

  /// Connects to `postgres://user:password@host:port/database` (add `?sslmode=require` for TLS).
  /// - Throws: ``StoreError`` when the URL is malformed.
  public init(url: String, logger: Logger = Logger(label: "basketry.store.postgres")) throws {
    guard let components = URLComponents(string: url),
      components.scheme == "postgres" || components.scheme == "postgresql",
      let host = components.host, let user = components.user
    else {
      throw StoreError(
        .invalidLocation, operation: "parse store URL", message: "expected postgres://user:password@host:port/database")
    }
    let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
    let wantsTLS = components.queryItems?.contains { $0.name == "sslmode" && $0.value == "require" } ?? false
    var configuration = PostgresClient.Configuration(
      host: host, port: components.port ?? 5432, username: user, password: components.password,
      database: database.isEmpty ? nil : database, tls: wantsTLS ? .require(.makeClientConfiguration()) : .disable)
    configuration.options.maximumConnections = 16
    let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    self.client = client
    self.logger = logger
    self.runner = Task { await client.run() }
  }

  /// Runs a store operation, turning driver errors into ``StoreError``.
  /// - Parameters:
  ///   - operation: what the error message names.
  ///   - body: the operation.
  /// - Throws: ``StoreError``: `unavailable` when the server cannot be reached or cannot take writes now, else
  ///   `database`.
  @discardableResult
  func failing<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
    do {
      return try await body()
    } catch let error as StoreError {
      throw error
    } catch let error as PSQLError {
      throw StoreError(
        Self.isUnavailable(error) ? .unavailable : .database, operation: operation, message: String(reflecting: error))
    } catch {
      // The pool's own errors (its circuit breaker trips while the server refuses connections) mean the same.
      let pool = String(describing: type(of: error)).contains("ConnectionPoolError")
      throw StoreError(pool ? .unavailable : .database, operation: operation, message: "\(error)")
    }
  }

  /// Whether an error means the server cannot be reached or cannot take writes now: lost or refused
  /// connections, a closed pool, and server errors of SQLSTATE class 08 (connection exception), 53
  /// (insufficient resources: disk full, out of memory, too many connections) and 57P (shutting down, starting up).
  static func isUnavailable(_ error: PSQLError) -> Bool {
    switch error.code {
    case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
      return true
    case .server:
      let state = error.serverInfo?[.sqlState] ?? ""
      return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P")
    default:
      return false
    }
  }

  // MARK: - Schema

  /// Applies the schema versions this database has not recorded (``StoreMigrations``), in order, in one
  /// transaction under the purchase lock, and records them in `schema_migrations`.
  /// - Throws: ``StoreError`` when the database records a version this binary does not know (a newer Basketry
  ///   wrote it), or the database fails.
  public func migrate() async throws {
    let unknown = try await failing("migrate") {
      try await client.withTransaction(logger: logger) { conn -> [String] in
        // Same lock as purchases and erasures, taken first, so DDL never deadlocks with them.
        try await conn.query("SELECT pg_advisory_xact_lock(\(Self.purchaseLock))", logger: logger)
        try await conn.query(
          "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
          logger: logger)
        var applied: Set<String> = []
        for try await name in try await conn.query("SELECT name FROM schema_migrations", logger: logger)
          .decode(String.self)
        {
          applied.insert(name)
        }
        let unknown = applied.subtracting(StoreMigrations.names)
        guard unknown.isEmpty else { return Array(unknown) }
        let now = StoreJSON.now()
        for name in StoreMigrations.names where !applied.contains(name) {
          for statement in Self.migrations[name] ?? [] {
            try await conn.query(PostgresQuery(unsafeSQL: statement), logger: logger)
          }
          try await conn.query(
            "INSERT INTO schema_migrations (name, applied_at) VALUES (\(name), \(now))", logger: logger)
        }
        return []
      }
    }
    guard unknown.isEmpty else { throw StoreMigrations.newerDatabase(unknown) }
  }

  /// The versions recorded in this database, oldest first.
  /// - Throws: ``StoreError``.
  public func appliedMigrations() async throws -> [String] {
    try await failing("applied migrations") {
      var names: [(Int64, String)] = []
      let rows = try await client.query(
        "SELECT applied_at, name FROM schema_migrations", logger: logger)
      for try await (at, name) in rows.decode((Int64, String).self) { names.append((at, name)) }
      let order = Dictionary(uniqueKeysWithValues: StoreMigrations.names.enumerated().map { ($1, $0) })
      return names.sorted { (order[$0.1] ?? Int.max) < (order[$1.1] ?? Int.max) }.map(\.1)
    }
  }

  /// Each version's statements (see ``StoreMigrations/names``); all idempotent, so a database made before
  /// versions were recorded is upgraded by running them all.
  static let migrations: [String: [String]] = [
    StoreMigrations.names[0]: schema + [
      "INSERT INTO meta(key, value) VALUES ('baskets', 0) ON CONFLICT(key) DO NOTHING"
    ],
    StoreMigrations.names[1]: Array(upgrades[0..<4]),
    StoreMigrations.names[2]: Array(upgrades[4..<7]),
    StoreMigrations.names[3]: [
      "DROP INDEX IF EXISTS impressions_experiment",
      "CREATE INDEX IF NOT EXISTS impressions_in_experiment ON impressions(experiment_id) WHERE experiment_id IS NOT NULL",
      "CREATE INDEX IF NOT EXISTS impressions_user ON impressions(user_id)",
    ],
    StoreMigrations.names[4]: Array(upgrades[7...]),
    // Impressions and recommendation lists are found by user through the days the user has any (an erasure
    // deletes by day range), not by an index on user_id, which gets a random insert per offer.
    StoreMigrations.names[5]: [
      """
      CREATE TABLE IF NOT EXISTS impression_days (
        user_id TEXT NOT NULL, day BIGINT NOT NULL, PRIMARY KEY (user_id, day))
      """,
      """
      INSERT INTO impression_days (user_id, day)
      SELECT user_id, ts / 86400 FROM impressions UNION SELECT user_id, ts / 86400 FROM recommendation_lists
      ON CONFLICT DO NOTHING
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
        list_id TEXT PRIMARY KEY, first_seq BIGINT NOT NULL, experiment_id TEXT, variant TEXT, user_id TEXT NOT NULL,
        session TEXT NOT NULL, kind TEXT NOT NULL, offers TEXT NOT NULL, n BIGINT NOT NULL, ts BIGINT NOT NULL)
      """,
      "CREATE INDEX IF NOT EXISTS offer_lists_ts ON offer_lists(ts)",
      """
      CREATE INDEX IF NOT EXISTS offer_lists_in_experiment ON offer_lists(experiment_id)
      WHERE experiment_id IS NOT NULL
      """,
    ],
  ]

  /// The first version's tables.
  static let schema = [
    """
    CREATE TABLE IF NOT EXISTS events (
      seq BIGSERIAL, event_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, item TEXT NOT NULL, type TEXT NOT NULL,
      value DOUBLE PRECISION NOT NULL, price DOUBLE PRECISION, ts BIGINT NOT NULL, session TEXT, rec_id TEXT,
      basket_key TEXT)
    """,
    "CREATE INDEX IF NOT EXISTS events_user ON events(user_id)",
    "CREATE INDEX IF NOT EXISTS events_rec ON events(rec_id) WHERE rec_id IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS baskets (basket_key TEXT PRIMARY KEY, user_id TEXT NOT NULL, ts BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS baskets_user ON baskets(user_id)",
    "CREATE TABLE IF NOT EXISTS basket_items (basket_key TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (basket_key, item))",
    "CREATE TABLE IF NOT EXISTS item_counts (item TEXT PRIMARY KEY, n BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS pair_counts (a TEXT NOT NULL, b TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (a, b))",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, payload TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS models (version BIGINT PRIMARY KEY, created_at BIGINT NOT NULL, payload BYTEA NOT NULL)",
    "CREATE TABLE IF NOT EXISTS experiments (id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, payload TEXT NOT NULL)",
    """
    CREATE TABLE IF NOT EXISTS impressions (
      rec_id TEXT PRIMARY KEY, experiment_id TEXT, variant TEXT, user_id TEXT NOT NULL, session TEXT NOT NULL,
      kind TEXT NOT NULL, key TEXT NOT NULL, arm BIGINT NOT NULL, discount DOUBLE PRECISION NOT NULL,
      price DOUBLE PRECISION NOT NULL, margin DOUBLE PRECISION NOT NULL, propensity DOUBLE PRECISION NOT NULL,
      ts BIGINT NOT NULL)
    """,
    """
    CREATE TABLE IF NOT EXISTS bandit (
      key TEXT NOT NULL, arm BIGINT NOT NULL, trials BIGINT NOT NULL, successes BIGINT NOT NULL,
      reward_sum DOUBLE PRECISION NOT NULL, PRIMARY KEY (key, arm))
    """,
  ]

  /// Later versions: the change feed and erasures (see `Store`), recommendation lists, binary model payloads.
  static let upgrades = [
    """
    CREATE TABLE IF NOT EXISTS changes (
      seq BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, key TEXT, user_id TEXT, basket_key TEXT, payload TEXT,
      erased_by BIGINT, created_at BIGINT NOT NULL)
    """,
    "CREATE INDEX IF NOT EXISTS changes_user ON changes(user_id) WHERE user_id IS NOT NULL",
    "INSERT INTO meta(key, value) VALUES ('changes_pruned', 0) ON CONFLICT(key) DO NOTHING",
    "CREATE TABLE IF NOT EXISTS erased_users (user_id TEXT PRIMARY KEY, erased_at BIGINT NOT NULL)",
    // One row per list of recommended items (its items' ids share the list id as prefix).
    """
    CREATE TABLE IF NOT EXISTS recommendation_lists (
      list_id TEXT PRIMARY KEY, first_seq BIGINT NOT NULL, experiment_id TEXT, variant TEXT, user_id TEXT NOT NULL,
      items TEXT NOT NULL, n BIGINT NOT NULL, model_version BIGINT, ts BIGINT NOT NULL)
    """,
    "CREATE INDEX IF NOT EXISTS recommendation_lists_user ON recommendation_lists(user_id)",
    """
    CREATE INDEX IF NOT EXISTS recommendation_lists_experiment ON recommendation_lists(experiment_id)
    WHERE experiment_id IS NOT NULL
    """,
    // Model artifacts are binary: a text column from before holds JSON models, kept as their UTF-8 bytes.
    """
    DO $$ BEGIN
      IF (SELECT data_type FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = 'models' AND column_name = 'payload') = 'text' THEN
        ALTER TABLE models ALTER COLUMN payload TYPE BYTEA USING convert_to(payload, 'UTF8');
      END IF;
    END $$
    """,
  ]

  // MARK: - Events

  typealias EventRow = (String, String, String, String, Double, Double?, Int64, String?, String?)

  static func event(_ row: EventRow) -> StoredEvent {
    StoredEvent(
      eventID: row.0, user: row.1, item: row.2, type: EventType(rawValue: row.3), value: row.4, price: row.5,
      timestamp: row.6, session: row.7, recommendationID: row.8)
  }

  public func events(user: String) async throws -> [StoredEvent] {
    try await failing("read events") {
      var result: [StoredEvent] = []
      for try await row in try await client.query(
        """
        SELECT event_id, user_id, item, type, value, price, ts, session, rec_id FROM events
        WHERE user_id = \(user) ORDER BY ts, seq
        """, logger: logger
      ).decode(EventRow.self) {
        result.append(Self.event(row))
      }
      return result
    }
  }

  public func event(id: String) async throws -> StoredEvent? {
    try await failing("read event") {
      for try await row in try await client.query(
        """
        SELECT event_id, user_id, item, type, value, price, ts, session, rec_id FROM events WHERE event_id = \(id)
        """, logger: logger
      ).decode(EventRow.self) {
        return Self.event(row)
      }
      return nil
    }
  }

  public func eventCount() async throws -> Int {
    try await failing("count events") { try await scalarInt("SELECT COUNT(*) FROM events") ?? 0 }
  }

  private func scalarInt(_ query: PostgresQuery) async throws -> Int? {
    for try await (value) in try await client.query(query, logger: logger).decode(Int?.self) { return value }
    return nil
  }

  private func scalarString(_ query: PostgresQuery) async throws -> String? {
    for try await (value) in try await client.query(query, logger: logger).decode(String?.self) { return value }
    return nil
  }

  public func purchaseBaskets() async throws -> [PurchaseBasket] {
    try await failing("read baskets") {
      var rows: [(key: String, user: String, timestamp: Int64, item: String, quantity: Double, price: Double)] = []
      for try await (key, user, ts, item, value, price) in try await client.query(
        """
        SELECT basket_key, user_id, ts, item, value, price FROM events
        WHERE type = 'purchase' AND basket_key IS NOT NULL ORDER BY basket_key, ts, seq
        """, logger: logger
      ).decode((String, String, Int64, String, Double, Double?).self) {
        rows.append((key, user, ts, item, value, price ?? .nan))
      }
      return StoreJSON.groupBaskets(rows)
    }
  }

  // MARK: - Catalog

  @discardableResult
  public func putItem(_ item: CatalogItem) async throws -> Int64 {
    let payload = try StoreJSON.encode(item, operation: "put item")
    let logger = self.logger
    return try await failing("put item") {
      try await client.withTransaction(logger: logger) { conn in
        // The feed's lock: changes commit in sequence order.
        try await conn.query("SELECT pg_advisory_xact_lock(\(Self.purchaseLock))", logger: logger)
        try await conn.query(
          """
          INSERT INTO items (id, payload) VALUES (\(item.id), \(payload))
          ON CONFLICT (id) DO UPDATE SET payload = excluded.payload
          """, logger: logger)
        return try await Self.recordItemChange(conn, id: item.id, payload: payload, logger: logger)
      }
    }
  }

  /// Appends a catalog change to the feed; returns its sequence number.
  private static func recordItemChange(
    _ conn: PostgresConnection, id: String, payload: String?, logger: Logger
  ) async throws -> Int64 {
    for try await (sequence) in try await conn.query(
      """
      INSERT INTO changes (kind, key, payload, created_at) VALUES (\(ChangePayload.item), \(id), \(payload),
        \(StoreJSON.now())) RETURNING seq
      """, logger: logger
    ).decode(Int64.self) {
      return sequence
    }
    throw StoreError(.database, operation: "record change", message: "no sequence returned")
  }

  public func item(id: String) async throws -> CatalogItem? {
    let payload = try await failing("read item") {
      try await scalarString("SELECT payload FROM items WHERE id = \(id)")
    }
    return try payload.map { try StoreJSON.decode(CatalogItem.self, from: $0, operation: "read item") }
  }

  public func items() async throws -> [CatalogItem] {
    try await failing("read items") {
      var result: [CatalogItem] = []
      for try await (payload) in try await client.query("SELECT payload FROM items ORDER BY id", logger: logger)
        .decode(String.self)
      {
        result.append(try StoreJSON.decode(CatalogItem.self, from: payload, operation: "read items"))
      }
      return result
    }
  }

  public func deleteItem(id: String) async throws -> Bool {
    let logger = self.logger
    return try await failing("delete item") {
      try await client.withTransaction(logger: logger) { conn in
        try await conn.query("SELECT pg_advisory_xact_lock(\(Self.purchaseLock))", logger: logger)
        let existed =
          try await conn.query("DELETE FROM items WHERE id = \(id) RETURNING 1", logger: logger).collect().count > 0
        if existed { _ = try await Self.recordItemChange(conn, id: id, payload: nil, logger: logger) }
        return existed
      }
    }
  }

  // MARK: - Users

  public func deleteUser(_ user: String) async throws -> DeletionReceipt {
    let logger = self.logger
    return try await failing("delete user") {
      try await client.withTransaction(logger: logger) { conn in
        try await conn.query("SELECT pg_advisory_xact_lock(\(Self.purchaseLock))", logger: logger)
        var receipt = DeletionReceipt(user: user, erasedAt: StoreJSON.now())
        var keys: [String] = []
        for try await (key) in try await conn.query(
          "SELECT basket_key FROM baskets WHERE user_id = \(user) ORDER BY basket_key", logger: logger
        ).decode(String.self) {
          keys.append(key)
        }
        // The user's purchases still in the change feed, by basket, oldest first.
        var published: [String: [BasketDelta]] = [:]
        for try await (sequence, key, payload) in try await conn.query(
          """
          SELECT seq, basket_key, payload FROM changes
          WHERE user_id = \(user) AND kind = \(ChangePayload.purchase) AND erased_by IS NULL ORDER BY seq
          """, logger: logger
        ).decode((Int64, String?, String?).self) {
          guard let key, let payload else { continue }
          let change = try ChangePayload.decode(
            sequence: sequence, kind: ChangePayload.purchase, key: nil, payload: payload, erasedBy: nil,
            operation: "delete user")
          if case .purchase(let delta) = change.kind { published[key, default: []].append(delta) }
        }
        for key in keys {
          var items: [String] = []
          for try await (item) in try await conn.query(
            "SELECT item FROM basket_items WHERE basket_key = \(key) ORDER BY item", logger: logger
          ).decode(String.self) {
            items.append(item)
          }
          receipt.removedDeltas += ChangePayload.deltas(basket: items, published: published[key] ?? [])
          for item in items {
            try await conn.query("UPDATE item_counts SET n = n - 1 WHERE item = \(item)", logger: logger)
          }
          for i in items.indices {
            for j in items.indices where j > i {
              try await conn.query(
                "UPDATE pair_counts SET n = n - 1 WHERE a = \(items[i]) AND b = \(items[j])", logger: logger)
              receipt.pairContributionsRemoved += 1
            }
          }
          try await conn.query("DELETE FROM basket_items WHERE basket_key = \(key)", logger: logger)
          receipt.removedBaskets.append(items)
        }
        try await conn.query("DELETE FROM item_counts WHERE n <= 0", logger: logger)
        try await conn.query("DELETE FROM pair_counts WHERE n <= 0", logger: logger)
        receipt.basketsRemoved = try await conn.query(
          "DELETE FROM baskets WHERE user_id = \(user) RETURNING 1", logger: logger
        ).collect().count
        try await conn.query(
          "UPDATE meta SET value = GREATEST(value - \(receipt.basketsRemoved), 0) WHERE key = 'baskets'",
          logger: logger)
        receipt.eventsRemoved = try await conn.query(
          "DELETE FROM events WHERE user_id = \(user) RETURNING 1", logger: logger
        ).collect().count
        // The user's impressions and lists, day by day (see `impression_days`).
        var days: [Int64] = []
        for try await day in try await conn.query(
          "DELETE FROM impression_days WHERE user_id = \(user) RETURNING day", logger: logger
        ).decode(Int64.self) {
          days.append(day)
        }
        for day in days {
          let (start, end) = (day * 86_400, (day + 1) * 86_400)
          receipt.impressionsRemoved += try await conn.query(
            "DELETE FROM impressions WHERE user_id = \(user) AND ts >= \(start) AND ts < \(end) RETURNING 1",
            logger: logger
          ).collect().count
          for try await (n) in try await conn.query(
            "DELETE FROM recommendation_lists WHERE user_id = \(user) AND ts >= \(start) AND ts < \(end) RETURNING n",
            logger: logger
          ).decode(Int64.self) {
            receipt.impressionsRemoved += Int(n)
          }
          for try await (n) in try await conn.query(
            "DELETE FROM offer_lists WHERE user_id = \(user) AND ts >= \(start) AND ts < \(end) RETURNING n",
            logger: logger
          ).decode(Int64.self) {
            receipt.impressionsRemoved += Int(n)
          }
        }
        try await conn.query(
          """
          INSERT INTO erased_users (user_id, erased_at) VALUES (\(user), \(receipt.erasedAt))
          ON CONFLICT (user_id) DO UPDATE SET erased_at = EXCLUDED.erased_at
          """, logger: logger)
        let payload = try ChangePayload.encode(deltas: receipt.removedDeltas, operation: "delete user")
        for try await (sequence) in try await conn.query(
          """
          INSERT INTO changes (kind, key, payload, created_at)
          VALUES (\(ChangePayload.erasure), \(user), \(payload), \(receipt.erasedAt)) RETURNING seq
          """, logger: logger
        ).decode(Int64.self) {
          receipt.changeSequence = sequence
        }
        try await conn.query(
          """
          UPDATE changes SET payload = NULL, user_id = NULL, basket_key = NULL, erased_by = \(receipt.changeSequence)
          WHERE user_id = \(user) AND kind = \(ChangePayload.purchase)
          """, logger: logger)
        return receipt
      }
    }
  }

  // MARK: - Co-occurrence

  public func cooccurrence() async throws -> CooccurrenceSnapshot {
    try await failing("read co-occurrence") {
      var snapshot = CooccurrenceSnapshot()
      snapshot.baskets = try await scalarInt("SELECT value FROM meta WHERE key = 'baskets'") ?? 0
      for try await (item, n) in try await client.query("SELECT item, n FROM item_counts", logger: logger)
        .decode((String, Int).self)
      {
        snapshot.itemCounts[item] = n
      }
      for try await (a, b, n) in try await client.query(
        "SELECT a, b, n FROM pair_counts ORDER BY a, b", logger: logger
      ).decode((String, String, Int).self) {
        snapshot.pairs.append(PairCount(a: a, b: b, count: n))
      }
      return snapshot
    }
  }

  // MARK: - Change feed

  public func liveState() async throws -> LiveState {
    let logger = self.logger
    return try await failing("read live state") {
      try await client.withTransaction(logger: logger) { conn in
        // One snapshot: the counts, the catalog and the newest change agree (changes commit in order).
        try await conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
        var sequence: Int64 = 0
        for try await (newest) in try await conn.query(
          """
          SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM changes), 0),
            COALESCE((SELECT value FROM meta WHERE key = 'changes_pruned'), 0))
          """, logger: logger
        ).decode(Int64.self) {
          sequence = newest
        }
        var snapshot = CooccurrenceSnapshot()
        for try await (value) in try await conn.query("SELECT value FROM meta WHERE key = 'baskets'", logger: logger)
          .decode(Int.self)
        {
          snapshot.baskets = value
        }
        for try await (item, n) in try await conn.query("SELECT item, n FROM item_counts", logger: logger)
          .decode((String, Int).self)
        {
          snapshot.itemCounts[item] = n
        }
        for try await (a, b, n) in try await conn.query(
          "SELECT a, b, n FROM pair_counts ORDER BY a, b", logger: logger
        ).decode((String, String, Int).self) {
          snapshot.pairs.append(PairCount(a: a, b: b, count: n))
        }
        var items: [CatalogItem] = []
        for try await (payload) in try await conn.query("SELECT payload FROM items ORDER BY id", logger: logger)
          .decode(String.self)
        {
          items.append(try StoreJSON.decode(CatalogItem.self, from: payload, operation: "read live state"))
        }
        return LiveState(sequence: sequence, cooccurrence: snapshot, items: items)
      }
    }
  }

  public func changes(after cursor: Int64, limit: Int) async throws -> ChangeBatch {
    try await failing("read changes") {
      var changes: [StoreChange] = []
      for try await (sequence, kind, key, payload, erasedBy, user) in try await client.query(
        """
        SELECT seq, kind, key, payload, erased_by, user_id FROM changes WHERE seq > \(cursor) ORDER BY seq
        LIMIT \(max(limit, 1))
        """, logger: logger
      ).decode((Int64, String, String?, String?, Int64?, String?).self) {
        changes.append(
          try ChangePayload.decode(
            sequence: sequence, kind: kind, key: key, payload: payload, erasedBy: erasedBy, user: user,
            operation: "read changes"))
      }
      // Read after the rows: a prune that raced with them makes the batch incomplete (conservative).
      let pruned = try await scalarInt("SELECT value FROM meta WHERE key = 'changes_pruned'") ?? 0
      return ChangeBatch(changes: changes, complete: cursor >= Int64(pruned))
    }
  }

  @discardableResult
  public func pruneChanges(before timestamp: Int64) async throws -> Int {
    let logger = self.logger
    return try await failing("prune changes") {
      try await client.withTransaction(logger: logger) { conn in
        var last: Int64?
        for try await (sequence) in try await conn.query(
          "SELECT MAX(seq) FROM changes WHERE created_at < \(timestamp)", logger: logger
        ).decode(Int64?.self) {
          last = sequence
        }
        guard let last else { return 0 }
        let deleted = try await conn.query("DELETE FROM changes WHERE seq <= \(last) RETURNING 1", logger: logger)
          .collect().count
        try await conn.query(
          "UPDATE meta SET value = GREATEST(value, \(last)) WHERE key = 'changes_pruned'", logger: logger)
        return deleted
      }
    }
  }

  // MARK: - Models

  public func publishModel(_ payload: [UInt8]) async throws -> Int64 {
    let bytes = ByteBuffer(bytes: payload)
    let logger = self.logger
    return try await failing("publish model") {
      try await client.withTransaction(logger: logger) { conn in
        try await conn.query("LOCK TABLE models IN EXCLUSIVE MODE", logger: logger)
        var next: Int64 = 1
        for try await (version) in try await conn.query(
          "SELECT COALESCE(MAX(version), 0) + 1 FROM models", logger: logger
        ).decode(Int64.self) {
          next = version
        }
        try await conn.query(
          "INSERT INTO models (version, created_at, payload) VALUES (\(next), \(StoreJSON.now()), \(bytes))",
          logger: logger)
        try await conn.query("SELECT pg_notify(\(Self.channel), \(String(next)))", logger: logger)
        return next
      }
    }
  }

  public func latestModel() async throws -> ModelArtifact? {
    try await failing("read model") {
      for try await (version, created, payload) in try await client.query(
        "SELECT version, created_at, payload FROM models ORDER BY version DESC LIMIT 1", logger: logger
      ).decode((Int64, Int64, ByteBuffer).self) {
        return ModelArtifact(version: version, createdAt: created, payload: Array(payload.readableBytesView))
      }
      return nil
    }
  }

  public func erasedUsers() async throws -> Set<String> {
    try await failing("read erased users") {
      var users = Set<String>()
      for try await (user) in try await client.query("SELECT user_id FROM erased_users", logger: logger)
        .decode(String.self)
      {
        users.insert(user)
      }
      return users
    }
  }

  public func model(version: Int64) async throws -> ModelArtifact? {
    try await failing("read model") {
      for try await (version, created, payload) in try await client.query(
        "SELECT version, created_at, payload FROM models WHERE version = \(version)", logger: logger
      ).decode((Int64, Int64, ByteBuffer).self) {
        return ModelArtifact(version: version, createdAt: created, payload: Array(payload.readableBytesView))
      }
      return nil
    }
  }

  public func latestModelVersion() async throws -> Int64? {
    try await failing("read model version") {
      for try await (version) in try await client.query("SELECT MAX(version) FROM models", logger: logger)
        .decode(Int64?.self)
      {
        return version
      }
      return nil
    }
  }

  public func modelVersions(after: Int64?, pollInterval: Duration) -> AsyncStream<Int64> {
    let client = self.client
    let logger = self.logger
    let last = LastVersion(after ?? 0)
    return AsyncStream { continuation in
      // LISTEN on a dedicated connection; reconnect after failures.
      let listener = Task {
        while !Task.isCancelled {
          do {
            try await client.withConnection { conn in
              try await conn.listen(on: Self.channel) { notifications in
                // Anything published before LISTEN took effect is caught by the poller.
                for try await notification in notifications {
                  if let version = Int64(notification.payload), last.advance(to: version) {
                    continuation.yield(version)
                  }
                }
              }
            }
          } catch {
            logger.warning("model LISTEN failed; retrying", metadata: ["error": "\(error)"])
          }
          try? await Task.sleep(for: .seconds(1))
        }
      }
      // Polling fallback (a NOTIFY sent while disconnected is lost).
      let poller = Task {
        while !Task.isCancelled {
          if let version = try? await self.latestModelVersion(), last.advance(to: version) {
            continuation.yield(version)
          }
          try? await Task.sleep(for: pollInterval)
        }
      }
      continuation.onTermination = { _ in
        listener.cancel()
        poller.cancel()
      }
    }
  }

  // MARK: - Experiments

  public func createExperiment(_ experiment: Experiment) async throws {
    let payload = try StoreJSON.encode(experiment, operation: "create experiment")
    try await failing("create experiment") {
      let inserted =
        try await client.query(
          """
          INSERT INTO experiments (id, created_at, payload) VALUES (\(experiment.id), \(experiment.createdAt), \(payload))
          ON CONFLICT (id) DO NOTHING RETURNING 1
          """, logger: logger
        ).collect().count == 1
      if !inserted {
        throw StoreError(.conflict, operation: "create experiment", message: "experiment '\(experiment.id)' exists")
      }
    }
  }

  public func experiment(id: String) async throws -> Experiment? {
    let payload = try await failing("read experiment") {
      try await scalarString("SELECT payload FROM experiments WHERE id = \(id)")
    }
    return try payload.map { try StoreJSON.decode(Experiment.self, from: $0, operation: "read experiment") }
  }

  public func experiments() async throws -> [Experiment] {
    try await failing("read experiments") {
      var result: [Experiment] = []
      for try await (payload) in try await client.query(
        "SELECT payload FROM experiments ORDER BY created_at, id", logger: logger
      ).decode(String.self) {
        result.append(try StoreJSON.decode(Experiment.self, from: payload, operation: "read experiments"))
      }
      return result
    }
  }

  /// Impressions per INSERT statement.
  static let impressionRowsPerStatement = 5_000

  public func recordImpressions(_ impressions: [Impression]) async throws {
    guard !impressions.isEmpty else { return }
    let logger = self.logger
    try await failing("record impressions") {
      // One INSERT … SELECT FROM UNNEST(column arrays) per chunk: 15 parameters however many rows,
      // instead of a round trip (or a parameter list) per impression.
      let queries = stride(from: 0, to: impressions.count, by: Self.impressionRowsPerStatement).map { start in
        Self.insertImpressions(impressions[start..<min(start + Self.impressionRowsPerStatement, impressions.count)])
      }
      let days = Self.insertDays(impressions.map { ($0.user, $0.timestamp) })
      try await client.withTransaction(logger: logger) { conn in
        for query in queries { try await conn.query(query, logger: logger) }
        try await conn.query(days, logger: logger)
      }
    }
  }

  /// `INSERT INTO impression_days … FROM UNNEST(…) ON CONFLICT DO NOTHING`: the days on which users have
  /// impressions or lists, each pair once.
  static func insertDays(_ entries: [(String, Int64)]) -> PostgresQuery {
    let pairs = UserDay.distinct(entries)
    let users = pairs.map(\.user)
    let days = pairs.map(\.day)
    return """
      INSERT INTO impression_days (user_id, day) SELECT u, d FROM UNNEST(\(users)::text[], \(days)::int8[]) AS t(u, d)
      ON CONFLICT DO NOTHING
      """
  }

  /// `INSERT INTO impressions … SELECT … FROM UNNEST(…) ON CONFLICT (rec_id) DO NOTHING` for a chunk
  /// (nullable columns travel as a value array and a null-flag array).
  static func insertImpressions(_ chunk: ArraySlice<Impression>) -> PostgresQuery {
    let ids = chunk.map(\.recommendationID)
    let experiments = chunk.map { $0.experimentID ?? "" }
    let experimentNull = chunk.map { $0.experimentID == nil }
    let variants = chunk.map { $0.variant ?? "" }
    let variantNull = chunk.map { $0.variant == nil }
    let users = chunk.map(\.user)
    let sessions = chunk.map(\.session)
    let kinds = chunk.map(\.kind)
    let keys = chunk.map(\.key)
    let arms = chunk.map { Int64($0.arm) }
    let discounts = chunk.map(\.discount)
    let prices = chunk.map(\.price)
    let margins = chunk.map(\.margin)
    let propensities = chunk.map(\.propensity)
    let timestamps = chunk.map(\.timestamp)
    return """
      INSERT INTO impressions (rec_id, experiment_id, variant, user_id, session, kind, key, arm, discount, price,
        margin, propensity, ts)
      SELECT r, CASE WHEN en THEN NULL ELSE e END, CASE WHEN vn THEN NULL ELSE v END, u, s, k, key, arm, d, p, m,
        pr, ts
      FROM UNNEST(\(ids)::text[], \(experiments)::text[], \(experimentNull)::bool[], \(variants)::text[],
        \(variantNull)::bool[], \(users)::text[], \(sessions)::text[], \(kinds)::text[], \(keys)::text[],
        \(arms)::int8[], \(discounts)::float8[], \(prices)::float8[], \(margins)::float8[],
        \(propensities)::float8[], \(timestamps)::int8[])
        AS t(r, e, en, v, vn, u, s, k, key, arm, d, p, m, pr, ts)
      ON CONFLICT (rec_id) DO NOTHING
      """
  }

  typealias ImpressionRow = (
    String, String?, String?, String, String, String, String, Int, Double, Double, Double, Double, Int64
  )

  static let impressionColumns =
    "rec_id, experiment_id, variant, user_id, session, kind, key, arm, discount, price, margin, propensity, ts"

  static func impression(_ r: ImpressionRow) -> Impression {
    Impression(
      recommendationID: r.0, experimentID: r.1, variant: r.2, user: r.3, session: r.4, kind: r.5, key: r.6,
      arm: r.7, discount: r.8, price: r.9, margin: r.10, propensity: r.11, timestamp: r.12)
  }

  public func impression(id: String) async throws -> Impression? {
    try await failing("read impression") {
      for try await row in try await client.query(
        "SELECT \(unescaped: Self.impressionColumns) FROM impressions WHERE rec_id = \(id)", logger: logger
      ).decode(ImpressionRow.self) {
        return Self.impression(row)
      }
      // An offer of a list: the list id is the id's first characters.
      guard id.utf8.count == RecommendationList.idPrefixLength + 8 else { return nil }
      let listID = String(id.prefix(RecommendationList.idPrefixLength))
      for list in try await offerLists(
        "SELECT \(unescaped: Self.offerListColumns) FROM offer_lists WHERE list_id = \(listID)",
        operation: "read impression")
      {
        return list.position(of: id).map(list.impression(at:))
      }
      return nil
    }
  }

  public func impressions(experiment: String) async throws -> [Impression] {
    try await failing("read experiment impressions") {
      var result: [Impression] = []
      for try await row in try await client.query(
        "SELECT \(unescaped: Self.impressionColumns) FROM impressions WHERE experiment_id = \(experiment) ORDER BY ts, rec_id",
        logger: logger
      ).decode(ImpressionRow.self) {
        result.append(Self.impression(row))
      }
      let lists = try await offerLists(
        """
        SELECT \(unescaped: Self.offerListColumns) FROM offer_lists WHERE experiment_id = \(experiment)
        ORDER BY ts, list_id
        """, operation: "read experiment impressions")
      guard !lists.isEmpty else { return result }
      result += lists.flatMap(\.impressions)
      return result.sorted { ($0.timestamp, $0.recommendationID) < ($1.timestamp, $1.recommendationID) }
    }
  }

  public func recordOfferLists(_ lists: [OfferList]) async throws {
    guard !lists.isEmpty else { return }
    let logger = self.logger
    try await failing("record offer lists") {
      // One INSERT … SELECT FROM UNNEST(column arrays) per chunk, as for impressions.
      let queries = stride(from: 0, to: lists.count, by: Self.impressionRowsPerStatement).map { start in
        Self.insertOfferLists(lists[start..<min(start + Self.impressionRowsPerStatement, lists.count)])
      }
      let days = Self.insertDays(lists.map { ($0.user, $0.timestamp) })
      try await client.withTransaction(logger: logger) { conn in
        for query in queries { try await conn.query(query, logger: logger) }
        try await conn.query(days, logger: logger)
      }
    }
  }

  /// `INSERT INTO offer_lists … SELECT … FROM UNNEST(…) ON CONFLICT (list_id) DO NOTHING` for a chunk.
  static func insertOfferLists(_ chunk: ArraySlice<OfferList>) -> PostgresQuery {
    let ids = chunk.map(\.id)
    let firsts = chunk.map { Int64($0.firstSequence) }
    let experiments = chunk.map { $0.experimentID ?? "" }
    let experimentNull = chunk.map { $0.experimentID == nil }
    let variants = chunk.map { $0.variant ?? "" }
    let variantNull = chunk.map { $0.variant == nil }
    let users = chunk.map(\.user)
    let sessions = chunk.map(\.session)
    let kinds = chunk.map(\.kind)
    let offers = chunk.map(\.encodedOffers)
    let counts = chunk.map { Int64($0.offers.count) }
    let timestamps = chunk.map(\.timestamp)
    return """
      INSERT INTO offer_lists (list_id, first_seq, experiment_id, variant, user_id, session, kind, offers, n, ts)
      SELECT l, f, CASE WHEN en THEN NULL ELSE e END, CASE WHEN vn THEN NULL ELSE v END, u, s, k, o, n, ts
      FROM UNNEST(\(ids)::text[], \(firsts)::int8[], \(experiments)::text[], \(experimentNull)::bool[],
        \(variants)::text[], \(variantNull)::bool[], \(users)::text[], \(sessions)::text[], \(kinds)::text[],
        \(offers)::text[], \(counts)::int8[], \(timestamps)::int8[])
        AS t(l, f, e, en, v, vn, u, s, k, o, n, ts)
      ON CONFLICT (list_id) DO NOTHING
      """
  }

  static let offerListColumns = "list_id, first_seq, experiment_id, variant, user_id, session, kind, offers, ts"

  /// The offer lists a query over ``offerListColumns`` returns.
  private func offerLists(_ query: PostgresQuery, operation: String) async throws -> [OfferList] {
    var lists: [OfferList] = []
    for try await row in try await client.query(query, logger: logger).decode(
      (String, Int64, String?, String?, String, String, String, String, Int64).self)
    {
      lists.append(
        OfferList(
          id: row.0, firstSequence: UInt32(truncatingIfNeeded: row.1), experimentID: row.2, variant: row.3,
          user: row.4, session: row.5, kind: row.6, offers: try OfferList.decodeOffers(row.7, operation: operation),
          timestamp: row.8))
    }
    return lists
  }

  public func recordRecommendationLists(_ lists: [RecommendationList]) async throws {
    guard !lists.isEmpty else { return }
    let logger = self.logger
    let encoded = lists.map { StoreJSON.encode(strings: $0.items) }
    try await failing("record recommendation lists") {
      // One INSERT … SELECT FROM UNNEST(column arrays) per chunk, as for impressions.
      let queries = stride(from: 0, to: lists.count, by: Self.impressionRowsPerStatement).map { start in
        let end = min(start + Self.impressionRowsPerStatement, lists.count)
        return Self.insertLists(lists[start..<end], items: encoded[start..<end])
      }
      let days = Self.insertDays(lists.map { ($0.user, $0.timestamp) })
      try await client.withTransaction(logger: logger) { conn in
        for query in queries { try await conn.query(query, logger: logger) }
        try await conn.query(days, logger: logger)
      }
    }
  }

  /// `INSERT INTO recommendation_lists … SELECT … FROM UNNEST(…) ON CONFLICT (list_id) DO NOTHING` for a chunk.
  static func insertLists(_ chunk: ArraySlice<RecommendationList>, items: ArraySlice<String>) -> PostgresQuery {
    let ids = chunk.map(\.id)
    let firsts = chunk.map { Int64($0.firstSequence) }
    let experiments = chunk.map { $0.experimentID ?? "" }
    let experimentNull = chunk.map { $0.experimentID == nil }
    let variants = chunk.map { $0.variant ?? "" }
    let variantNull = chunk.map { $0.variant == nil }
    let users = chunk.map(\.user)
    let itemTexts = Array(items)
    let counts = chunk.map { Int64($0.items.count) }
    let versions = chunk.map { $0.modelVersion ?? 0 }
    let versionNull = chunk.map { $0.modelVersion == nil }
    let timestamps = chunk.map(\.timestamp)
    return """
      INSERT INTO recommendation_lists (list_id, first_seq, experiment_id, variant, user_id, items, n, model_version,
        ts)
      SELECT l, f, CASE WHEN en THEN NULL ELSE e END, CASE WHEN vn THEN NULL ELSE v END, u, i, n,
        CASE WHEN mn THEN NULL ELSE m END, ts
      FROM UNNEST(\(ids)::text[], \(firsts)::int8[], \(experiments)::text[], \(experimentNull)::bool[],
        \(variants)::text[], \(variantNull)::bool[], \(users)::text[], \(itemTexts)::text[], \(counts)::int8[],
        \(versions)::int8[], \(versionNull)::bool[], \(timestamps)::int8[])
        AS t(l, f, e, en, v, vn, u, i, n, m, mn, ts)
      ON CONFLICT (list_id) DO NOTHING
      """
  }

  public func recommendationList(id: String) async throws -> RecommendationList? {
    try await failing("read recommendation list") {
      for try await row in try await client.query(
        """
        SELECT list_id, first_seq, experiment_id, variant, user_id, items, model_version, ts
        FROM recommendation_lists WHERE list_id = \(id)
        """, logger: logger
      ).decode((String, Int64, String?, String?, String, String, Int64?, Int64).self) {
        return RecommendationList(
          id: row.0, firstSequence: UInt32(truncatingIfNeeded: row.1), experimentID: row.2, variant: row.3,
          user: row.4, items: try StoreJSON.decode([String].self, from: row.5, operation: "read recommendation list"),
          modelVersion: row.6, timestamp: row.7)
      }
      return nil
    }
  }

  public func replayLog(limit: Int) async throws -> [(impression: Impression, reward: Double)] {
    try await failing("read replay log") {
      var result: [(impression: Impression, reward: Double)] = []
      for try await row in try await client.query(
        """
        SELECT \(unescaped: Self.impressionColumns),
          CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.rec_id = i.rec_id AND e.type = 'purchase')
            THEN margin ELSE 0 END
        FROM impressions i WHERE kind = 'bundle' ORDER BY ts DESC, rec_id LIMIT \(limit)
        """, logger: logger
      ).decode(
        (String, String?, String?, String, String, String, String, Int, Double, Double, Double, Double, Int64, Double)
          .self)
      {
        let impression = Self.impression(
          (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11, row.12))
        result.append((impression, row.13))
      }
      // The newest `limit` lists hold at least the newest `limit` offers; an offer earns its margin when a purchase
      // names its id.
      let offered = try await offerLists(
        """
        SELECT \(unescaped: Self.offerListColumns) FROM offer_lists WHERE kind = 'bundle'
        ORDER BY ts DESC, list_id LIMIT \(limit)
        """, operation: "read replay log"
      ).flatMap(\.impressions)
      guard !offered.isEmpty else { return result }
      let ids = offered.map(\.recommendationID)
      var bought = Set<String>()
      for try await id in try await client.query(
        "SELECT DISTINCT rec_id FROM events WHERE type = 'purchase' AND rec_id = ANY(\(ids)::text[])", logger: logger
      ).decode(String.self) {
        bought.insert(id)
      }
      result += offered.map { ($0, bought.contains($0.recommendationID) ? $0.margin : 0) }
      result.sort { a, b in
        a.impression.timestamp != b.impression.timestamp
          ? a.impression.timestamp > b.impression.timestamp
          : a.impression.recommendationID < b.impression.recommendationID
      }
      return Array(result.prefix(limit))
    }
  }

  public func tallies(experiment: String) async throws -> [VariantTally] {
    try await failing("read experiment tallies") {
      var byVariant: [String: VariantTally] = [:]
      // Impressions: bundle offers, plus every item of the recommendation lists; sessions across both.
      for try await (variant, n, s) in try await client.query(
        """
        SELECT variant, SUM(n)::int8, COUNT(DISTINCT s) FROM (
          SELECT variant, 1::int8 AS n, session AS s FROM impressions WHERE experiment_id = \(experiment)
          UNION ALL SELECT variant, n, session FROM offer_lists WHERE experiment_id = \(experiment)
          UNION ALL SELECT variant, n, user_id FROM recommendation_lists WHERE experiment_id = \(experiment)) t
        GROUP BY variant
        """, logger: logger
      ).decode((String?, Int, Int).self) {
        let name = variant ?? ""
        byVariant[name] = VariantTally(variant: name, impressions: n, sessions: s)
      }
      // An item's id is its list's id followed by eight hex digits.
      let listPrefix = RecommendationList.idPrefixLength
      for try await (variant, n) in try await client.query(
        """
        SELECT variant, COUNT(DISTINCT rec_id) FROM (
          SELECT i.variant AS variant, i.rec_id AS rec_id FROM impressions i JOIN events e ON e.rec_id = i.rec_id
          WHERE i.experiment_id = \(experiment) AND e.type IN ('view', 'cart')
          UNION ALL SELECT o.variant, e.rec_id FROM offer_lists o
          JOIN events e ON substr(e.rec_id, 1, \(unescaped: String(listPrefix))) = o.list_id
          WHERE o.experiment_id = \(experiment) AND e.type IN ('view', 'cart')
          UNION ALL SELECT l.variant, e.rec_id FROM recommendation_lists l
          JOIN events e ON substr(e.rec_id, 1, \(unescaped: String(listPrefix))) = l.list_id
          WHERE l.experiment_id = \(experiment) AND e.type IN ('view', 'cart')) t
        GROUP BY variant
        """, logger: logger
      ).decode((String?, Int).self) {
        let name = variant ?? ""
        byVariant[name, default: VariantTally(variant: name)].clicks = n
      }
      for try await (variant, _, revenue) in try await client.query(
        """
        SELECT variant, rec_id, SUM(revenue) FROM (
          SELECT i.variant AS variant, i.rec_id AS rec_id, e.value * COALESCE(e.price, 0) AS revenue
          FROM impressions i JOIN events e ON e.rec_id = i.rec_id
          WHERE i.experiment_id = \(experiment) AND e.type = 'purchase'
          UNION ALL SELECT o.variant, e.rec_id, e.value * COALESCE(e.price, 0) FROM offer_lists o
          JOIN events e ON substr(e.rec_id, 1, \(unescaped: String(listPrefix))) = o.list_id
          WHERE o.experiment_id = \(experiment) AND e.type = 'purchase'
          UNION ALL SELECT l.variant, e.rec_id, e.value * COALESCE(e.price, 0) FROM recommendation_lists l
          JOIN events e ON substr(e.rec_id, 1, \(unescaped: String(listPrefix))) = l.list_id
          WHERE l.experiment_id = \(experiment) AND e.type = 'purchase') t
        GROUP BY variant, rec_id ORDER BY rec_id
        """, logger: logger
      ).decode((String?, String, Double).self) {
        let name = variant ?? ""
        byVariant[name, default: VariantTally(variant: name)].orderValues.append(revenue)
      }
      return byVariant.values.sorted { $0.variant < $1.variant }
    }
  }

  // MARK: - Bandit

  public func addBanditCounts(_ records: [BanditArmRecord]) async throws {
    guard !records.isEmpty else { return }
    let logger = self.logger
    // Merge same-arm records (one row may be upserted once per statement), in a fixed order.
    var merged: [String: BanditArmRecord] = [:]
    for r in records {
      let id = "\(r.arm)#\(r.key)"
      if var existing = merged[id] {
        existing.trials += r.trials
        existing.successes += r.successes
        existing.rewardSum += r.rewardSum
        merged[id] = existing
      } else {
        merged[id] = r
      }
    }
    let sorted = merged.values.sorted { ($0.key, $0.arm) < ($1.key, $1.arm) }
    let keys = sorted.map(\.key)
    let arms = sorted.map { Int64($0.arm) }
    let trials = sorted.map { Int64($0.trials) }
    let successes = sorted.map { Int64($0.successes) }
    let rewards = sorted.map(\.rewardSum)
    try await failing("add bandit counts") {
      // One upsert for the whole flush instead of a round trip per arm.
      try await client.query(
        """
        INSERT INTO bandit (key, arm, trials, successes, reward_sum)
        SELECT * FROM UNNEST(\(keys)::text[], \(arms)::int8[], \(trials)::int8[], \(successes)::int8[],
          \(rewards)::float8[])
        ON CONFLICT (key, arm) DO UPDATE SET trials = bandit.trials + excluded.trials,
          successes = bandit.successes + excluded.successes, reward_sum = bandit.reward_sum + excluded.reward_sum
        """, logger: logger)
    }
  }

  public func banditCounts() async throws -> [BanditArmRecord] {
    try await failing("read bandit counts") {
      var result: [BanditArmRecord] = []
      for try await (key, arm, trials, successes, reward) in try await client.query(
        "SELECT key, arm, trials, successes, reward_sum FROM bandit ORDER BY key, arm", logger: logger
      ).decode((String, Int, Int, Int, Double).self) {
        result.append(BanditArmRecord(key: key, arm: arm, trials: trials, successes: successes, rewardSum: reward))
      }
      return result
    }
  }

  // MARK: - Lifecycle

  public func ping() async -> Bool {
    (try? await scalarInt("SELECT 1")) == 1
  }

  public func close() async {
    runner.cancel()
  }

  /// Runs one statement outside the store's operations (tests that set up or inspect a schema).
  func execute(unsafeSQL statement: String) async throws {
    try await failing("execute") {
      try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
    }
  }

  deinit { runner.cancel() }
}

/// The newest model version emitted so far, shared by the LISTEN and polling tasks.
final class LastVersion: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Int64

  init(_ value: Int64) { self.value = value }

  /// Moves to `version` if it is newer; returns whether it moved.
  func advance(to version: Int64) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    guard version > value else { return false }
    value = version
    return true
  }
}
