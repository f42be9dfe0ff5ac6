import BasketryBundles
import BasketryCore
import BasketryCustomers
import BasketryEval
import BasketryMining
import BasketryModels
import BasketryOnline
import BasketrySemantic
import Dispatch
import Foundation

/// Mined itemsets and the bundles designed from them.
public struct BundleDesignResult: Sendable {
  /// The orders as item sets.
  public var transactions: TransactionSet
  /// Frequent itemsets (up to the largest bundle size).
  public var itemsets: FrequentItemsets
  /// Designed bundles, best first.
  public var bundles: [ProductBundle]
  /// Candidates considered and dropped, by reason.
  public var report: BundleDesignReport
}

/// What one training run measured besides the model: timings per stage and the selection table.
public struct TrainingReport: Sendable {
  /// Seconds per stage, in order (`design`, `neighbours`, `anchors`, `selection`, `fit`).
  public var stages: [(name: String, seconds: Double)] = []
  /// Bundle design counts.
  public var design: BundleDesignReport?
  /// The validation leaderboard (nil when the model was forced or selection was skipped).
  public var selection: ModelSelectionResult?
  /// Why selection was skipped for lack of data (the fallback model is served).
  public var selectionSkipped: String?
  /// Why personal bundle ranking was left out of the artifact, when it was.
  public var personalSkipped: String?
  /// Why customer profiles were left out of the artifact, when they were.
  public var customersSkipped: String?
}

/// The one training pipeline: mining and bundle design, neighbours, per-item bundles, recommender selection
/// and fit, packaged as a ``ServingModel``. `basketry bundles`, `demo`, `train` and the service's retraining all
/// run these functions with ``TrainingOptions``.
public enum TrainingPipeline {
  /// Mines frequent itemsets up to the largest bundle size and designs priced bundles.
  /// - Parameters:
  ///   - dataset: orders and catalog.
  ///   - options: support, memory budget and bundle design settings.
  /// - Throws: ``MiningError`` (bad options, or a result that would pass the memory budget) or
  ///   ``BundleError``.
  /// - Complexity: that of FP-Growth plus bundle design.
  public static func designBundles(dataset: Dataset, options: TrainingOptions) throws -> BundleDesignResult {
    let transactions = dataset.transactions()
    let itemsets = try FPGrowth.mine(transactions, options: options.miningOptions)
    let designer = try BundleDesigner(
      dataset: dataset, transactions: transactions, itemsets: itemsets, options: options.bundles)
    let (bundles, report) = designer.design()
    return BundleDesignResult(transactions: transactions, itemsets: itemsets, bundles: bundles, report: report)
  }

  /// The generator behind bundles for an item, a cart or a shopper: co-purchase embeddings, pair scores, and the
  /// design options with the minimum lift relaxed to at most 1.5 for anchored requests.
  /// - Parameters:
  ///   - dataset: orders and catalog.
  ///   - options: bundle settings.
  ///   - probabilities: personal purchase probabilities, for bundles ranked for a shopper.
  /// - Throws: ``BundleError`` for invalid options.
  /// - Complexity: O(lines + embedding training); see ``ItemEmbeddings/train(_:dimension:minCount:iterations:seed:)``.
  public static func anchoredGenerator(
    dataset: Dataset, options: TrainingOptions, probabilities: (any PersonalPurchaseModel)? = nil
  ) throws -> BundleGenerator {
    let transactions = dataset.transactions()
    let embeddings = ItemEmbeddings.train(transactions)
    let scorer = PairScorer(dataset: dataset, transactions: transactions, embeddings: embeddings)
    var generatorOptions = GeneratorOptions(bundle: options.bundles)
    generatorOptions.bundle.minLift = min(generatorOptions.bundle.minLift, 1.5)
    return try BundleGenerator(
      dataset: dataset, scorer: scorer, options: generatorOptions, probabilities: probabilities)
  }

  /// The part of a dataset strictly before a cut-off: the same catalogue and users (so dense ids match an
  /// evaluation split's), orders and events before the cut.
  public static func slice(_ dataset: Dataset, before cutoff: Int64?) -> Dataset {
    guard let cutoff else { return dataset }
    var result = dataset
    result.baskets = dataset.baskets.filter {
      dataset.baskets.timestamps[$0] == Baskets.noTime || dataset.baskets.timestamps[$0] < cutoff
    }
    result.events = dataset.events.filter { $0.timestamp < cutoff }
    return result
  }

  /// Trains the serving model.
  /// - Parameters:
  ///   - dataset: orders, events and catalog (all of it; ``TrainingOptions/cutoff`` slices it).
  ///   - provenance: where the data came from.
  ///   - options: every setting.
  ///   - userKey: maps a dataset user id to the key the service looks users up by (the pseudonym of a raw id
  ///     read from files; identity for the store's already pseudonymised ids).
  ///   - now: Unix seconds to stamp.
  ///   - pseudonymKeyCheck: the fingerprint of the key `userKey` pseudonymises with (files only), recorded in the
  ///     metadata.
  ///   - titleEncoder: a sentence encoder, when available: items without sales then get title neighbours
  ///     (``TitleNeighbors``).
  ///   - progress: called with a line per finished stage.
  /// - Returns: the model and the run's report.
  /// - Throws: mining, bundle, model or selection errors; ``ArtifactError`` when no recommender can be fitted.
  /// - Complexity: mining + design + selection (a small grid per candidate on the validation window) + one fit.
  public static func train(
    dataset full: Dataset, provenance: ModelProvenance, options: TrainingOptions,
    userKey: (String) -> String = { $0 }, now: Int64, pseudonymKeyCheck: String? = nil,
    titleEncoder: SentenceEncoder? = nil,
    progress: (String) -> Void = { _ in }
  ) throws -> (model: ServingModel, report: TrainingReport) {
    var report = TrainingReport()
    var clock = DispatchTime.now()
    func lap(_ name: String, _ line: String) {
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9
      report.stages.append((name, seconds))
      progress(line + String(format: " (%.1f s)", seconds))
      clock = DispatchTime.now()
    }
    let dataset = slice(full, before: options.cutoff)

    // 1. Bundles.
    var bundles: [ProductBundle] = []
    let transactions = dataset.transactions()
    if transactions.count > 0 {
      let design = try designBundles(dataset: dataset, options: options)
      bundles = design.bundles
      report.design = design.report
      lap("design", "designed \(bundles.count) bundles from \(design.report.candidates) candidates")
    }

    // 2. Neighbours.
    var cooccurrence = CooccurrenceModel()
    for t in 0..<transactions.count {
      cooccurrence.add(basket: transactions[t].map { dataset.catalog.externalID($0) })
    }
    var neighbors: [String: [Neighbor]] = [:]
    for index in 0..<cooccurrence.items.count {
      let item = cooccurrence.items[Int32(index)]
      let top = cooccurrence.complements(of: item, k: options.neighborsPerItem)
      if !top.isEmpty { neighbors[item] = top }
    }
    lap("neighbours", "neighbours for \(neighbors.count) items")

    // 3. Bundles for product pages: the best-selling items' own bundles.
    var anchorBundles: [String: [ProductBundle]] = [:]
    if transactions.count > 0, options.anchorItems > 0 {
      let generator = try anchoredGenerator(dataset: dataset, options: options)
      let support = transactions.itemSupportCounts()
      let anchors = support.indices.filter { support[$0] > 0 }
        .sorted { support[$0] != support[$1] ? support[$0] > support[$1] : $0 < $1 }
        .prefix(options.anchorItems)
      let generated = generateInParallel(Array(anchors)) { generator.bundles(forItem: Int32($0)).map(\.bundle) }
      for (anchor, bundles) in zip(anchors, generated) {
        if let bundles, !bundles.isEmpty { anchorBundles[dataset.catalog.externalID(Int32(anchor))] = bundles }
      }
      lap("anchors", "bundles for \(anchorBundles.count) of \(anchors.count) best-selling items")
    }

    // 4. The recommender: forced, or selected on the validation window; then fitted on all the data.
    var name = options.model ?? ""
    var parameters = options.modelParameters
    if options.model == nil {
      do {
        let selection = try ModelSelection.select(dataset: dataset, options: options.selection)
        report.selection = selection
        name = selection.best
        parameters = selection.bestParameters
        lap("selection", "selected \(name) by \(selection.metric) on the validation window")
      } catch let error as EvaluationError where error.insufficientData {
        name = TrainingOptions.fallbackModel
        parameters = [:]
        report.selectionSkipped = error.message
        lap("selection", "no model selection (\(error.message)); serving \(name)")
      }
    }
    let interactions = InteractionBuilder().build(dataset, until: options.cutoff)
    var recommender = try ModelRegistry.make(
      name: name, parameters: ModelParameters(parameters, seed: options.selection.seed))
    try recommender.fit(interactions)
    lap("fit", "fitted \(name) on \(interactions.userCount) users × \(interactions.itemCount) items")

    // The same recommender's ranks turned into purchase probabilities, for bundles ranked by a shopper's
    // expected profit (the calibration's hold-out is the last 30 days before the cut-off).
    var personal: PersonalCalibration?
    do {
      let (calibration, average) = try RecommenderPurchaseModel.calibrate(
        dataset: Self.slice(dataset, before: options.cutoff), model: name,
        parameters: ModelParameters(parameters, seed: options.selection.seed))
      personal = PersonalCalibration(calibration: calibration, averageProbabilities: average)
      lap("calibration", "purchase probabilities by rank over \(calibration.users) shoppers")
    } catch let error as BundleError {
      report.personalSkipped = error.message
      lap("calibration", "no personal bundle ranking (\(error.message))")
    }

    // Items without sales: the titled items with sales nearest to them, when an encoder is available.
    var titleNeighbors: [String: TitleNeighbors] = [:]
    if let titleEncoder {
      var sales = [Int](repeating: 0, count: interactions.itemCount)
      for column in interactions.matrix.columns { sales[Int(column)] += 1 }
      titleNeighbors = TitleNeighbors.build(
        dataset: dataset, sales: sales, complements: neighbors, encoder: titleEncoder,
        assumedMargin: options.bundles.assumedMarginRate)
      lap("titles", "title neighbours for \(titleNeighbors.count) items without sales")
    }

    // Customer value (BG/NBD, Gamma-Gamma) and profiles, keyed as the service looks shoppers up.
    var customers: CustomerProfiles?
    do {
      var keyed = Self.slice(dataset, before: options.cutoff)
      keyed.users = Interner(dataset.users.strings.map(userKey))
      let built: CustomerProfiles
      var note = ""
      do {
        built = try CustomerProfiles.build(dataset: keyed)
      } catch {
        // A purchase model that stops short of convergence usually converges with a small L2 penaliser.
        var value = CustomerValueModel.Options()
        value.penalizer = 0.001
        built = try CustomerProfiles.build(dataset: keyed, valueOptions: value)
        note = " (penaliser 0.001: without one, \(error))"
      }
      customers = built
      lap("customers", "value and profiles of \(built.profiles.count) customers" + note)
    } catch {
      report.customersSkipped = "\(error)"
      lap("customers", "no customer profiles (\(error))")
    }

    // Item price advice with the default guardrails (served by the price-advice endpoint).
    var priceAdvice: [String: ItemPriceAdvice] = [:]
    do {
      let advice = try ItemPriceAdvisor.advise(dataset: dataset)
      priceAdvice = Dictionary(advice.map { ($0.item, $0) }, uniquingKeysWith: { first, _ in first })
      lap("prices", "price advice for \(advice.count) items")
    } catch {
      lap("prices", "no price advice (\(error))")
    }

    // 5. The artifact.
    let times = dataset.baskets.timestamps.filter { $0 != Baskets.noTime }
    let eventTimes = dataset.events.map(\.timestamp)
    let metadata = ModelMetadata(
      format: ServingModel.formatVersion, basketryVersion: BasketryVersion.current, trainedAt: now,
      provenance: provenance, dataStart: times.min(), dataEnd: (times + eventTimes).max(), cutoff: options.cutoff,
      orders: transactions.count, users: activeUsers(interactions.matrix),
      items: dataset.catalog.count, recommender: name, recommenderParameters: parameters, selection: report.selection,
      options: options.summary.merging(report.selectionSkipped.map { ["selection_skipped": $0] } ?? [:]) { a, _ in a },
      pseudonymKeyCheck: pseudonymKeyCheck)
    let model = ServingModel(
      metadata: metadata, items: dataset.catalog.ids.strings,
      titles: (0..<dataset.catalog.count).map { dataset.catalog[Int32($0)].title ?? "" },
      users: dataset.users.strings.map(userKey), history: interactions.matrix,
      historyTimes: interactions.lastTimes ?? [Int64](repeating: .min, count: interactions.matrix.nonZeroCount),
      recommender: recommender, bundles: bundles, anchorBundles: anchorBundles, neighbors: neighbors,
      personal: personal, titleNeighbors: titleNeighbors, customers: customers, priceAdvice: priceAdvice)
    return (model, report)
  }
}

/// Result slots shared by parallel blocks: each slot is written by exactly one block and read after all have
/// finished.
private struct ParallelSlots<T>: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<T>
}

/// `work` applied to every input on all active cores (``Parallel/forEachBlock(count:threads:_:)``), results in
/// input order (each input independently, so the result does not depend on the thread count).
private func generateInParallel<T: Sendable>(_ inputs: [Int], _ work: @escaping @Sendable (Int) -> T) -> [T?] {
  let slots = ParallelSlots<T?>(buffer: .allocate(capacity: inputs.count))
  slots.buffer.initialize(repeating: nil)
  defer { slots.buffer.deallocate() }
  Parallel.forEachBlock(count: inputs.count, threads: Parallel.processorCount) { block in
    for index in block { slots.buffer[index] = work(inputs[index]) }
  }
  let values = Array(slots.buffer)
  _ = slots.buffer.deinitialize()
  return values
}

/// Rows with at least one entry.
private func activeUsers(_ matrix: SparseMatrix) -> Int {
  (0..<matrix.rowCount).filter { matrix.rowOffsets[$0 + 1] > matrix.rowOffsets[$0] }.count
}

extension TrainingOptions {
  /// The settings as `key = value` text, stored with the model.
  public var summary: [String: String] {
    var result: [String: String] = [
      "min_support": Self.text(minSupport),
      "bundle_count": String(bundles.count),
      "bundle_max_size": String(bundles.maxSize),
      "max_discount": String(bundles.maxDiscount),
      "margin_floor": String(bundles.marginFloor),
      "assumed_margin": String(bundles.assumedMarginRate),
      "min_lift": String(bundles.minLift),
      "neighbors_per_item": String(neighborsPerItem),
      "anchor_items": String(anchorItems),
      "selection_metric": selection.metric,
      "validation_days": String(selection.validationDays),
    ]
    if let model { result["model"] = model }
    if let cutoff { result["cutoff"] = String(cutoff) }
    if let miningMemoryBudget { result["mining_memory_budget"] = String(miningMemoryBudget) }
    return result
  }

  /// A support threshold as the command line writes it (`0.01` or `2`).
  static func text(_ threshold: SupportThreshold) -> String {
    switch threshold {
    case .relative(let fraction): String(fraction)
    case .absolute(let count): String(count)
    }
  }
}
