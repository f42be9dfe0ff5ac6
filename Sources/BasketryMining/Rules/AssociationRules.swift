import BasketryCore

/// Association rules with a single-item consequent from frequent itemsets.
public enum AssociationRules {
  /// Generates every rule `A → c` where `A ∪ {c}` is a frequent itemset of two or more items, `c` one of
  /// its items, and the confidence (and lift, when asked) meets the options.
  ///
  /// Rule support is `s(A ∪ {c})`. The antecedent and consequent counts are looked up in the itemsets'
  /// hash index (they are frequent by downward closure; a rule whose antecedent or consequent is missing,
  /// which only happens with a hand-made itemset list, is skipped). The confidence and lift tests use the
  /// same floating-point expressions as mlxtend (`confidence ≥ minConfidence`).
  ///
  /// Order: descending lift, then descending confidence, then antecedent ids (shorter first, then
  /// lexicographic), then consequent id — deterministic.
  /// - Parameters:
  ///   - itemsets: frequent itemsets, e.g. from ``FPGrowth/mine(_:options:)``.
  ///   - options: thresholds.
  /// - Returns: the rules in the order above.
  /// - Complexity: O(Σ k² over itemsets of size k) expected, plus O(R log R) to sort R rules.
  public static func generate(from itemsets: FrequentItemsets, options: RuleOptions) -> [AssociationRule] {
    let maxAntecedent = options.maxAntecedentLength ?? Int.max
    let minConfidence = options.minConfidence
    let minLift = options.minLift ?? -Double.infinity
    let n = itemsets.transactionCount
    // Accepted candidates: (itemset index, consequent position, counts), sorted before materialising.
    var sources: [Int32] = []
    var skips: [Int32] = []
    var antecedentCounts: [Int] = []
    var consequentCounts: [Int] = []
    var lifts: [Double] = []
    var confidences: [Double] = []
    var antecedent = [Int32](repeating: 0, count: 64)
    for (index, itemset) in itemsets.itemsets.enumerated() {
      let size = itemset.items.count
      if size < 2 || size - 1 > maxAntecedent { continue }
      if antecedent.count < size { antecedent = [Int32](repeating: 0, count: size) }
      itemset.items.withUnsafeBufferPointer { items in
        antecedent.withUnsafeMutableBufferPointer { antecedent in
          for skip in 0..<size {
            var length = 0
            for position in 0..<size where position != skip {
              antecedent[length] = items[position]
              length += 1
            }
            guard
              let antecedentCount = itemsets.count(
                ofSorted: UnsafeBufferPointer(rebasing: antecedent[0..<length])),
              let consequentCount = itemsets.singleCount(of: items[skip])
            else { continue }
            let (confidence, lift) = Self.confidenceAndLift(
              count: itemset.count, antecedentCount: antecedentCount, consequentCount: consequentCount,
              transactionCount: n)
            if !(confidence >= minConfidence) || !(lift >= minLift) { continue }
            sources.append(Int32(index))
            skips.append(Int32(skip))
            antecedentCounts.append(antecedentCount)
            consequentCounts.append(consequentCount)
            lifts.append(lift)
            confidences.append(confidence)
          }
        }
      }
    }
    // Order by the documented key without moving rules around.
    let all = itemsets.itemsets
    var order = Array(0..<Int32(sources.count))
    order.sort { a, b in
      let a = Int(a)
      let b = Int(b)
      if lifts[a] != lifts[b] { return lifts[a] > lifts[b] }
      if confidences[a] != confidences[b] { return confidences[a] > confidences[b] }
      let itemsA = all[Int(sources[a])].items
      let itemsB = all[Int(sources[b])].items
      if itemsA.count != itemsB.count { return itemsA.count < itemsB.count }
      let skipA = Int(skips[a])
      let skipB = Int(skips[b])
      var i = 0
      var j = 0
      while i < itemsA.count && j < itemsB.count {
        if i == skipA {
          i += 1
          continue
        }
        if j == skipB {
          j += 1
          continue
        }
        if itemsA[i] != itemsB[j] { return itemsA[i] < itemsB[j] }
        i += 1
        j += 1
      }
      return itemsA[skipA] < itemsB[skipB]
    }
    return order.map { candidate in
      let candidate = Int(candidate)
      let items = all[Int(sources[candidate])].items
      let skip = Int(skips[candidate])
      var antecedent = items
      let consequent = antecedent.remove(at: skip)
      return AssociationRule(
        antecedent: antecedent, consequent: [consequent], antecedentCount: antecedentCounts[candidate],
        consequentCount: consequentCounts[candidate], count: all[Int(sources[candidate])].count,
        transactionCount: n)
    }
  }

  /// Confidence and lift exactly as ``AssociationRule/confidence`` and ``AssociationRule/lift``.
  @inline(__always)
  static func confidenceAndLift(
    count: Int, antecedentCount: Int, consequentCount: Int, transactionCount: Int
  ) -> (Double, Double) {
    let rule = AssociationRule(
      antecedent: [], consequent: [], antecedentCount: antecedentCount, consequentCount: consequentCount,
      count: count, transactionCount: transactionCount)
    let confidence = rule.confidence
    return (confidence, confidence / rule.consequentSupport)
  }
}
