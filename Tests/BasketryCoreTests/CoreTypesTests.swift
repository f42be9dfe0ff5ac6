import BasketryCore
import Foundation
import Testing

@Suite struct InternerTests {
  @Test func assignsDenseIdsInFirstSeenOrder() throws {
    var interner = Interner()
    #expect(interner.intern("b") == 0)
    #expect(interner.intern("a") == 1)
    #expect(interner.intern("b") == 0)
    #expect(interner.count == 2)
    #expect(interner[1] == "a")
    #expect(interner.id(of: "zzz") == nil)
    let decoded = try JSONDecoder().decode(Interner.self, from: JSONEncoder().encode(interner))
    #expect(decoded == interner)
    #expect(decoded.id(of: "a") == 1)
  }
}

@Suite struct BasketsTests {
  @Test func csrColumnsStayAligned() {
    var baskets = Baskets()
    baskets.append(orderID: "o1", user: 3, timestamp: 100, items: [2, 0])
    baskets.append(
      orderID: "o2", lines: [(item: 1, quantity: 2, unitPrice: 1.5)])
    #expect(baskets.count == 2)
    #expect(baskets.lineCount == 3)
    #expect(Array(baskets.items(of: 0)) == [2, 0])
    #expect(baskets.size(of: 1) == 1)
    #expect(baskets.users == [3, Baskets.noUser])
    #expect(baskets.timestamps == [100, Baskets.noTime])
    #expect(baskets.quantities == [1, 1, 2])
    let second = baskets.filter { $0 == 1 }
    #expect(second.orderIDs == ["o2"])
    #expect(Array(second.items(of: 0)) == [1])
    #expect(second.unitPrices == [1.5])
  }

  @Test func transactionsAreSortedAndDistinct() {
    let set = TransactionSet([[3, 1, 3, 2], [], [5]])
    #expect(set.count == 3)
    #expect(Array(set[0]) == [1, 2, 3])
    #expect(set[1].isEmpty)
    #expect(set.itemCount == 6)
    #expect(set.itemSupportCounts() == [0, 1, 1, 1, 0, 1])
  }
}

@Suite struct SparseMatrixTests {
  @Test func triplesAreSummedAndTransposeRoundTrips() {
    let matrix = SparseMatrix(
      rowCount: 3, columnCount: 4,
      triples: [(row: 2, column: 1, value: 1), (row: 0, column: 3, value: 2), (row: 2, column: 1, value: 4)])
    #expect(matrix.nonZeroCount == 2)
    #expect(Array(matrix.row(2).columns) == [1])
    #expect(Array(matrix.row(2).values) == [5])
    #expect(matrix.row(1).columns.isEmpty)
    let transposed = matrix.transposed()
    #expect(transposed.rowCount == 4)
    #expect(Array(transposed.row(3).columns) == [0])
    #expect(transposed.transposed() == matrix)
  }
}

@Suite struct SplitMixTests {
  @Test func sameSeedSameSequence() {
    var a = SplitMix64(seed: 42)
    var b = SplitMix64(seed: 42)
    var c = SplitMix64(seed: 43)
    let first = (0..<5).map { _ in a.next() }
    #expect(first == (0..<5).map { _ in b.next() })
    #expect(first != (0..<5).map { _ in c.next() })
    var unit = SplitMix64(seed: 1)
    for _ in 0..<1000 {
      let u = unit.nextUnit()
      #expect(u >= 0 && u < 1)
    }
  }

  @Test func gaussianHasUnitMomentsApproximately() {
    var rng = SplitMix64(seed: 9)
    let samples = (0..<20_000).map { _ in rng.nextGaussian() }
    let mean = samples.reduce(0, +) / Double(samples.count)
    let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)
    #expect(abs(mean) < 0.03)
    #expect(abs(variance - 1) < 0.05)
  }
}

@Suite struct ErrorCategoryTests {
  @Test func exitCodesFollowSysexits() {
    #expect(ErrorCategory.invalidInput.exitCode == 65)
    #expect(ErrorCategory.notFound.exitCode == 66)
    #expect(ErrorCategory.unavailable.exitCode == 69)
    #expect(ErrorCategory.internal.exitCode == 70)
    #expect(ErrorCategory.io.exitCode == 74)
    #expect(SourceLocation(file: "a.csv", line: 3, field: "Quantity").description == "a.csv:3 (field Quantity)")
  }
}
