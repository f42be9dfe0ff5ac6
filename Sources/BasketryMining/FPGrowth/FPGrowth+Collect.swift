import BasketryCore

extension FPGrowth {
  /// Turns the workers' flat buffers into `FrequentItemset`s ordered by size, then lexicographically.
  ///
  /// Two sequential passes over the buffers bucket the itemsets by (size, smallest item) with a counting
  /// sort, copying each itemset's ids (sorted) into one contiguous block per bucket; each bucket is then
  /// sorted by its remaining ids, which touches only that bucket's block. This keeps the memory traffic
  /// near-sequential for millions of itemsets (an index sort over the raw buffers is dominated by cache
  /// misses). When (largest size + 1) × item count exceeds `maxBuckets` the buckets are by size alone.
  /// The workers' output buffers are freed once copied, and the sort arrays before the result is
  /// indexed, so that the peak stays within what ``FPGrowth/bytesPerItemset`` charges.
  /// - Complexity: O(N + total ids + buckets + Σ b log b over bucket sizes b).
  static func collect(
    _ workers: [FPGrowthWorker], transactionCount: Int, itemCount: Int, maxBuckets: Int
  ) -> FrequentItemsets {
    var total = 0
    var totalItems = 0
    var maxLength = 0
    for worker in workers {
      total += worker.outLengths.count
      totalItems += worker.outItems.count
      for length in worker.outLengths where Int(length) > maxLength { maxLength = Int(length) }
    }
    if total == 0 { return FrequentItemsets(transactionCount: transactionCount, itemsets: []) }
    var width = max(1, itemCount)
    if (maxLength + 1) * width > maxBuckets { width = 1 }
    let bucketCount = (maxLength + 1) * width

    // Pass 1: bucket sizes.
    var slotCursor = [Int](repeating: 0, count: bucketCount)
    for worker in workers {
      forEachItemset(of: worker) { row, _ in
        slotCursor[bucket(of: row, width: width)] += 1
      }
    }
    var itemCursor = [Int](repeating: 0, count: bucketCount)
    var slots = 0
    var offset = 0
    for bucket in 0..<bucketCount {
      let size = slotCursor[bucket]
      slotCursor[bucket] = slots
      itemCursor[bucket] = offset
      slots += size
      offset += size * (bucket / width)
    }

    // Pass 2: copy each itemset, sorted, into its bucket's block.
    var rows = [Int32](repeating: 0, count: totalItems)
    var rowStarts = [Int](repeating: 0, count: total)
    var rowCounts = [Int](repeating: 0, count: total)
    rows.withUnsafeMutableBufferPointer { rows in
      for worker in workers {
        forEachItemset(of: worker) { row, count in
          let bucket = bucket(of: row, width: width)
          let slot = slotCursor[bucket]
          slotCursor[bucket] = slot + 1
          let start = itemCursor[bucket]
          itemCursor[bucket] = start + row.count
          rowStarts[slot] = start
          rowCounts[slot] = count
          for (position, item) in row.enumerated() { rows[start + position] = item }
          insertionSort(rows, from: start, to: start + row.count)
        }
        worker.releaseOutput()
      }
    }

    // Pass 3: sort inside each bucket (slot ranges are now [end of previous bucket, slotCursor[bucket])).
    var order = [Int32](repeating: 0, count: total)
    for slot in 0..<total { order[slot] = Int32(slot) }
    let firstColumn = width > 1 ? 1 : 0
    rows.withUnsafeBufferPointer { rows in
      rowStarts.withUnsafeBufferPointer { rowStarts in
        order.withUnsafeMutableBufferPointer { order in
          var start = 0
          for bucket in 0..<bucketCount {
            let end = slotCursor[bucket]
            let length = bucket / width
            if end - start > 1 && length > firstColumn {
              var range = UnsafeMutableBufferPointer(rebasing: order[start..<end])
              range.sort { a, b in
                let rowA = rowStarts[Int(a)]
                let rowB = rowStarts[Int(b)]
                var column = firstColumn
                while column < length {
                  let itemA = rows[rowA + column]
                  let itemB = rows[rowB + column]
                  if itemA != itemB { return itemA < itemB }
                  column += 1
                }
                return false
              }
            }
            start = end
          }
        }
      }
    }

    // Pass 4: materialise.
    var itemsets: [FrequentItemset] = []
    itemsets.reserveCapacity(total)
    rows.withUnsafeBufferPointer { rows in
      var slotStart = 0
      for bucket in 0..<bucketCount {
        let end = slotCursor[bucket]
        let length = bucket / width
        for position in slotStart..<end {
          let slot = Int(order[position])
          let start = rowStarts[slot]
          itemsets.append(
            FrequentItemset(items: Array(rows[start..<(start + length)]), count: rowCounts[slot]))
        }
        slotStart = end
      }
    }
    rows = []
    rowStarts = []
    rowCounts = []
    order = []
    return FrequentItemsets(transactionCount: transactionCount, itemsets: itemsets)
  }

  /// Calls `body` with each itemset (ids in emission order, not sorted) and its count.
  @inline(__always)
  private static func forEachItemset(
    of worker: FPGrowthWorker, _ body: (UnsafeBufferPointer<Int32>, Int) -> Void
  ) {
    worker.outItems.withUnsafeBufferPointer { items in
      worker.outLengths.withUnsafeBufferPointer { lengths in
        worker.outCounts.withUnsafeBufferPointer { counts in
          var offset = 0
          for index in 0..<lengths.count {
            let length = Int(lengths[index])
            body(UnsafeBufferPointer(rebasing: items[offset..<(offset + length)]), counts[index])
            offset += length
          }
        }
      }
    }
  }

  /// Bucket `size × width + smallest id` (or `size` when `width` is 1).
  @inline(__always)
  private static func bucket(of row: UnsafeBufferPointer<Int32>, width: Int) -> Int {
    if width == 1 { return row.count }
    var smallest = Int32.max
    for item in row where item < smallest { smallest = item }
    return row.count * width + Int(smallest)
  }

  @inline(__always)
  private static func insertionSort(_ buffer: UnsafeMutableBufferPointer<Int32>, from start: Int, to end: Int) {
    var i = start + 1
    while i < end {
      let value = buffer[i]
      var j = i - 1
      while j >= start && buffer[j] > value {
        buffer[j + 1] = buffer[j]
        j -= 1
      }
      buffer[j + 1] = value
      i += 1
    }
  }
}
