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
  /// - Throws: ``MiningError`` for invalid options, when more than `options.maxItemsets` itemsets
  ///   would be produced (code `tooManyItemsets`), or when mining would allocate more than
  ///   `options.memoryBudget` (code `memoryBudgetExceeded`; ``MiningError/stop`` says how far it got and
  ///   suggests a minimum count).
  /// - Complexity: O(size of the FP-trees built + number of itemsets × their length); memory is the
  ///   global tree plus one conditional tree per recursion level and thread, plus the output, all
  ///   within the memory budget (see ``MiningOptions/memoryBudget``).
  public static func mine(_ transactions: TransactionSet, options: MiningOptions) throws -> FrequentItemsets {
    try mine(transactions, options: options, tuning: Tuning())
  }

  /// Bytes charged to the memory budget for an emitted itemset of `length` items:
  /// max(96 + 8 · length, 40 + 12 · length).
  ///
  /// An itemset of k items passes through four phases whose peaks bound its cost: the worker's flat
  /// output (at most 8k + 24 with the arrays' doubling slack); the collect phase's copy alongside it
  /// (12k + 40, after which the worker output is freed); the `FrequentItemset`s next to the sort
  /// arrays (16 + a heap array of at most 4k + 56, with 4k + 20 of sort arrays: 8k + 92); and the
  /// final ``FrequentItemsets`` with its index (itemsets, flat copy, offsets, hash slots: 8k + 96).
  /// - Parameter length: the itemset's size.
  /// - Returns: the largest of the four peaks.
  public static func bytesPerItemset(length: Int) -> Int { max(96 + 8 * length, 40 + 12 * length) }

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
    let budgetBytes = options.effectiveMemoryBudget

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

    let threadCount = max(1, min(options.threads ?? ProcessInfo.processInfo.activeProcessorCount, frequent.count))
    let budget = FPGrowthMemoryBudget(limit: budgetBytes, threads: threadCount)
    func overBudget(itemsets: Int, counts: [FPGrowthWorker] = []) -> MiningError {
      budgetError(
        options: options, transactionCount: transactions.count, minCount: minCount, itemsets: itemsets,
        workers: counts)
    }

    // Up-front charges, each before its allocation: the global tree (its build's scratch must fit
    // too), then its projection or item lists, the workers' fixed arrays and the collect phase's
    // bucket table.
    let globalBytes = frequent.count * FPTree.bytesPerItem + (totalOccurrences + 1) * FPTree.bytesPerNode + 32 * 4
    let buildScratch = 8 * totalOccurrences + 32 * transactions.count
    guard globalBytes + buildScratch <= budget.limit, budget.reserve(globalBytes) else {
      throw overBudget(itemsets: 0)
    }
    let global = buildGlobalTree(transactions, rank: rank, frequent: frequent, occurrences: totalOccurrences)
    // Precompute the top-level conditional bases in one sequential pass when they fit the tuning limit
    // and a quarter of the budget left; otherwise list each item's nodes so projections at least read
    // them in order.
    let projectionRoom = (budget.limit - budget.used) / 4
    if let projection = FPProjection.make(
      of: global, maxItems: tuning.maxProjectionItems, maxBytes: projectionRoom), budget.reserve(projection.bytes)
    {
      global.projection = projection
    } else {
      guard budget.reserve(FPTree.itemListBytes(nodes: global.nodes, itemCount: global.itemCount)) else {
        throw overBudget(itemsets: 0)
      }
      global.buildItemLists()
    }

    let workerCount = global.isSinglePath ? 1 : threadCount
    let workerBytes = FPGrowthWorker.initialBytes(itemCount: frequent.count, countOnly: countOnly)
    let longest = min(maxLength, frequent.count)
    let bucketBytes = countOnly ? 0 : 16 * min(tuning.maxBuckets, (longest + 1) * max(1, transactions.itemCount))
    guard budget.reserve(workerCount * workerBytes + bucketBytes) else { throw overBudget(itemsets: 0) }
    let workers = (0..<workerCount).map { _ in
      FPGrowthWorker(
        itemCount: frequent.count, minCount: minCount, maxLength: maxLength, limit: limit, countOnly: countOnly,
        budget: budget)
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
    if workers.contains(where: { $0.overBudget }) {
      let produced = workers.reduce(0) { $0 + (countOnly ? $1.emitted : $1.outCounts.count) }
      throw overBudget(itemsets: produced, counts: workers)
    }
    if workers.contains(where: { $0.aborted }) {
      throw MiningError(
        code: .tooManyItemsets, key: "maxItemsets", value: "\(limit)",
        message: "mining would produce more than \(limit) itemsets at minimum count \(minCount); "
          + "raise the minimum support, set a maximum length, or raise the limit")
    }
    return workers
  }

  /// The `memoryBudgetExceeded` error, with a suggested minimum count drawn from the counts of the
  /// itemsets the workers produced before they stopped.
  private static func budgetError(
    options: MiningOptions, transactionCount: Int, minCount: Int, itemsets: Int, workers: [FPGrowthWorker]
  ) -> MiningError {
    let suggested = suggestedMinimumCount(minCount: minCount, workers: workers)
    let budget = options.effectiveMemoryBudget
    let stop = MiningError.Stop(
      transactionCount: transactionCount, minimumCount: minCount, maxLength: options.maxLength,
      memoryBudget: budget, itemsets: itemsets, suggestedMinimumCount: suggested,
      suggestedMaxLength: suggestedMaxLength(maxLength: options.maxLength, workers: workers))
    let reached =
      itemsets > 0
      ? "after \(formatCount(itemsets)) itemsets" : "before producing itemsets (the FP-tree alone does not fit)"
    let length = options.maxLength.map { "lower the maximum length (now \($0))" } ?? "set a maximum length"
    return MiningError(
      code: .memoryBudgetExceeded, key: "memoryBudget", value: formatBytes(budget),
      message: "mining at minimum count \(minCount) of \(formatCount(transactionCount)) transactions stopped "
        + "\(reached), before exceeding its memory budget; raise the minimum support (try a count of "
        + "\(suggested) or more), \(length), or raise the memory budget",
      stop: stop)
  }

  /// The largest length at which at most a hundredth of the produced itemsets are that long or shorter: a burst
  /// of long subsets of a few large, repeated baskets (which no mild support cut removes) is cut by a maximum
  /// length instead. Nil when nothing was produced or the length would not be below `maxLength`; at least 2.
  /// - Complexity: O(itemsets produced).
  static func suggestedMaxLength(maxLength: Int?, workers: [FPGrowthWorker]) -> Int? {
    var histogram: [Int] = []
    var total = 0
    for worker in workers {
      for length in worker.outLengths {
        let length = Int(length)
        if length >= histogram.count { histogram += [Int](repeating: 0, count: length - histogram.count + 1) }
        histogram[length] += 1
        total += 1
      }
    }
    guard total > 0 else { return nil }
    var shorter = 0
    var suggestion = 0
    for length in histogram.indices.dropFirst() {
      shorter += histogram[length]
      if shorter > total / 100 { break }
      suggestion = length
    }
    let length = max(2, suggestion)
    if let maxLength, length >= maxLength { return nil }
    return length < histogram.count - 1 ? length : nil
  }

  /// The smallest count above `minCount` at which at most a thousandth of the produced itemsets would
  /// remain (a run that overflows is usually a combinatorial burst of subsets sharing high counts, so a
  /// mild cut is rarely enough); `minCount × 2` (at least `minCount + 1`) when nothing was produced.
  /// - Complexity: O(itemsets produced + largest count considered), the counts capped at 2²⁰.
  static func suggestedMinimumCount(minCount: Int, workers: [FPGrowthWorker]) -> Int {
    let total = workers.reduce(0) { $0 + $1.outCounts.count }
    let fallback = max(minCount + 1, minCount * 2)
    if total == 0 { return fallback }
    let cap = 1 << 20
    var largest = 0
    for worker in workers {
      for count in worker.outCounts where count > largest { largest = count }
    }
    var histogram = [Int](repeating: 0, count: min(largest, cap) + 1)
    for worker in workers {
      for count in worker.outCounts { histogram[min(count, cap)] += 1 }
    }
    // Walk down from the largest count while the itemsets at or above it stay within a thousandth.
    var kept = 0
    var threshold = histogram.count
    while threshold > minCount + 1 && kept + histogram[threshold - 1] <= total / 1000 {
      threshold -= 1
      kept += histogram[threshold]
    }
    return max(minCount + 1, threshold)
  }
}
