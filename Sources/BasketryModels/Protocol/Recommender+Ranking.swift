import BasketryCore

// MARK: - Top-k selection

/// Selects the `k` highest scores, best first (ties by lower item id).
/// - Parameters:
///   - scores: a score per item.
///   - k: how many to return.
///   - isAllowed: returns false for items that must not be returned.
/// - Complexity: O(n log k).
public func topK(_ scores: [Float], k: Int, where isAllowed: (Int32) -> Bool = { _ in true }) -> [ScoredItem] {
  guard k > 0 else { return [] }
  // Min-heap of the best k so far: root is the worst kept.
  var heap: [ScoredItem] = []
  heap.reserveCapacity(k)
  func worse(_ a: ScoredItem, _ b: ScoredItem) -> Bool {
    a.score < b.score || (a.score == b.score && a.item > b.item)
  }
  func siftDown(_ start: Int) {
    var i = start
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var m = i
      if l < heap.count && worse(heap[l], heap[m]) { m = l }
      if r < heap.count && worse(heap[r], heap[m]) { m = r }
      if m == i { return }
      heap.swapAt(i, m)
      i = m
    }
  }
  for index in scores.indices {
    let score = scores[index]
    // Cheap rejection first: once the heap is full, most items lose to its worst kept entry.
    if heap.count == k, let root = heap.first,
      !(score > root.score || (score == root.score && Int32(index) < root.item))
    {
      continue
    }
    guard !score.isNaN, isAllowed(Int32(index)) else { continue }
    let candidate = ScoredItem(item: Int32(index), score: score)
    if heap.count < k {
      heap.append(candidate)
      var i = heap.count - 1
      while i > 0 {
        let p = (i - 1) / 2
        if worse(heap[i], heap[p]) {
          heap.swapAt(i, p)
          i = p
        } else {
          break
        }
      }
    } else if let root = heap.first, worse(root, candidate) {
      heap[0] = candidate
      siftDown(0)
    }
  }
  return heap.sorted { worse($1, $0) }
}

extension Recommender {
  /// The top `k` items for a user, after exclusions and filters.
  /// - Parameters:
  ///   - user: dense user id known at fit time.
  ///   - k: number of items.
  ///   - seen: the user's training items (excluded when `options.excludeSeen`).
  ///   - options: filters and exclusions.
  /// - Throws: ``ModelError`` when unfitted or the user is unknown.
  /// - Complexity: O(items · log k) after scoring.
  public func recommend(
    user: Int32, k: Int, seen: ArraySlice<Int32> = [], options: RecommendOptions = RecommendOptions()
  ) throws -> [ScoredItem] {
    let scores = try scores(user: user)
    let seenSet: Set<Int32> = options.excludeSeen ? Set(seen) : []
    return topK(scores, k: k) { item in
      !seenSet.contains(item) && !options.excluded.contains(item) && (options.allowed?.contains(item) ?? true)
    }
  }
}

/// The `k` best of `items` (higher score first, ties by lower item id), in no particular order.
/// - Complexity: O(n log k).
func selectTop(_ items: [ScoredItem], k: Int) -> [ScoredItem] {
  guard items.count > k else { return items }
  guard k > 0 else { return [] }
  func worse(_ a: ScoredItem, _ b: ScoredItem) -> Bool {
    a.score < b.score || (a.score == b.score && a.item > b.item)
  }
  var heap = Array(items.prefix(k))
  // Heapify (min-heap on `worse`).
  func siftDown(_ start: Int) {
    var i = start
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var m = i
      if l < heap.count && worse(heap[l], heap[m]) { m = l }
      if r < heap.count && worse(heap[r], heap[m]) { m = r }
      if m == i { return }
      heap.swapAt(i, m)
      i = m
    }
  }
  for i in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(i) }
  for candidate in items.dropFirst(k) where worse(heap[0], candidate) {
    heap[0] = candidate
    siftDown(0)
  }
  return heap
}
