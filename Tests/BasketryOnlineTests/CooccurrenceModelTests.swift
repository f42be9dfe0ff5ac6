import BasketryOnline
import BasketryTesting
import Testing

@Suite struct CooccurrenceModelTests {
  @Test func incrementalAddsMatchWholeBaskets() {
    var incremental = CooccurrenceModel()
    incremental.add(item: "a", partners: [], newBasket: true)
    incremental.add(item: "b", partners: ["a"], newBasket: false)
    incremental.add(item: "c", partners: ["a", "b"], newBasket: false)
    var whole = CooccurrenceModel()
    whole.add(basket: ["a", "b", "c"])
    for (x, y) in [("a", "b"), ("a", "c"), ("b", "c")] {
      #expect(incremental.count(x, y) == 1)
      #expect(incremental.count(x, y) == whole.count(y, x))
    }
    #expect(incremental.basketCount == 1)
  }

  @Test func removingABasketUndoesIt() {
    var model = CooccurrenceModel()
    model.add(basket: ["a", "b"])
    model.add(basket: ["a", "b", "c"])
    model.remove(basket: ["a", "b", "c"])
    #expect(model.count("a", "b") == 1)
    #expect(model.count("a", "c") == 0)
    #expect(model.count("c") == 0)
    #expect(model.basketCount == 1)
    #expect(model.complements(of: "a", k: 5).map(\.item) == ["b"])
  }

  @Test func removingADeltaUndoesAddingIt() {
    var model = CooccurrenceModel()
    model.add(basket: ["a", "b"])
    model.add(item: "x", partners: [], newBasket: true)
    model.add(item: "a", partners: ["x"], newBasket: false)
    model.add(item: "b", partners: ["x", "a"], newBasket: false)
    // Undo the second basket delta by delta, newest first and out of order alike.
    model.remove(item: "a", partners: ["x"], newBasket: false)
    model.remove(item: "b", partners: ["x", "a"], newBasket: false)
    model.remove(item: "x", partners: [], newBasket: true)
    #expect(model.basketCount == 1)
    #expect(model.count("a") == 1 && model.count("b") == 1 && model.count("x") == 0)
    #expect(model.count("a", "b") == 1 && model.count("a", "x") == 0 && model.count("b", "x") == 0)
    #expect(model.complements(of: "x", k: 5).isEmpty)
  }

  @Test func complementsRankByCosineAndReportLift() throws {
    var model = CooccurrenceModel()
    for _ in 0..<3 { model.add(basket: ["tea", "cups"]) }
    model.add(basket: ["tea", "milk"])
    for _ in 0..<4 { model.add(basket: ["milk", "bread"]) }
    let top = model.complements(of: "tea", k: 2)
    #expect(top.map(\.item) == ["cups", "milk"])
    let cups = try #require(top.first)
    // n = 8, count(tea) = 4, count(cups) = 3, together 3 → lift 8·3/(4·3) = 2.
    #expect(abs(cups.lift - 2) < 1e-12)
    #expect(abs(cups.confidence - 0.75) < 1e-12)
    #expect(model.complements(of: "tea", k: 5) { $0 != "cups" }.map(\.item) == ["milk"])
  }

  @Test func substitutesShareNeighboursButRarelyCoOccur() {
    var model = CooccurrenceModel()
    for _ in 0..<5 { model.add(basket: ["coffee-a", "filter", "mug"]) }
    for _ in 0..<5 { model.add(basket: ["coffee-b", "filter", "mug"]) }
    for _ in 0..<5 { model.add(basket: ["bread", "butter"]) }
    let substitutes = model.substitutes(of: "coffee-a", k: 3)
    #expect(substitutes.first?.item == "coffee-b")
  }
}
