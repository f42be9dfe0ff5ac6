import BasketryCore
import BasketryIngest
import BasketryMining
import BasketryTesting
import Foundation
import Testing

@testable import BasketryBundles

@Suite struct BundleDesignerTests {
  /// A small shop: tea pots sell with cups; two colours of one pot sell together (variants);
  /// a hidden item sells with cups; noise orders everywhere.
  func shop(seed: UInt64 = 7) -> Dataset {
    var catalog = Catalog()
    func add(_ id: String, _ title: String, _ price: Double, cost: Double? = nil, hidden: Bool = false) -> Int32 {
      let item = catalog.intern(id)
      catalog[item] = ItemAttributes(title: title, price: price, cost: cost, hidden: hidden)
      return item
    }
    let pot = add("P1", "TEA POT RED", 20, cost: 10)
    let potBlue = add("P2", "TEA POT BLUE", 20, cost: 10)
    let cups = add("C1", "SET OF 4 TEA CUPS", 10, cost: 5)
    let spoon = add("S1", "HONEY SPOON", 3)
    let hidden = add("H1", "OLD TEA TOWEL", 4, hidden: true)
    var noise: [Int32] = []
    for i in 0..<30 { noise.append(add("N\(i)", "THING NUMBER \(i) ITEM", 5)) }

    var baskets = Baskets()
    var rng = SplitMix64(seed: seed)
    var orderNumber = 0
    func order(_ items: [Int32]) {
      var all = items
      for item in noise where rng.nextUnit() < 0.05 { all.append(item) }
      orderNumber += 1
      baskets.append(orderID: "o\(orderNumber)", items: Array(Set(all)).sorted())
    }
    for _ in 0..<120 { order([pot, cups]) }
    for _ in 0..<60 { order([pot]) }
    for _ in 0..<60 { order([cups]) }
    for _ in 0..<40 { order([pot, cups, spoon]) }
    for _ in 0..<20 { order([spoon]) }
    for _ in 0..<50 { order([pot, potBlue]) }
    for _ in 0..<40 { order([hidden, cups]) }
    for _ in 0..<300 { order([]) }
    return Dataset(catalog: catalog, baskets: baskets)
  }

  func design(
    _ dataset: Dataset, options: BundleOptions = BundleOptions()
  ) throws -> (
    [ProductBundle], BundleDesignReport
  ) {
    let transactions = dataset.transactions()
    let itemsets = try FPGrowth.mine(
      transactions, options: MiningOptions(minSupport: .absolute(20), maxLength: options.maxSize))
    let designer = try BundleDesigner(
      dataset: dataset, transactions: transactions, itemsets: itemsets, options: options)
    return designer.design()
  }

  @Test func findsComplementsAndSkipsVariantsAndHiddenItems() throws {
    let dataset = shop()
    let (bundles, report) = try design(dataset)
    let sets = bundles.map { Set($0.items.map(\.id)) }
    #expect(sets.contains(["P1", "C1"]) || sets.contains(["P1", "C1", "S1"]))
    #expect(!sets.contains { $0.isSuperset(of: ["P1", "P2"]) })
    #expect(!sets.contains { $0.contains("H1") })
    #expect(report.droppedVariants >= 1)
    #expect(report.droppedUnavailable >= 1)
    #expect(bundles.map(\.rank) == Array(1...bundles.count))
  }

  @Test func everyPriceKeepsTheMarginFloorAndTheEvidenceIsConsistent() throws {
    let dataset = shop()
    for floor in [0.0, 0.2, 0.4] {
      let options = BundleOptions(count: 50, maxDiscount: 0.5, marginFloor: floor, completionElasticity: 12)
      let (bundles, _) = try design(dataset, options: options)
      for bundle in bundles {
        let cost = bundle.items.reduce(0) { $0 + $1.cost }
        #expect((bundle.bundlePrice - cost) / bundle.bundlePrice >= floor - 1e-9)
        #expect(bundle.bundlePrice <= bundle.listPrice)
        #expect(bundle.discount <= 0.5 + 1e-9)
        #expect(bundle.expectedIncrementalProfit > 0)
        #expect(bundle.evidence.ordersTogether >= 20)
        #expect(bundle.explanation.contains("bought together in \(bundle.evidence.ordersTogether) of"))
      }
    }
  }

  @Test func pairEvidenceMatchesCounts() throws {
    let dataset = shop()
    let (bundles, _) = try design(dataset, options: BundleOptions(maxSize: 2))
    let pair = try #require(bundles.first { Set($0.items.map(\.id)) == ["P1", "C1"] })
    let transactions = dataset.transactions()
    var together = 0
    var either = 0
    var pot = 0
    var cups = 0
    for t in 0..<transactions.count {
      let items = Set(transactions[t].map { dataset.catalog.externalID($0) })
      let hasPot = items.contains("P1")
      let hasCups = items.contains("C1")
      if hasPot && hasCups { together += 1 }
      if hasPot || hasCups { either += 1 }
      if hasPot { pot += 1 }
      if hasCups { cups += 1 }
    }
    #expect(pair.evidence.ordersTogether == together)
    #expect(pair.evidence.ordersPartial == either - together)
    let lift = Double(together) * Double(transactions.count) / (Double(pot) * Double(cups))
    #expect(abs(pair.evidence.lift - lift) < 1e-9)
  }

  @Test func shippedSampleGivesSensibleBundles() throws {
    let path = TestSupport.repositoryRoot + "/Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"
    var ingest = IngestOptions(format: .onlineRetail)
    ingest.cleaning = CleaningOptions.default(for: .onlineRetail)
    let dataset = try Ingest.load([path], options: ingest).dataset
    let options = BundleOptions(count: 200, marginFloor: 0.2)
    let transactions = dataset.transactions()
    let itemsets = try FPGrowth.mine(transactions, options: MiningOptions(minSupport: .relative(0.01), maxLength: 4))
    let (bundles, _) = try BundleDesigner(
      dataset: dataset, transactions: transactions, itemsets: itemsets, options: options
    ).design()
    #expect(bundles.count >= 20)
    let detector = VariantDetector(catalog: dataset.catalog)
    for bundle in bundles {
      let cost = bundle.items.reduce(0) { $0 + $1.cost }
      #expect((bundle.bundlePrice - cost) / bundle.bundlePrice >= 0.2 - 1e-9)
      #expect(!detector.containsVariants(bundle.items.map(\.item)))
      for item in bundle.items {
        #expect(item.id.first?.isNumber == true, "non-product code \(item.id) in a bundle")
        #expect(item.price > 0)
      }
    }
  }
}

@Suite struct BundleDesignReportTests {
  @Test func noBundleReasonNamesEveryDropAndTheMostCommonFix() {
    var report = BundleDesignReport()
    #expect(report.noBundleReason == "no frequent itemset of a bundle's size: lower --min-support")
    report.candidates = 20
    report.droppedUnpriced = 17
    report.droppedWeak = 3
    let reason = report.noBundleReason ?? ""
    #expect(reason.hasPrefix("of 20 candidate itemsets, 17 had an item without a price, 3 had an item not associated"))
    #expect(
      reason.hasSuffix("Most often: give prices (a price column, or --catalog with item,title,category,price,cost)."))
  }
}
