import BasketryCore
import BasketryTesting
import Foundation
import Testing

@testable import BasketryMining

@Suite struct AssociationRulesTests {
  // MARK: - Brute force

  @Test(arguments: 0..<30)
  func matchesNaiveRuleGeneration(seedIndex: Int) throws {
    let data = TestData.random(seed: 0xACE + UInt64(seedIndex) * 65_537)
    let itemsets = try FPGrowth.mine(data, options: MiningOptions(minSupport: .absolute(2)))
    var counts: [[Int32]: Int] = [:]
    for itemset in TestData.bruteForce(data, minCount: 2) { counts[itemset.items] = itemset.count }
    // Thresholds no ratio of small counts (≤ 60) hits exactly, so the float test cannot flip.
    for (minConfidence, minLift, maxAntecedent) in [(0.37, nil, nil), (0.61, 1.13, nil), (0.83, nil, 1), (0.0, nil, 2)]
    {
      let options = RuleOptions(minConfidence: minConfidence, minLift: minLift, maxAntecedentLength: maxAntecedent)
      let rules = AssociationRules.generate(from: itemsets, options: options)
      var expected: Set<AssociationRule> = []
      for (items, count) in counts where items.count >= 2 && items.count - 1 <= (maxAntecedent ?? .max) {
        for skip in items.indices {
          var antecedent = items
          let consequent = antecedent.remove(at: skip)
          let antecedentCount = try #require(counts[antecedent])
          let consequentCount = try #require(counts[[consequent]])
          let confidence = Double(count) / Double(antecedentCount)
          let lift = confidence * Double(data.count) / Double(consequentCount)
          if confidence < minConfidence { continue }
          if let minLift, lift < minLift { continue }
          expected.insert(
            AssociationRule(
              antecedent: antecedent, consequent: [consequent], antecedentCount: antecedentCount,
              consequentCount: consequentCount, count: count, transactionCount: data.count))
        }
      }
      #expect(Set(rules) == expected, "seed \(seedIndex) confidence \(minConfidence)")
      #expect(rules.count == expected.count)
      #expect(isSortedAsDocumented(rules))
    }
  }

  @Test func worksOnHandMadeItemsets() throws {
    // 10 transactions: {a} in 4, {b} in 5, {a, b} in 4.
    let itemsets = FrequentItemsets(
      transactionCount: 10,
      itemsets: [
        FrequentItemset(items: [0], count: 4), FrequentItemset(items: [1], count: 5),
        FrequentItemset(items: [0, 1], count: 4), FrequentItemset(items: [1, 2], count: 4),  // {2} missing: skipped
      ])
    let rules = AssociationRules.generate(from: itemsets, options: RuleOptions(minConfidence: 0.5))
    #expect(rules.count == 2)
    let aToB = try #require(rules.first { $0.antecedent == [0] })
    #expect(aToB.confidence == 1)
    #expect(aToB.lift == 2)
    #expect(aToB.conviction == .infinity)
    #expect(aToB.leverage == 0.4 - 0.4 * 0.5)
    #expect(aToB.certainty == 1)
    #expect(aToB.jaccard == 0.4 / 0.5)
    #expect(aToB.kulczynski == (1 + 0.8) / 2)
    #expect(rules.first?.antecedent == [0])  // lift 2 for both; confidence 1 > 0.8 first
  }

  @Test func metricsHandleZeroDenominators() {
    // Consequent in every transaction: certainty's denominator 1 − s(C) is 0 → 0, as in mlxtend.
    let rule = AssociationRule(
      antecedent: [0], consequent: [1], antecedentCount: 3, consequentCount: 6, count: 3, transactionCount: 6)
    #expect(rule.certainty == 0)
    #expect(rule.confidence == 1)
    #expect(rule.conviction == .infinity)
    #expect(rule.lift == 1)
    #expect(rule.zhangsMetric == 0)
  }

  // MARK: - mlxtend 0.25.0 fixture

  @Test(.enabled(if: TestSupport.sharedDataRoot != nil))
  func metricsEqualMlxtend() throws {
    let groceries = try #require(try TestData.groceries())
    let fixture = try MlxtendFixture.load()
    #expect(fixture.transactions == groceries.transactions.count)
    for run in fixture.runs {
      let itemsets = try FPGrowth.mine(
        groceries.transactions, options: MiningOptions(minSupport: .relative(run.minSupport)))
      #expect(itemsets.count == run.itemsets)
      let rules = AssociationRules.generate(from: itemsets, options: RuleOptions(minConfidence: run.minConfidence))
      var byKey: [String: AssociationRule] = [:]
      for rule in rules {
        let key =
          rule.antecedent.map { groceries.names[$0] }.sorted().joined(separator: "|") + "=>"
          + groceries.names[rule.consequent[0]]
        byKey[key] = rule
      }
      #expect(rules.count == run.rows.count, "support \(run.minSupport)")
      var infinite = 0
      for row in run.rows {
        let rule = try #require(byKey[row.key], "missing rule \(row.key)")
        let ours: [Double] = [
          rule.antecedentSupport, rule.consequentSupport, rule.support, rule.confidence, rule.lift, rule.leverage,
          rule.conviction, rule.zhangsMetric, rule.jaccard, rule.certainty, rule.kulczynski,
        ]
        for (index, expected) in row.metrics.enumerated() {
          let actual = ours[index]
          if expected.isInfinite {
            infinite += 1
            #expect(actual == expected, "\(row.key) \(fixture.columns[index + 2])")
          } else {
            #expect(
              abs(actual - expected) <= 1e-9, "\(row.key) \(fixture.columns[index + 2]): \(actual) vs \(expected)")
          }
        }
      }
      if run.minConfidence == 1 { #expect(infinite == run.rows.count) }
    }
  }

  // MARK: - Helpers

  private func isSortedAsDocumented(_ rules: [AssociationRule]) -> Bool {
    zip(rules, rules.dropFirst()).allSatisfy { a, b in
      if a.lift != b.lift { return a.lift > b.lift }
      if a.confidence != b.confidence { return a.confidence > b.confidence }
      if a.antecedent.count != b.antecedent.count { return a.antecedent.count < b.antecedent.count }
      if a.antecedent != b.antecedent { return a.antecedent.lexicographicallyPrecedes(b.antecedent) }
      return a.consequent.lexicographicallyPrecedes(b.consequent)
    }
  }
}

/// Tests/BasketryMiningTests/Fixtures/mlxtend_groceries_rules.json (Scripts/fixtures/mlxtend_rules.py).
struct MlxtendFixture {
  struct Row {
    var key: String
    /// Metrics in `columns[2...]` order (stored as Python repr strings, "inf" included).
    var metrics: [Double]
  }
  struct Run {
    var minSupport: Double
    var minConfidence: Double
    var itemsets: Int
    var rows: [Row]
  }
  var transactions: Int
  var columns: [String]
  var runs: [Run]

  static func load() throws -> MlxtendFixture {
    let url = try #require(
      Bundle.module.url(forResource: "mlxtend_groceries_rules", withExtension: "json", subdirectory: "Fixtures"))
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    let columns = try #require(root["columns"] as? [String])
    var runs: [Run] = []
    for run in try #require(root["runs"] as? [[String: Any]]) {
      var rows: [Row] = []
      for row in try #require(run["rows"] as? [[Any]]) {
        let antecedent = try #require(row[0] as? [String])
        let consequent = try #require(row[1] as? String)
        let metrics = try row.dropFirst(2).map { try #require(($0 as? String).flatMap(Double.init)) }
        rows.append(Row(key: antecedent.sorted().joined(separator: "|") + "=>" + consequent, metrics: metrics))
      }
      runs.append(
        Run(
          minSupport: try #require(run["minSupport"] as? Double),
          minConfidence: try #require((run["minConfidence"] as? NSNumber)?.doubleValue),
          itemsets: try #require(run["itemsets"] as? Int), rows: rows))
    }
    return MlxtendFixture(transactions: try #require(root["transactions"] as? Int), columns: columns, runs: runs)
  }
}
