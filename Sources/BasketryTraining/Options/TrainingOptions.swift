import BasketryBundles
import BasketryCore
import BasketryEval
import BasketryMining

/// Every setting of the training pipeline, with one set of defaults shared by `basketry bundles`, `demo`,
/// `train` and the service's retraining.
///
/// Defaults:
/// - minimum support of a bundle's items bought together: 1 % of orders (relative, so it scales with the shop);
/// - bundle design: ``BundleOptions`` with 10 bundles, sizes 2–4, discounts up to 20 %, margin floor 20 %,
///   assumed margin 35 % where costs are unknown, minimum lift 1.5, at most 50,000 candidate itemsets;
/// - mining within ``MiningOptions/defaultMemoryBudget`` (1/16 of physical memory), itemsets no longer than the
///   largest bundle;
/// - 20 co-purchase neighbours per item;
/// - per-item bundles (what a product page shows), as many as the bundle count, for the 100 best-selling items
///   (about 0.35 s of CPU each on Online Retail; other items get the designed bundles that contain them and live
///   co-occurrence pairs);
/// - the recommender chosen by ``ModelSelection`` on the 30 days before the end of the data (NDCG@20), unless
///   ``model`` forces one.
public struct TrainingOptions: Sendable {
  /// Minimum support of a bundle's items bought together.
  public var minSupport: SupportThreshold
  /// Bundle design settings (sizes, count, discounts, margin floor, lift, pricing model).
  public var bundles: BundleOptions
  /// Bytes that mining may hold (itemsets and trees); nil uses the miner's default share of memory.
  public var miningMemoryBudget: Int?
  /// Complements kept per item.
  public var neighborsPerItem: Int
  /// Items (best sellers first) whose own bundles are generated and stored for product pages.
  public var anchorItems: Int
  /// A recommender to use without selection (a ``ModelRegistry`` name); nil selects one.
  public var model: String?
  /// Hyper-parameters of a forced ``model`` (ignored when selecting).
  public var modelParameters: [String: String]
  /// How the recommender is selected.
  public var selection: ModelSelectionOptions
  /// Train only on orders and events strictly before this Unix time (nil: all data).
  public var cutoff: Int64?

  /// Creates options; every argument has the documented default.
  public init(
    minSupport: SupportThreshold = .relative(TrainingOptions.defaultMinSupport),
    bundles: BundleOptions = TrainingOptions.defaultBundleOptions,
    miningMemoryBudget: Int? = nil, neighborsPerItem: Int = 20, anchorItems: Int = 100,
    model: String? = nil, modelParameters: [String: String] = [:],
    selection: ModelSelectionOptions = ModelSelectionOptions(), cutoff: Int64? = nil
  ) {
    self.minSupport = minSupport
    self.bundles = bundles
    self.miningMemoryBudget = miningMemoryBudget
    self.neighborsPerItem = neighborsPerItem
    self.anchorItems = anchorItems
    self.model = model
    self.modelParameters = modelParameters
    self.selection = selection
    self.cutoff = cutoff
  }

  /// The recommender served when the data is too small or too short to validate candidates: personal purchase
  /// frequency (a user's own past items first, then popular ones), the strongest simple baseline in retail.
  public static let fallbackModel = "freq"

  /// The default minimum support as the command line writes it: 1 % of orders.
  public static let defaultMinSupport = 0.01

  /// The default bundle design: ``BundleOptions``' defaults with 10 bundles.
  public static var defaultBundleOptions: BundleOptions {
    var options = BundleOptions()
    options.count = 10
    return options
  }

  /// The mining settings of bundle design: the minimum support, itemsets no longer than the largest bundle,
  /// and the memory budget.
  public var miningOptions: MiningOptions {
    MiningOptions(minSupport: minSupport, maxLength: bundles.maxSize, memoryBudget: miningMemoryBudget)
  }
}
