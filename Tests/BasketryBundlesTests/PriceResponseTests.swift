import BasketryCore
import Foundation
import Testing

@testable import BasketryBundles

@Suite struct PriceResponseTests {
  /// Orders over 40 weeks; each week every item's price varies ±15 % and its purchase incidence follows
  /// rate = base · (price / list)^elasticity.
  func market(elasticities: [Double], varying: [Bool], seed: UInt64) -> Dataset {
    var catalog = Catalog()
    for i in elasticities.indices {
      let id = catalog.intern("I\(i)")
      catalog[id] = ItemAttributes(title: "item \(i)", categoryPath: ["c"], price: 5)
    }
    var rng = SplitMix64(seed: seed)
    var baskets = Baskets()
    var order = 0
    for week in 0..<40 {
      let ratios = elasticities.indices.map { varying[$0] ? exp(0.15 * (2 * rng.nextUnit() - 1)) : 1.0 }
      for _ in 0..<1500 {
        var lines: [(item: Int32, quantity: Double, unitPrice: Double)] = [(Int32(elasticities.count), 1, 1)]
        for (i, e) in elasticities.enumerated() where rng.nextUnit() < 0.1 * pow(ratios[i], e) {
          lines.append((Int32(i), 1, 5 * ratios[i]))
        }
        order += 1
        baskets.append(orderID: "o\(order)", timestamp: Int64(week) * 604_800, lines: lines)
      }
    }
    let filler = catalog.intern("FILL")
    catalog[filler] = ItemAttributes(title: "filler", price: 1)
    return Dataset(catalog: catalog, baskets: baskets)
  }

  @Test func recoversPlantedElasticities() {
    let planted = [-1.0, -2.0, -3.0, -1.5, -2.5]
    let dataset = market(elasticities: planted, varying: [Bool](repeating: true, count: 5), seed: 11)
    let model = PriceResponseEstimator.estimate(baskets: dataset.baskets, catalog: dataset.catalog)
    for (i, e) in planted.enumerated() {
      let response = model.items[i]
      #expect(response.source == .item)
      let raw = response.rawElasticity ?? 0
      #expect(abs(raw - e) < 3 * (response.rawStandardError ?? 0) + 0.05, "item \(i): \(raw) vs \(e)")
      #expect((response.rawStandardError ?? 1) < 0.3)
    }
  }

  @Test func itemsWithoutVariationFallBackWithWiderUncertainty() {
    let dataset = market(elasticities: [-2, -2, -2, -2], varying: [true, true, true, false], seed: 5)
    let model = PriceResponseEstimator.estimate(baskets: dataset.baskets, catalog: dataset.catalog)
    let fixed = model.items[3]
    #expect(fixed.source == .category)
    #expect(fixed.rawElasticity == nil)
    #expect(abs(fixed.elasticity + 2) < 0.5)
    #expect(fixed.standardError > model.items[0].standardError)
    let none = PriceResponseEstimator.estimate(points: [[]], categories: [nil])
    #expect(none.items[0].source == .prior && none.items[0].elasticity == -1.5)
  }
}
