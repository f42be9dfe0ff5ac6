import BasketryCore
import Dispatch
import Foundation

/// Exact frequent-itemset mining with FP-Growth (Han, Pei & Yin, 2000).
///
/// Items are recoded by descending support (ties by id) and infrequent items dropped; the transactions
/// are loaded into an FP-tree held in flat arrays (parent, item, node-link and count in one 16-byte record
/// per node; a header table per item). Each frequent item's conditional pattern base is turned into a
/// conditional FP-tree recursively; a conditional tree that is a single path is finished by enumerating
/// the combinations of its items directly. The top-level items are mined in parallel (dynamic scheduling
/// over a shared, read-only global tree) and the itemsets are collected in flat buffers, then sorted into
/// a deterministic order independent of the thread count.
///
/// Semantics match arules, pyfim and mlxtend: an itemset is frequent when the number of transactions
/// containing all its items is at least ``SupportThreshold/minimumCount(transactionCount:)``. Empty
/// transactions count in the denominator. Every frequent itemset of size 1 ... `maxLength` is reported.
public enum FPGrowth {
  /// Mines every itemset whose support meets `options.minSupport`.
  ///
  /// Runs synchronously: worker threads come from `DispatchQueue.concurrentPerform` and the calling
  /// thread blocks until they finish (called from async code, it occupies one cooperative thread for the
  /// duration).
  /// - Parameters:
  ///   - transactions: the transactions (each a set of item ids).
  ///   - options: minimum support, maximum itemset length, threads, and an optional result-size guard.
  /// - Returns: the frequent itemsets with their counts, ordered by size then lexicographic item ids.
  /// - Throws: ``MiningError`` for invalid options, or when more than `options.maxItemsets` itemsets
  ///   would be produced.
  /// - Complexity: O(size of the FP-trees built + number of itemsets × their length); memory is the
  ///   global tree plus one conditional tree per recursion level and thread, plus the output.
  public static func mine(_ transactions: TransactionSet, options: MiningOptions) throws -> FrequentItemsets {
    try mine(transactions, options: options, tuning: Tuning())
  }

  /// Memory budgets of the fast paths; tests shrink them to exercise the fallbacks.
  struct Tuning {
    /// Largest (size × item) bucket table the final sort allocates (8 bytes each; 32 MB).
    var maxBuckets = 1 << 22
    /// Largest top-level projection (ancestor entries, 4 bytes each) built up front: 256 MB.
    var maxProjectionItems = 1 << 26
  }

  /// ``mine(_:options:)`` with explicit memory budgets.
  static func mine(_ transactions: TransactionSet, options: MiningOptions, tuning: Tuning) throws -> FrequentItemsets {
    let workers = try run(transactions, options: options, countOnly: false, tuning: tuning)
    return collect(
      workers, transactionCount: transactions.count, itemCount: transactions.itemCount,
      maxBuckets: tuning.maxBuckets)
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
    let workers = try run(transactions, options: options, countOnly: true, tuning: Tuning())
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
    _ transactions: TransactionSet, options: MiningOptions, countOnly: Bool, tuning: Tuning
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
    // Precompute the top-level conditional bases in one sequential pass when they fit the budget;
    // otherwise list each item's nodes so projections at least read them in order.
    if let projection = FPProjection.make(of: global, maxItems: tuning.maxProjectionItems) {
      global.projection = projection
    } else {
      global.buildItemLists()
    }

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
}
