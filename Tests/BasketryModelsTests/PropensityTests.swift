import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("Propensity")
struct PropensityTests {
  // MARK: - Network

  @Test(arguments: [[3, 1], [3, 5, 4, 1]])
  func gradientMatchesFiniteDifferences(layerSizes: [Int]) {
    var rng = SplitMix64(seed: 9)
    let network = MultilayerPerceptron(layerSizes: layerSizes, seed: 4)
    let rows = 6
    let inputs = (0..<(rows * 3)).map { _ in Float(rng.nextGaussian()) }
    let labels: [Float] = [1, 0, 1, 1, 0, 0]
    let l2: Float = 0.05
    let (_, gradient) = network.lossAndGradient(inputs: inputs[...], labels: labels[...], l2: l2)
    let h: Float = 1e-3
    for k in network.parameters.indices {
      var plus = network
      plus.parameters[k] += h
      var minus = network
      minus.parameters[k] -= h
      let numeric =
        (plus.lossAndGradient(inputs: inputs[...], labels: labels[...], l2: l2).loss
          - minus.lossAndGradient(inputs: inputs[...], labels: labels[...], l2: l2).loss) / Double(2 * h)
      // ReLU kinks make a few coordinates non-differentiable; the tolerance covers smooth ones tightly.
      #expect(
        abs(numeric - Double(gradient[k])) <= 1e-4 + 1e-2 * abs(numeric),
        "parameter \(k): analytic \(gradient[k]), numeric \(numeric)")
    }
  }

  static func xor(rows: Int, seed: UInt64) -> (inputs: [Float], labels: [Float]) {
    var rng = SplitMix64(seed: seed)
    var inputs: [Float] = []
    var labels: [Float] = []
    for _ in 0..<rows {
      let a = Float(rng.nextUnit() * 2 - 1)
      let b = Float(rng.nextUnit() * 2 - 1)
      inputs += [a, b]
      labels.append(a * b > 0 ? 1 : 0)
    }
    return (inputs, labels)
  }

  @Test func multilayerPerceptronLearnsXOR() {
    let train = Self.xor(rows: 2000, seed: 1)
    let test = Self.xor(rows: 500, seed: 2)
    var mlp = MultilayerPerceptron(layerSizes: [2, 32, 16, 1], seed: 3)
    mlp.train(inputs: train.inputs, labels: train.labels, options: .init(epochs: 30))
    var logistic = MultilayerPerceptron(layerSizes: [2, 1], seed: 3)
    logistic.train(inputs: train.inputs, labels: train.labels, options: .init(epochs: 30))
    let truth = test.labels.map { $0 == 1 }
    let mlpAUC = testAUC(mlp.predict(test.inputs).map(Double.init), truth)
    let logisticAUC = testAUC(logistic.predict(test.inputs).map(Double.init), truth)
    let accuracy = zip(mlp.predict(test.inputs), truth).filter { ($0 >= 0.5) == $1 }.count
    #expect(mlpAUC > 0.97, "MLP AUC \(mlpAUC)")
    #expect(Double(accuracy) / 500 > 0.9)
    #expect(logisticAUC < 0.7, "logistic AUC \(logisticAUC)")
  }

  @Test func trainingIsDeterministic() {
    let data = Self.xor(rows: 300, seed: 5)
    var a = MultilayerPerceptron(layerSizes: [2, 8, 1], seed: 1)
    var b = MultilayerPerceptron(layerSizes: [2, 8, 1], seed: 1)
    a.train(inputs: data.inputs, labels: data.labels, options: .init(epochs: 3))
    b.train(inputs: data.inputs, labels: data.labels, options: .init(epochs: 3))
    #expect(a.parameters == b.parameters)
  }

  // MARK: - Features

  static func dataset() -> Dataset {
    var dataset = Dataset()
    let alice = dataset.users.intern("alice")
    let bob = dataset.users.intern("bob")
    let carol = dataset.users.intern("carol")
    let tea = dataset.catalog.intern("tea")
    let mug = dataset.catalog.intern("mug")
    let day: Int64 = 86_400
    // Alice: two orders before the cut (days 0 and 10), buys again on day 25.
    dataset.baskets.append(
      orderID: "1", user: alice, timestamp: 0,
      lines: [(item: tea, quantity: 2.0, unitPrice: 3.0), (item: mug, quantity: 1.0, unitPrice: 4.0)])
    dataset.baskets.append(
      orderID: "2", user: alice, timestamp: 10 * day, lines: [(item: tea, quantity: 1.0, unitPrice: 3.0)])
    dataset.baskets.append(
      orderID: "3", user: alice, timestamp: 25 * day, lines: [(item: tea, quantity: 1.0, unitPrice: 3.0)])
    // Bob: one order on day 5, nothing after.
    dataset.baskets.append(
      orderID: "4", user: bob, timestamp: 5 * day, lines: [(item: mug, quantity: 3.0, unitPrice: 4.0)])
    // Carol only buys after the cut: no feature row.
    dataset.baskets.append(
      orderID: "5", user: carol, timestamp: 21 * day, lines: [(item: mug, quantity: 1.0, unitPrice: 4.0)])
    return dataset
  }

  @Test func featuresByHand() throws {
    let day: Int64 = 86_400
    let features = PropensityFeatures.build(from: Self.dataset(), cutoff: 20 * day, horizon: 30 * day)
    #expect(features.users == [0, 1])
    #expect(features.labels == [true, false])
    let n = PropensityFeatures.featureCount
    let alice = Array(features.values[0..<n])
    let bob = Array(features.values[n..<(2 * n)])
    func column(_ name: String) throws -> Int { try #require(PropensityFeatures.names.firstIndex(of: name)) }
    let close: (Float, Double) -> Bool = { abs(Double($0) - $1) < 1e-5 }
    #expect(close(alice[try column("recency_days")], log1p(10)))
    #expect(close(alice[try column("frequency")], log1p(2)))
    #expect(close(alice[try column("monetary")], log1p(13)))
    #expect(close(alice[try column("mean_order_value")], log1p(6.5)))
    #expect(close(alice[try column("mean_basket_size")], log1p(1.5)))
    #expect(close(alice[try column("max_basket_size")], log1p(2)))
    #expect(close(alice[try column("tenure_days")], log1p(20)))
    #expect(close(alice[try column("mean_interpurchase_days")], log1p(10)))
    #expect(close(alice[try column("orders_last_30_days")], log1p(2)))
    #expect(close(alice[try column("distinct_items")], log1p(2)))
    // Spend shares: tea 9/13, mug 4/13.
    let shares = [9.0 / 13, 4.0 / 13]
    #expect(close(alice[try column("category_entropy")], -shares.reduce(0) { $0 + $1 * log($1) }))
    #expect(close(alice[try column("top_category_share")], 9.0 / 13))
    #expect(close(bob[try column("mean_interpurchase_days")], log1p(15)))
    #expect(close(bob[try column("category_entropy")], 0))
  }

  @Test func scalerStandardises() {
    let scaler = FeatureScaler(fitting: [1, 10, 3, 10, 5, 10], columns: 2)
    #expect(scaler.means == [3, 10])
    #expect(abs(scaler.deviations[0] - (8.0 / 3).squareRoot()) < 1e-6)
    #expect(scaler.deviations[1] == 1)
    #expect(scaler.transform([3, 10]) == [0, 0])
  }

  // MARK: - Model

  /// Synthetic features where the label is an interaction the linear model cannot express.
  static func synthetic(rows: Int, seed: UInt64) -> PropensityFeatures {
    var rng = SplitMix64(seed: seed)
    let n = PropensityFeatures.featureCount
    var values: [Float] = []
    var labels: [Bool] = []
    for _ in 0..<rows {
      let row = (0..<n).map { _ in Float(rng.nextGaussian()) }
      values += row
      labels.append(row[0] * row[1] > 0)
    }
    return PropensityFeatures(users: (0..<rows).map { Int32($0) }, values: values, labels: labels)
  }

  @Test func modelBeatsLogisticOnInteractionAndRoundTrips() throws {
    let train = Self.synthetic(rows: 3000, seed: 1)
    let test = Self.synthetic(rows: 600, seed: 2)
    var mlp = PropensityModel(configuration: .init(training: .init(epochs: 20)))
    try mlp.fit(train)
    var logistic = PropensityModel(configuration: .init(kind: .logisticRegression, training: .init(epochs: 20)))
    try logistic.fit(train)
    let mlpAUC = testAUC(try mlp.predict(test).map(Double.init), test.labels)
    let logisticAUC = testAUC(try logistic.predict(test).map(Double.init), test.labels)
    #expect(mlpAUC > 0.9 && logisticAUC < 0.65, "MLP \(mlpAUC), logistic \(logisticAUC)")
    #expect(testLogLoss(try mlp.predict(test).map(Double.init), test.labels) < log(2))

    let directory = try TestSupport.temporaryDirectory("propensity")
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("model.bin")
    try mlp.save(to: url)
    let loaded = try PropensityModel.load(from: url)
    #expect(loaded == mlp)
    #expect(try loaded.predict(test) == mlp.predict(test))
  }

  @Test func errors() throws {
    #expect(throws: ModelError.self) { try PropensityModel().predict(Self.synthetic(rows: 2, seed: 1)) }
    var model = PropensityModel()
    var oneClass = Self.synthetic(rows: 10, seed: 1)
    oneClass.labels = oneClass.labels.map { _ in true }
    #expect(throws: ModelError.self) { try model.fit(oneClass) }
    #expect(throws: ModelError.self) { try model.fit(PropensityFeatures(users: [], values: [], labels: [])) }
  }

  @Test func metricsHelpers() {
    #expect(testAUC([0.1, 0.4, 0.35, 0.8], [false, false, true, true]) == 0.75)
    #expect(testAUC([0.5, 0.5], [false, true]) == 0.5)
    #expect(abs(testLogLoss([0.5, 0.5], [true, false]) - log(2)) < 1e-12)
  }
}

/// Propensity on Online Retail (opt-in): features at 2011-06-09 with labels over the next 92 days train the
/// models; features at 2011-09-09 with labels over 2011-09-09 … 2011-12-09 (the data's end) test them.
@Suite("PropensityRetail", .serialized, .enabled(if: TestSupport.slowTestsEnabled && RetailOrders.isAvailable))
struct PropensityRetailTests {
  @Test func mlpAndLogisticOnOnlineRetail() throws {
    let dataset = try RetailOrders.load()
    let day: Int64 = 86_400
    let trainCut: Int64 = 1_307_577_600  // 2011-06-09 00:00 UTC
    let testCut: Int64 = 1_315_526_400  // 2011-09-09 00:00 UTC
    let train = PropensityFeatures.build(from: dataset, cutoff: trainCut, horizon: 92 * day)
    let test = PropensityFeatures.build(from: dataset, cutoff: testCut, horizon: 92 * day)
    var report = String(
      format: "Propensity: train %d users (%.1f %% positive), test %d users (%.1f %% positive)\n", train.count,
      100 * Double(train.labels.filter { $0 }.count) / Double(train.count), test.count,
      100 * Double(test.labels.filter { $0 }.count) / Double(test.count))
    var aucs: [String: Double] = [:]
    let settings: [(String, PropensityModel.Configuration)] = [
      ("mlp 32-16-1, 10 epochs", .init()),
      ("logistic, 10 epochs", .init(kind: .logisticRegression)),
      ("logistic, 100 epochs", .init(kind: .logisticRegression, training: .init(epochs: 100))),
    ]
    for (label, configuration) in settings {
      var model = PropensityModel(configuration: configuration)
      let seconds = try measureSeconds { try model.fit(train) }
      let predictions = try model.predict(test).map(Double.init)
      let auc = testAUC(predictions, test.labels)
      let loss = testLogLoss(predictions, test.labels)
      aucs[label] = auc
      report += String(format: "  %@: AUC %.4f, log loss %.4f, fit %.2f s\n", label, auc, loss, seconds)
    }
    // A base-rate predictor's log loss, for scale.
    let rate = Double(train.labels.filter { $0 }.count) / Double(train.count)
    report += String(
      format: "  base rate %.3f: log loss %.4f", rate, testLogLoss(test.labels.map { _ in rate }, test.labels))
    print(report)
    #expect((aucs["mlp 32-16-1, 10 epochs"] ?? 0) > 0.7)
    #expect((aucs["logistic, 10 epochs"] ?? 0) > 0.7)
  }
}
