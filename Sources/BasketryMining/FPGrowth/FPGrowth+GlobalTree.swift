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

    // Sort the transactions lexicographically by their rank sequences.
    var order = [Int32](repeating: 0, count: count)
    for index in 0..<count { order[index] = Int32(index) }
    recoded.withUnsafeBufferPointer { recoded in
      starts.withUnsafeBufferPointer { starts in
        order.sort { a, b in
          var i = starts[Int(a)]
          let endA = starts[Int(a) + 1]
          var j = starts[Int(b)]
          let endB = starts[Int(b) + 1]
          while i < endA && j < endB {
            if recoded[i] != recoded[j] { return recoded[i] < recoded[j] }
            i += 1
            j += 1
          }
          return i == endA && j < endB
        }
      }
    }

    // Build, sharing the prefix with the previous transaction.
    let tree = FPTree()
    tree.reset(itemCount: frequent.count, maxNodes: occurrences, hashed: false)
    for (position, id) in frequent.enumerated() { tree.setOriginal(position, id) }
    let pathNodes = UnsafeMutablePointer<Int32>.allocate(capacity: frequent.count + 1)
    defer { pathNodes.deallocate() }
    recoded.withUnsafeBufferPointer { recoded in
      starts.withUnsafeBufferPointer { starts in
        var previousStart = 0
        var previousLength = 0
        for index in order {
          let start = starts[Int(index)]
          let length = starts[Int(index) + 1] - start
          var shared = 0
          while shared < length && shared < previousLength && recoded[start + shared] == recoded[previousStart + shared]
          {
            shared += 1
          }
          for depth in 0..<length {
            let item = recoded[start + depth]
            tree.addSupport(1, to: item)
            if depth < shared {
              tree.addWeight(1, to: pathNodes[depth])
            } else {
              let parent: Int32 = depth == 0 ? 0 : pathNodes[depth - 1]
              pathNodes[depth] = tree.appendChild(of: parent, item: item, weight: 1)
            }
          }
          previousStart = start
          previousLength = length
        }
      }
    }
    return tree
  }
}
