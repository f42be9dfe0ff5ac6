import ArgumentParser
import BasketryCore
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
    subcommands: [Ingest.self])

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
}
