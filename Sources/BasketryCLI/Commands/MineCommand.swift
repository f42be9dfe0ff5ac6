import ArgumentParser
import BasketryCore
import BasketryIngest
import BasketryMining
import BasketryOnline
import Foundation

/// `basketry mine`: frequent itemsets (FP-Growth) and association rules.
struct MineCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mine",
    abstract: "Mine frequent itemsets (FP-Growth) and association rules with every mlxtend metric.",
    discussion: """
      Prints `itemsets: N` and `rules: M`, then the strongest rules. With --output, writes JSON:
      {"transactions": n, "itemsets": [{"items": [...], "support": s, "count": c}],
       "rules": [{"antecedent": [...], "consequent": [...], "antecedent_support": ..., "consequent_support": ...,
                  "support": ..., "confidence": ..., "lift": ..., "leverage": ..., "conviction": ...,
                  "zhangs_metric": ..., "jaccard": ..., "certainty": ..., "kulczynski": ...}]}
      Rule support is support(antecedent ∪ consequent); consequents are single items; an infinite
      conviction (confidence 1) is written as null.

      Example: basketry mine --format baskets --min-support 0.001 --min-confidence 0.5 groceries.csv
      """)

  @OptionGroup var input: InputOptions

  @Option(
    help: ArgumentHelp(
      "Minimum support: a fraction of orders (0.001) or, if 1 or more, an absolute order count (10).",
      valueName: "support"))
  var minSupport: Double = 0.01

  @Option(help: ArgumentHelp("Minimum rule confidence.", valueName: "confidence"))
  var minConfidence: Double = 0.8

  @Option(help: ArgumentHelp("Minimum rule lift.", valueName: "lift"))
  var minLift: Double?

  @Option(help: ArgumentHelp("Largest itemset size.", valueName: "n"))
  var maxLength: Int?

  @OptionGroup var budget: MemoryBudgetArguments

  @Flag(help: "Mine frequent itemsets only; skip rule generation.")
  var noRules = false

  @Option(
    help: ArgumentHelp("Write itemsets and rules as JSON to this file (`-` for standard output).", valueName: "file"))
  var output: String?

  @Option(help: ArgumentHelp("How many rules to print, strongest lift first.", valueName: "n"))
  var top: Int = 10

  @Option(
    help: ArgumentHelp(
      "Add Laplace noise (scale 1/ε) to every released count, ε-DP per count for one order; rules use the noisy counts.",
      valueName: "epsilon"))
  var dpEpsilon: Double?

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print phase timings and extra detail on standard error.")
  var verbose = false

  func validate() throws {
    if !(minSupport > 0) { throw ValidationError("--min-support must be positive; got \(minSupport).") }
    if minSupport >= 1 && minSupport.rounded() != minSupport {
      throw ValidationError("--min-support of 1 or more is an order count and must be whole; got \(minSupport).")
    }
    if !(0...1).contains(minConfidence) { throw ValidationError("--min-confidence must be in [0, 1].") }
    if let maxLength, maxLength < 1 { throw ValidationError("--max-length must be at least 1.") }
    if top < 0 { throw ValidationError("--top must not be negative.") }
    if let dpEpsilon, !(dpEpsilon > 0 && dpEpsilon.isFinite) {
      throw ValidationError("--dp-epsilon must be a positive number; got \(dpEpsilon).")
    }
  }

  func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      let loaded = try input.load(console: console)
      let dataset = loaded.dataset
      console.progress("preparing transactions", force: true)
      let transactions = dataset.transactions()
      let threshold = SupportThreshold(commandLine: minSupport)
      console.progress("mining frequent itemsets", force: true)
      let mining = MiningOptions(minSupport: threshold, maxLength: maxLength, memoryBudget: budget.bytes)
      var itemsets = try withMiningAdvice(lengthFlag: "--max-length") {
        try FPGrowth.mine(transactions, options: mining)
      }
      console.phaseDone("mined \(formatCount(itemsets.itemsets.count)) itemsets")
      if let dpEpsilon {
        itemsets = try PrivateItemsets.release(
          itemsets, epsilon: dpEpsilon, minCount: threshold.minimumCount(transactionCount: transactions.count),
          seed: 0x5EED)
        console.warn(
          "counts carry Laplace noise (scale \(1 / dpEpsilon)); ε = \(dpEpsilon) per released count, "
            + "\(itemsets.itemsets.count + 1) counts released")
      }
      console.progress("generating rules", force: true)
      let rules =
        noRules
        ? []
        : AssociationRules.generate(
          from: itemsets, options: RuleOptions(minConfidence: minConfidence, minLift: minLift))
      console.phaseDone("generated \(formatCount(rules.count)) rules")

      console.out("transactions: \(itemsets.transactionCount)")
      console.out("itemsets: \(itemsets.itemsets.count)")
      console.out("rules: \(rules.count)")
      if top > 0 && !rules.isEmpty && output != "-" {
        console.out("")
        console.out(Self.ruleTable(rules.prefix(top), catalog: dataset.catalog))
      }
      if let output {
        let data = Self.json(
          transactions: itemsets.transactionCount, itemsets: itemsets, rules: rules, catalog: dataset.catalog)
        try FileHandleOutput.write(data, to: output)
        if output != "-" { console.note("wrote \(output)") }
      }
    }
  }

  static func ruleTable(_ rules: some Collection<AssociationRule>, catalog: Catalog) -> String {
    var table = TextTable(
      ["antecedent", "consequent", "support", "confidence", "lift"], alignments: [.left, .left, .right, .right, .right])
    for rule in rules {
      table.add([
        truncate(rule.antecedent.map { catalog.displayName($0) }.joined(separator: " + "), 60),
        truncate(rule.consequent.map { catalog.displayName($0) }.joined(separator: " + "), 40),
        String(format: "%.4f", rule.support), String(format: "%.3f", rule.confidence),
        String(format: "%.2f", rule.lift),
      ])
    }
    return table.render()
  }

  static func json(transactions: Int, itemsets: FrequentItemsets, rules: [AssociationRule], catalog: Catalog) -> Data {
    var writer = JSONWriter(reserving: 64 * (itemsets.itemsets.count + rules.count) + 1024)
    let names = catalog.ids.strings
    func items(_ ids: [Int32]) -> [String] { ids.map { names[Int($0)] } }
    writer.raw("{\"transactions\":")
    writer.number(transactions)
    writer.raw(",\n\"itemsets\":[")
    let n = Double(max(transactions, 1))
    for (i, itemset) in itemsets.itemsets.enumerated() {
      writer.raw(i == 0 ? "\n{\"items\":" : ",\n{\"items\":")
      writer.stringArray(items(itemset.items))
      writer.raw(",\"support\":")
      writer.number(Double(itemset.count) / n)
      writer.raw(",\"count\":")
      writer.number(itemset.count)
      writer.raw("}")
    }
    writer.raw("],\n\"rules\":[")
    for (i, rule) in rules.enumerated() {
      writer.raw(i == 0 ? "\n{\"antecedent\":" : ",\n{\"antecedent\":")
      writer.stringArray(items(rule.antecedent))
      writer.raw(",\"consequent\":")
      writer.stringArray(items(rule.consequent))
      let metrics: [(String, Double)] = [
        ("antecedent_support", rule.antecedentSupport), ("consequent_support", rule.consequentSupport),
        ("support", rule.support), ("confidence", rule.confidence), ("lift", rule.lift),
        ("leverage", rule.leverage), ("conviction", rule.conviction), ("zhangs_metric", rule.zhangsMetric),
        ("jaccard", rule.jaccard), ("certainty", rule.certainty), ("kulczynski", rule.kulczynski),
      ]
      for (key, value) in metrics {
        writer.raw(",\"\(key)\":")
        writer.number(value)
      }
      writer.raw(",\"count\":")
      writer.number(rule.count)
      writer.raw("}")
    }
    writer.raw("\n]}\n")
    return writer.data
  }
}
