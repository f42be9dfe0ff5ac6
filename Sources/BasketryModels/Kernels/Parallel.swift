import Dispatch
import Foundation

// MARK: - Parallel loops

/// A pointer that may cross threads; callers guarantee that concurrent writers touch disjoint elements.
@usableFromInline
struct SharedMutablePointer<T>: @unchecked Sendable {
  @usableFromInline let base: UnsafeMutablePointer<T>
  @usableFromInline init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// A read-only pointer that may cross threads.
@usableFromInline
struct SharedPointer<T>: @unchecked Sendable {
  @usableFromInline let base: UnsafePointer<T>
  @usableFromInline init(_ base: UnsafePointer<T>) { self.base = base }
}

/// Parallel loops over index ranges with a fixed number of threads.
public enum Parallel {
  /// The number of active processors (at least 1).
  public static var processorCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// Runs `body` on disjoint contiguous sub-ranges of `0..<count`, on up to `threads` threads.
  ///
  /// The range is cut into about 8 blocks per thread so uneven work balances; `body` receives a block
  /// and must only write state owned by that block. With `threads <= 1` it runs inline.
  /// - Parameters:
  ///   - count: the number of indices.
  ///   - threads: the maximum number of threads.
  ///   - body: work for one block.
  public static func forEachBlock(
    count: Int, threads: Int, _ body: @escaping @Sendable (Range<Int>) -> Void
  ) {
    guard count > 0 else { return }
    let threadCount = max(1, min(threads, count))
    if threadCount == 1 {
      body(0..<count)
      return
    }
    let blocks = min(count, threadCount * 8)
    let blockSize = (count + blocks - 1) / blocks
    let blockCount = (count + blockSize - 1) / blockSize
    if threadCount >= processorCount {
      DispatchQueue.concurrentPerform(iterations: blockCount) { b in
        body((b * blockSize)..<min(count, (b + 1) * blockSize))
      }
      return
    }
    // Fewer threads than cores: give each thread a strided share of the blocks.
    DispatchQueue.concurrentPerform(iterations: threadCount) { t in
      var b = t
      while b < blockCount {
        body((b * blockSize)..<min(count, (b + 1) * blockSize))
        b += threadCount
      }
    }
  }
}
