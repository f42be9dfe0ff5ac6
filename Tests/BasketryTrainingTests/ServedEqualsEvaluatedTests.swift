import BasketryCore
import BasketryEval
import BasketryIngest
import BasketryMining
import BasketryModels
import BasketryTesting
import BasketryTraining
import Foundation
import Testing

/// What the trained artifact serves equals what the offline evaluation scored: same model, same training data,
/// same candidates, same tie-breaking.
@Suite struct ServedEqualsEvaluatedTests {
  static let samplePath = TestSupport.repositoryRoot + "/Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz"

  static func sample() throws -> Dataset {
    try Ingest.load([samplePath], options: IngestOptions(format: .onlineRetail)).dataset
  }

  @Test(arguments: ["pop", "freq", "tifuknn", "repeat-explore", "itemknn", "ease", "als"])
  func servedTopTwentyEqualsTheEvaluatedLists(model name: String) throws {
    let dataset = try Self.sample()
    let latest = try #require(dataset.baskets.timestamps.filter { $0 != Baskets.noTime }.max())
    let cutoff = latest - 30 * 86_400
    let task = Splitter.temporal(dataset, cutoff: cutoff).task(dataset, name: "online-retail")
    var offline = try ModelRegistry.make(name: name, parameters: ModelParameters(seed: 42))
    try offline.fit(task.train)
    let evaluator = Evaluator(ks: [20])
    let lists = try evaluator.rank(offline, task: task)
    let recall = evaluator.metrics(lists, task: task)["recall@20"] ?? -1

    var options = TrainingOptions(minSupport: .relative(0.02), anchorItems: 0, model: name, cutoff: cutoff)
    options.selection.seed = 42
    let (model, _) = try TrainingPipeline.train(
      dataset: dataset, provenance: .files([Self.samplePath], format: "online-retail"), options: options, now: 1)
    var served: [[Int32]] = []
    for user in task.users {
      let top = try model.recommend(user: dataset.users[user], live: [], k: 20, excludeSeen: false).items
      served.append(top.map(\.item))
    }
    #expect(task.users.count > 100)
    var differing = 0
    for (a, b) in zip(lists, served) where a != b { differing += 1 }
    #expect(differing == 0, "\(differing) of \(task.users.count) users differ")
    #expect(evaluator.metrics(served, task: task)["recall@20"] == recall)
  }
}
