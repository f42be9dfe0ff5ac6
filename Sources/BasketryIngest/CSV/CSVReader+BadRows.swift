import BasketryCore

// MARK: - Reading with bad-row accounting

extension CSVReader {
  /// The next well-formed record, counting it in `input.rowsRead`. A malformed record (unterminated
  /// quote, invalid UTF-8, …) is counted as read and recorded as a bad row — or thrown in strict mode
  /// by ``BadRowLog/record(_:)`` — and reading goes on with the next one.
  /// - Returns: nil at the end of the input.
  /// - Throws: ``IngestError`` for I/O failures, or for the first bad row in strict mode.
  mutating func nextRecord(into input: inout ParsedInput) throws -> CSVRecord? {
    while true {
      do {
        guard let record = try next() else { return nil }
        input.rowsRead += 1
        return record
      } catch let error as IngestError where error.category == .invalidInput && error.location.line != nil {
        input.rowsRead += 1
        try input.badRows.record(error)
      }
    }
  }
}
