import BasketryCore
import BasketryEval
import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("Model selection on a validation window")
struct ModelSelectionTests {
  /// Rows without their timings (everything else is deterministic for a seed).
  func comparable(_ result: ModelSelectionResult) -> [ModelCandidateResult] {
    result.rows.map { row in
      var row = row
      row.fitSeconds = 0
      return row
    }
  }

  @Test("picks the clearly better model and tries its whole grid")
  func picksBetterModel() throws {
    let dataset = SyntheticShops.repeatBuyers(seed: 1)
    let result = try ModelSelection.select(
      dataset: dataset, options: ModelSelectionOptions(candidates: ["pop", "freq"]))
    #expect(result.best == "freq")
    #expect(result.leaderboard.map(\.model) == ["freq", "pop"])
    #expect(result.leaderboard.first?.chosen == true)
    #expect(result.rows.filter(\.chosen).count == 1)
    #expect(result.metric == "ndcg@20")
    #expect(result.users > 50)
    let freq = result.rows.filter { $0.model == "freq" }
    let grid = ModelSelection.grid(for: "freq", dataset: dataset)
    #expect(freq.count == grid.count && grid.count > 1)
    #expect(Set(freq.map(\.parameters)) == Set(grid.map(\.values)))
    #expect(freq.allSatisfy { $0.metrics["ndcg@20"] != nil && $0.metrics["recall@20"] != nil })
    let pop = try #require(result.leaderboard.last?.metrics["ndcg@20"])
    let best = try #require(result.leaderboard.first?.metrics["ndcg@20"])
    #expect(best > pop + 0.1)
    #expect(result.bestParameters == result.rows.first { $0.chosen }?.parameters)
  }

  @Test("the window is the last validationDays days of the data, and nothing after it is read")
  func window() throws {
    let dataset = SyntheticShops.repeatBuyers(seed: 2)
    let end = try #require(dataset.baskets.timestamps.max())
    let result = try ModelSelection.select(
      dataset: dataset, options: ModelSelectionOptions(candidates: ["pop"], validationDays: 21))
    #expect(result.validationEnd == end)
    #expect(result.validationStart == end - 21 * SyntheticShops.day)
  }

  @Test("every grid point of several models is tried, in candidate then grid order")
  func gridsAreTried() throws {
    let dataset = SyntheticShops.repeatBuyers(seed: 3)
    let candidates = ["pop", "freq", "itemknn", "ease", "als"]
    let result = try ModelSelection.select(dataset: dataset, options: ModelSelectionOptions(candidates: candidates))
    // Grids are sized by the training part, the orders before the window.
    var training = dataset
    training.baskets = Splitter.temporal(dataset, cutoff: result.validationStart).train
    let expected = candidates.flatMap { name in
      ModelSelection.grid(for: name, dataset: training).map { "\($0.values.sorted { $0.key < $1.key })" }
        .map { "\(name) \($0)" }
    }
    #expect(result.rows.map { "\($0.model) \($0.parameters.sorted { $0.key < $1.key })" } == expected)
    #expect(ModelSelection.grid(for: "ease", dataset: training).count == 3)
    // 40 items: 50, 200 and 500 neighbours are all capped at 39.
    #expect(ModelSelection.grid(for: "itemknn", dataset: training).count == 2)
    #expect(ModelSelection.grid(for: "als", dataset: training).count == 4)
    #expect(result.rows.allSatisfy { $0.note?.hasPrefix("skipped") != true && $0.note?.hasPrefix("failed") != true })
    #expect(Set(result.leaderboard.map(\.model)) == Set(candidates))
    let values = result.leaderboard.compactMap { $0.metrics["ndcg@20"] }
    #expect(values == values.sorted(by: >))
  }

  @Test("EASE above maxEASEItems is skipped and said so")
  func easeSkippedForSize() throws {
    let dataset = SyntheticShops.repeatBuyers(seed: 4)
    let result = try ModelSelection.select(
      dataset: dataset, options: ModelSelectionOptions(candidates: ["pop", "ease"], maxEASEItems: 10))
    let ease = result.rows.filter { $0.model == "ease" }
    #expect(ease.count == ModelSelection.grid(for: "ease", dataset: dataset).count)
    #expect(ease.allSatisfy { $0.metrics.isEmpty && $0.note == "skipped: 40 items > maxEASEItems (10)" })
    #expect(result.best == "pop")
    #expect(result.leaderboard.map(\.model) == ["pop", "ease"])
  }

  @Test("a model below popularity is noted; popularity is a baseline even when not a candidate")
  func belowPopularity() throws {
    let dataset = SyntheticShops.trend(seed: 5)
    let result = try ModelSelection.select(dataset: dataset, options: ModelSelectionOptions(candidates: ["freq"]))
    #expect(result.best == "freq")
    let pop = try #require(result.rows.first { $0.model == "pop" })
    #expect(pop.note == "baseline, not a candidate" && !pop.chosen)
    let freq = try #require(result.leaderboard.first { $0.model == "freq" })
    #expect(freq.note?.contains("below popularity") == true)
    #expect((freq.metrics["ndcg@20"] ?? 1) < (pop.metrics["ndcg@20"] ?? 0))
  }

  @Test("deterministic for a seed")
  func deterministic() throws {
    let dataset = SyntheticShops.repeatBuyers(seed: 6)
    let options = ModelSelectionOptions(candidates: ["pop", "freq", "itemknn", "als"], metric: "recall@10", seed: 7)
    let first = try ModelSelection.select(dataset: dataset, options: options)
    let second = try ModelSelection.select(dataset: dataset, options: options)
    #expect(comparable(first) == comparable(second))
    #expect(first.best == second.best && first.bestParameters == second.bestParameters)
    #expect(first.rows.allSatisfy { $0.metrics.keys.contains("recall@10") })
  }

  @Test("a spent time budget skips the remaining grid points with a note")
  func timeBudget() throws {
    let dataset = SyntheticShops.repeatBuyers(seed: 8)
    let result = try ModelSelection.select(
      dataset: dataset, options: ModelSelectionOptions(candidates: ["pop", "freq"], timeBudgetSeconds: 0))
    #expect(result.best == "pop")
    #expect(result.rows.filter { $0.model == "freq" }.allSatisfy { $0.note?.contains("time budget") == true })
  }

  @Test(
    "bad options are input errors",
    arguments: [
      ModelSelectionOptions(candidates: ["nope"]), ModelSelectionOptions(metric: "coverage@20"),
      ModelSelectionOptions(metric: "ndcg"), ModelSelectionOptions(validationDays: 0),
      ModelSelectionOptions(candidates: []),
    ])
  func badOptions(options: ModelSelectionOptions) {
    #expect(throws: EvaluationError.self) {
      try ModelSelection.select(dataset: SyntheticShops.repeatBuyers(seed: 9), options: options)
    }
  }

  @Test("the result round-trips through JSON with snake-case keys")
  func codable() throws {
    let result = try ModelSelection.select(
      dataset: SyntheticShops.repeatBuyers(seed: 10), options: ModelSelectionOptions(candidates: ["pop", "freq"]))
    let data = try JSONEncoder().encode(result)
    #expect(try JSONDecoder().decode(ModelSelectionResult.self, from: data) == result)
    let text = String(decoding: data, as: UTF8.self)
    #expect(
      text.contains("\"best_parameters\"") && text.contains("\"validation_start\"") && text.contains("\"fit_seconds\""))
  }
}
