/// A sparse matrix in compressed sparse row form with `Float` values.
///
/// Row `r` holds columns `columns[rowOffsets[r] ..< rowOffsets[r + 1]]` (ascending) and
/// their values. Used for user × item interaction matrices and item × item co-occurrence.
public struct SparseMatrix: Sendable, Hashable, Codable {
  /// Number of rows.
  public let rowCount: Int
  /// Number of columns.
  public let columnCount: Int
  /// `rowCount + 1` offsets.
  public let rowOffsets: [Int]
  /// Column index of each stored entry, ascending within a row.
  public let columns: [Int32]
  /// Value of each stored entry.
  public let values: [Float]

  /// Number of stored entries.
  public var nonZeroCount: Int { columns.count }

  /// Creates a matrix from its CSR arrays.
  /// - Precondition: the arrays are consistent (callers within Basketry build them so).
  public init(rowCount: Int, columnCount: Int, rowOffsets: [Int], columns: [Int32], values: [Float]) {
    self.rowCount = rowCount
    self.columnCount = columnCount
    self.rowOffsets = rowOffsets
    self.columns = columns
    self.values = values
  }

  /// Builds a matrix from (row, column, value) triples; duplicates are summed.
  /// - Complexity: O(n log n) in the number of triples.
  public init(rowCount: Int, columnCount: Int, triples: [(row: Int32, column: Int32, value: Float)]) {
    let sorted = triples.sorted { ($0.row, $0.column) < ($1.row, $1.column) }
    var offsets = [Int](repeating: 0, count: rowCount + 1)
    var columns: [Int32] = []
    var values: [Float] = []
    columns.reserveCapacity(sorted.count)
    values.reserveCapacity(sorted.count)
    var lastRow: Int32 = -1
    var lastColumn: Int32 = -1
    for triple in sorted {
      if triple.row == lastRow && triple.column == lastColumn {
        values[values.count - 1] += triple.value
        continue
      }
      columns.append(triple.column)
      values.append(triple.value)
      offsets[Int(triple.row) + 1] += 1
      lastRow = triple.row
      lastColumn = triple.column
    }
    for r in 0..<rowCount { offsets[r + 1] += offsets[r] }
    self.init(rowCount: rowCount, columnCount: columnCount, rowOffsets: offsets, columns: columns, values: values)
  }

  /// The stored entries of row `r`.
  @inlinable public func row(_ r: Int) -> (columns: ArraySlice<Int32>, values: ArraySlice<Float>) {
    let range = rowOffsets[r]..<rowOffsets[r + 1]
    return (columns[range], values[range])
  }

  /// The transpose (columns become rows).
  /// - Complexity: O(rows + columns + entries).
  public func transposed() -> SparseMatrix {
    var offsets = [Int](repeating: 0, count: columnCount + 1)
    for c in columns { offsets[Int(c) + 1] += 1 }
    for c in 0..<columnCount { offsets[c + 1] += offsets[c] }
    var cursor = offsets
    var newColumns = [Int32](repeating: 0, count: columns.count)
    var newValues = [Float](repeating: 0, count: values.count)
    for r in 0..<rowCount {
      for k in rowOffsets[r]..<rowOffsets[r + 1] {
        let c = Int(columns[k])
        newColumns[cursor[c]] = Int32(r)
        newValues[cursor[c]] = values[k]
        cursor[c] += 1
      }
    }
    return SparseMatrix(
      rowCount: columnCount, columnCount: rowCount, rowOffsets: offsets, columns: newColumns, values: newValues)
  }
}
