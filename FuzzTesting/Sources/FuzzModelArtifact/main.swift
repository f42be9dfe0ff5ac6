import BasketryCore
import BasketryModels
import BasketryTraining
import FuzzSupport

// The serving model's binary artifact (archive header, JSON document, arrays, the recommender's own archive):
// decoding must reject anything inconsistent with an `ArtifactError`, and an accepted model must serve its first
// user's history and a cold-start list without crashing, as the service does right after loading it.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelArtifact(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let input = FuzzInput(start, count)
  expectCleanOutcome("the model artifact decoder") {
    let model = try ServingModel.decode(input.rest)
    check(model.titles.count == model.items.count, "titles do not match items")
    guard let user = model.users.first else { return }
    let history = model.trainingHistory(of: user)
    check(history.allSatisfy { $0.item >= 0 && Int($0.item) < model.items.count }, "a history item out of range")
    _ = try model.recommend(history: history, k: 5, excludeSeen: true)
    _ = try model.recommend(user: user, live: [], k: 5, excludeSeen: true)
  }
  return 0
}
