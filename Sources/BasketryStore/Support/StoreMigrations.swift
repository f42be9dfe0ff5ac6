/// The store schema's versions, by name, in the order they are applied. Both drivers record the names they
/// applied (SQLite in GRDB's `grdb_migrations`, PostgreSQL in `schema_migrations`), apply the missing ones in
/// order, and refuse a database that records a name this binary does not know (it was written by a newer
/// Basketry).
///
/// Every step is idempotent (`IF NOT EXISTS`, guarded alterations), so a database made before versions were
/// recorded is upgraded by applying all of them and recording their names.
public enum StoreMigrations {
  /// The versions, oldest first.
  public static let names = [
    "v1-events-cooccurrence-catalog-models-experiments-impressions-bandit",
    "v2-change-feed-and-erasures",
    "v3-recommendation-lists",
    "v4-impressions-indexed-by-experiment-only-when-in-one",
    "v5-binary-model-artifacts",
    "v6-impressions-found-by-user-day",
    "v7-bundle-offers-one-row-per-response",
  ]

  /// The error for a database that records versions this binary does not know.
  /// - Parameter unknown: the unknown names.
  public static func newerDatabase(_ unknown: [String]) -> StoreError {
    StoreError(
      .invalidLocation, operation: "migrate",
      message:
        "the database was written by a newer Basketry (schema versions \(unknown.sorted().joined(separator: ", ")) "
        + "are unknown to this binary, which knows up to \(names.last ?? "none")); run a newer basketry")
  }
}
