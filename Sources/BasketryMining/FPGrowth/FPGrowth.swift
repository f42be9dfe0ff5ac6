import BasketryCore
import Dispatch
import Foundation

/// Exact frequent-itemset mining with FP-Growth (Han, Pei & Yin, 2000).
///
/// Items are recoded by descending support (ties by id) and infrequent items dropped; the transactions
/// are loaded into an FP-tree held in flat arrays (parent, item, node-link and count in one 16-byte record per node; a header
/// table per item). Each frequent item's conditional pattern base is turned into a conditional FP-tree
/// recursively; a conditional tree that is a single path is finished by enumerating the combinations of
/// its items directly. The top-level items are mined in parallel (dynamic scheduling over a shared,
/// read-only global tree) and the itemsets are collected in flat buffers, then sorted into a
/// deterministic order independent of the thread count.
public enum FPGrowth {
  /// Mines every itemset whose support meets `options.minSupport`.
  ///
  /// - Parameters:
  ///   - transactions: the transactions (each a set of item ids).
  ///   - options: minimum support, maximum itemset length, threads, and an optional result-size guard.
  /// - Returns: the frequent itemsets with their counts, ordered by size then lexicographic item ids.
  /// - Throws: ``MiningError`` for invalid options, or when more than `options.maxItemsets` itemsets
  ///   would be produced.
  /// - Complexity: O(size of the FP-trees built + number of itemsets × their length); memory is the
  ///   global tree plus one conditional tree per recursion level and thread, plus the output.
  public static func mine(_ transactions: TransactionSet, options: MiningOptions) throws -> FrequentItemsets {
    let workers = try run(transactions, options: options, countOnly: false)
    return collect(workers, transactionCount: transactions.count, itemCount: transactions.itemCount)
  }

  /// Counts the frequent itemsets by size without storing them (for sizing a threshold cheaply).
  ///
  /// - Parameters:
  ///   - transactions: the transactions.
  ///   - options: as for ``mine(_:options:)``.
  /// - Returns: entry `k` is the number of frequent itemsets with `k` items; entry 0 is 0, and trailing
  ///   zero entries are dropped.
  /// - Throws: ``MiningError`` as ``mine(_:options:)`` does.
  /// - Complexity: as ``mine(_:options:)`` without the output memory.
  public static func countBySize(_ transactions: TransactionSet, options: MiningOptions) throws -> [Int] {
    let workers = try run(transactions, options: options, countOnly: true)
    var histogram = [0]
    for worker in workers {
      for (size, count) in worker.histogram.enumerated() where count > 0 {
        if histogram.count <= size { histogram += [Int](repeating: 0, count: size + 1 - histogram.count) }
        histogram[size] += count
      }
    }
    return histogram
  }

  // MARK: - Driver

  private static func run(
    _ transactions: TransactionSet, options: MiningOptions, countOnly: Bool
  ) throws -> [FPGrowthWorker] {
    try options.validate()
    if transactions.count > Int(Int32.max) {
      throw MiningError(
        code: .tooManyTransactions, key: "transactions", value: "\(transactions.count)",
        message: "FP-Growth counts up to \(Int32.max) transactions; mine a sample or partitions")
    }
    let minCount = options.minSupport.minimumCount(transactionCount: transactions.count)
    let maxLength = options.maxLength ?? Int.max
    let limit = options.maxItemsets ?? Int.max

    // Recode: frequent items by descending count, ties by ascending id.
    let supports = transactions.itemSupportCounts()
    var frequent: [Int32] = []
    var totalOccurrences = 0
    for (id, count) in supports.enumerated() where count >= minCount {
      frequent.append(Int32(id))
      totalOccurrences += count
    }
    if frequent.isEmpty { return [] }
    frequent.sort { supports[Int($0)] != supports[Int($1)] ? supports[Int($0)] > supports[Int($1)] : $0 < $1 }
    var rank = [Int32](repeating: -1, count: transactions.itemCount)
    for (position, id) in frequent.enumerated() { rank[Int(id)] = Int32(position) }

    let global = buildGlobalTree(transactions, rank: rank, frequent: frequent, occurrences: totalOccurrences)

    let threadCount = max(1, min(options.threads ?? ProcessInfo.processInfo.activeProcessorCount, frequent.count))
    let workers = (0..<(global.isSinglePath ? 1 : threadCount)).map { _ in
      FPGrowthWorker(
        itemCount: frequent.count, minCount: minCount, maxLength: maxLength, limit: limit, countOnly: countOnly)
    }
    if global.isSinglePath {
      workers[0].runSinglePath(global)
    } else {
      let queue = FPGrowthWorkQueue(itemCount: frequent.count, limit: limit)
      if workers.count == 1 {
        workers[0].run(global: global, queue: queue)
      } else {
        DispatchQueue.concurrentPerform(iterations: workers.count) { index in
          workers[index].run(global: global, queue: queue)
        }
      }
    }
    if workers.contains(where: { $0.aborted }) {
      throw MiningError(
        code: .tooManyItemsets, key: "maxItemsets", value: "\(limit)",
        message: "mining would produce more than \(limit) itemsets at minimum count \(minCount); "
          + "raise the minimum support, set a maximum length, or raise the limit")
    }
    return workers
  }

  // MARK: - Collecting

  /// Merges the workers' flat buffers into sorted `FrequentItemset`s (size, then lexicographic ids).
  private static func collect(
    _ workers: [FPGrowthWorker], transactionCount: Int, itemCount: Int
  ) -> FrequentItemsets {
    var items: [Int32] = []
    var lengths: [Int32] = []
    var counts: [Int] = []
    if workers.count == 1, let only = workers.first {
      items = only.outItems
      lengths = only.outLengths
      counts = only.outCounts
    } else {
      items.reserveCapacity(workers.reduce(0) { $0 + $1.outItems.count })
      lengths.reserveCapacity(workers.reduce(0) { $0 + $1.outLengths.count })
      counts.reserveCapacity(lengths.capacity)
      for worker in workers {
        items += worker.outItems
        lengths += worker.outLengths
        counts += worker.outCounts
      }
    }
    let total = lengths.count
    var starts = [Int](repeating: 0, count: total)
    var offset = 0
    for index in 0..<total {
      starts[index] = offset
      offset += Int(lengths[index])
    }
    // Sort each itemset's ids ascending (insertion sort: itemsets are short).
    items.withUnsafeMutableBufferPointer { items in
      for index in 0..<total {
        let start = starts[index]
        let end = start + Int(lengths[index])
        var i = start + 1
        while i < end {
          let value = items[i]
          var j = i - 1
          while j >= start && items[j] > value {
            items[j + 1] = items[j]
            j -= 1
          }
          items[j + 1] = value
          i += 1
        }
      }
    }
    let order = canonicalOrder(items: items, starts: starts, lengths: lengths, itemCount: itemCount)
    var itemsets: [FrequentItemset] = []
    itemsets.reserveCapacity(total)
    for index in order {
      let start = starts[Int(index)]
      let end = start + Int(lengths[Int(index)])
      itemsets.append(FrequentItemset(items: Array(items[start..<end]), count: counts[Int(index)]))
    }
    return FrequentItemsets(transactionCount: transactionCount, itemsets: itemsets)
  }

  /// Itemset indices ordered by size, then lexicographically by (ascending) items: a counting sort by
  /// length, then per length an LSD radix sort with one stable counting pass per item position.
  /// - Complexity: O(Σ over lengths L of L · (itemsets of length L + itemCount)).
  static func canonicalOrder(items: [Int32], starts: [Int], lengths: [Int32], itemCount: Int) -> [Int32] {
    let total = lengths.count
    var maxLength = 0
    for length in lengths where Int(length) > maxLength { maxLength = Int(length) }
    // Bucket by length (stable).
    var lengthStart = [Int](repeating: 0, count: maxLength + 2)
    for length in lengths { lengthStart[Int(length) + 1] += 1 }
    for length in 0...maxLength { lengthStart[length + 1] += lengthStart[length] }
    var order = [Int32](repeating: 0, count: total)
    var fill = lengthStart
    for index in 0..<total {
      let length = Int(lengths[index])
      order[fill[length]] = Int32(index)
      fill[length] += 1
    }
    var scratch = [Int32](repeating: 0, count: total)
    var counts = [Int](repeating: 0, count: itemCount + 1)
    items.withUnsafeBufferPointer { items in
      starts.withUnsafeBufferPointer { starts in
        order.withUnsafeMutableBufferPointer { order in
          scratch.withUnsafeMutableBufferPointer { scratch in
            counts.withUnsafeMutableBufferPointer { counts in
              for length in 1...max(1, maxLength) where length <= maxLength {
                let low = lengthStart[length]
                let high = lengthStart[length + 1]
                if high - low < 2 { continue }
                var position = length - 1
                while position >= 0 {
                  for slot in 0...itemCount { counts[slot] = 0 }
                  for k in low..<high { counts[Int(items[starts[Int(order[k])] + position]) + 1] += 1 }
                  for slot in 0..<itemCount { counts[slot + 1] += counts[slot] }
                  for k in low..<high {
                    let index = order[k]
                    let key = Int(items[starts[Int(index)] + position])
                    scratch[low + counts[key]] = index
                    counts[key] += 1
                  }
                  for k in low..<high { order[k] = scratch[k] }
                  position -= 1
                }
              }
            }
          }
        }
      }
    }
    return order
  }
}
