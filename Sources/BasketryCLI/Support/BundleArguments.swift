import ArgumentParser
import BasketryBundles
import BasketryCore
import BasketryMining
import BasketryTraining
import Foundation

extension BundleOptions.PricingModel: ExpressibleByArgument {}

/// Options that shape bundle design, shared by `bundles`, `demo` and `train`; defaults are
/// ``TrainingOptions``' (one set for the CLI and the service).
struct BundleArguments: ParsableArguments {
  private static let defaults = TrainingOptions.defaultBundleOptions

  @Option(
    help: ArgumentHelp(
      "Minimum support of a bundle's items bought together: a fraction of orders, or an order count if 1 or more.",
      valueName: "support"))
  var minSupport: Double = TrainingOptions.defaultMinSupport

  @Option(name: .customLong("k"), help: ArgumentHelp("How many bundles to return.", valueName: "n"))
  var count: Int = Self.defaults.count

  @Option(help: ArgumentHelp("Largest bundle size (2–4 is usual).", valueName: "n"))
  var maxSize: Int = Self.defaults.maxSize

  @Option(help: ArgumentHelp("Largest discount off the items' total, as a fraction.", valueName: "fraction"))
  var maxDiscount: Double = Self.defaults.maxDiscount

  @Option(
    help: ArgumentHelp(
      "Smallest margin rate a bundle price may keep, as a fraction of the price.", valueName: "fraction"))
  var marginFloor: Double = Self.defaults.marginFloor

  @Option(help: ArgumentHelp("Margin rate assumed where an item's cost is unknown.", valueName: "fraction"))
  var assumedMargin: Double = Self.defaults.assumedMarginRate

  @Option(help: ArgumentHelp("Minimum lift of every item against the rest of its bundle.", valueName: "lift"))
  var minLift: Double = Self.defaults.minLift

  @Option(help: ArgumentHelp("Currency symbol or code shown in explanations.", valueName: "symbol"))
  var currency: String = ""

  @Option(
    help: ArgumentHelp(
      "Pricing model: willingness-to-pay (valuations calibrated on the data's purchase rates and price variation) or completion-elasticity (the first, assumed-response model).",
      valueName: "model"))
  var pricingModel: BundleOptions.PricingModel = .willingnessToPay

  @Flag(help: "Keep bundles of variants of one product (same title in another colour). Off by default.")
  var keepVariants = false

  @Option(
    help: ArgumentHelp(
      "Most frequent itemsets of bundle size to design from; more stop with advice (each costs about 1 ms).",
      valueName: "n"))
  var maxCandidates: Int = 50_000

  @OptionGroup var budget: MemoryBudgetArguments

  func validate() throws {
    if !(minSupport > 0) { throw ValidationError("--min-support must be positive; got \(minSupport).") }
    do { try bundleOptions().validate() } catch let error as BundleError {
      throw ValidationError("--\(error.key) \(error.value): \(error.message).")
    }
  }

  func bundleOptions() -> BundleOptions {
    BundleOptions(
      maxSize: maxSize, count: count, maxDiscount: maxDiscount, marginFloor: marginFloor,
      assumedMarginRate: assumedMargin, minLift: minLift, dropVariants: !keepVariants, currency: currency,
      pricingModel: pricingModel, maxCandidates: maxCandidates)
  }

  var threshold: SupportThreshold { SupportThreshold(commandLine: minSupport) }

  /// The training options these flags set (everything else at its default).
  func trainingOptions() -> TrainingOptions {
    TrainingOptions(minSupport: threshold, bundles: bundleOptions(), miningMemoryBudget: budget.bytes)
  }
}

/// Mines the orders and designs bundles with the training pipeline, reporting progress.
func designBundles(dataset: Dataset, arguments: BundleArguments, console: Console) throws -> BundleDesignResult {
  console.progress("mining frequent itemsets and designing bundles", force: true)
  let result = try withMiningAdvice(lengthFlag: "--max-size") {
    try TrainingPipeline.designBundles(dataset: dataset, options: arguments.trainingOptions())
  }
  console.phaseDone(
    "mined \(formatCount(result.itemsets.itemsets.count)) frequent itemsets; designed \(result.bundles.count) bundles "
      + "from \(formatCount(result.report.candidates)) candidates")
  if result.bundles.isEmpty, let reason = result.report.noBundleReason { console.warn("no bundles: \(reason)") }
  return result
}

/// A terminal table of bundles.
func bundleTable(_ bundles: [ProductBundle], currency: String) -> String {
  var table = TextTable(
    ["#", "items", "list", "price", "off", "margin", "together", "lift", "+profit"],
    alignments: [.right, .left, .right, .right, .right, .right, .right, .right, .right])
  for bundle in bundles {
    table.add([
      String(bundle.rank),
      truncate(bundle.items.map(\.title).joined(separator: " + "), 70),
      currency + String(format: "%.2f", bundle.listPrice),
      currency + String(format: "%.2f", bundle.bundlePrice),
      String(format: "%.0f%%", bundle.discount * 100),
      String(format: "%.0f%%", bundle.marginRate * 100),
      String(bundle.evidence.ordersTogether),
      String(format: "%.1f", bundle.evidence.lift),
      currency + String(format: "%.0f", bundle.expectedIncrementalProfit),
    ])
  }
  return table.render()
}

/// The training pipeline's anchored generator (bundles for an item, a cart or a shopper), reporting progress.
func anchoredGenerator(
  dataset: Dataset, options bundle: BundleOptions, probabilities: (any PersonalPurchaseModel)?, console: Console
) throws -> BundleGenerator {
  console.progress("training item embeddings", force: true)
  var options = TrainingOptions()
  options.bundles = bundle
  let generator = try TrainingPipeline.anchoredGenerator(
    dataset: dataset, options: options, probabilities: probabilities)
  console.phaseDone("trained item embeddings")
  return generator
}

/// The table of bundles ranked for one shopper: their chance to take each bundle and its expected profit.
func personalBundleTable(_ bundles: [GeneratedBundle], currency: String) -> String {
  var table = TextTable(
    ["#", "items", "list", "price", "off", "P(take)", "avg P", "margin", "anyway", "E[profit]"],
    alignments: [.right, .left, .right, .right, .right, .right, .right, .right, .right, .right])
  for generated in bundles {
    let bundle = generated.bundle
    let offer = generated.personal
    table.add([
      String(bundle.rank),
      truncate(bundle.items.map(\.title).joined(separator: " + "), 60),
      currency + String(format: "%.2f", bundle.listPrice),
      currency + String(format: "%.2f", bundle.bundlePrice),
      String(format: "%.0f%%", bundle.discount * 100),
      offer.map { String(format: "%.1f%%", $0.bundleProbability * 100) } ?? "-",
      offer.map { String(format: "%.1f%%", $0.averageBundleProbability * 100) } ?? "-",
      currency + String(format: "%.2f", offer?.bundleMargin ?? bundle.margin),
      offer.map { currency + String(format: "%.3f", $0.cannibalisedMargin) } ?? "-",
      currency + String(format: offer == nil ? "%.2f" : "%.3f", generated.score),
    ])
  }
  return table.render()
}

/// The JSON document written for bundles.
struct BundlesDocument: Encodable {
  var orders: Int
  var minSupport: Double
  var options: BundleOptions
  var report: BundleDesignReport
  var bundles: [ProductBundle]

  enum CodingKeys: String, CodingKey {
    case orders, options, report, bundles
    case minSupport = "min_support"
  }
}

extension SupportThreshold {
  /// A `--min-support` value: a fraction of orders below 1, an absolute order count from 1 on.
  init(commandLine value: Double) {
    self = value >= 1 ? .absolute(Int(value)) : .relative(value)
  }
}
