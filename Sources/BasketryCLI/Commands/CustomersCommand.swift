import ArgumentParser
import BasketryCore
import BasketryCustomers
import BasketryIngest
import Foundation

/// `basketry customers`: customer value and profiles (BG/NBD or Pareto/NBD with Gamma-Gamma), or a
/// calibration/holdout evaluation of the value model.
public struct CustomersCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "customers",
    abstract: "Customer value and profiles: P(alive), expected orders, lifetime value, segment, interests.",
    discussion: """
      Fits BG/NBD (or Pareto/NBD) and Gamma-Gamma by maximum likelihood on every customer's daily
      purchase history (frequency = repeat purchase days, recency and age in days) and writes one row
      per customer: value segment (top 10 %, high 20 %, medium 30 %, low of lifetime value among
      customers with P(alive) ≥ 0.3; dormant below), lifecycle (new ≤ 30 days; lapsed when idle over
      4 usual gaps or P(alive) < 0.3; at risk over 2 gaps or P(alive) < 0.6; else active), P(alive),
      expected orders in the horizon, 12-month lifetime value (1 % monthly discount) and top interests
      (categories, or items without categories, by spend halving every 90 days).

      --evaluate fits on the orders up to --calibration-end and compares predicted with actual
      repeat purchase days up to --holdout-end (default the last order): per-customer MAE, RMSE and
      Pearson r, BTYDplus's Σ|error| / Σ actual, and actual vs predicted totals by calibration
      frequency, always beside the naive baseline x / T × holdout days.

      Example: basketry customers --horizon 90d --output customers.csv online_retail.csv.gz
      Example: basketry customers --evaluate --calibration-end 2011-06-09 online_retail.csv.gz
      """)

  @OptionGroup var input: InputOptions

  @Option(help: ArgumentHelp("Expected orders over this horizon: days (90d or 90) or weeks (13w).", valueName: "span"))
  var horizon = "90d"

  @Option(help: ArgumentHelp("Purchase model: bgnbd or pareto-nbd.", valueName: "model"))
  var model: CustomerValueModel.Kind = .betaGeo

  @Option(help: ArgumentHelp("L2 penaliser of the purchase model (lifetimes' penalizer_coef).", valueName: "c"))
  var penalizer = 0.0

  @Option(
    help: ArgumentHelp(
      "The last day of history (YYYY-MM-DD, UTC; default the last order). With --evaluate, the calibration end.",
      valueName: "date"))
  var calibrationEnd: String?

  @Option(help: ArgumentHelp("With --evaluate: the last holdout day (default the last order).", valueName: "date"))
  var holdoutEnd: String?

  @Flag(help: "Evaluate the value model on a calibration/holdout split instead of profiling.")
  var evaluate = false

  @Option(help: ArgumentHelp("Customers printed, highest lifetime value first.", valueName: "n"))
  var top = 10

  @Option(
    help: ArgumentHelp("Write every customer (or the evaluation) to this .csv or .json file.", valueName: "file"))
  var output: String?

  @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors and warnings.")
  var quiet = false

  @Flag(name: .shortAndLong, help: "Print phase timings and extra detail on standard error.")
  var verbose = false

  public init() {}

  public func validate() throws {
    if Self.parseHorizon(horizon) == nil {
      throw ValidationError("--horizon '\(horizon)' is not a number of days (90d) or weeks (13w).")
    }
    for (name, value) in [("--calibration-end", calibrationEnd), ("--holdout-end", holdoutEnd)] {
      if let value, EvaluateCommand.parseDate(value) == nil {
        throw ValidationError("\(name) '\(value)' is not a YYYY-MM-DD date.")
      }
    }
    if evaluate && calibrationEnd == nil { throw ValidationError("--evaluate needs --calibration-end.") }
    if holdoutEnd != nil && !evaluate { throw ValidationError("--holdout-end needs --evaluate.") }
    if penalizer < 0 { throw ValidationError("--penalizer must be ≥ 0.") }
    if top < 0 { throw ValidationError("--top must be ≥ 0.") }
    if let output, !output.hasSuffix(".csv") && !output.hasSuffix(".json") {
      throw ValidationError("--output '\(output)' must end in .csv or .json.")
    }
  }

  /// Days in a horizon such as `90d`, `90` or `13w`.
  static func parseHorizon(_ text: String) -> Double? {
    let trimmed = text.lowercased()
    let (number, unit) =
      trimmed.hasSuffix("w")
      ? (trimmed.dropLast(), 7.0) : (trimmed.hasSuffix("d") ? trimmed.dropLast() : trimmed[...], 1.0)
    guard let value = Double(number), value > 0, value.isFinite else { return nil }
    return value * unit
  }

  public func run() async throws {
    let console = Console(quiet: quiet, verbose: verbose)
    try await reportingErrors {
      let loaded = try input.load(console: console)
      var valueOptions = CustomerValueModel.Options()
      valueOptions.kind = model
      valueOptions.penalizer = penalizer
      let start = Date()
      if evaluate {
        try runEvaluation(loaded.dataset, valueOptions: valueOptions, console: console)
      } else {
        var options = ProfileOptions()
        options.horizonDays = Self.parseHorizon(horizon) ?? 90
        let profiles = try CustomerProfiles.build(
          dataset: loaded.dataset, referenceTime: calibrationEnd.flatMap(EvaluateCommand.parseDate).map { $0 + 86_399 },
          valueOptions: valueOptions, options: options)
        console.detail(String(format: "profiles: %.2f s", Date().timeIntervalSince(start)))
        console.out(Self.summary(profiles, top: top))
        if let output {
          let data = output.hasSuffix(".json") ? try FileHandleOutput.json(profiles.profiles) : Self.csv(profiles)
          try FileHandleOutput.write(data, to: output)
          console.note("wrote \(output)")
        }
      }
    }
  }

  // MARK: - Profiles

  static func summary(_ profiles: CustomerProfiles, top: Int) -> String {
    var text = "customers: \(profiles.profiles.count)\n" + Self.modelLine(profiles.model) + "\n"
    let segments = CustomerProfile.Segment.allCases.map { segment in
      "\(segment.rawValue) \(profiles.profiles.filter { $0.segment == segment }.count)"
    }
    let stages = CustomerProfile.Lifecycle.allCases.map { stage in
      "\(stage.rawValue) \(profiles.profiles.filter { $0.lifecycle == stage }.count)"
    }
    text += "segments: " + segments.joined(separator: ", ") + "\n"
    text += "lifecycle: " + stages.joined(separator: ", ") + "\n"
    guard top > 0 else { return text }
    var table = TextTable(
      ["customer", "segment", "lifecycle", "P(alive)", "orders", "CLV", "top interests"],
      alignments: [.left, .left, .left, .right, .right, .right, .left])
    for profile in profiles.profiles.sorted(by: { $0.lifetimeValue > $1.lifetimeValue }).prefix(top) {
      table.add([
        profile.customer, profile.segment.rawValue, profile.lifecycle.rawValue,
        String(format: "%.3f", profile.probabilityAlive), String(format: "%.2f", profile.expectedOrders),
        String(format: "%.2f", profile.lifetimeValue),
        truncate(profile.interests.prefix(3).map(\.label).joined(separator: "; "), 60),
      ])
    }
    return text + table.render()
  }

  static func modelLine(_ model: CustomerValueModel) -> String {
    var text =
      switch model.purchases {
      case .betaGeo(let m):
        String(
          format: "BG/NBD: r %.4g, alpha %.4g, a %.4g, b %.4g", m.parameters.r, m.parameters.alpha, m.parameters.a,
          m.parameters.b)
      case .paretoNBD(let m):
        String(
          format: "Pareto/NBD: r %.4g, alpha %.4g, s %.4g, beta %.4g", m.parameters.r, m.parameters.alpha,
          m.parameters.s, m.parameters.beta)
      }
    if let spend = model.spend {
      text += String(
        format: "; Gamma-Gamma: p %.4g, q %.4g, v %.4g", spend.parameters.p, spend.parameters.q, spend.parameters.v)
    }
    return text
  }

  static func csv(_ profiles: CustomerProfiles) -> Data {
    var text =
      "customer,segment,lifecycle,p_alive,expected_orders,expected_spend,clv,frequency,recency_days,age_days,"
      + "days_since_last_purchase,price_sensitivity,top_interests\n"
    func quote(_ field: String) -> String {
      field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
    for p in profiles.profiles {
      text += [
        quote(p.customer), p.segment.rawValue, p.lifecycle.rawValue, String(format: "%.6f", p.probabilityAlive),
        String(format: "%.6f", p.expectedOrders), String(format: "%.4f", p.expectedSpend),
        String(format: "%.4f", p.lifetimeValue), String(p.rfm.frequency), String(format: "%g", p.rfm.recency),
        String(format: "%g", p.rfm.age), String(p.daysSinceLastPurchase),
        p.priceSensitivity.map { String(format: "%.4f", $0.index) } ?? "",
        quote(p.interests.map(\.label).joined(separator: "; ")),
      ].joined(separator: ",")
      text += "\n"
    }
    return Data(text.utf8)
  }

  // MARK: - Evaluation

  func runEvaluation(_ dataset: Dataset, valueOptions: CustomerValueModel.Options, console: Console) throws {
    let calibration = calibrationEnd.flatMap(EvaluateCommand.parseDate)
    let lastOrder = dataset.baskets.timestamps.filter { $0 != Baskets.noTime }.max()
    let holdout = holdoutEnd.flatMap(EvaluateCommand.parseDate) ?? lastOrder
    let table = try RFMTable(dataset: dataset, calibrationEnd: calibration, holdoutEnd: holdout)
    guard let actual = table.holdoutFrequency, let length = table.holdoutLength else {
      throw CommandError("no holdout period after --calibration-end")
    }
    var predictions: [(name: String, values: [Double])] = [
      ("naive", table.rows.map { HoldoutEvaluation.naivePrediction($0, horizon: length) })
    ]
    var lines: [String] = []
    for kind in [valueOptions.kind] + CustomerValueModel.Kind.allCases.filter({ $0 != valueOptions.kind }) {
      var options = valueOptions
      options.kind = kind
      let start = Date()
      do {
        let fitted = try CustomerValueModel.fit(table, options: options)
        predictions.append((kind.rawValue, table.rows.map { fitted.expectedPurchases(in: length, given: $0) }))
        lines.append(Self.modelLine(fitted) + String(format: " (%.2f s)", Date().timeIntervalSince(start)))
      } catch let error as CustomerValueError {
        console.warn("\(kind.rawValue): \(error.description)")
      }
    }
    let evaluation = HoldoutEvaluation(
      frequency: table.rows.map(\.frequency), actual: actual, predictions: predictions)
    console.out(
      "customers: \(table.count), calibration to day \(table.calibrationEndDay), holdout \(Int(length)) days\n"
        + lines.joined(separator: "\n"))
    var metrics = TextTable(
      ["model", "MAE", "RMSE", "Pearson r", "Σ|err|/Σ actual", "predicted", "actual"],
      alignments: [.left, .right, .right, .right, .right, .right, .right])
    for (name, m) in zip(evaluation.predictors, evaluation.metrics) {
      metrics.add([
        name, String(format: "%.4f", m.mae), String(format: "%.4f", m.rmse), String(format: "%.4f", m.pearson),
        String(format: "%.4f", m.relativeMAE), String(format: "%.1f", m.predictedTotal),
        String(format: "%.0f", m.actualTotal),
      ])
    }
    console.out(metrics.render())
    var groups = TextTable(
      ["calibration x", "customers", "actual"] + evaluation.predictors,
      alignments: [.left, .right, .right] + evaluation.predictors.map { _ in .right })
    for group in evaluation.groups {
      groups.add(
        [
          group.isOpenEnded ? "\(group.frequency)+" : "\(group.frequency)", "\(group.customers)",
          String(format: "%.0f", group.actual),
        ]
          + group.predicted.map { String(format: "%.1f", $0) })
    }
    console.out(groups.render())
    if let output {
      try FileHandleOutput.write(try FileHandleOutput.json(evaluation), to: output)
      console.note("wrote \(output)")
    }
  }
}

extension CustomerValueModel.Kind: ExpressibleByArgument {}
