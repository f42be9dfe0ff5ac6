import BasketryModels
import BasketryTesting
import Foundation
import Testing

/// Side-by-side numbers on the Online Retail next-month split (opt-in; prints a report).
///
/// Run `OPENBLAS_NUM_THREADS=1 python3 Benchmarks/als/run_implicit.py` first, then
/// `BASKETRY_SLOW_TESTS=1 swift test -c release --filter LearnedModelsBenchmark`.
@Suite("LearnedModelsBenchmark", .serialized, .enabled(if: TestSupport.slowTestsEnabled && RetailSplit.isAvailable))
struct LearnedModelsBenchmarkTests {
  struct ImplicitNumbers {
    var fitSeconds: Double
    var all: [String: Double]
    var new: [String: Double]
  }

  static func implicitResults() -> [String: ImplicitNumbers] {
    let file = ProcessInfo.processInfo.environment["BASKETRY_IMPLICIT_RESULTS"] ?? "implicit_results.json"
    let url = RetailSplit.directory.appendingPathComponent(file)
    guard let data = try? Data(contentsOf: url),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let configs = json["configs"] as? [String: [String: Any]]
    else { return [:] }
    var result: [String: ImplicitNumbers] = [:]
    for (name, entry) in configs {
      result[name] = ImplicitNumbers(
        fitSeconds: entry["fit_seconds_median"] as? Double ?? .nan,
        all: entry["all"] as? [String: Double] ?? [:], new: entry["new"] as? [String: Double] ?? [:])
    }
    return result
  }

  static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

  /// `key=value,key=value` from an environment variable.
  static func environmentOptions(_ variable: String) -> [String: String] {
    var options: [String: String] = [:]
    for pair in (ProcessInfo.processInfo.environment[variable] ?? "").split(separator: ",") {
      let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
      if parts.count == 2 { options[parts[0]] = parts[1] }
    }
    return options
  }

  static var alsConfigs: [String] {
    (ProcessInfo.processInfo.environment["BASKETRY_ALS_CONFIGS"] ?? "binary,log5,linear1")
      .split(separator: ",").map(String.init)
  }

  @Test(arguments: alsConfigs)
  func alsMatchesImplicit(config: String) throws {
    let split = try RetailSplit.load()
    let train: InteractionMatrix
    var configuration = ImplicitALS.Configuration(
      factors: 64, regularization: 0.01, iterations: 15, seed: 42,
      threads: Int(ProcessInfo.processInfo.environment["BASKETRY_ALS_THREADS"] ?? "") ?? 2)
    switch config {
    case "binary":
      train = split.train(mapping: { _ in 1 })
    case "log5":
      train = split.train
      configuration.confidence = .logarithmic(alpha: 5, epsilon: 1)
    default:
      train = split.train
    }
    var model = ImplicitALS(configuration: configuration)
    var times: [Double] = []
    let repeats = Int(ProcessInfo.processInfo.environment["BASKETRY_BENCH_REPEATS"] ?? "") ?? 3
    for _ in 0..<max(1, repeats) {
      var fresh = ImplicitALS(configuration: configuration)
      times.append(try measureSeconds { try fresh.fit(train) })
      model = fresh
    }
    let all = try split.evaluate(model, newItemsOnly: false)
    let new = try split.evaluate(model, newItemsOnly: true)
    var cholesky = configuration
    cholesky.solver = .cholesky
    var exact = ImplicitALS(configuration: cholesky)
    let choleskySeconds = try measureSeconds { try exact.fit(train) }
    let exactAll = try split.evaluate(exact, newItemsOnly: false)
    // Recommend latency: one user, full catalog, k = 20.
    let users = split.targets.keys.sorted()
    var latencies: [Double] = []
    var scoreLatencies: [Double] = []
    for user in users { scoreLatencies.append(try measureSeconds { _ = try model.scores(user: user) }) }
    for user in users {
      let seen = train.matrix.row(Int(user)).columns
      latencies.append(try measureSeconds { _ = try model.recommend(user: user, k: 20, seen: seen) })
    }
    let reference = Self.implicitResults()[config]
    var report =
      "ALS[\(config)] basketry fit \(String(format: "%.3f", Self.median(times))) s (median of \(times.count), \(configuration.threads) threads)"
    report += "; all: \(all); new: \(new)\n"
    report += "  cholesky fit \(String(format: "%.3f", choleskySeconds)) s; all: \(exactAll)\n"
    report += String(
      format: "  recommend latency (k 20, %d items): median %.1f µs, p99 %.1f µs (scores alone: median %.1f µs)\n",
      train.itemCount, Self.median(latencies) * 1e6, latencies.sorted()[latencies.count * 99 / 100] * 1e6,
      Self.median(scoreLatencies) * 1e6)
    if let reference {
      report += String(
        format: "  implicit fit %.3f s; all R@20 %.4f (capped %.4f) N@20 %.4f; new R@20 %.4f N@20 %.4f\n",
        reference.fitSeconds, reference.all["recall@20"] ?? .nan, reference.all["recall@20_capped"] ?? .nan,
        reference.all["ndcg@20"] ?? .nan, reference.new["recall@20"] ?? .nan, reference.new["ndcg@20"] ?? .nan)
      let ratio = Self.median(times) / reference.fitSeconds
      let relativeAll = all.recall / (reference.all["recall@20"] ?? .nan) - 1
      let relativeNew = new.recall / (reference.new["recall@20"] ?? .nan) - 1
      report += String(
        format: "  ratio fit basketry/implicit %.2f; R@20 relative diff all %+.1f %%, new %+.1f %%", ratio,
        relativeAll * 100, relativeNew * 100)
      #expect(abs(relativeAll) < 0.05)
      #expect(abs(relativeNew) < 0.05)
    }
    print(report)
  }

  @Test func bprOnRetail() throws {
    let split = try RetailSplit.load()
    // Extra options, e.g. BASKETRY_BPR_OPTIONS="lr=0.01,epochs=200".
    var model = try BPR(options: Self.environmentOptions("BASKETRY_BPR_OPTIONS"))
    let seconds = try measureSeconds { try model.fit(split.train) }
    let all = try split.evaluate(model, newItemsOnly: false)
    let new = try split.evaluate(model, newItemsOnly: true)
    print(
      "BPR (\(model.configuration.factors) f, lr \(model.configuration.learningRate), reg \(model.configuration.regularization), "
        + "\(model.configuration.epochs) epochs, bias \(model.configuration.itemBias)) fit "
        + "\(String(format: "%.2f", seconds)) s; all: \(all); new: \(new)")
    #expect(new.recall > 0.03)
  }

  @Test(
    arguments: [NeuralHistoryScorer.Similarity.cosine, .dot],
    [NeuralHistoryScorer.Loss.squaredError, .binaryCrossEntropy])
  func neuralOnRetail(similarity: NeuralHistoryScorer.Similarity, loss: NeuralHistoryScorer.Loss) throws {
    let split = try RetailSplit.load()
    // Extra options, e.g. BASKETRY_NEURAL_OPTIONS="epochs=40,dimension=64".
    let options = Self.environmentOptions("BASKETRY_NEURAL_OPTIONS")
    var model = try NeuralHistoryScorer(options: options)
    model.configuration.similarity = similarity
    model.configuration.loss = loss
    let seconds = try measureSeconds { try model.fit(split.train) }
    let all = try split.evaluate(model, newItemsOnly: false)
    let new = try split.evaluate(model, newItemsOnly: true)
    print(
      "neural (\(similarity), \(loss), options \(options)) fit \(String(format: "%.2f", seconds)) s; all: \(all); new: \(new)"
    )
    #expect(new.recall > 0.03)
  }
}
