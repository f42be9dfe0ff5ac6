import BasketryCore
import BasketryStore
import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
  /// Appends events in one transaction; skips ids already stored. Concurrent calls are written together: while
  /// one transaction is under way, the calls that arrive wait, and the next transaction writes all their
  /// batches, one after another, so several requests share one commit (and one turn at the purchase lock).
  /// Each call returns after the transaction holding its events has committed.
  ///
  /// - Parameter events: the batch, in input order.
  /// - Returns: counts, the ids stored and the co-occurrence changes of this call's batch, as if it had been
  ///   appended alone right after the batches written before it.
  /// - Throws: ``StoreError`` when the database fails; nothing of this call's batch is stored then.
  /// - Complexity: a fixed number of round trips per transaction (five with purchases, three without), each
  ///   statement taking the whole group's rows at once.
  public func append(_ events: [StoredEvent]) async throws -> AppendOutcome {
    guard !events.isEmpty else { return AppendOutcome() }
    return try await withCheckedThrowingContinuation { continuation in
      if appendQueue.enqueue(events, continuation) {
        Task { await self.writeQueuedAppends() }
      }
    }
  }

  /// Writes queued batches, a group per transaction, until none is left.
  private func writeQueuedAppends() async {
    while let group = appendQueue.nextGroup() {
      var statementFailed = false
      do {
        let outcomes = try await appendTransaction(group.map(\.events), statementFailed: &statementFailed)
        for (waiter, outcome) in zip(group, outcomes) { waiter.continuation.resume(returning: outcome) }
      } catch {
        guard group.count > 1, statementFailed else {
          for waiter in group { waiter.continuation.resume(throwing: error) }
          continue
        }
        // A statement failed, maybe over one caller's events: each alone, so that only that call fails.
        for waiter in group {
          do {
            let outcome = try await appendTransaction([waiter.events], statementFailed: &statementFailed)
            waiter.continuation.resume(returning: outcome[0])
          } catch {
            waiter.continuation.resume(throwing: error)
          }
        }
      }
    }
  }

  /// Appends several batches, one after another, in one transaction.
  ///
  /// Round trips: BEGIN; with purchases, the purchase lock; the events insert (with purchases, together with
  /// reading the batches' baskets); with new basket lines, one statement for baskets, counts and change feed;
  /// COMMIT.
  /// - Parameters:
  ///   - batches: the callers' batches, in the order they are to be applied.
  ///   - statementFailed: set when a statement inside the transaction (or the plan between them) failed, as
  ///     opposed to BEGIN, COMMIT or the connection.
  /// - Returns: one outcome per batch.
  /// - Throws: ``StoreError`` when the database fails (nothing is stored then, unless COMMIT's answer was lost).
  /// - Complexity: O(n · k log k) work in memory for n events and baskets of at most k items.
  func appendTransaction(_ batches: [[StoredEvent]], statementFailed: inout Bool) async throws -> [AppendOutcome] {
    let events = batches.count == 1 ? batches[0] : batches.flatMap { $0 }
    var owners: [Int] = []
    owners.reserveCapacity(events.count)
    for (owner, batch) in batches.enumerated() { owners += repeatElement(owner, count: batch.count) }
    let logger = self.logger
    let now = StoreJSON.now()
    var failedInside = false
    defer { statementFailed = failedInside }
    return try await failing("append events") {
      try await client.withTransaction(logger: logger) { conn in
        failedInside = true
        var inserted: Set<String> = []
        var baskets: Set<String> = []
        var lines: [String: Set<String>] = [:]
        let insert = InsertEvents(events)
        if events.contains(where: { $0.type == .purchase }) {
          // Purchases change co-occurrence counts and the change feed: one writer at a time, held until COMMIT.
          try await conn.query("SELECT pg_advisory_xact_lock(\(Self.purchaseLock))", logger: logger)
          let keys = Array(Set(events.lazy.filter { $0.type == .purchase }.map(\.basketKey)))
          // A statement of its own after the lock, so that its snapshot holds every earlier purchase.
          for try await (kind, key, item) in try await conn.execute(
            InsertEventsReadingBaskets(insert: insert, keys: keys), logger: logger)
          {
            switch kind {
            case 0: inserted.insert(key)
            case 1: lines[key, default: []].insert(item)
            default: baskets.insert(key)
            }
          }
        } else {
          for try await id in try await conn.execute(insert, logger: logger) { inserted.insert(id) }
        }
        var plan = try PostgresAppendPlan(events: events, inserted: inserted, baskets: baskets, lines: lines)
        if plan.writesBaskets {
          var sequences: [Int64] = []
          for try await sequence in try await conn.execute(WriteBaskets(plan: plan, now: now), logger: logger) {
            sequences.append(sequence)
          }
          try plan.assign(sequences: sequences)
        }
        let outcomes = plan.outcomes(owners: owners, callers: batches.count, events: events)
        failedInside = false
        return outcomes
      }
    }
  }
}

/// Batches waiting to be appended, and whether a task is writing them.
final class AppendQueue: @unchecked Sendable {
  /// One caller's batch and where its outcome goes.
  struct Waiter: Sendable {
    var events: [StoredEvent]
    var continuation: CheckedContinuation<AppendOutcome, any Error>
  }

  private let lock = NSLock()
  private var waiting: [Waiter] = []
  private var writing = false
  /// The most events one transaction takes (a single larger batch still goes alone).
  let maximumEvents: Int

  /// An empty queue.
  /// - Parameter maximumEvents: the most events one transaction takes from several callers.
  init(maximumEvents: Int = 4096) {
    self.maximumEvents = maximumEvents
  }

  /// Queues a batch.
  /// - Parameters:
  ///   - events: the batch.
  ///   - continuation: resumed with the batch's outcome once its transaction has committed, or with the error.
  /// - Returns: whether no task is writing, so the caller must start one.
  /// - Complexity: O(1) amortized.
  func enqueue(_ events: [StoredEvent], _ continuation: CheckedContinuation<AppendOutcome, any Error>) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    waiting.append(Waiter(events: events, continuation: continuation))
    guard !writing else { return false }
    writing = true
    return true
  }

  /// Takes the next group: the oldest batches, in order, up to ``maximumEvents`` events (at least one batch).
  /// - Returns: the group, or nil when nothing waits (the writing task ends then).
  /// - Complexity: O(w) for w waiting batches.
  func nextGroup() -> [Waiter]? {
    lock.lock()
    defer { lock.unlock() }
    guard !waiting.isEmpty else {
      writing = false
      return nil
    }
    var count = 0
    var taken = 0
    while taken < waiting.count, taken == 0 || count + waiting[taken].events.count <= maximumEvents {
      count += waiting[taken].events.count
      taken += 1
    }
    let group = Array(waiting[..<taken])
    waiting.removeFirst(taken)
    return group
  }
}

/// The rows of a batch of events as column arrays, for UNNEST. Nullable columns travel as a value array and a
/// null-flag array, because arrays of optionals are not bound.
struct EventColumns: Sendable {
  var ids: [String] = []
  var users: [String] = []
  var items: [String] = []
  var types: [String] = []
  var values: [Double] = []
  var prices: [Double] = []
  var noPrice: [Bool] = []
  var timestamps: [Int64] = []
  var sessions: [String] = []
  var noSession: [Bool] = []
  var recommendations: [String] = []
  var noRecommendation: [Bool] = []
  var basketKeys: [String] = []
  var noBasketKey: [Bool] = []

  /// The columns of `events`; purchases carry their basket key.
  /// - Complexity: O(n).
  init(_ events: [StoredEvent]) {
    for event in events {
      let purchase = event.type == .purchase
      ids.append(event.eventID)
      users.append(event.user)
      items.append(event.item)
      types.append(event.type.rawValue)
      values.append(event.value)
      prices.append(event.price ?? 0)
      noPrice.append(event.price == nil)
      timestamps.append(event.timestamp)
      sessions.append(event.session ?? "")
      noSession.append(event.session == nil)
      recommendations.append(event.recommendationID ?? "")
      noRecommendation.append(event.recommendationID == nil)
      basketKeys.append(purchase ? event.basketKey : "")
      noBasketKey.append(!purchase)
    }
  }

  /// Binds the fourteen arrays as $1…$14.
  func bind(into bindings: inout PostgresBindings) {
    bindings.append(ids)
    bindings.append(users)
    bindings.append(items)
    bindings.append(types)
    bindings.append(values)
    bindings.append(prices)
    bindings.append(noPrice)
    bindings.append(timestamps)
    bindings.append(sessions)
    bindings.append(noSession)
    bindings.append(recommendations)
    bindings.append(noRecommendation)
    bindings.append(basketKeys)
    bindings.append(noBasketKey)
  }

  /// Inserts the rows of $1…$14 in input order, skipping ids already stored (and repeats after the first),
  /// returning the ids stored.
  static let insertSQL = """
    INSERT INTO events (event_id, user_id, item, type, value, price, ts, session, rec_id, basket_key)
    SELECT e, u, i, t, v, CASE WHEN pn THEN NULL ELSE p END, ts, CASE WHEN sn THEN NULL ELSE s END,
      CASE WHEN rn THEN NULL ELSE r END, CASE WHEN bn THEN NULL ELSE b END
    FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::bool[],
      $8::int8[], $9::text[], $10::bool[], $11::text[], $12::bool[], $13::text[], $14::bool[])
      WITH ORDINALITY AS x(e, u, i, t, v, p, pn, ts, s, sn, r, rn, b, bn, o)
    ORDER BY o
    ON CONFLICT (event_id) DO NOTHING RETURNING event_id
    """
}

/// Inserts a batch of events (a batch without purchases), returning the ids stored.
struct InsertEvents: PostgresPreparedStatement {
  static let sql = EventColumns.insertSQL
  typealias Row = String

  var columns: EventColumns

  init(_ events: [StoredEvent]) { columns = EventColumns(events) }

  func makeBindings() -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 14)
    columns.bind(into: &bindings)
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
}

/// Inserts a batch of events and reads its baskets as they were before: rows (0, id, "") for each id stored,
/// (1, basket key, item) for each line of an existing basket among $15, and (2, basket key, "") for each
/// existing basket among $15.
struct InsertEventsReadingBaskets: PostgresPreparedStatement {
  static let sql = """
    WITH stored AS (\(EventColumns.insertSQL))
    SELECT 0, event_id, '' FROM stored
    UNION ALL SELECT 1, basket_key, item FROM basket_items WHERE basket_key = ANY($15::text[])
    UNION ALL SELECT 2, basket_key, '' FROM baskets WHERE basket_key = ANY($15::text[])
    """
  typealias Row = (Int32, String, String)

  var insert: InsertEvents
  var keys: [String]

  func makeBindings() -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 15)
    insert.columns.bind(into: &bindings)
    bindings.append(keys)
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Writes a plan's baskets, lines, item and pair counts and change-feed rows in one statement, returning the
/// change-feed sequence numbers (numbered in delta order).
struct WriteBaskets: PostgresPreparedStatement {
  static let sql = """
    WITH new_baskets AS (
      INSERT INTO baskets (basket_key, user_id, ts) SELECT * FROM UNNEST($1::text[], $2::text[], $3::int8[])
      ON CONFLICT (basket_key) DO NOTHING),
    basket_total AS (UPDATE meta SET value = value + $4::int8 WHERE key = 'baskets' AND $4::int8 > 0),
    new_lines AS (
      INSERT INTO basket_items (basket_key, item) SELECT * FROM UNNEST($5::text[], $6::text[]) ON CONFLICT DO NOTHING),
    item_totals AS (
      INSERT INTO item_counts (item, n) SELECT * FROM UNNEST($7::text[], $8::int8[])
      ON CONFLICT (item) DO UPDATE SET n = item_counts.n + excluded.n),
    pair_totals AS (
      INSERT INTO pair_counts (a, b, n) SELECT * FROM UNNEST($9::text[], $10::text[], $11::int8[])
      ON CONFLICT (a, b) DO UPDATE SET n = pair_counts.n + excluded.n)
    INSERT INTO changes (kind, user_id, basket_key, payload, created_at)
    SELECT $12::text, u, k, p, $13::int8 FROM UNNEST($14::text[], $15::text[], $16::text[])
      WITH ORDINALITY AS c(u, k, p, o)
    ORDER BY o
    RETURNING seq
    """
  typealias Row = Int64

  var plan: PostgresAppendPlan
  var now: Int64

  func makeBindings() -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 16)
    bindings.append(plan.newBaskets.map(\.key))
    bindings.append(plan.newBaskets.map(\.user))
    bindings.append(plan.newBaskets.map(\.timestamp))
    bindings.append(Int64(plan.newBaskets.count))
    bindings.append(plan.newLines.map(\.key))
    bindings.append(plan.newLines.map(\.item))
    // Sorted, so that rows are locked in one order.
    let items = plan.itemIncrements.sorted { $0.key < $1.key }
    bindings.append(items.map(\.key))
    bindings.append(items.map(\.value))
    let pairs = plan.pairIncrements.sorted { $0.key < $1.key }
    bindings.append(pairs.map(\.key.a))
    bindings.append(pairs.map(\.key.b))
    bindings.append(pairs.map(\.value))
    bindings.append(ChangePayload.purchase)
    bindings.append(now)
    bindings.append(plan.changes.map(\.user))
    bindings.append(plan.changes.map(\.key))
    bindings.append(plan.changes.map(\.payload))
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
}
