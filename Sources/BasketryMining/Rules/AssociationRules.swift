import BasketryCore

/// Association rules with a single-item consequent from frequent itemsets.
public enum AssociationRules {
  /// Generates every rule `A → c` where `A ∪ {c}` is a frequent itemset of two or more items, `c` one of
  /// its items, and the confidence (and lift, when asked) meets the options.
  ///
  /// Rule support is `s(A ∪ {c})`. The antecedent and consequent counts are looked up in the itemsets'
  /// hash index (they are frequent by downward closure; a rule whose antecedent or consequent is missing,
  /// which only happens with a hand-made itemset list, is skipped). The confidence test uses the same
  /// floating-point expression as mlxtend (`confidence ≥ minConfidence`).
  ///
  /// Order: descending lift, then descending confidence, then antecedent ids (shorter first, then
  /// lexicographic), then consequent id — deterministic.
  /// - Parameters:
  ///   - itemsets: frequent itemsets, e.g. from ``FPGrowth/mine(_:options:)``.
  ///   - options: thresholds.
  /// - Returns: the rules in the order above.
  /// - Complexity: O(Σ k² over itemsets of size k) expected, plus sorting the rules.
  public static func generate(from itemsets: FrequentItemsets, options: RuleOptions) -> [AssociationRule] {
    var rules: [AssociationRule] = []
    let maxAntecedent = options.maxAntecedentLength ?? Int.max
    var antecedent: [Int32] = []
    var single: [Int32] = [0]
    for itemset in itemsets.itemsets {
      let size = itemset.items.count
      if size < 2 || size - 1 > maxAntecedent { continue }
      for skip in 0..<size {
        antecedent.removeAll(keepingCapacity: true)
        for (position, item) in itemset.items.enumerated() where position != skip { antecedent.append(item) }
        single[0] = itemset.items[skip]
        guard let antecedentIndex = antecedent.withUnsafeBufferPointer({ itemsets.index(of: $0) }),
          let consequentIndex = single.withUnsafeBufferPointer({ itemsets.index(of: $0) })
        else { continue }
        let rule = AssociationRule(
          antecedent: antecedent, consequent: single,
          antecedentCount: itemsets.itemsets[antecedentIndex].count,
          consequentCount: itemsets.itemsets[consequentIndex].count, count: itemset.count,
          transactionCount: itemsets.transactionCount)
        if !(rule.confidence >= options.minConfidence) { continue }
        if let minLift = options.minLift, !(rule.lift >= minLift) { continue }
        rules.append(rule)
      }
    }
    return sorted(rules)
  }

  /// Sorts rules by descending lift, descending confidence, antecedent ids, consequent id.
  static func sorted(_ rules: [AssociationRule]) -> [AssociationRule] {
    let keyed = rules.map { (lift: $0.lift, confidence: $0.confidence, rule: $0) }
    return keyed.sorted { a, b in
      if a.lift != b.lift { return a.lift > b.lift }
      if a.confidence != b.confidence { return a.confidence > b.confidence }
      if a.rule.antecedent.count != b.rule.antecedent.count {
        return a.rule.antecedent.count < b.rule.antecedent.count
      }
      if a.rule.antecedent != b.rule.antecedent {
        return a.rule.antecedent.lexicographicallyPrecedes(b.rule.antecedent)
      }
      return a.rule.consequent.lexicographicallyPrecedes(b.rule.consequent)
    }.map(\.rule)
  }
}
