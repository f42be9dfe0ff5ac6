import BasketryCore

/// The conditional pattern bases of every item of a (global) FP-tree, materialised in one sequential
/// depth-first pass: for item `r`, the prefix path of each of its nodes, leaf-first, with the node's
/// count.
///
/// Walking up from each node of an item to the root chases parent links through the whole tree, which
/// on a large global tree costs a cache miss per step. Because the global tree's nodes are numbered in
/// depth-first order, one forward pass with a stack of the current root path yields every node's
/// ancestors without any random access; the bases are then read sequentially by whichever worker mines
/// the item.
///
/// `@unchecked Sendable`: built once, then only read.
final class FPProjection: @unchecked Sendable {
  /// `itemCount + 1` offsets into ``items``: item `r`'s paths occupy `itemStart[r] ..< itemStart[r + 1]`.
  let itemStart: UnsafeMutablePointer<Int>
  /// `itemCount + 1` offsets into ``ends`` / ``weights``: item `r`'s path records.
  let recordStart: UnsafeMutablePointer<Int>
  /// Ancestor items of all paths, leaf-first within a path.
  let items: UnsafeMutablePointer<Int32>
  /// End offset in ``items`` of each path (a path starts where the previous one ends, or at
  /// `itemStart[r]` for item `r`'s first path).
  let ends: UnsafeMutablePointer<Int>
  /// Count of the node each path belongs to.
  let weights: UnsafeMutablePointer<Int>
  private let itemCount: Int
  /// Bytes of the arrays above.
  let bytes: Int

  private init(itemCount: Int, totalItems: Int, totalRecords: Int) {
    self.itemCount = itemCount
    bytes = Self.bytes(itemCount: itemCount, totalItems: totalItems, totalRecords: totalRecords)
    itemStart = .allocate(capacity: itemCount + 1)
    recordStart = .allocate(capacity: itemCount + 1)
    items = .allocate(capacity: max(1, totalItems))
    ends = .allocate(capacity: max(1, totalRecords))
    weights = .allocate(capacity: max(1, totalRecords))
  }

  deinit {
    itemStart.deallocate()
    recordStart.deallocate()
    items.deallocate()
    ends.deallocate()
    weights.deallocate()
  }

  /// Bytes of a projection's arrays.
  static func bytes(itemCount: Int, totalItems: Int, totalRecords: Int) -> Int {
    2 * (itemCount + 1) * 8 + max(1, totalItems) * 4 + 2 * max(1, totalRecords) * 8
  }

  /// Projects `tree`, whose nodes must be in depth-first preorder (as ``FPGrowth`` builds the global
  /// tree), or returns nil when the bases would hold more than `maxItems` entries or their arrays more
  /// than `maxBytes` bytes (the caller then walks the tree instead).
  /// - Complexity: two sequential passes, O(nodes + Σ node depths); O(items) scratch besides the result.
  static func make(of tree: FPTree, maxItems: Int, maxBytes: Int = .max) -> FPProjection? {
    let itemCount = tree.itemCount
    let nodes = tree.node
    let nodeTotal = tree.nodes
    // Stack of the current root path: node ids and items; stack[0] is the root.
    let stackNode = UnsafeMutablePointer<Int32>.allocate(capacity: itemCount + 2)
    let stackItem = UnsafeMutablePointer<Int32>.allocate(capacity: itemCount + 2)
    defer {
      stackNode.deallocate()
      stackItem.deallocate()
    }
    let itemTotals = UnsafeMutablePointer<Int>.allocate(capacity: itemCount + 1)
    let recordTotals = UnsafeMutablePointer<Int>.allocate(capacity: itemCount + 1)
    defer {
      itemTotals.deallocate()
      recordTotals.deallocate()
    }
    itemTotals.initialize(repeating: 0, count: itemCount + 1)
    recordTotals.initialize(repeating: 0, count: itemCount + 1)

    // Pass 1: sizes.
    var top = 0
    stackNode[0] = 0
    var totalItems = 0
    var totalRecords = 0
    for index in 1..<max(1, nodeTotal) {
      let current = nodes[index]
      while stackNode[top] != current.parent { top -= 1 }
      if top > 0 {
        itemTotals[Int(current.item)] += top
        recordTotals[Int(current.item)] += 1
        totalItems += top
        totalRecords += 1
      }
      top += 1
      stackNode[top] = Int32(truncatingIfNeeded: index)
      stackItem[top] = current.item
    }
    if totalItems > maxItems { return nil }
    if bytes(itemCount: itemCount, totalItems: totalItems, totalRecords: totalRecords) > maxBytes { return nil }

    let projection = FPProjection(itemCount: itemCount, totalItems: totalItems, totalRecords: totalRecords)
    let itemCursor = UnsafeMutablePointer<Int>.allocate(capacity: itemCount + 1)
    let recordCursor = UnsafeMutablePointer<Int>.allocate(capacity: itemCount + 1)
    defer {
      itemCursor.deallocate()
      recordCursor.deallocate()
    }
    var items = 0
    var records = 0
    for item in 0..<itemCount {
      projection.itemStart[item] = items
      projection.recordStart[item] = records
      itemCursor[item] = items
      recordCursor[item] = records
      items += itemTotals[item]
      records += recordTotals[item]
    }
    projection.itemStart[itemCount] = items
    projection.recordStart[itemCount] = records

    // Pass 2: fill, leaf-first.
    top = 0
    for index in 1..<max(1, nodeTotal) {
      let current = nodes[index]
      while stackNode[top] != current.parent { top -= 1 }
      if top > 0 {
        let item = Int(current.item)
        var cursor = itemCursor[item]
        var level = top
        while level > 0 {
          projection.items[cursor] = stackItem[level]
          cursor += 1
          level -= 1
        }
        itemCursor[item] = cursor
        let record = recordCursor[item]
        projection.ends[record] = cursor
        projection.weights[record] = Int(current.count)
        recordCursor[item] = record + 1
      }
      top += 1
      stackNode[top] = Int32(truncatingIfNeeded: index)
      stackItem[top] = current.item
    }
    return projection
  }
}
