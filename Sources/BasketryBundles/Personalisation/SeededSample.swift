import BasketryCore

/// At most `count` of `values`, drawn without replacement by a partial Fisher–Yates shuffle with a seeded
/// generator, returned sorted; all of them (as given) when there are no more than `count`.
/// - Complexity: O(n + count log count).
func seededSample(_ values: [Int32], count: Int, seed: UInt64) -> [Int32] {
  guard values.count > count else { return values }
  var values = values
  var rng = SplitMix64(seed: seed)
  for i in 0..<count { values.swapAt(i, i + Int(rng.next() % UInt64(values.count - i))) }
  return Array(values.prefix(count)).sorted()
}
