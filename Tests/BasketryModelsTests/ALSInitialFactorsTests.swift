import BasketryModels
import BasketryTesting
import Testing

@Suite("ImplicitALS initial item factors")
struct ALSInitialFactorsTests {
  @Test func informativeStartBeatsRandomStartAfterOneSweep() throws {
    let data = PlantedData()
    let items = data.train.itemCount
    let configuration = ImplicitALS.Configuration(factors: 8, regularization: 0.1, iterations: 1, threads: 1)
    // A "title" prior: each item's factor row marks its group, as similar titles would.
    var prior = [Float](repeating: 0, count: items * configuration.factors)
    for item in 0..<items {
      let group = min(item / data.itemsPerGroup, configuration.factors - 1)
      prior[item * configuration.factors + group] = 1
    }
    var informed = ImplicitALS(configuration: configuration)
    informed.initialItemFactors = prior
    try informed.fit(data.train)
    var random = ImplicitALS(configuration: configuration)
    try random.fit(data.train)
    #expect(try data.meanAUC(informed) > data.meanAUC(random))
  }

  @Test func wrongSizeIsRejected() {
    var model = ImplicitALS(configuration: .init(factors: 4, iterations: 1))
    model.initialItemFactors = [1, 2, 3]
    #expect(throws: ModelError.self) { try model.fit(PlantedData().train) }
  }
}
