import BasketryCore
import Foundation

/// Hands out top-level items to worker threads and keeps the shared itemset total for the size guard.
final class FPGrowthWorkQueue: @unchecked Sendable {
  private let lock = NSLock()
  private var nextItem: Int
  private var produced = 0
  private let limit: Int
  private(set) var aborted = false

  /// Items are handed out from `itemCount - 1` (least frequent, deepest paths) down to 0.
  init(itemCount: Int, limit: Int) {
    nextItem = itemCount - 1
    self.limit = limit
  }

  /// The next top-level item, or nil when all are taken or mining was aborted.
  func next() -> Int? {
    lock.lock()
    defer { lock.unlock() }
    if aborted || nextItem < 0 { return nil }
    nextItem -= 1
    return nextItem + 1
  }

  /// Adds `count` produced itemsets; returns false (and aborts everyone) when the limit is exceeded.
  func add(_ count: Int) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    produced += count
    if produced > limit { aborted = true }
    return !aborted
  }

  /// Stops all workers.
  func abort() {
    lock.lock()
    aborted = true
    lock.unlock()
  }
}

/// One thread's FP-Growth state: a stack of reusable conditional trees, scratch arrays, and a flat
/// output buffer (itemsets are not materialised as arrays during mining).
///
/// Every allocation that grows with the data is charged to the shared ``FPGrowthMemoryBudget`` before
/// it is made: each conditional tree's growth, each scratch buffer's growth, and per emitted itemset
/// the estimate ``FPGrowth/bytesPerItemset(length:)``. Charges come out of a
/// local allowance (one compare per emit); only refilling it takes the budget's lock. A refused
/// charge stops the worker (``overBudget``) without making the allocation.
///
/// `@unchecked Sendable`: each worker is used by exactly one thread at a time and read only after the
/// parallel phase has ended.
final class FPGrowthWorker: @unchecked Sendable {
  let minCount: Int
  let maxLength: Int
  let limit: Int
  let countOnly: Bool
  private let budget: FPGrowthMemoryBudget
  /// Bytes charged per emitted itemset, by length (``FPGrowth/bytesPerItemset(length:)``).
  private let itemsetBytes: UnsafeMutablePointer<Int>
  /// Bytes charged so far, and bytes reserved from `budget` so far.
  private(set) var charged = 0
  private var allowance = 0

  /// `trees[d]` holds the conditional tree at recursion depth `d` (index 0 unused: the global tree is shared).
  private var trees: [FPTree] = [FPTree()]
  /// The itemset being extended: original ids.
  private let prefix: UnsafeMutablePointer<Int32>
  /// Per-item scratch: conditional counts of ancestors, then local index in the child tree.
  private let ancestorCount: UnsafeMutablePointer<Int>
  private let localIndex: UnsafeMutablePointer<Int32>
  /// A leaf-first path of child-local items.
  private let pathBuffer: UnsafeMutablePointer<Int32>
  /// Prefix paths of the item being projected: ancestors leaf-first, concatenated.
  private var pathItems: UnsafeMutablePointer<Int32>
  private var pathItemCapacity = 1024
  /// End offset (in `pathItems`) and weight of each recorded path.
  private var pathEnds: UnsafeMutablePointer<Int>
  private var pathWeights: UnsafeMutablePointer<Int>
  private var pathCapacity = 256
  private let capacity: Int

  // MARK: - Output
  /// Items of all emitted itemsets, concatenated (unsorted within an itemset).
  private(set) var outItems: [Int32] = []
  /// Length of each emitted itemset.
  private(set) var outLengths: [Int32] = []
  /// Count of each emitted itemset.
  private(set) var outCounts: [Int] = []
  /// Itemsets per size, in count-only mode.
  private(set) var histogram: [Int]
  /// Itemsets emitted so far.
  private(set) var emitted = 0
  /// True once a size guard tripped (or the budget refused a charge).
  private(set) var aborted = false
  /// True when the memory budget refused a charge.
  private(set) var overBudget = false

  /// Bytes a worker allocates when it is created (charged by the caller beforehand).
  /// - Parameters:
  ///   - itemCount: number of frequent items.
  ///   - countOnly: whether the worker only counts itemsets by size.
  static func initialBytes(itemCount: Int, countOnly: Bool) -> Int {
    let capacity = itemCount + 2
    return capacity * (4 + 8 + 4 + 4 + 8 + (countOnly ? 8 : 0)) + 1024 * 4 + 256 * 16 + FPTree.initialBytes
  }

  /// - Parameters:
  ///   - itemCount: number of frequent items (bounds tree sizes and itemset lengths).
  ///   - budget: the shared memory budget; ``initialBytes(itemCount:countOnly:)`` must already be reserved.
  init(itemCount: Int, minCount: Int, maxLength: Int, limit: Int, countOnly: Bool, budget: FPGrowthMemoryBudget) {
    self.minCount = minCount
    self.maxLength = maxLength
    self.limit = limit
    self.countOnly = countOnly
    self.budget = budget
    capacity = itemCount + 2
    prefix = .allocate(capacity: capacity)
    ancestorCount = .allocate(capacity: capacity)
    ancestorCount.initialize(repeating: 0, count: capacity)
    localIndex = .allocate(capacity: capacity)
    localIndex.initialize(repeating: -1, count: capacity)
    pathBuffer = .allocate(capacity: capacity)
    itemsetBytes = .allocate(capacity: capacity)
    for length in 0..<capacity { itemsetBytes[length] = FPGrowth.bytesPerItemset(length: length) }
    pathItems = .allocate(capacity: pathItemCapacity)
    pathEnds = .allocate(capacity: pathCapacity)
    pathWeights = .allocate(capacity: pathCapacity)
    histogram = [Int](repeating: 0, count: countOnly ? capacity : 0)
  }

  deinit {
    prefix.deallocate()
    ancestorCount.deallocate()
    localIndex.deallocate()
    pathBuffer.deallocate()
    itemsetBytes.deallocate()
    pathItems.deallocate()
    pathEnds.deallocate()
    pathWeights.deallocate()
  }

  // MARK: - Driving

  /// Mines top-level items from `queue` against the shared global tree until none are left.
  func run(global: FPTree, queue: FPGrowthWorkQueue) {
    while let item = queue.next() {
      let before = emitted
      mineItem(item, of: global, depth: 0, prefixLength: 0)
      if aborted || !queue.add(emitted - before) {
        aborted = true
        queue.abort()
        return
      }
    }
  }

  /// Emits every itemset of a tree that is a single path (used when the global tree is one chain).
  func runSinglePath(_ tree: FPTree) {
    emitSinglePath(tree, prefixLength: 0)
  }

  // MARK: - Budget

  /// Charges `bytes` to the budget; false (and the worker stops) when the budget refuses them.
  @inline(__always)
  private func charge(_ bytes: Int) -> Bool {
    charged &+= bytes
    return charged <= allowance || refill()
  }

  /// Reserves enough from the shared budget to cover `charged`, plus a chunk; on refusal stops the worker.
  @inline(never)
  private func refill() -> Bool {
    if aborted { return false }
    let granted = budget.reserve(atLeast: charged - allowance)
    if granted == 0 {
      aborted = true
      overBudget = true
      return false
    }
    allowance += granted
    return true
  }

  // MARK: - Recursion

  /// Emits `prefix + item` and everything that extends it within `tree`.
  @inline(__always)
  private func mineItem(_ item: Int, of tree: FPTree, depth: Int, prefixLength: Int) {
    prefix[prefixLength] = tree.original[item]
    emit(length: prefixLength + 1, count: tree.support[item])
    if prefixLength + 1 >= maxLength || aborted { return }
    guard let child = treeAt(depth + 1) else { return }
    let built =
      if let projection = tree.projection {
        buildConditional(from: tree, projection: projection, item: item, into: child)
      } else {
        buildConditional(from: tree, item: item, into: child)
      }
    guard built else { return }
    if child.isSinglePath {
      emitSinglePath(child, prefixLength: prefixLength + 1)
    } else {
      mine(child, depth: depth + 1, prefixLength: prefixLength + 1)
    }
  }

  /// Mines every item of a (multi-path) conditional tree.
  private func mine(_ tree: FPTree, depth: Int, prefixLength: Int) {
    var item = tree.itemCount - 1
    while item >= 0 && !aborted {
      mineItem(item, of: tree, depth: depth, prefixLength: prefixLength)
      item -= 1
    }
  }

  /// The reusable tree for `depth`, or nil when the budget refuses a new one.
  private func treeAt(_ depth: Int) -> FPTree? {
    while trees.count <= depth {
      guard charge(FPTree.initialBytes) else { return nil }
      trees.append(FPTree())
    }
    return trees[depth]
  }

  /// Builds the conditional FP-tree of `item` in `tree` into `child`: the prefix paths of the item's
  /// nodes, weighted by the node counts, restricted to ancestors that are frequent in that base.
  /// - Returns: false when the conditional base has no frequent item (child left unusable).
  /// - Complexity: O(total prefix-path length + item index).
  private func buildConditional(from tree: FPTree, item: Int, into child: FPTree) -> Bool {
    let nodes = tree.node
    // Pass 1: walk each prefix path once, counting ancestors and copying the path (leaf-first) into a
    // contiguous buffer, so that pass 2 reads memory sequentially instead of chasing parents again.
    var used = 0
    var pathCount = 0
    if let listStart = tree.itemListStart, let listEntries = tree.itemListEntries {
      for entry in listStart[item]..<listStart[item + 1] {
        let reference = listEntries[entry]
        recordPath(nodes, from: Int(reference.parent), weight: Int(reference.count), used: &used, paths: &pathCount)
      }
    } else {
      var node = Int(tree.head[item])
      while node >= 0 {
        let current = nodes[node]
        recordPath(nodes, from: Int(current.parent), weight: Int(current.count), used: &used, paths: &pathCount)
        node = Int(current.next)
      }
    }
    if used == 0 || aborted { return false }
    return finishConditional(
      from: tree, item: item, into: child, paths: pathItems, ends: pathEnds, weights: pathWeights,
      records: 0..<pathCount, firstStart: 0, used: used)
  }

  /// Builds the conditional tree of a top-level `item` from the global tree's precomputed projection.
  private func buildConditional(
    from tree: FPTree, projection: FPProjection, item: Int, into child: FPTree
  ) -> Bool {
    let records = projection.recordStart[item]..<projection.recordStart[item + 1]
    if records.isEmpty { return false }
    let ancestorCount = ancestorCount
    let items = projection.items
    let firstStart = projection.itemStart[item]
    var start = firstStart
    for record in records {
      let end = projection.ends[record]
      let weight = projection.weights[record]
      for position in start..<end { ancestorCount[Int(items[position])] &+= weight }
      start = end
    }
    return finishConditional(
      from: tree, item: item, into: child, paths: items, ends: projection.ends, weights: projection.weights,
      records: records, firstStart: firstStart, used: start - firstStart)
  }

  /// Given the ancestor counts of `item`'s conditional base (in `ancestorCount`, which is cleared) and its
  /// paths (leaf-first, `records` indexing `ends`/`weights`, the first starting at `firstStart`), keeps
  /// the frequent ancestors and inserts the filtered paths into `child`.
  /// - Returns: false when no ancestor is frequent.
  @inline(__always)
  private func finishConditional(
    from tree: FPTree, item: Int, into child: FPTree, paths: UnsafeMutablePointer<Int32>,
    ends: UnsafeMutablePointer<Int>, weights: UnsafeMutablePointer<Int>, records: Range<Int>, firstStart: Int,
    used: Int
  ) -> Bool {
    let ancestorCount = ancestorCount
    let localIndex = localIndex
    var frequent: Int32 = 0
    for ancestor in 0..<item {
      if ancestorCount[ancestor] >= minCount {
        localIndex[ancestor] = frequent
        frequent &+= 1
      } else {
        localIndex[ancestor] = -1
      }
      ancestorCount[ancestor] = 0
    }
    if frequent == 0 { return false }
    let growth = child.growth(itemCount: Int(frequent), maxNodes: used)
    if growth > 0 && !charge(growth) { return false }
    child.reset(itemCount: Int(frequent), maxNodes: used)
    for ancestor in 0..<item where localIndex[ancestor] >= 0 {
      child.setOriginal(Int(localIndex[ancestor]), tree.original[ancestor])
    }
    // Keep the frequent ancestors (recoded), insert each path with its node's count.
    let pathBuffer = pathBuffer
    var start = firstStart
    for record in records {
      let end = ends[record]
      var length = 0
      for position in start..<end {
        let local = localIndex[Int(paths[position])]
        if local >= 0 {
          pathBuffer[length] = local
          length &+= 1
        }
      }
      if length > 0 { child.insertReversed(pathBuffer, length: length, weight: weights[record]) }
      start = end
    }
    return true
  }

  /// Walks from `parent` up to the root, adding `weight` to each ancestor's conditional count and
  /// appending the ancestors (leaf-first) to the path buffer as one path record. Stops early, with
  /// the worker aborted, when the budget refuses a larger buffer.
  @inline(__always)
  private func recordPath(
    _ nodes: UnsafeMutablePointer<FPNode>, from parent: Int, weight: Int, used: inout Int, paths: inout Int
  ) {
    var parent = parent
    if parent <= 0 || aborted { return }
    if paths == pathCapacity && !growPathRecords() { return }
    let ancestorCount = ancestorCount
    while parent > 0 {
      let ancestor = nodes[parent]
      ancestorCount[Int(ancestor.item)] &+= weight
      if used == pathItemCapacity && !growPathItems() { return }
      pathItems[used] = ancestor.item
      used &+= 1
      parent = Int(ancestor.parent)
    }
    pathEnds[paths] = used
    pathWeights[paths] = weight
    paths &+= 1
  }

  /// Doubles the path records; false when the budget refuses.
  private func growPathRecords() -> Bool {
    guard charge(pathCapacity * 16) else { return false }
    let capacity = pathCapacity * 2
    let ends = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
    let weights = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
    ends.moveInitialize(from: pathEnds, count: pathCapacity)
    weights.moveInitialize(from: pathWeights, count: pathCapacity)
    pathEnds.deallocate()
    pathWeights.deallocate()
    pathEnds = ends
    pathWeights = weights
    pathCapacity = capacity
    return true
  }

  /// Doubles the path item buffer; false when the budget refuses.
  private func growPathItems() -> Bool {
    guard charge(pathItemCapacity * 4) else { return false }
    let capacity = pathItemCapacity * 2
    let items = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    items.moveInitialize(from: pathItems, count: pathItemCapacity)
    pathItems.deallocate()
    pathItems = items
    pathItemCapacity = capacity
    return true
  }

  /// Emits `prefix ∪ S` for every non-empty subset `S` of a single-path tree (up to the length limit):
  /// the count of `S` is the count of its deepest node.
  private func emitSinglePath(_ tree: FPTree, prefixLength: Int) {
    let pathLength = tree.nodes - 1
    let room = maxLength - prefixLength
    if room < 1 { return }
    for deepest in 0..<pathLength {
      if aborted { return }
      emitCombinations(
        tree, deepest: deepest, count: Int(tree.node[deepest + 1].count), length: prefixLength, start: 0,
        remaining: room - 1)
    }
  }

  /// Emits `prefix[0 ..< length] + p[deepest]`, then extends the prefix with shallower path items
  /// `p[start ..< deepest]` in increasing order while `remaining` slots are left.
  private func emitCombinations(
    _ tree: FPTree, deepest: Int, count: Int, length: Int, start: Int, remaining: Int
  ) {
    prefix[length] = tree.original[Int(tree.node[deepest + 1].item)]
    emit(length: length + 1, count: count)
    if remaining == 0 || aborted { return }
    var index = start
    while index < deepest {
      prefix[length] = tree.original[Int(tree.node[index + 1].item)]
      emitCombinations(
        tree, deepest: deepest, count: count, length: length + 1, start: index + 1, remaining: remaining - 1)
      index += 1
    }
  }

  // MARK: - Output

  /// Frees the output buffers (once collected).
  func releaseOutput() {
    outItems = []
    outLengths = []
    outCounts = []
  }

  @inline(__always)
  private func emit(length: Int, count: Int) {
    emitted &+= 1
    if emitted > limit { aborted = true }
    if countOnly {
      histogram[length] &+= 1
      return
    }
    charged &+= itemsetBytes[length]
    if charged > allowance && !refill() { return }
    outItems.append(contentsOf: UnsafeBufferPointer(start: prefix, count: length))
    outLengths.append(Int32(truncatingIfNeeded: length))
    outCounts.append(count)
  }
}
