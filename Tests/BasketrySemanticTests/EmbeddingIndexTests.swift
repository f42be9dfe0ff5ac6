import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

@Suite struct EmbeddingIndexTests {
  static func randomMatrix(rows: Int, dimension: Int, seed: UInt64) -> EmbeddingMatrix {
    var rng = SplitMix64(seed: seed)
    return EmbeddingMatrix(
      rows: rows, dimension: dimension, values: (0..<(rows * dimension)).map { _ in Float(rng.nextGaussian()) })
  }

  @Test(arguments: [(50, 1), (1_000, 10), (25_000, 7)])
  func topKMatchesBruteForce(rows: Int, k: Int) {
    let matrix = Self.randomMatrix(rows: rows, dimension: 24, seed: UInt64(rows))
    let index = EmbeddingIndex(matrix)
    let query = Array(Self.randomMatrix(rows: 1, dimension: 24, seed: 99).values)
    let hits = index.search(query, k: k)
    let expected = (0..<rows).map { ($0, cosine(query, Array(matrix[$0]))) }.sorted { $0.1 > $1.1 }.prefix(k)
    #expect(hits.map(\.row) == expected.map(\.0))
    for (hit, reference) in zip(hits, expected) { #expect(abs(Double(hit.score) - reference.1) < 1e-5) }
  }

  @Test func halfPrecisionScreeningStaysExactForNearTies() {
    // 6,000 near-copies of one vector: screened scores all lie within the half-precision error of each other.
    var rng = SplitMix64(seed: 8)
    let base = (0..<64).map { _ in Float(rng.nextGaussian()) }
    let rows = 6_000
    var values: [Float] = []
    for _ in 0..<rows { values += base.map { $0 + Float(rng.nextGaussian() * 1e-3) } }
    let matrix = EmbeddingMatrix(rows: rows, dimension: 64, values: values)
    let index = EmbeddingIndex(matrix)
    #expect(index.screen != nil)
    let unscreened = EmbeddingIndex(matrix, screeningThreshold: .max)
    #expect(unscreened.screen == nil)
    let allowed = (0..<rows).map { $0 % 3 != 0 }
    #expect(index.search(base, k: 25).map(\.row) == unscreened.search(base, k: 25).map(\.row))
    #expect(
      index.search(base, k: 5, allowed: allowed, excluding: [1, 2]).map(\.row)
        == unscreened.search(base, k: 5, allowed: allowed, excluding: [1, 2]).map(\.row))
  }

  @Test func filtersAndExclusions() {
    let matrix = Self.randomMatrix(rows: 200, dimension: 16, seed: 5)
    let index = EmbeddingIndex(matrix)
    let neighbours = index.neighbours(of: 3, k: 5)
    #expect(neighbours.count == 5 && !neighbours.contains { $0.row == 3 })
    #expect(zip(neighbours, neighbours.dropFirst()).allSatisfy { $0.score >= $1.score })
    let allowed = (0..<200).map { $0 % 2 == 0 }
    #expect(index.neighbours(of: 3, k: 10, allowed: allowed).allSatisfy { $0.row % 2 == 0 })
    #expect(index.search([1, 2], k: 3).isEmpty)
    #expect(index.neighbours(of: 500, k: 3).isEmpty)
    #expect(abs(index.similarity(7, 7) - 1) < 1e-5)
  }

  @Test func tiesBreakTowardsLowerRows() {
    let matrix = EmbeddingMatrix(vectors: [[1, 0], [0, 1], [1, 0], [1, 0]])
    let hits = EmbeddingIndex(matrix).search([1, 0], k: 2)
    #expect(hits.map(\.row) == [0, 2])
  }

  @Test func coldStartUsesWarmNeighboursOnly() {
    let matrix = EmbeddingMatrix(vectors: [[1, 0], [0.9, 0.1], [0, 1], [0.95, 0.05]])
    let index = EmbeddingIndex(matrix)
    let result = ColdStart.neighbours(of: [0], isWarm: [false, true, true, false], index: index, k: 2)
    #expect(result[0].map(\.row) == [1, 2])
    let borrowed = ColdStart.borrowedPartners(neighbours: result[0]) { row in
      row == 1 ? [(item: 10, score: 2.0)] : [(item: 11, score: 1.0)]
    }
    #expect(borrowed.first?.item == 10)
  }

  @Test func rawVectorFilesRoundTrip() throws {
    let matrix = Self.randomMatrix(rows: 7, dimension: 5, seed: 1)
    let url = try TestSupport.temporaryDirectory("vectors").appendingPathComponent("v.f32")
    try matrix.write(to: url)
    #expect(try Data(contentsOf: url).count == 7 * 5 * 4)
    #expect(try EmbeddingMatrix.read(from: url, dimension: 5) == matrix)
    #expect(throws: SemanticError.self) { try EmbeddingMatrix.read(from: url, dimension: 6) }
  }

  @Test func semanticRelationSeparatesSubstitutesFromComplements() {
    let relation = SemanticRelation()
    let twoCases = relation.assess(similarity: 0.9, sameCategory: true, coPurchase: 0.8)
    #expect(twoCases.isSubstitute && twoCases.substitute > 0.95)
    let phoneAndCase = relation.assess(similarity: 0.45, sameCategory: false, coPurchase: 0.8)
    #expect(!phoneAndCase.isSubstitute && abs(phoneAndCase.complement - 0.8) < 0.01)
    #expect(relation.substituteLikelihood(similarity: 0.7, sameCategory: true) == 0.5)
    #expect(
      relation.substituteLikelihood(similarity: 0.75, sameCategory: false)
        < relation.substituteLikelihood(similarity: 0.75, sameCategory: nil))
  }
}

@Suite struct TextFeaturesTests {
  @Test(arguments: [16, 12])
  func principalComponentsFindDominantDirections(dimension: Int) {
    // Points spread mostly along e0 (sd 5), then e1 (sd 2), noise elsewhere (sd 0.1).
    var rng = SplitMix64(seed: 4)
    var values: [Float] = []
    for _ in 0..<500 {
      for j in 0..<dimension {
        let sd = j == 0 ? 5.0 : (j == 1 ? 2.0 : 0.1)
        values.append(Float(rng.nextGaussian() * sd + 3))
      }
    }
    let matrix = EmbeddingMatrix(rows: 500, dimension: dimension, values: values)
    let components = TextFeatures.principalComponents(of: matrix, count: 2)
    #expect(components.rows == 2)
    #expect(abs(abs(components[0][0]) - 1) < 1e-3)
    #expect(abs(abs(components[1][components[1].startIndex + 1]) - 1) < 1e-3)
    let factors = TextFeatures.initialFactors(from: matrix, dimension: 3, scale: 0.1)
    #expect(factors.rows == 500 && factors.dimension == 3)
    let column0 = (0..<500).map { Double(factors.values[$0 * 3]) }
    let sd = (column0.map { $0 * $0 }.reduce(0, +) / 500).squareRoot()
    #expect(abs(sd - 0.1) < 1e-4)
  }
}
