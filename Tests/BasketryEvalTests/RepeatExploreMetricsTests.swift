import BasketryCore
import BasketryEval
import BasketryModels
import Testing

/// Recall and NDCG split into items bought before (repeat) and items new to the user (explore).
@Suite struct RepeatExploreMetricsTests {
  @Test func splitsTargetsByTheTrainingHistory() {
    // User 0 had items 0 and 1, user 1 had item 2.
    let train = InteractionBuilder.matrix(
      pairs: [(0, 0, 1), (0, 1, 1), (1, 2, 1)], userCount: 2, itemCount: 4)
    let task = EvaluationTask(
      dataset: "t", split: "s", train: train, users: [0, 1], targets: [[1, 2], [0]], mask: nil)
    // User 0: the repeat target 1 is first, the explore target 2 third; user 1: the explore target 0 first.
    let lists: [[Int32]] = [[1, 3, 2], [0, 1, 3]]
    let metrics = Evaluator(ks: [2]).metrics(lists, task: task)
    #expect(metrics["recall_repeat@2"] == 1)
    #expect(metrics["recall_explore@2"] == 0.5)
    #expect(metrics["ndcg_repeat@2"] == 1)
    #expect(metrics["ndcg_explore@2"] == 0.5)
    #expect(abs((metrics["repeat_share"] ?? 0) - 1.0 / 3) < 1e-12)
    // The totals are unchanged: (1/2 + 1) / 2.
    #expect(metrics["recall@2"] == 0.75)
  }

  @Test func newItemsOnlyTasksHaveNoRepeatPart() {
    let train = InteractionBuilder.matrix(pairs: [(0, 0, 1)], userCount: 1, itemCount: 3)
    let task = EvaluationTask(dataset: "t", split: "s", train: train, users: [0], targets: [[2]], mask: train.matrix)
    let metrics = Evaluator(ks: [2]).metrics([[2, 1]], task: task)
    #expect(metrics["recall_repeat@2"] == nil)
    #expect(metrics["recall_explore@2"] == 1)
    #expect(metrics["repeat_share"] == 0)
  }
}
