import ArgumentParser
import BasketryCore
import BasketryCustomers
import BasketryIngest
import Foundation

/// `basketry bench`: in-process timings for side-by-side comparisons with reference tools.
struct BenchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time Basketry's own steps in-process (release builds only), for side-by-side benchmarks.",
    discussion: """
      Prints machine-readable lines `name seconds=… rows=… rows_per_second=…` (median of --repeat
      runs). Benchmarks/ingest/compare.py runs it beside pandas in the same run.
      """,
    subcommands: [Ingest.self, Customers.self])

  struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "CSV parse-only pass (tokenise + numeric conversion) and full ingest (parse + clean + build).")

    @Argument(help: ArgumentHelp("A CSV file (plain or gzip).", valueName: "file"))
    var path: String

    @Option(help: ArgumentHelp("Input format for the full ingest.", valueName: "format"))
    var format: InputFormat = .onlineRetail

    @Option(
      name: .customLong("repeat"), help: ArgumentHelp("Runs per measurement; the median is printed.", valueName: "n"))
    var repetitions: Int = 3

    func validate() throws {
      if repetitions < 1 { throw ValidationError("--repeat must be at least 1.") }
    }

    func run() async throws {
      try await reportingErrors {
        var parse: [Double] = []
        var full: [Double] = []
        var rows = 0
        var fullRows = 0
        for _ in 0..<repetitions {
          let start = DispatchTime.now().uptimeNanoseconds
          let result = try ParseBenchmark.parseOnly(path: path)
          parse.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
          rows = result.rows - 1
          let fullStart = DispatchTime.now().uptimeNanoseconds
          let loaded = try BasketryIngest.Ingest.load([path], options: IngestOptions(format: format))
          full.append(Double(DispatchTime.now().uptimeNanoseconds - fullStart) / 1e9)
          fullRows = loaded.report.rowsRead
        }
        func line(_ name: String, _ times: [Double], _ rows: Int) -> String {
          let median = times.sorted()[times.count / 2]
          return
            "\(name) seconds=\(String(format: "%.4f", median)) rows=\(rows) rows_per_second=\(Int(Double(rows) / median))"
        }
        print(line("parse", parse, rows))
        print(line("ingest", full, fullRows))
      }
    }
  }

  struct Customers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "BG/NBD fit time on customers simulated from known parameters (ages in whole days).",
      discussion: """
        Simulates --customers customers from BG/NBD(r 0.74, alpha 61.5 days, a 0.8, b 2.4) aged 1–365 days
        (recency in whole days, as daily data records it), then prints `simulate` and `fit` lines with the
        median seconds of --repeat fits and the fitted parameters.
        """)

    @Option(help: ArgumentHelp("Simulated customers.", valueName: "n"))
    var customers = 1_000_000

    @Option(help: ArgumentHelp("Simulation seed.", valueName: "seed"))
    var seed: UInt64 = 14

    @Option(
      name: .customLong("repeat"), help: ArgumentHelp("Runs per measurement; the median is printed.", valueName: "n"))
    var repetitions: Int = 3

    func validate() throws {
      if repetitions < 1 { throw ValidationError("--repeat must be at least 1.") }
      if customers < 1 { throw ValidationError("--customers must be at least 1.") }
    }

    func run() async throws {
      try await reportingErrors {
        let truth = BetaGeoModel(parameters: .init(r: 0.74, alpha: 61.5, a: 0.8, b: 2.4))
        var start = Date()
        let rows = truth.simulate(customers: customers, maximumAge: 365, wholePeriods: true, seed: seed)
        print(String(format: "simulate seconds=%.3f rows=%d", Date().timeIntervalSince(start), rows.count))
        var times: [Double] = []
        var fitted = truth
        for _ in 0..<repetitions {
          start = Date()
          fitted = try BetaGeoModel.fit(rows)
          times.append(Date().timeIntervalSince(start))
        }
        let p = fitted.parameters
        print(
          String(
            format: "fit seconds=%.3f rows=%d r=%.4f alpha=%.3f a=%.4f b=%.4f", times.sorted()[times.count / 2],
            rows.count, p.r, p.alpha, p.a, p.b))
      }
    }
  }
}
