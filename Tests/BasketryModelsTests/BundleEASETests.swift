import BasketryCore
import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("EASE with the bundle–item affiliation (ease+bundles)")
struct BundleEASETests {
  /// Two bundles over two items: bundle 0 = {item 0}, bundle 1 = {items 0, 1}.
  static let affiliation = SparseMatrix(rowCount: 2, columnCount: 2, triples: [(0, 0, 1), (1, 0, 1), (1, 1, 1)])

  @Test("expansion adds β once per item of the user's bundles, on top of the user's own strength")
  func expansion() throws {
    // Columns: bundles 0, 1, then items 0, 1 at 2, 3. u0: bundle 0 + item 1 (0.5); u1: bundle 1;
    // u2: bundles 0 and 1 (item 0 is in both) + item 0 (0.5); u3: items only.
    let stacked = InteractionMatrix(
      matrix: SparseMatrix(
        rowCount: 4, columnCount: 4,
        triples: [(0, 0, 1), (0, 3, 0.5), (1, 1, 1), (2, 0, 1), (2, 1, 1), (2, 2, 0.5), (3, 2, 0.5)]))
    let x = try BundleEASERecommender.expanded(stacked, bundleItems: Self.affiliation, weight: 0.5).matrix
    func dense(_ u: Int) -> [Float] {
      var row = [Float](repeating: 0, count: 4)
      for (c, v) in zip(x.row(u).columns, x.row(u).values) { row[Int(c)] = v }
      return row
    }
    #expect(dense(0) == [1, 0, 0.5, 0.5])
    #expect(dense(1) == [0, 1, 0.5, 0.5])
    #expect(dense(2) == [1, 1, 1.0, 0.5])
    #expect(dense(3) == [0, 0, 0.5, 0])
    let unchanged = try BundleEASERecommender.expanded(stacked, bundleItems: Self.affiliation, weight: 0).matrix
    #expect(unchanged == stacked.matrix)
  }

  @Test("closed form on one bundle and one item matches a hand computation")
  func tinyClosedForm() throws {
    // Bundle 0 = {item 0}. u0 took bundle 0, u1 only read item 0. With β = 1, X = [[1, 1], [0, 1]],
    // XᵀX + I = [[2, 1], [1, 3]], P = [[3, −1], [−1, 2]] / 5, so B_10 = −P_10 / P_00 = 1/3 and B_01 = 1/2:
    // the item-only user now scores the bundle 1/3 (plain stacked EASE, β = 0, gives X = I and 0).
    let bundleItems = SparseMatrix(rowCount: 1, columnCount: 1, triples: [(0, 0, 1)])
    let stacked = InteractionMatrix(
      matrix: SparseMatrix(rowCount: 2, columnCount: 2, triples: [(0, 0, 1), (1, 1, 1)]))
    var model = BundleEASERecommender(bundleItems: bundleItems, lambda: 1, affiliationWeight: 1)
    try model.fit(stacked)
    let s1 = try model.scores(user: 1)
    #expect(abs(s1[0] - 1.0 / 3) < 1e-5)
    #expect(abs(s1[1]) < 1e-6)
    let s0 = try model.scores(user: 0)  // x_0 = [1, 1]: [B_10, B_01]
    #expect(abs(s0[0] - 1.0 / 3) < 1e-5)
    #expect(abs(s0[1] - 0.5) < 1e-5)
    var plain = BundleEASERecommender(bundleItems: bundleItems, lambda: 1, affiliationWeight: 0)
    try plain.fit(stacked)
    #expect(try plain.scores(user: 1) == [0, 0])
  }

  @Test("equals EASE fitted on the expanded matrix")
  func equalsEASEOnExpanded() throws {
    let data = ModelFixtures.interactions(users: 30, items: 40, perUser: 6)
    let affiliation = Self.fixtureAffiliation
    var model = BundleEASERecommender(bundleItems: affiliation, lambda: 5, affiliationWeight: 0.3)
    try model.fit(data)
    var ease = EASERecommender(lambda: 5)
    try ease.fit(try BundleEASERecommender.expanded(data, bundleItems: affiliation, weight: 0.3))
    for user in Int32(0)..<30 { #expect(try model.scores(user: user) == ease.scores(user: user)) }
  }

  @Test("shape mismatches and bad parameters throw ModelError")
  func errors() throws {
    var wrongShape = BundleEASERecommender(bundleItems: Self.affiliation)
    #expect(throws: ModelError.self) { try wrongShape.fit(ModelFixtures.interactions()) }
    var negative = BundleEASERecommender(bundleItems: Self.fixtureAffiliation, affiliationWeight: -1)
    #expect(throws: ModelError.self) { try negative.fit(ModelFixtures.interactions()) }
    #expect(throws: ModelError.self) {
      try BundleEASERecommender(bundleItems: Self.affiliation, parameters: ModelParameters(["lambda": "x"]))
    }
    let parsed = try BundleEASERecommender(
      bundleItems: Self.affiliation, parameters: ModelParameters(["affiliation_weight": "0.2"]))
    #expect(parsed.lambda == 400 && parsed.affiliationWeight == 0.2 && parsed.name == "ease+bundles")
  }

  /// For the 40-column fixtures: columns 0 ..< 10 are bundles, bundle b holds items 3b … 3b + 2 (mod 30) of the
  /// 30 items at columns 10 ..< 40.
  static var fixtureAffiliation: SparseMatrix {
    SparseMatrix(
      rowCount: 10, columnCount: 30,
      triples: (0..<10).flatMap { b in (0..<3).map { (Int32(b), Int32((3 * b + $0) % 30), Float(1)) } })
  }
}
