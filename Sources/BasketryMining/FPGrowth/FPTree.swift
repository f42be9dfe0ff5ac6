import BasketryCore

/// One FP-tree node in 16 bytes: everything a traversal reads sits in one cache line, so following the
/// node-links of an item and walking up to the root cost one memory access per node.
struct FPNode {
  /// Parent node, -1 for the root.
  var parent: Int32
  /// Local item index, -1 for the root.
  var item: Int32
  /// Next node with the same item (the node-link), -1 at the end.
  var next: Int32
  /// Transactions through this node (counts are below 2³¹: ``FPGrowth`` checks the transaction count).
  var count: Int32
}

/// A node's parent and count, listed per item for the global tree (see ``FPTree/buildItemLists()``).
struct FPNodeRef {
  var parent: Int32
  var count: Int32
}

/// An FP-tree in flat arrays, reused across builds to avoid allocation.
///
/// Node 0 is the root. Along every root-to-leaf path the local item indices strictly increase, so the
/// ancestors of a node for item `r` all have indices below `r`. Local item `i` stands for the original id
/// `original[i]`; local order is the global order (descending frequency, ties by id), kept in every
/// conditional tree, so the local → child mapping is monotone.
///
/// Conditional trees find children through an open-addressing hash keyed by (parent, item), so insertion
/// costs O(1) per item regardless of fan-out. The global tree is built from lexicographically sorted
/// transactions instead, which needs no child search and numbers the nodes in depth-first order (paths
/// to the root stay close in memory).
///
/// `@unchecked Sendable`: the global tree is built on one thread and only read while workers mine it;
/// conditional trees belong to a single worker.
final class FPTree: @unchecked Sendable {
  // MARK: - Nodes
  private(set) var node: UnsafeMutablePointer<FPNode>
  /// 1 when the node has at least one child.
  private var nodeHasChild: UnsafeMutablePointer<UInt8>
  private var nodeCapacity: Int
  /// Number of nodes including the root.
  private(set) var nodes: Int = 1
  /// True when some node has two or more children.
  private(set) var branched = false

  // MARK: - Header table
  /// First node of each local item, -1 if none.
  private(set) var head: UnsafeMutablePointer<Int32>
  /// Total count of each local item.
  private(set) var support: UnsafeMutablePointer<Int>
  /// Original item id of each local item.
  private(set) var original: UnsafeMutablePointer<Int32>
  private var itemCapacity: Int
  /// Number of local items.
  private(set) var itemCount: Int = 0

  // MARK: - Item node lists (global tree only)
  /// `itemCount + 1` offsets into ``itemListEntries``, or nil before ``buildItemLists()``.
  private(set) var itemListStart: UnsafeMutablePointer<Int>? = nil
  /// Each item's nodes as (parent, count), in ascending node order.
  private(set) var itemListEntries: UnsafeMutablePointer<FPNodeRef>? = nil

  /// The conditional pattern bases of all items (global tree only), or nil.
  var projection: FPProjection? = nil

  // MARK: - Child hash
  private var table: UnsafeMutablePointer<Int32>
  private var tableCapacity: Int
  private var tableShift: UInt64 = 59
  private var tableMask = 31

  init() {
    nodeCapacity = 16
    node = .allocate(capacity: nodeCapacity)
    nodeHasChild = .allocate(capacity: nodeCapacity)
    itemCapacity = 16
    head = .allocate(capacity: itemCapacity)
    support = .allocate(capacity: itemCapacity)
    original = .allocate(capacity: itemCapacity)
    tableCapacity = 32
    table = .allocate(capacity: tableCapacity)
  }

  deinit {
    node.deallocate()
    nodeHasChild.deallocate()
    head.deallocate()
    support.deallocate()
    original.deallocate()
    table.deallocate()
    itemListStart?.deallocate()
    itemListEntries?.deallocate()
  }

  /// Lists each item's nodes contiguously, in ascending (depth-first) node order. Projections then read
  /// an item's nodes sequentially instead of chasing node-links, and consecutive nodes share most of
  /// their ancestors, which stay in cache. Call once the tree is complete (it is then read-only).
  /// - Complexity: O(nodes + items).
  func buildItemLists() {
    itemListStart?.deallocate()
    itemListEntries?.deallocate()
    let starts = UnsafeMutablePointer<Int>.allocate(capacity: itemCount + 1)
    starts.initialize(repeating: 0, count: itemCount + 1)
    for index in 1..<max(1, nodes) { starts[Int(node[index].item) + 1] += 1 }
    for item in 0..<itemCount { starts[item + 1] += starts[item] }
    let entries = UnsafeMutablePointer<FPNodeRef>.allocate(capacity: max(1, nodes - 1))
    let cursor = UnsafeMutablePointer<Int>.allocate(capacity: max(1, itemCount))
    cursor.initialize(from: starts, count: itemCount)
    for index in 1..<max(1, nodes) {
      let current = node[index]
      let item = Int(current.item)
      entries[cursor[item]] = FPNodeRef(parent: current.parent, count: current.count)
      cursor[item] += 1
    }
    cursor.deallocate()
    itemListStart = starts
    itemListEntries = entries
  }

  // MARK: - Memory

  /// Bytes per node slot (the 16-byte node and its has-child flag).
  static let bytesPerNode = MemoryLayout<FPNode>.stride + 1
  /// Bytes per item slot (head, support and original id).
  static let bytesPerItem = 4 + 8 + 4

  /// Bytes of the arrays a new tree allocates.
  static let initialBytes = 16 * bytesPerNode + 16 * bytesPerItem + 32 * 4

  /// Bytes of this tree's arrays (capacities, not the part in use), without the item lists.
  var allocatedBytes: Int {
    nodeCapacity * Self.bytesPerNode + itemCapacity * Self.bytesPerItem + tableCapacity * 4
  }

  /// Bytes the item lists of ``buildItemLists()`` take for a tree of `nodes` nodes and `itemCount` items.
  static func itemListBytes(nodes: Int, itemCount: Int) -> Int {
    (itemCount + 1) * 8 + max(1, nodes - 1) * MemoryLayout<FPNodeRef>.stride + max(1, itemCount) * 8
  }

  /// The bytes ``reset(itemCount:maxNodes:hashed:)`` with these arguments would add to
  /// ``allocatedBytes`` (0 when the arrays already fit).
  /// - Complexity: O(log maxNodes).
  func growth(itemCount: Int, maxNodes: Int, hashed: Bool = true) -> Int {
    var bytes = 0
    if itemCount > itemCapacity { bytes += (max(itemCount, itemCapacity * 2) - itemCapacity) * Self.bytesPerItem }
    let needed = maxNodes + 1
    if needed > nodeCapacity { bytes += (max(needed, nodeCapacity * 2) - nodeCapacity) * Self.bytesPerNode }
    if hashed {
      var slots = 32
      while slots < needed * 2 { slots <<= 1 }
      if slots > tableCapacity { bytes += (slots - tableCapacity) * 4 }
    }
    return bytes
  }

  /// Empties the tree for `itemCount` local items and at most `maxNodes` non-root nodes.
  /// The caller then sets `original[0 ..< itemCount]` with ``setOriginal(_:_:)``.
  /// - Parameter hashed: prepare the child hash (needed by ``insertReversed(_:length:weight:)``, not by
  ///   ``appendChild(of:item:weight:)``).
  func reset(itemCount: Int, maxNodes: Int, hashed: Bool = true) {
    if itemCount > itemCapacity {
      let capacity = max(itemCount, itemCapacity * 2)
      head.deallocate()
      support.deallocate()
      original.deallocate()
      head = .allocate(capacity: capacity)
      support = .allocate(capacity: capacity)
      original = .allocate(capacity: capacity)
      itemCapacity = capacity
    }
    self.itemCount = itemCount
    head.initialize(repeating: -1, count: itemCount)
    support.initialize(repeating: 0, count: itemCount)

    let needed = maxNodes + 1
    if needed > nodeCapacity {
      let capacity = max(needed, nodeCapacity * 2)
      node.deallocate()
      nodeHasChild.deallocate()
      node = .allocate(capacity: capacity)
      nodeHasChild = .allocate(capacity: capacity)
      nodeCapacity = capacity
    }
    node[0] = FPNode(parent: -1, item: -1, next: -1, count: 0)
    nodeHasChild[0] = 0
    nodes = 1
    branched = false
    itemListStart?.deallocate()
    itemListEntries?.deallocate()
    itemListStart = nil
    itemListEntries = nil
    projection = nil
    guard hashed else { return }
    var slots = 32
    var bits: UInt64 = 5
    while slots < needed * 2 {
      slots <<= 1
      bits += 1
    }
    if slots > tableCapacity {
      table.deallocate()
      table = .allocate(capacity: slots)
      tableCapacity = slots
    }
    tableShift = 64 - bits
    tableMask = slots - 1
    table.initialize(repeating: -1, count: slots)
  }

  // MARK: - Building

  /// Sets the original id of local item `item`.
  @inline(__always)
  func setOriginal(_ item: Int, _ id: Int32) { original[item] = id }

  /// Creates a new child of `parent` (the caller guarantees none exists for `item`) and returns it.
  @inline(__always)
  @discardableResult
  func appendChild(of parent: Int32, item: Int32, weight: Int) -> Int32 {
    let new = nodes
    nodes &+= 1
    node[new] = FPNode(parent: parent, item: item, next: head[Int(item)], count: Int32(truncatingIfNeeded: weight))
    nodeHasChild[new] = 0
    head[Int(item)] = Int32(truncatingIfNeeded: new)
    if nodeHasChild[Int(parent)] != 0 { branched = true }
    nodeHasChild[Int(parent)] = 1
    return Int32(truncatingIfNeeded: new)
  }

  /// Adds `weight` to an existing node and its item's support (used with sorted input).
  @inline(__always)
  func addWeight(_ weight: Int, to index: Int32) {
    node[Int(index)].count &+= Int32(truncatingIfNeeded: weight)
  }

  /// Adds `weight` to an item's total support.
  @inline(__always)
  func addSupport(_ weight: Int, to item: Int32) {
    support[Int(item)] &+= weight
  }

  /// Inserts a path given leaf-first: `path[length - 1]` is the item nearest the root, so the items
  /// must be strictly decreasing in `path[0 ..< length]`. Adds `weight` to every node on the path.
  /// Requires a tree reset with `hashed: true`.
  /// - Complexity: O(length) expected.
  @inline(__always)
  func insertReversed(_ path: UnsafePointer<Int32>, length: Int, weight: Int) {
    var current: Int32 = 0
    var position = length - 1
    let mask = tableMask
    while position >= 0 {
      let item = path[position]
      support[Int(item)] &+= weight
      let key = (UInt64(UInt32(bitPattern: current)) << 32) | UInt64(UInt32(bitPattern: item))
      var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> tableShift)
      var found: Int32 = -1
      while true {
        let candidate = table[slot]
        if candidate < 0 { break }
        let candidateNode = node[Int(candidate)]
        if candidateNode.parent == current && candidateNode.item == item {
          found = candidate
          break
        }
        slot = (slot &+ 1) & mask
      }
      if found >= 0 {
        node[Int(found)].count &+= Int32(truncatingIfNeeded: weight)
        current = found
      } else {
        let new = appendChild(of: current, item: item, weight: weight)
        table[slot] = new
        current = new
      }
      position &-= 1
    }
  }

  /// True when the tree is one chain from the root; then node `i` (1 ..< nodes) is at depth `i`.
  var isSinglePath: Bool { !branched }
}
