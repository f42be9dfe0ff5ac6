import Foundation

/// The bytes FP-Growth may still allocate, shared by its worker threads.
///
/// Workers do not take the lock per allocation: each reserves what it needs plus up to a ``chunk``
/// more and spends it locally, coming back only when that is used up. A request whose own need would
/// pass ``limit`` is refused, so the bytes handed out never exceed it. After one refusal every
/// later request is refused too, so the other workers stop at their next reservation instead of
/// finishing their current item.
///
/// `@unchecked Sendable`: the mutable total is only touched under `lock`.
final class FPGrowthMemoryBudget: @unchecked Sendable {
  private let lock = NSLock()
  /// Bytes that may be handed out in all.
  let limit: Int
  /// Bytes a worker reserves at a time: limit / (16 × threads), between 16 KB and 16 MB.
  let chunk: Int
  private var reserved = 0
  private var closed = false

  /// - Parameters:
  ///   - limit: bytes that may be handed out in all.
  ///   - threads: workers sharing the budget (sets the chunk size).
  init(limit: Int, threads: Int) {
    self.limit = max(0, limit)
    chunk = min(16 << 20, max(16 << 10, self.limit / (16 * max(1, threads))))
  }

  /// Bytes handed out so far.
  var used: Int {
    lock.lock()
    defer { lock.unlock() }
    return reserved
  }

  /// Reserves `bytes`; returns false (reserving nothing) when that would pass the limit or an earlier
  /// request was refused.
  func reserve(_ bytes: Int) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if closed || bytes > limit - reserved {
      closed = true
      return false
    }
    reserved += bytes
    return true
  }

  /// Reserves `needed` bytes plus up to one ``chunk`` more for later use; returns the bytes reserved,
  /// or 0 when even `needed` would pass the limit or an earlier request was refused.
  func reserve(atLeast needed: Int) -> Int {
    lock.lock()
    defer { lock.unlock() }
    let room = limit - reserved
    if closed || needed > room {
      closed = true
      return 0
    }
    let granted = min(room, needed + chunk)
    reserved += granted
    return granted
  }
}
