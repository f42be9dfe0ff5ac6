import BasketryCore
import BasketryIngest
import CZlib
import FuzzSupport

// The CSV reader over any bytes (plain or gzip), with each separator, blank-line mode and a range of chunk sizes
// (so records straddle buffer refills). Malformed quoting must throw an `IngestError` with a line and let reading
// go on; a read failure throws one without a line; records start on non-decreasing lines, and the reader finishes
// in at most one record or error per byte of content (the inflated bytes, for gzip input).

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
  let contentBytes = contentSize(of: bytes)
  var steps = 0
  var lastLine = 0
  while true {
    steps += 1
    if steps > contentBytes + 2 {
      fatalError("the reader did not finish: \(steps) steps for \(contentBytes) bytes of content")
    }
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

/// How many bytes of content `bytes` hold as the reader sees them: for gzip input (magic bytes 1f 8b), the inflated
/// size up to the end of the data or the first corrupt or truncated member, with concatenated members read one
/// after another as the reader does; otherwise the byte count.
func contentSize(of bytes: [UInt8]) -> Int {
  guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return bytes.count }
  // zlib keeps a pointer back to its stream: the stream needs a stable address.
  let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
  stream.initialize(to: z_stream())
  defer {
    stream.deinitialize(count: 1)
    stream.deallocate()
  }
  guard inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
    return bytes.count
  }
  defer { inflateEnd(stream) }
  var input = bytes
  var output = [UInt8](repeating: 0, count: 64 * 1024)
  var total = 0
  input.withUnsafeMutableBufferPointer { inBuffer in
    output.withUnsafeMutableBufferPointer { outBuffer in
      stream.pointee.next_in = inBuffer.baseAddress
      stream.pointee.avail_in = UInt32(inBuffer.count)
      while true {
        stream.pointee.next_out = outBuffer.baseAddress
        stream.pointee.avail_out = UInt32(outBuffer.count)
        let status = inflate(stream, Z_NO_FLUSH)
        let produced = outBuffer.count - Int(stream.pointee.avail_out)
        total += produced
        if status == Z_STREAM_END {
          guard stream.pointee.avail_in > 0 else { return }
          inflateReset(stream)
        } else if status != Z_OK || (produced == 0 && stream.pointee.avail_in == 0) {
          return
        }
      }
    }
  }
  return total
}
