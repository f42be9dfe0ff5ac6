import BasketryCore
import BasketryEval
import BasketryIngest
import BasketryMining
import BasketryModels
import BasketryTesting
import BasketryTraining
import Foundation
import Testing

/// A small shop: 40 users over 60 days, items 0–11 in three groups bought together, priced.
func smallShop(seed: UInt64 = 7) -> Dataset {
  var dataset = Dataset()
  let titles = [
    "Red mug", "Tea tin", "Sugar bowl", "Milk jug", "Candle", "Matches", "Lantern", "Wick trimmer", "Notebook",
    "Fountain pen", "Ink bottle", "Blotter",
  ]
  for (index, title) in titles.enumerated() {
    let id = dataset.catalog.intern("item\(index)")
    dataset.catalog[id] = ItemAttributes(title: title, price: Double(2 + index % 4), cost: 1)
  }
  var users = Interner()
  var rng = SplitMix64(seed: seed)
  let start: Int64 = 1_600_000_000
  for order in 0..<400 {
    let user = users.intern("user\(Int(rng.next() % 40))")
    let group = Int(rng.next() % 3)
    var items: [Int32] = []
    for offset in 0..<4 where rng.next() % 10 < 7 { items.append(Int32(group * 4 + offset)) }
    if items.isEmpty { items = [Int32(group * 4)] }
    let time = start + Int64(order) * 86_400 * 60 / 400
    dataset.baskets.append(
      orderID: "o\(order)", user: user, timestamp: time,
      lines: items.map { (item: $0, quantity: 1.0, unitPrice: dataset.catalog[$0].price ?? 1) })
  }
  dataset.users = users
  return dataset
}

@Suite struct TrainingPipelineTests {
  @Test func artifactRoundTripsAndServesTheSameLists() throws {
    var options = TrainingOptions(minSupport: .absolute(5), anchorItems: 5)
    options.model = "itemknn"
    let (model, report) = try TrainingPipeline.train(
      dataset: smallShop(), provenance: .files(["shop.csv"], format: "orders"), options: options, now: 1)
    #expect(report.selection == nil)
    #expect(model.metadata.recommender == "itemknn")
    #expect(model.metadata.format == ServingModel.formatVersion)
    #expect(!model.bundles.isEmpty)
    #expect(!model.anchorBundles.isEmpty)
    let bytes = try model.encoded()
    let decoded = try ServingModel.decode(bytes)
    #expect(decoded.items == model.items)
    #expect(decoded.users == model.users)
    #expect(decoded.bundles == model.bundles)
    #expect(decoded.anchorBundles == model.anchorBundles)
    #expect(decoded.metadata.provenance == .files(["shop.csv"], format: "orders"))
    for user in model.users.prefix(10) {
      let history = model.trainingHistory(of: user)
      #expect(decoded.trainingHistory(of: user) == history)
      let before = try model.recommend(history: history, k: 5, excludeSeen: false)
      let after = try decoded.recommend(history: history, k: 5, excludeSeen: false)
      #expect(before == after)
    }
  }

  @Test func truncatedOrForeignArtifactsAreRejected() throws {
    var options = TrainingOptions(minSupport: .absolute(5), anchorItems: 0)
    options.model = "pop"
    let (model, _) = try TrainingPipeline.train(
      dataset: smallShop(), provenance: .store("shop.sqlite"), options: options, now: 1)
    let bytes = try model.encoded()
    #expect(throws: ArtifactError.self) { try ServingModel.decode(Array(bytes.prefix(bytes.count / 2))) }
    #expect(throws: ArtifactError.self) { try ServingModel.decode(Array("{\"format\":1}".utf8)) }
    #expect(throws: ArtifactError.self) { try ServingModel.decode([]) }
  }

  @Test func userKeysMapRawIDs() throws {
    var options = TrainingOptions(minSupport: .absolute(5), anchorItems: 0)
    options.model = "freq"
    let (model, _) = try TrainingPipeline.train(
      dataset: smallShop(), provenance: .files([], format: "orders"), options: options, userKey: { "p_" + $0 }, now: 1)
    #expect(model.knows(user: "p_user1"))
    #expect(!model.knows(user: "user1"))
    #expect(!model.trainingHistory(of: "p_user1").isEmpty)
  }

  @Test func livePurchasesCountOncePerOrderAndItem() throws {
    var options = TrainingOptions(minSupport: .absolute(5), anchorItems: 0)
    options.model = "freq"
    let (model, _) = try TrainingPipeline.train(
      dataset: smallShop(), provenance: .files([], format: "orders"), options: options, now: 1)
    let user = model.users[0]
    let base = Dictionary(uniqueKeysWithValues: model.trainingHistory(of: user).map { ($0.item, $0.strength) })
    let live = [
      LiveInteraction(item: "item3", type: .purchase, basket: "n1", timestamp: 2_000_000_000),
      LiveInteraction(item: "item3", type: .purchase, basket: "n1", timestamp: 2_000_000_000),
      LiveInteraction(item: "item3", type: .purchase, basket: "n2", timestamp: 2_000_000_100),
      LiveInteraction(item: "item5", type: .view, basket: "n3", timestamp: 2_000_000_200),
      LiveInteraction(item: "unknown", type: .purchase, basket: "n3", timestamp: 2_000_000_200),
    ]
    let merged = Dictionary(uniqueKeysWithValues: model.history(of: user, adding: live).map { ($0.item, $0) })
    let three = try #require(model.item("item3"))
    let five = try #require(model.item("item5"))
    #expect(merged[three]?.strength == (base[three] ?? 0) + 2)
    #expect(merged[three]?.lastTime == 2_000_000_100)
    #expect(abs((merged[five]?.strength ?? 0) - ((base[five] ?? 0) + 0.1)) < 1e-6)
    // A new user's history is the live part alone; an erased one's (nil key) too.
    #expect(model.history(of: nil, adding: live).count == 2)
  }

  @Test func selectionRunsWhenNoModelIsForced() throws {
    let options = TrainingOptions(minSupport: .absolute(5), anchorItems: 0)
    let (model, report) = try TrainingPipeline.train(
      dataset: smallShop(), provenance: .files([], format: "orders"), options: options, now: 1)
    let selection = try #require(report.selection)
    #expect(model.metadata.recommender == selection.best)
    #expect(model.metadata.selection?.best == selection.best)
  }
}
