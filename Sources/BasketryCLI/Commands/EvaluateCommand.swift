import ArgumentParser
import BasketryCore
import BasketryEval
import BasketryIngest
import BasketryModels
import BasketrySemantic
import Foundation

/// `basketry evaluate`: offline evaluation of recommenders with a leaderboard and optional JSON.
public struct EvaluateCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Evaluate recommenders offline and print a leaderboard (full-catalog ranking; popularity always shown).",
    discussion: """
      Splits: temporal (default; train before --cutoff, or before the last --test-days), next-basket (each user's \
      last order is the target), leave-one-out. The youshu format reads the bundle benchmark's folder and ranks \
      all bundles per user with a test bundle, masking only train bundles (CrossCBR protocol).
      Model names: \(ModelRegistry.names.joined(separator: ", ")).
      Hyper-parameters: --param MODEL.KEY=VALUE, e.g. --param ease.lambda=400 --param itemknn.similarity=bm25; \
      MODEL+items.KEY sets the stacked youshu run only (e.g. --param ease+items.lambda=400).
      Youshu also knows ease+bundles: EASE over users × (bundles + items) whose item profiles are completed by the \
      bundle–item affiliation (defaults: lambda=400, affiliation_weight=0.1, item_weight=0.5).
      --rankings DIR writes each model's top-K lists (K = the largest --k), the ones the metrics were computed \
      from: DIR/<model>.tsv, one line per test user, user<TAB>item1,item2,… with external ids.
      --select runs automatic model selection instead: the --models are tuned over their grids on the last \
      --test-days of the data before --cutoff (all of it without one), by NDCG at the largest --k.
      """
  )

  @OptionGroup var input: InputOptions

  @Option(help: "Split: temporal, next-basket, leave-one-out.")
  var split: String = "temporal"

  @Option(help: "Temporal split cut-off date (YYYY-MM-DD, UTC); default: --test-days before the last order.")
  var cutoff: String?

  @Option(help: "Temporal split: days held out at the end when no --cutoff is given.")
  var testDays: Int = 30

  @Option(help: "Comma-separated model names.")
  var models: String = "pop,itemknn,ease"

  @Option(help: "Comma-separated cut-offs K.")
  var k: String = "10,20"

  @Option(name: .customLong("param"), help: "Hyper-parameter MODEL.KEY=VALUE (repeatable).")
  var parameters: [String] = []

  @Flag(help: "Mask each user's training items and drop them from the targets (\"new items only\").")
  var newItems = false

  @Flag(help: "Evaluate on the validation slice (youshu: the tune file; temporal: the window before the cut-off).")
  var validation = false

  @Option(help: "Youshu: also fit each model on users × (bundles + items) with this item weight (e.g. 0.5).")
  var stackedItemWeight: Float?

  @Option(help: "Purchase strength: orders (distinct orders with the item), quantity or binary.")
  var purchaseCounting: String = "orders"

  @Flag(
    help: """
      Also fit ALS with item factors initialised from product-title embeddings (the all-MiniLM-L6-v2 \
      encoder; see `basketry model fetch`), as `als+text`.
      """)
  var textInit = false

  @Option(help: "Seed for stochastic models and splits.")
  var seed: UInt64 = 42

  @Option(help: "Write the leaderboard (with --select: the selection result) as JSON to this file.")
  var output: String?

  @Option(help: "Write each model's ranked lists to this folder as <model>.tsv (user<TAB>item1,item2,…).")
  var rankings: String?

  @Flag(help: "Select a model on a validation window (the last --test-days) instead of evaluating on a test split.")
  var select = false

  public init() {}

  public func run() async throws {
    do {
      try execute()
    } catch let error as any BasketryError {
      FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      throw ExitCode(error.category.exitCode)
    }
  }

  // MARK: - Steps

  func execute() throws {
    let ks = try k.split(separator: ",").map { text -> Int in
      guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 else {
        throw EvaluationError("--k: '\(text)' is not a positive integer")
      }
      return value
    }
    let names = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let perModel = try parsedParameters()
    var entries: [EvaluationEntry] = []
    let task: EvaluationTask
    var stacked: InteractionMatrix? = nil
    var catalog: Catalog? = nil
    var youshu: YoushuDataset? = nil
    var userIDs: Interner? = nil
    if input.format == .youshu {
      if select { throw EvaluationError("--select needs orders with times, not the youshu benchmark") }
      guard let folder = input.paths.first else { throw EvaluationError("youshu needs the benchmark folder") }
      let data = try YoushuDataset.load(folder: folder)
      youshu = data
      task = data.task(validation ? .validation : .test)
      if let weight = stackedItemWeight { stacked = data.stackedTrain(itemWeight: weight) }
    } else {
      let dataset = try input.load(console: Console(quiet: true, verbose: false)).dataset
      if select { return try runSelection(dataset, candidates: names, ks: ks) }
      catalog = dataset.catalog
      userIDs = dataset.users
      task = try makeTask(dataset)
    }
    for name in names {
      if name == Self.bundleModel {
        guard let youshu else { throw EvaluationError("\(Self.bundleModel) needs --format youshu (bundle–item data)") }
        let parameters = ModelParameters(perModel[name] ?? [:], seed: seed)
        entries.append(try youshu.bundleStructureEntry(label: name, parameters: parameters))
        continue
      }
      let parameters = ModelParameters(perModel[name] ?? [:], seed: seed)
      entries.append(EvaluationEntry(label: name, model: try ModelRegistry.make(name: name, parameters: parameters)))
      // Popularity and "buy again" ignore the extra item columns, so their stacked runs would repeat them.
      if let stacked, !["pop", "pop-recent", "freq"].contains(name) {
        let stackedParameters = ModelParameters(perModel[name + "+items"] ?? perModel[name] ?? [:], seed: seed)
        entries.append(
          EvaluationEntry(
            label: name + "+items", model: try ModelRegistry.make(name: name, parameters: stackedParameters),
            train: stacked))
      }
    }
    if textInit {
      guard let catalog else { throw EvaluationError("--text-init needs a format with item titles, not youshu") }
      let parameters = ModelParameters(perModel["als"] ?? [:], seed: seed)
      entries.append(EvaluationEntry(label: "als+text", model: try Self.textInitialisedALS(catalog, parameters)))
    }
    let run = try Evaluator(ks: ks).run(entries, task: task)
    let board = run.leaderboard
    var shown = ks.flatMap { ["recall@\($0)", "ndcg@\($0)", "precision@\($0)", "hit@\($0)", "coverage@\($0)"] }
    // Recall on items the user bought before and on items new to them, at the largest K, when the task has both.
    if let k = ks.max(), board.results.contains(where: { $0.metrics["recall_repeat@\(k)"] != nil }) {
      shown += ["recall_repeat@\(k)", "recall_explore@\(k)"]
    }
    print(board.table(metrics: shown))
    if let k = ks.max() {
      for weak in board.belowPopularity(on: "ndcg@\(k)") {
        FileHandleOutput.standardError(
          "warning: \(weak.model) is below popularity on ndcg@\(k) (\(String(format: "%.4f", weak.score)) < "
            + "\(String(format: "%.4f", weak.popularity))): showing every shopper the best sellers would do better")
      }
    }
    if let rankings {
      // Youshu's ids are the benchmark's own numbers; other formats map dense ids back to the input's ids.
      _ = try RankingsFile.write(
        run, to: URL(fileURLWithPath: rankings), userID: { userIDs?[$0] ?? String($0) },
        itemID: { catalog?.externalID($0) ?? String($0) })
    }
    if let output { try Self.write(try board.jsonData(), to: output) }
  }

  /// Runs model selection over `candidates` on the data before `--cutoff` and prints its validation leaderboard.
  func runSelection(_ dataset: Dataset, candidates: [String], ks: [Int]) throws {
    var data = dataset
    if let cutoff {
      guard let date = Self.parseDate(cutoff) else { throw EvaluationError("--cutoff '\(cutoff)' is not YYYY-MM-DD") }
      let split = Splitter.temporal(dataset, cutoff: date)
      data.baskets = split.train
      data.events = split.trainEvents
    }
    let options = ModelSelectionOptions(
      candidates: candidates, metric: "ndcg@\(ks.max() ?? 20)", validationDays: testDays, seed: seed)
    let result = try ModelSelection.select(dataset: data, options: options)
    print(Self.selectionTable(result))
    if let output {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      let json: Data
      do { json = try encoder.encode(result) } catch {
        throw EvaluationError("cannot encode the selection result: \(error)", category: .internal)
      }
      try Self.write(json, to: output)
    }
  }

  /// The selection result as text: the window, then every grid point with the chosen one starred.
  static func selectionTable(_ result: ModelSelectionResult) -> String {
    let k = result.metric.split(separator: "@").last.map(String.init) ?? "20"
    let metrics = result.metric == "recall@\(k)" ? [result.metric] : ["recall@\(k)", result.metric]
    var table = TextTable(
      ["", "model", "parameters"] + metrics + ["fit s", "note"],
      alignments: [.left, .left, .left] + metrics.map { _ in .right } + [.right, .left])
    for row in result.rows {
      let parameters = row.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      table.add(
        [row.chosen ? "*" : "", row.model, parameters.isEmpty ? "defaults" : parameters.joined(separator: " ")]
          + metrics.map { name in row.metrics[name].map { String(format: "%.4f", $0) } ?? "-" }
          + [String(format: "%.2f", row.fitSeconds), row.note ?? ""])
    }
    let day = { (time: Int64) in
      Date(timeIntervalSince1970: TimeInterval(time)).ISO8601Format().prefix(10)
    }
    let chosen = result.bestParameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    let best = ([result.best] + chosen).joined(separator: " ")
    let ranking = result.leaderboard.map { row in
      "\(row.model) \(row.metrics[result.metric].map { String(format: "%.4f", $0) } ?? "-")"
    }
    let pop = result.leaderboard.first { $0.model == "pop" }?.metrics[result.metric]
    let weak = result.leaderboard.filter { row in
      guard row.model != "pop", let pop, let score = row.metrics[result.metric] else { return false }
      return score < pop
    }.map(\.model)
    let warning =
      weak.isEmpty
      ? "" : "\nwarning: below popularity on validation (best sellers would do better): \(weak.joined(separator: ", "))"
    return """
      model selection — validation \(day(result.validationStart)) to \(day(result.validationEnd)) — \(result.users) users \
      — by \(result.metric)
      \(table.render())
      best per model: \(ranking.joined(separator: ", "))
      chosen: \(best)
      """ + warning
  }

  static func write(_ data: Data, to path: String) throws {
    do { try data.write(to: URL(fileURLWithPath: path)) } catch {
      throw EvaluationError("cannot write \(path): \(error.localizedDescription)", category: .io)
    }
  }

  /// The youshu-only model that uses the bundle–item affiliation.
  static let bundleModel = "ease+bundles"

  /// ALS whose item factors start from the principal components of the items' title embeddings.
  static func textInitialisedALS(_ catalog: Catalog, _ parameters: ModelParameters) throws -> ImplicitALS {
    var model = try ImplicitALS(options: parameters.values, seed: parameters.seed)
    let encoder: SentenceEncoder
    switch SentenceEncoder.loadIfAvailable() {
    case .success(let loaded): encoder = loaded
    case .failure(let error): throw error
    }
    let titles = (0..<Int32(catalog.count)).map { catalog.displayName($0) }
    let embeddings = encoder.encode(titles)
    let factors = TextFeatures.initialFactors(from: embeddings, dimension: model.configuration.factors)
    model.initialItemFactors = factors.values
    return model
  }

  /// `MODEL.KEY=VALUE` options grouped by model.
  func parsedParameters() throws -> [String: [String: String]] {
    var result: [String: [String: String]] = [:]
    for text in parameters {
      let pair = text.split(separator: "=", maxSplits: 1).map(String.init)
      guard pair.count == 2, let dot = pair[0].lastIndex(of: ".") else {
        throw EvaluationError("--param '\(text)' must look like MODEL.KEY=VALUE")
      }
      let model = String(pair[0][..<dot])
      let key = String(pair[0][pair[0].index(after: dot)...])
      result[model, default: [:]][key] = pair[1]
    }
    return result
  }

  func makeTask(_ dataset: Dataset) throws -> EvaluationTask {
    guard let counting = InteractionWeights.PurchaseCounting(rawValue: purchaseCounting) else {
      throw EvaluationError("--purchase-counting must be orders, quantity or binary")
    }
    let builder = InteractionBuilder(weights: InteractionWeights(purchaseCounting: counting))
    let name = input.format.rawValue
    switch split {
    case "temporal":
      let cut: Int64
      if let cutoff {
        guard let date = Self.parseDate(cutoff) else { throw EvaluationError("--cutoff '\(cutoff)' is not YYYY-MM-DD") }
        cut = date
      } else {
        let latest = dataset.baskets.timestamps.filter { $0 != Baskets.noTime }.max() ?? 0
        cut = latest - Int64(testDays) * 86_400
      }
      let chosen =
        validation
        ? Splitter.temporalValidation(dataset, cutoff: cut, days: testDays) : Splitter.temporal(dataset, cutoff: cut)
      return chosen.task(dataset, name: name, builder: builder, newItemsOnly: newItems)
    case "next-basket":
      return Splitter.nextBasket(dataset, validation: validation).task(
        dataset, name: name, builder: builder, newItemsOnly: newItems)
    case "leave-one-out":
      return Splitter.leaveNOut(builder.build(dataset), n: 1, seed: seed, dataset: name)
    default:
      throw EvaluationError("--split must be temporal, next-basket or leave-one-out, not '\(split)'")
    }
  }

  static func parseDate(_ text: String) -> Int64? {
    let parts = text.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3 else { return nil }
    var components = DateComponents()
    components.year = parts[0]
    components.month = parts[1]
    components.day = parts[2]
    var calendar = Calendar(identifier: .gregorian)
    guard let utc = TimeZone(identifier: "UTC") else { return nil }
    calendar.timeZone = utc
    return calendar.date(from: components).map { Int64($0.timeIntervalSince1970) }
  }

}
