import BasketryCore
import BasketryIngest
import FuzzSupport

// The CSV reader over any bytes (plain or gzip), with each separator, blank-line mode and a range of chunk sizes
// (so records straddle buffer refills). Malformed quoting must throw an `IngestError` with a line and let reading
// go on; a read failure throws one without a line; records start on non-decreasing lines, and the reader finishes
// in at most one record or error per input byte.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVReader(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  var input = FuzzInput(start, count)
  let separator = input.choose([
    CSVReader.Separator.delimiter(UInt8(ascii: ",")), .delimiter(UInt8(ascii: "\t")), .delimiter(UInt8(ascii: ";")),
    .whitespace, .automatic,
  ])
  let skipsBlankLines = input.byte() & 1 == 0
  let chunkSize = input.choose([16, 17, 31, 64, 1 << 20])
  let bytes = input.rest
  guard let path = ScratchFiles.store(bytes, to: "input.csv") else { return 0 }
  guard
    var reader = try? CSVReader(
      path: path, separator: separator, skipsBlankLines: skipsBlankLines, chunkSize: chunkSize)
  else { return 0 }
  var steps = 0
  var lastLine = 0
  while true {
    steps += 1
    if steps > bytes.count + 2 { fatalError("the reader did not finish: \(steps) steps for \(bytes.count) bytes") }
    do {
      guard let record = try reader.next() else { break }
      if record.line < lastLine { fatalError("record on line \(record.line) after line \(lastLine)") }
      lastLine = record.line
      for index in 0..<record.count {
        _ = record.string(index)
        _ = record[index].count
      }
      _ = record.fields
    } catch let error as IngestError where error.location.line != nil {
      continue  // a malformed record: the reader has skipped its line
    } catch is IngestError {
      break  // a read failure (corrupt gzip data, an I/O error): the input ends here
    } catch {
      fatalError("unexpected error type: \(error)")
    }
  }
  return 0
}
