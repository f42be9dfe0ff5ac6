import BasketryBundles
import BasketryCore
import BasketryMining
import Foundation

/// A bundle as the service serves it: item ids, prices and the designer's explanation.
public struct ServedBundle: Sendable, Hashable, Codable {
  /// External item ids, sorted.
  public var items: [String]
  /// Titles, in the order of `items`.
  public var titles: [String]
  /// Unit prices used, in the order of `items`.
  public var prices: [Double]
  /// Sum of the items' prices.
  public var listPrice: Double
  /// Sum of the items' costs (known or assumed).
  public var cost: Double
  /// The designer's discount (fraction).
  public var discount: Double
  /// The designer's price.
  public var price: Double
  /// Weakest item's lift against the rest.
  public var lift: Double
  /// Orders with every item.
  public var ordersTogether: Int
  /// Expected incremental profit over the training period.
  public var expectedIncrementalProfit: Double
  /// Plain-language explanation.
  public var explanation: String

  /// The bundle key: sorted item ids joined by `+`.
  public var key: String { items.joined(separator: "+") }

  /// Creates a served bundle from a designed one (items sorted by id).
  public init(_ bundle: ProductBundle) {
    let sorted = bundle.items.sorted { $0.id < $1.id }
    items = sorted.map(\.id)
    titles = sorted.map(\.title)
    prices = sorted.map(\.price)
    listPrice = bundle.listPrice
    cost = sorted.reduce(0) { $0 + $1.cost }
    discount = bundle.discount
    price = bundle.bundlePrice
    lift = bundle.evidence.lift
    ordersTogether = bundle.evidence.ordersTogether
    expectedIncrementalProfit = bundle.expectedIncrementalProfit
    explanation = bundle.explanation
  }
}

/// A trained model artifact: bundles designed from purchase history plus the co-occurrence
/// neighbours at training time. Stored as JSON, one version per `basketry train`.
public struct TrainedModel: Sendable, Hashable, Codable {
  /// Format version of this document.
  public var format: Int = 1
  /// Unix seconds of training.
  public var trainedAt: Int64
  /// Where the orders came from (store location or input file).
  public var source: String
  /// Orders used.
  public var orders: Int
  /// Distinct items in them.
  public var itemCount: Int
  /// The designed bundles, best first.
  public var bundles: [ServedBundle]
  /// Top complements per item at training time.
  public var neighbors: [String: [Neighbor]]

  /// Creates a model.
  public init(
    trainedAt: Int64, source: String, orders: Int, itemCount: Int, bundles: [ServedBundle],
    neighbors: [String: [Neighbor]]
  ) {
    self.trainedAt = trainedAt
    self.source = source
    self.orders = orders
    self.itemCount = itemCount
    self.bundles = bundles
    self.neighbors = neighbors
  }

  /// JSON bytes (sorted keys).
  public func encoded() throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return Array(try encoder.encode(self))
  }

  /// Decodes JSON bytes.
  public static func decode(_ bytes: [UInt8]) throws -> TrainedModel {
    try JSONDecoder().decode(TrainedModel.self, from: Data(bytes))
  }
}

/// Settings for training.
///
/// Defaults: minimum support of 2 orders (absolute) or 1 % (whichever the caller picks; default
/// `.absolute(2)`), the bundle designer's defaults with 200 bundles, 20 neighbours per item, and
/// mining's default memory budget (``MiningOptions/defaultMemoryBudget``).
public struct TrainingOptions: Sendable, Hashable {
  /// Minimum support of a bundle's items bought together.
  public var minSupport: SupportThreshold
  /// Bundle design settings.
  public var bundles: BundleOptions
  /// Complements kept per item.
  public var neighborsPerItem: Int
  /// Bytes frequent-itemset mining may allocate (``MiningOptions/memoryBudget``); nil for the default.
  public var memoryBudget: Int?

  /// Creates options with the documented defaults.
  /// - Parameters:
  ///   - minSupport: minimum support of a bundle's items bought together.
  ///   - bundles: bundle design settings.
  ///   - neighborsPerItem: complements kept per item.
  ///   - memoryBudget: bytes mining may allocate, or nil (the default) for mining's default budget.
  public init(
    minSupport: SupportThreshold = .absolute(2), bundles: BundleOptions = BundleOptions(count: 200, minLift: 1.0),
    neighborsPerItem: Int = 20, memoryBudget: Int? = nil
  ) {
    self.minSupport = minSupport
    self.bundles = bundles
    self.neighborsPerItem = neighborsPerItem
    self.memoryBudget = memoryBudget
  }
}

/// Trains the serving model from orders: FP-Growth + ``BundleDesigner`` for bundles, and
/// co-occurrence counts for neighbours.
public enum ModelTrainer {
  /// Trains a model.
  /// - Parameters:
  ///   - dataset: the orders and catalog.
  ///   - source: a label for the model's provenance.
  ///   - options: settings.
  ///   - now: Unix seconds to stamp.
  /// - Throws: mining errors (including ``MiningError`` code `memoryBudgetExceeded`) or bundle errors.
  /// - Complexity: that of FP-Growth plus bundle design, plus O(Σ basket size²) for co-occurrence.
  public static func train(
    dataset: Dataset, source: String, options: TrainingOptions = TrainingOptions(), now: Int64
  ) throws -> TrainedModel {
    let transactions = dataset.transactions()
    var bundles: [ServedBundle] = []
    if transactions.count > 0 {
      let mining = MiningOptions(
        minSupport: options.minSupport, maxLength: options.bundles.maxSize, memoryBudget: options.memoryBudget)
      let itemsets = try FPGrowth.mine(transactions, options: mining)
      let designer = try BundleDesigner(
        dataset: dataset, transactions: transactions, itemsets: itemsets, options: options.bundles)
      bundles = designer.design().bundles.map(ServedBundle.init)
    }
    var cooccurrence = CooccurrenceModel()
    for t in 0..<transactions.count {
      cooccurrence.add(basket: transactions[t].map { dataset.catalog.externalID($0) })
    }
    var neighbors: [String: [Neighbor]] = [:]
    for index in 0..<cooccurrence.items.count {
      let item = cooccurrence.items[Int32(index)]
      let top = cooccurrence.complements(of: item, k: options.neighborsPerItem)
      if !top.isEmpty { neighbors[item] = top }
    }
    return TrainedModel(
      trainedAt: now, source: source, orders: transactions.count, itemCount: dataset.catalog.count, bundles: bundles,
      neighbors: neighbors)
  }
}
