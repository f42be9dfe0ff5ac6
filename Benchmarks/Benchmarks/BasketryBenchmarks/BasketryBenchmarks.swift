import BasketryCore
import BasketryIngest
import BasketryMining
import Benchmark
import Foundation

/// Shared data: ../shared/data beside the repository, or BASKETRY_SHARED_DATA.
private let sharedData: String = {
  if let path = ProcessInfo.processInfo.environment["BASKETRY_SHARED_DATA"] { return path }
  return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/data").path
}()

private func load(_ relative: String, _ format: InputFormat) -> Dataset? {
  var options = IngestOptions(format: format)
  options.cleaning = CleaningOptions.default(for: format)
  return try? Ingest.load([sharedData + "/" + relative], options: options).dataset
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(10),
    maxIterations: 20)

  Benchmark("ingest: Online Retail, 541,909 rows") { benchmark in
    for _ in benchmark.scaledIterations {
      blackHole(load("online-retail/online_retail.csv.gz", .onlineRetail))
    }
  }

  let retail = load("fimi-retail/retail.dat", .baskets)?.transactions()
  let groceries = load("groceries/groceries.csv", .baskets)?.transactions()

  for (name, transactions, support) in [
    ("groceries @0.1%", groceries, 0.001), ("retail.dat @0.1%", retail, 0.001), ("retail.dat @0.01%", retail, 0.0001),
  ] {
    guard let transactions else { continue }
    Benchmark("fpgrowth: \(name)") { benchmark in
      for _ in benchmark.scaledIterations {
        blackHole(try FPGrowth.mine(transactions, options: MiningOptions(minSupport: .relative(support))))
      }
    }
  }
}
