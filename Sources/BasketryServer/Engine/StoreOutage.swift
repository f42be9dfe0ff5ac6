import BasketryStore
import Foundation

/// Whether the store currently takes writes, as the engine has seen it.
///
/// A write (or read) that fails with ``StoreError/Kind/unavailable`` marks the store away; any successful write
/// marks it back. Readiness reports not-ready while the store is away and the last failure is recent (within
/// ``window``): with traffic the flusher's retries keep the mark fresh until a write succeeds; without any, the
/// next failing write marks it again.
final class StoreHealth: Sendable {
  private struct State {
    var failing = false
    var lastFailure: ContinuousClock.Instant?
    /// Whether the last failure was a call that got no answer in time (rather than a refusal).
    var silent = false
  }

  private let state = Locked(State())
  /// How long after the last failure, with no success since, the store counts as away. Default 5 s.
  let window: Duration

  /// - Parameter window: how long a failure counts without a newer one (default 5 s).
  init(window: Duration = .seconds(5)) { self.window = window }

  /// Notes a failure: the store is away when the error says it cannot be reached or cannot write now.
  /// - Returns: whether the error was such a failure.
  @discardableResult
  func record(failure error: any Error) -> Bool {
    guard let error = error as? StoreError, error.kind == .unavailable else { return false }
    state.withLock { state in
      state.failing = true
      state.lastFailure = ContinuousClock.now
      state.silent = StoreDeadline.isTimeout(error)
    }
    return true
  }

  /// Notes a successful write: the store is back.
  func recordSuccess() {
    state.withLock { $0.failing = false }
  }

  /// Whether the store counts as away and its last failure was a call that got no answer in time: writes are
  /// then refused at once rather than each waiting out its deadline.
  var isSilent: Bool {
    state.withLock { state in
      guard state.failing, state.silent, let last = state.lastFailure else { return false }
      return ContinuousClock.now - last < window
    }
  }

  /// Whether the store counts as away now.
  var isAway: Bool {
    state.withLock { state in
      guard state.failing, let last = state.lastFailure else { return false }
      return ContinuousClock.now - last < window
    }
  }
}

/// A local file that holds buffered impressions, recommendation lists and offer lists while the store cannot
/// take them: one JSON object a line (`{"impression": …}`, `{"list": …}` or `{"offers": …}`), appended, at most
/// `maximumBytes` long, read back in full and emptied once the store has them.
///
/// Entries are idempotent in the store (on their ids), so replaying a file again after a partial replay or a
/// crash stores nothing twice. The file survives restarts: a later process replays it.
final class SpillFile: Sendable {
  /// One line of the file.
  struct Line: Codable, Sendable {
    var impression: Impression?
    var list: RecommendationList?
    var offers: OfferList?
  }

  /// What a read of the file holds, and its size in bytes when read.
  struct Contents: Sendable {
    var impressions: [Impression] = []
    var lists: [RecommendationList] = []
    var offers: [OfferList] = []
    var bytes = 0
    /// Lines that could not be decoded (a line cut short by a crash).
    var unreadable = 0
    /// How many entries.
    var count: Int { impressions.count + lists.count + offers.count }
  }

  /// The file's path.
  let path: String
  /// Largest size in bytes.
  let maximumBytes: Int
  /// Guards the file (appends, reads and truncation never interleave).
  private let lock = Locked(())

  /// - Parameters:
  ///   - path: the file (created on the first spill).
  ///   - maximumBytes: the largest size; appends that would pass it keep the rest out.
  init(path: String, maximumBytes: Int) {
    self.path = path
    self.maximumBytes = maximumBytes
  }

  /// The file's size in bytes (0 when it does not exist).
  var size: Int {
    lock.withLock { _ in currentSize() }
  }

  private func currentSize() -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
  }

  /// Appends entries, oldest first, while the file stays within ``maximumBytes``.
  /// - Returns: how many impressions, lists and offer lists were written (each a prefix of its array) and the
  ///   bytes written.
  /// - Throws: file errors (nothing counts as written then).
  /// - Complexity: O(n) in the entries' encoded size.
  func append(
    impressions: [Impression], lists: [RecommendationList], offers: [OfferList]
  ) throws -> (impressions: Int, lists: Int, offers: Int, bytes: Int) {
    try lock.withLock { _ in
      let encoder = JSONEncoder()
      var room = maximumBytes - currentSize()
      var data = Data()
      func add(_ line: Line) throws -> Bool {
        var encoded = try encoder.encode(line)
        encoded.append(0x0A)
        guard encoded.count <= room else { return false }
        room -= encoded.count
        data.append(encoded)
        return true
      }
      var written = (impressions: 0, lists: 0, offers: 0)
      for impression in impressions {
        guard try add(Line(impression: impression)) else { break }
        written.impressions += 1
      }
      for list in lists {
        guard try add(Line(list: list)) else { break }
        written.lists += 1
      }
      for offer in offers {
        guard try add(Line(offers: offer)) else { break }
        written.offers += 1
      }
      guard !data.isEmpty else { return (0, 0, 0, 0) }
      if !FileManager.default.fileExists(atPath: path) {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
          throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
      }
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
      defer { try? handle.close() }
      try handle.seekToEnd()
      try handle.write(contentsOf: data)
      try handle.synchronize()
      return (written.impressions, written.lists, written.offers, data.count)
    }
  }

  /// Everything the file holds (empty when it does not exist).
  /// - Throws: file errors.
  /// - Complexity: O(n) in the file's size.
  func read() throws -> Contents {
    try lock.withLock { _ in
      guard FileManager.default.fileExists(atPath: path) else { return Contents() }
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      var contents = Contents(bytes: data.count)
      let decoder = JSONDecoder()
      for line in data.split(separator: 0x0A) where !line.isEmpty {
        guard let decoded = try? decoder.decode(Line.self, from: Data(line)) else {
          contents.unreadable += 1
          continue
        }
        if let impression = decoded.impression { contents.impressions.append(impression) }
        if let list = decoded.list { contents.lists.append(list) }
        if let offers = decoded.offers { contents.offers.append(offers) }
      }
      return contents
    }
  }

  /// Removes the first `bytes` bytes (what a replay stored), keeping anything appended since.
  /// - Throws: file errors.
  func discard(prefix bytes: Int) throws {
    try lock.withLock { _ in
      guard FileManager.default.fileExists(atPath: path) else { return }
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      if data.count <= bytes {
        try FileManager.default.removeItem(atPath: path)
      } else {
        try data.dropFirst(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
      }
    }
  }
}

/// Raised when a store call does not finish within its deadline: the store counts as unavailable (the call may
/// still commit later; what it wrote is idempotent, and nothing was acknowledged).
enum StoreDeadline {
  private static let timeoutMessage = "no answer within the deadline"

  /// Whether an error is a passed deadline.
  static func isTimeout(_ error: any Error) -> Bool {
    (error as? StoreError).map { $0.kind == .unavailable && $0.message == timeoutMessage } ?? false
  }

  /// Runs `body`, giving up after `seconds`.
  /// - Parameters:
  ///   - seconds: the deadline.
  ///   - operation: what is being done (for the error).
  ///   - body: the store call; it keeps running detached when the deadline passes.
  /// - Throws: what `body` throws, or ``StoreError`` (unavailable) when the deadline passes first.
  static func run<T: Sendable>(
    seconds: Double, operation: String, _ body: @escaping @Sendable () async throws -> T
  ) async throws -> T {
    let settled = Locked(false)
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
      let work = Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        if settled.withLock({ done in
          defer { done = true }
          return !done
        }) {
          continuation.resume(with: result)
        }
      }
      Task {
        try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        if settled.withLock({ done in
          defer { done = true }
          return !done
        }) {
          work.cancel()
          continuation.resume(
            throwing: StoreError(
              .unavailable, operation: operation, message: timeoutMessage))
        }
      }
    }
  }
}
