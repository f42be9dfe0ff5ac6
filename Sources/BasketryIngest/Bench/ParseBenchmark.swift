import BasketryCore

/// Measurement helpers for `basketry bench`: the CSV reader alone, without cleaning.
public enum ParseBenchmark {
  /// What one parse-only pass saw.
  public struct Result: Sendable, Hashable {
    /// Records read, header included.
    public var rows: Int
    /// Fields that parsed as numbers (as a typed CSV reader such as pandas would convert them).
    public var numericFields: Int
    /// Uncompressed bytes read.
    public var bytes: Int
  }

  /// Reads every record of a CSV file (plain or gzip) and converts each numeric-looking field to a
  /// `Double`, which is the work `pandas.read_csv` does with default type inference.
  /// - Throws: ``IngestError`` when the file cannot be read or is malformed.
  /// - Complexity: O(file size).
  public static func parseOnly(path: String) throws -> Result {
    var reader = try CSVReader(path: path)
    var rows = 0
    var numeric = 0
    while let record = try reader.next() {
      rows += 1
      for field in 0..<record.count where record.withField(field, { NumberParser.double($0) != nil }) {
        numeric += 1
      }
    }
    return Result(rows: rows, numericFields: numeric, bytes: reader.bytesRead)
  }
}
