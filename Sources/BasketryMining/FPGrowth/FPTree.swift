import BasketryCore

/// An FP-tree in flat arrays, reused across builds to avoid allocation.
///
/// Node 0 is the root. Along every root-to-leaf path the local item indices strictly increase, so the
/// ancestors of a node for item `r` all have indices below `r`. Local item `i` stands for the original id
/// `original[i]`; local order is the global order (descending frequency, ties by id), kept in every
/// conditional tree, so the local → child mapping is monotone.
///
/// Children are found through an open-addressing hash keyed by (parent, item), so insertion costs
/// O(1) per item regardless of fan-out (the root of a retail tree has thousands of children).
///
/// `@unchecked Sendable`: the global tree is built on one thread and only read while workers mine it;
/// conditional trees belong to a single worker.
final class FPTree: @unchecked Sendable {
  // MARK: - Nodes
  private(set) var nodeItem: UnsafeMutablePointer<Int32>
  private(set) var nodeCount: UnsafeMutablePointer<Int>
  private(set) var nodeParent: UnsafeMutablePointer<Int32>
  /// Next node with the same item (the node-link), -1 at the end.
  private(set) var nodeNext: UnsafeMutablePointer<Int32>
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

  // MARK: - Child hash
  private var table: UnsafeMutablePointer<Int32>
  private var tableCapacity: Int
  private var tableShift: UInt64 = 59
  private var tableMask = 31

  init() {
    nodeCapacity = 16
    nodeItem = .allocate(capacity: nodeCapacity)
    nodeCount = .allocate(capacity: nodeCapacity)
    nodeParent = .allocate(capacity: nodeCapacity)
    nodeNext = .allocate(capacity: nodeCapacity)
    nodeHasChild = .allocate(capacity: nodeCapacity)
    itemCapacity = 16
    head = .allocate(capacity: itemCapacity)
    support = .allocate(capacity: itemCapacity)
    original = .allocate(capacity: itemCapacity)
    tableCapacity = 32
    table = .allocate(capacity: tableCapacity)
  }

  deinit {
    nodeItem.deallocate()
    nodeCount.deallocate()
    nodeParent.deallocate()
    nodeNext.deallocate()
    nodeHasChild.deallocate()
    head.deallocate()
    support.deallocate()
    original.deallocate()
    table.deallocate()
  }

  /// Empties the tree for `itemCount` local items and at most `maxNodes` non-root nodes.
  /// The caller fills `original[0 ..< itemCount]`.
  func reset(itemCount: Int, maxNodes: Int) {
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
      nodeItem.deallocate()
      nodeCount.deallocate()
      nodeParent.deallocate()
      nodeNext.deallocate()
      nodeHasChild.deallocate()
      nodeItem = .allocate(capacity: capacity)
      nodeCount = .allocate(capacity: capacity)
      nodeParent = .allocate(capacity: capacity)
      nodeNext = .allocate(capacity: capacity)
      nodeHasChild = .allocate(capacity: capacity)
      nodeCapacity = capacity
    }
    nodeItem[0] = -1
    nodeCount[0] = 0
    nodeParent[0] = -1
    nodeNext[0] = -1
    nodeHasChild[0] = 0
    nodes = 1
    branched = false

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

  /// Inserts a path given leaf-first: `path[length - 1]` is the item nearest the root, so the items
  /// must be strictly decreasing in `path[0 ..< length]`. Adds `weight` to every node on the path.
  /// - Complexity: O(length) expected.
  @inline(__always)
  func insertReversed(_ path: UnsafePointer<Int32>, length: Int, weight: Int) {
    var node: Int32 = 0
    var position = length - 1
    let mask = tableMask
    while position >= 0 {
      let item = path[position]
      support[Int(item)] &+= weight
      let key = (UInt64(UInt32(bitPattern: node)) << 32) | UInt64(UInt32(bitPattern: item))
      var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> tableShift)
      var found: Int32 = -1
      while true {
        let candidate = table[slot]
        if candidate < 0 { break }
        if nodeParent[Int(candidate)] == node && nodeItem[Int(candidate)] == item {
          found = candidate
          break
        }
        slot = (slot &+ 1) & mask
      }
      if found >= 0 {
        nodeCount[Int(found)] &+= weight
        node = found
      } else {
        let new = nodes
        nodes &+= 1
        nodeItem[new] = item
        nodeCount[new] = weight
        nodeParent[new] = node
        nodeNext[new] = head[Int(item)]
        nodeHasChild[new] = 0
        head[Int(item)] = Int32(truncatingIfNeeded: new)
        if nodeHasChild[Int(node)] != 0 { branched = true }
        nodeHasChild[Int(node)] = 1
        table[slot] = Int32(truncatingIfNeeded: new)
        node = Int32(truncatingIfNeeded: new)
      }
      position &-= 1
    }
  }

  /// True when the tree is one chain from the root; then node `i` (1 ..< nodes) is at depth `i`.
  var isSinglePath: Bool { !branched }
}
