import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryIngest
import Foundation

extension PriceAdviceOptions.PriceEnding: ExpressibleByArgument {}

/// `basketry prices`: price advice per item from the demand the orders measure.
struct PricesCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prices",
    abstract: "Advise item prices from measured demand, within guardrails, with intervals and reasons.",
    discussion: """
      Estimates each item's price elasticity from its own weekly purchase incidence against its
      price (a linear trend removed, shrunk toward its category), and for items whose history
      identifies it advises the profit-maximising price within the guardrails: at most --max-step
      change, never below cost / (1 − --min-margin), never above the catalogue's price cap (msrp,
      rrp or competitor_price column), optional --price-ending. Profit counts the margin moved on
      the item's strongest complements and substitutes, by their measured cross-price elasticity.
      With stock in the catalogue, excess stock gets markdown advice and a sell-through date, scarce
      stock is never discounted. Items whose history has too little price variation keep their
      price with the reason "not identifiable". Prices are the same for every shopper.

      Changes are per week; intervals are 95 % (the elasticity ± 1.96 standard errors).

      Example: basketry prices --output advice.csv online_retail.csv.gz
      Example: basketry prices --catalog catalog.csv --max-step 0.05 --min-margin 0.3 orders.csv
      """)

  @OptionGroup var input: InputOptions

  @Option(help: ArgumentHelp("Largest price change per step, as a fraction.", valueName: "fraction"))
  var maxStep = 0.10

  @Option(
    help: ArgumentHelp(
      "Smallest margin rate (price − cost) / price an advised price may have.", valueName: "fraction"))
  var minMargin = 0.20

  @Option(help: ArgumentHelp("Margin rate assumed where an item's cost is unknown.", valueName: "fraction"))
  var assumedMargin = 0.35

  @Option(help: ArgumentHelp("Allowed price endings: any, 99 (x.99) or 49-99 (x.49 or x.99).", valueName: "ending"))
  var priceEnding: PriceAdviceOptions.PriceEnding = .any

  @Option(help: ArgumentHelp("Currency shown before prices (e.g. £).", valueName: "symbol"))
  var currency = ""

  @Option(help: ArgumentHelp("Items printed, largest expected profit gain first.", valueName: "n"))
  var top = 20

  @Option(
    help: ArgumentHelp(
      "Write every item's advice to this .csv or .json file (`-` for JSON on standard output).", valueName: "file"))
  var output: String?

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print phase timings and extra detail on standard error.")
  var verbose = false

  func validate() throws {
    if top < 0 { throw ValidationError("--top must be ≥ 0.") }
    if let output, output != "-", !output.hasSuffix(".csv") && !output.hasSuffix(".json") {
      throw ValidationError("--output '\(output)' must end in .csv or .json (or be -).")
    }
    do {
      try adviceOptions().validate()
    } catch let error as PriceAdviceError {
      throw ValidationError("--\(error.key) \(error.value) \(error.message).")
    }
  }

  func adviceOptions() -> PriceAdviceOptions {
    PriceAdviceOptions(
      maxStep: maxStep, minMargin: minMargin, assumedMarginRate: assumedMargin, priceEnding: priceEnding)
  }

  func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      let loaded = try input.load(console: console)
      let start = Date()
      let advice = try ItemPriceAdvisor.advise(dataset: loaded.dataset, options: adviceOptions())
      console.detail(String(format: "advice: %.2f s", Date().timeIntervalSince(start)))
      if output != "-" { console.out(Self.summary(advice, top: top, currency: currency)) }
      if let output {
        let data = output.hasSuffix(".csv") ? Self.csv(advice) : try FileHandleOutput.json(advice)
        try FileHandleOutput.write(data, to: output)
        if output != "-" { console.note("wrote \(output)") }
      }
    }
  }

  // MARK: - Output

  static func summary(_ advice: [ItemPriceAdvice], top: Int, currency: String) -> String {
    let identified = advice.filter(\.response.isIdentified).count
    var text = "items: \(advice.count), identifiable: \(identified), not identifiable: \(advice.count - identified)\n"
    let actions = ItemPriceAdvice.Action.allCases.map { action in
      "\(action.rawValue) \(advice.filter { $0.action == action }.count)"
    }
    text += "advice: " + actions.joined(separator: ", ") + "\n"
    let gain = advice.reduce(0) { $0 + $1.profitChange.estimate }
    text += "expected profit change: \(currency)\(String(format: "%.2f", gain)) a week\n"
    let changed = advice.filter { $0.action != .keep }
    guard top > 0, !changed.isEmpty else { return text }
    var table = TextTable(
      ["item", "title", "price", "advised", "change", "elasticity", "profit/week (95 %)", "confidence"],
      alignments: [.left, .left, .right, .right, .right, .right, .right, .left])
    for entry in changed.prefix(top) {
      table.add([
        entry.item, truncate(entry.title, 32), currency + String(format: "%.2f", entry.currentPrice),
        currency + String(format: "%.2f", entry.advisedPrice), String(format: "%+.1f%%", entry.change * 100),
        String(format: "%.2f ± %.2f", entry.response.elasticity, entry.response.standardError),
        String(
          format: "%+.2f (%+.2f, %+.2f)", entry.profitChange.estimate, entry.profitChange.low,
          entry.profitChange.high),
        entry.confidence.rawValue,
      ])
    }
    return text + table.render()
  }

  static let csvHeader =
    "item,title,current_price,advised_price,change,action,identified,elasticity,elasticity_se,elasticity_source,"
    + "units_per_week,units_change,units_change_low,units_change_high,revenue_change,revenue_change_low,"
    + "revenue_change_high,profit_change,profit_change_low,profit_change_high,related_profit_change,cost,"
    + "cost_assumed,floor_price,ceiling_price,stock,weeks_of_stock,sell_through_date,guardrail,confidence,reason"

  static func csv(_ advice: [ItemPriceAdvice]) -> Data {
    var text = csvHeader + "\n"
    func quote(_ field: String) -> String {
      field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
    func number(_ value: Double, _ decimals: Int = 4) -> String {
      value.isFinite ? String(format: "%.\(decimals)f", value) : ""
    }
    let dateFormatter = ISO8601DateFormatter()
    dateFormatter.formatOptions = [.withFullDate]
    for a in advice {
      let fields: [String] = [
        quote(a.item), quote(a.title), number(a.currentPrice, 2), number(a.advisedPrice, 2), number(a.change),
        a.action.rawValue, a.response.isIdentified ? "true" : "false", number(a.response.elasticity),
        number(a.response.standardError), a.response.source.rawValue, number(a.unitsPerWeek),
        number(a.unitsChange.estimate), number(a.unitsChange.low), number(a.unitsChange.high),
        number(a.revenueChange.estimate, 2), number(a.revenueChange.low, 2), number(a.revenueChange.high, 2),
        number(a.profitChange.estimate, 2), number(a.profitChange.low, 2), number(a.profitChange.high, 2),
        number(a.relatedProfitChange, 2), number(a.cost, 4), a.costAssumed ? "true" : "false",
        number(a.floorPrice, 2), number(a.ceilingPrice, 2), a.stock.map(String.init) ?? "",
        a.weeksOfStock.map { number($0, 1) } ?? "",
        a.sellThroughTime.map { dateFormatter.string(from: Date(timeIntervalSince1970: TimeInterval($0))) } ?? "",
        a.guardrail?.rawValue ?? "", a.confidence.rawValue, quote(a.reason),
      ]
      text += fields.joined(separator: ",") + "\n"
    }
    return Data(text.utf8)
  }
}
