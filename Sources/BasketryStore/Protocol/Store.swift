/// Persistent state of the Basketry service: events, catalog, co-occurrence counts, trained
/// model versions, experiments and their impressions, and bandit counts.
///
/// Drivers: `SQLiteStore` (BasketryStoreSQLite; a file, WAL) and `PostgresStore`
/// (BasketryStorePostgres). Both pass the same conformance suite (BasketryStoreTests).
///
/// Contract:
/// - ``append(_:)`` is durable when it returns: the events are committed (SQLite WAL with
///   `synchronous=FULL`; PostgreSQL commit), and appending an event id again is a no-op.
/// - Users are pseudonyms (``Pseudonymizer``); the store never sees a raw user id.
/// - Purchases update co-occurrence counts in the same transaction as the event insert.
/// - ``deleteUser(_:)`` removes the user's events, impressions and co-occurrence contributions.
/// - Writes that change replicas' in-memory state (purchases that change co-occurrence, catalog
///   writes, erasures) append to a change feed in the same transaction. Its sequence numbers
///   become visible in increasing order (such writes are serialized: SQLite's single writer, a
///   PostgreSQL advisory lock held until commit), so a reader that has seen sequence `n` has seen
///   every change numbered below `n` that will ever be visible.
public protocol Store: Sendable {
  /// Creates or upgrades the schema (idempotent).
  func migrate() async throws

  // MARK: - Events

  /// Appends events in one transaction; skips ids already stored.
  /// - Returns: counts, the ids stored, and the co-occurrence changes purchases caused.
  func append(_ events: [StoredEvent]) async throws -> AppendOutcome
  /// Events of one user pseudonym, oldest first.
  func events(user: String) async throws -> [StoredEvent]
  /// The stored event with this id.
  func event(id: String) async throws -> StoredEvent?
  /// Number of stored events.
  func eventCount() async throws -> Int
  /// All purchase baskets, for training.
  func purchaseBaskets() async throws -> [PurchaseBasket]

  // MARK: - Catalog

  /// Inserts or replaces an item.
  /// - Returns: the change-feed sequence number of the write.
  @discardableResult
  func putItem(_ item: CatalogItem) async throws -> Int64
  /// The item with this id.
  func item(id: String) async throws -> CatalogItem?
  /// All items.
  func items() async throws -> [CatalogItem]
  /// Deletes an item; returns whether it existed.
  func deleteItem(id: String) async throws -> Bool

  // MARK: - Users

  /// Erases a user pseudonym's events, impressions and co-occurrence contributions.
  func deleteUser(_ user: String) async throws -> DeletionReceipt

  // MARK: - Co-occurrence

  /// Current co-occurrence counts.
  func cooccurrence() async throws -> CooccurrenceSnapshot

  // MARK: - Change feed

  /// Co-occurrence counts and the catalog read in one snapshot, with the newest change they include.
  func liveState() async throws -> LiveState
  /// Up to `limit` changes with a sequence number above `cursor`, oldest first (see ``StoreChange``).
  /// The batch is incomplete when changes after `cursor` were pruned.
  func changes(after cursor: Int64, limit: Int) async throws -> ChangeBatch
  /// Deletes the changes recorded before `timestamp` (Unix seconds), oldest first; returns how many
  /// were deleted. Readers whose cursor is behind a pruned change get an incomplete batch.
  @discardableResult
  func pruneChanges(before timestamp: Int64) async throws -> Int

  // MARK: - Models

  /// Stores a new model version and notifies watchers; returns its version number.
  func publishModel(_ payload: [UInt8]) async throws -> Int64
  /// The newest model version.
  func latestModel() async throws -> ModelArtifact?
  /// Pseudonyms of every user ever erased (``deleteUser(_:)`` records them in the same transaction): their
  /// histories in a model trained from files are never served again, and training leaves them out.
  func erasedUsers() async throws -> Set<String>
  /// A published model by version (nil when there is none).
  func model(version: Int64) async throws -> ModelArtifact?
  /// The newest model version number (cheap).
  func latestModelVersion() async throws -> Int64?
  /// Emits a version number whenever a model newer than `after` (and than the last one emitted) is
  /// published (LISTEN/NOTIFY or polling); a version already newer than `after` is emitted at once.
  func modelVersions(after: Int64?, pollInterval: Duration) -> AsyncStream<Int64>

  // MARK: - Experiments

  /// Stores an experiment; throws ``StoreError`` (conflict) when the id exists.
  func createExperiment(_ experiment: Experiment) async throws
  /// The experiment with this id.
  func experiment(id: String) async throws -> Experiment?
  /// All experiments.
  func experiments() async throws -> [Experiment]
  /// Logs impressions (idempotent on recommendation id).
  func recordImpressions(_ impressions: [Impression]) async throws
  /// Logs the bundle offers of responses, one row per response (idempotent on the list id); each offer reads back
  /// as its impression wherever impressions are read.
  func recordOfferLists(_ lists: [OfferList]) async throws
  /// The impression with this recommendation id (logged on its own or as an offer of a list).
  func impression(id: String) async throws -> Impression?
  /// Every impression logged in an experiment (offers of lists included), oldest first (ties by recommendation
  /// id); an erased user's are gone with them.
  func impressions(experiment: String) async throws -> [Impression]
  /// Logs lists of recommended items, one row each (idempotent on the list id); experiment tallies count
  /// every item as an impression.
  func recordRecommendationLists(_ lists: [RecommendationList]) async throws
  /// The list with this id (``RecommendationList/id``), if stored.
  func recommendationList(id: String) async throws -> RecommendationList?
  /// Recent bundle impressions (offers of lists included) with their attributed margin (for offline replay), newest
  /// first (ties by recommendation id).
  func replayLog(limit: Int) async throws -> [(impression: Impression, reward: Double)]
  /// Per-variant impressions, sessions, clicks and order values of an experiment: bundle impressions, every
  /// offer of its offer lists and every item of its recommendation lists.
  func tallies(experiment: String) async throws -> [VariantTally]

  // MARK: - Bandit

  /// Adds counts to bandit arms (additive, so replicas can all write).
  func addBanditCounts(_ records: [BanditArmRecord]) async throws
  /// All bandit arm totals.
  func banditCounts() async throws -> [BanditArmRecord]

  // MARK: - Lifecycle

  /// Whether the store answers (for readiness).
  func ping() async -> Bool
  /// Releases connections.
  func close() async
}
