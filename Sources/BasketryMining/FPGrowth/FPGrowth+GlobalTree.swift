import BasketryCore

extension FPGrowth {
  /// Builds the global FP-tree: each transaction's frequent items, recoded to ranks (0 = most frequent),
  /// sorted ascending; the transactions sorted lexicographically; then one pass that shares each
  /// transaction's common prefix with the previous one. Nodes come out in depth-first order and no child
  /// search is needed.
  /// - Parameters:
  ///   - transactions: the transactions.
  ///   - rank: rank of each item id, -1 for infrequent items.
  ///   - frequent: original id of each rank.
  ///   - occurrences: total occurrences of frequent items (bounds the node count).
  /// - Complexity: O(L log L) for L frequent item occurrences (sorting).
  static func buildGlobalTree(
    _ transactions: TransactionSet, rank: [Int32], frequent: [Int32], occurrences: Int
  ) -> FPTree {
    // Recode.
    var recoded = [Int32](repeating: 0, count: occurrences)
    var starts: [Int] = [0]
    starts.reserveCapacity(transactions.count + 1)
    recoded.withUnsafeMutableBufferPointer { recoded in
      rank.withUnsafeBufferPointer { rank in
        transactions.items.withUnsafeBufferPointer { items in
          transactions.offsets.withUnsafeBufferPointer { offsets in
            var used = 0
            for t in 0..<(offsets.count - 1) {
              let start = used
              for position in offsets[t]..<offsets[t + 1] {
                let r = rank[Int(items[position])]
                if r >= 0 {
                  recoded[used] = r
                  used += 1
                }
              }
              if used == start { continue }
              // Insertion sort: baskets are short.
              var i = start + 1
              while i < used {
                let value = recoded[i]
                var j = i - 1
                while j >= start && recoded[j] > value {
                  recoded[j + 1] = recoded[j]
                  j -= 1
                }
                recoded[j + 1] = value
                i += 1
              }
              starts.append(used)
            }
          }
        }
      }
    }
    let count = starts.count - 1

    // Sort the transactions lexicographically by their rank sequences. Each entry carries a key packing
    // the first ranks (rank + 1, 0 = end), so most comparisons never touch the sequences themselves.
    let bits: UInt64 = frequent.count < 0xFFFF ? 16 : 32
    let perKey = Int(64 / bits)
    var entries = [GlobalSortEntry](repeating: GlobalSortEntry(key: 0, start: 0, length: 0), count: count)
    recoded.withUnsafeBufferPointer { recoded in
      for index in 0..<count {
        let start = starts[index]
        let length = starts[index + 1] - start
        var key: UInt64 = 0
        for position in 0..<perKey {
          let value: UInt64 = position < length ? UInt64(recoded[start + position]) + 1 : 0
          key = key << bits | value
        }
        entries[index] = GlobalSortEntry(key: key, start: start, length: length)
      }
      entries.sort { a, b in
        if a.key != b.key { return a.key < b.key }
        if a.length <= perKey && b.length <= perKey { return false }
        var i = a.start + perKey
        let endA = a.start + a.length
        var j = b.start + perKey
        let endB = b.start + b.length
        while i < endA && j < endB {
          if recoded[i] != recoded[j] { return recoded[i] < recoded[j] }
          i += 1
          j += 1
        }
        return i == endA && j < endB
      }
    }

    // Build, sharing the prefix with the previous transaction (whose items are kept in `pathItems`).
    let tree = FPTree()
    tree.reset(itemCount: frequent.count, maxNodes: occurrences, hashed: false)
    for (position, id) in frequent.enumerated() { tree.setOriginal(position, id) }
    let pathNodes = UnsafeMutablePointer<Int32>.allocate(capacity: frequent.count + 1)
    let pathItems = UnsafeMutablePointer<Int32>.allocate(capacity: frequent.count + 1)
    defer {
      pathNodes.deallocate()
      pathItems.deallocate()
    }
    // Gather the transactions into sorted order first: a copy loop of independent loads overlaps its
    // cache misses, which the branchy build loop below cannot; the build then reads sequentially.
    var sorted = [Int32](repeating: 0, count: starts[count])
    sorted.withUnsafeMutableBufferPointer { sorted in
      recoded.withUnsafeBufferPointer { recoded in
        var offset = 0
        for entry in entries {
          for position in 0..<entry.length { sorted[offset &+ position] = recoded[entry.start &+ position] }
          offset &+= entry.length
        }
      }
    }
    recoded = []
    sorted.withUnsafeBufferPointer { sorted in
      var previousLength = 0
      var start = 0
      for entry in entries {
        let length = entry.length
        var shared = 0
        while shared < length && shared < previousLength && sorted[start &+ shared] == pathItems[shared] {
          shared &+= 1
        }
        for depth in 0..<length {
          let item = sorted[start &+ depth]
          tree.addSupport(1, to: item)
          if depth < shared {
            tree.addWeight(1, to: pathNodes[depth])
          } else {
            let parent: Int32 = depth == 0 ? 0 : pathNodes[depth &- 1]
            pathNodes[depth] = tree.appendChild(of: parent, item: item, weight: 1)
            pathItems[depth] = item
          }
        }
        previousLength = length
        start &+= length
      }
    }
    return tree
  }
}

/// A transaction in the global sort: packed leading ranks, and where its ranks are.
struct GlobalSortEntry {
  var key: UInt64
  var start: Int
  var length: Int
}
