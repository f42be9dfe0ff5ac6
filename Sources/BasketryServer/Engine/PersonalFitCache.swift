/// Shoppers' bundle fits (``PersonalBundleFit``), kept while their history and the model stay the same, so a
/// returning shopper's bundles are not simulated again.
///
/// An entry is found by the shopper and a stamp of what the fits depend on: the model version and the shopper's
/// store events (their count and newest id); any new event or model changes the stamp and the fits are computed
/// afresh. The fits themselves are deterministic (common random numbers), so a hit returns exactly what a
/// recomputation would. At most `capacity` shoppers are kept; when full, the cache is emptied. Its own lock.
final class PersonalFitCache: Sendable {
  private struct Entry {
    var stamp: String
    var fits: [String: PersonalBundleFit]
  }

  /// Shoppers kept at most (about 1 KB each for k = 3, so ≈ 20 MB when full).
  static let capacity = 20_000

  private let entries = Locked([String: Entry]())

  /// The stamp of a shopper's state: model version and store events.
  static func stamp(modelVersion: Int64?, eventCount: Int, newestEvent: String?) -> String {
    "\(modelVersion ?? -1):\(eventCount):\(newestEvent ?? "")"
  }

  /// The fits computed for the shopper at this stamp, by bundle key (empty when none).
  func fits(of user: String, stamp: String) -> [String: PersonalBundleFit] {
    entries.withLock { entries in
      guard let entry = entries[user], entry.stamp == stamp else { return [:] }
      return entry.fits
    }
  }

  /// Adds fits for the shopper at this stamp (replacing fits of another stamp).
  func store(_ fits: [String: PersonalBundleFit], of user: String, stamp: String) {
    entries.withLock { entries in
      if entries.count >= Self.capacity, entries[user] == nil { entries.removeAll(keepingCapacity: true) }
      var entry = entries[user].flatMap { $0.stamp == stamp ? $0 : nil } ?? Entry(stamp: stamp, fits: [:])
      entry.fits.merge(fits) { _, new in new }
      entries[user] = entry
    }
  }

  /// Forgets a shopper (erased).
  func forget(_ user: String) {
    entries.withLock { $0[user] = nil }
  }
}
