import BasketryCore

/// Reads a file (plain, gzip or stdin) line by line as raw bytes, without the line terminator
/// (LF or CRLF) and without a leading UTF-8 byte-order mark.
struct LineReader {
  let file: String
  private let stream: ByteStream
  private var buffer: [UInt8] = []
  private var position = 0
  private var eof = false
  private var first = true
  private(set) var lineNumber = 0

  init(path: String) throws {
    stream = try ByteStream(path: path)
    file = stream.label
  }

  var bytesRead: Int { stream.rawBytesRead }

  /// The next line (its 1-based number is ``lineNumber``), or `nil` at the end.
  mutating func next() throws -> ArraySlice<UInt8>? {
    while true {
      if let newline = buffer[position...].firstIndex(of: 0x0A) {
        var line = buffer[position..<newline]
        position = newline + 1
        if line.last == 0x0D { line = line.dropLast() }
        lineNumber += 1
        return line
      }
      if eof {
        if position < buffer.count {
          var line = buffer[position...]
          position = buffer.count
          if line.last == 0x0D { line = line.dropLast() }
          lineNumber += 1
          return line
        }
        return nil
      }
      // Refill: keep the partial line, read 1 MiB more.
      buffer.removeFirst(position)
      position = 0
      let old = buffer.count
      buffer.append(contentsOf: repeatElement(0, count: 1 << 20))
      let n = try buffer.withUnsafeMutableBytes {
        try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[old...]))
      }
      buffer.removeLast((1 << 20) - n)
      if n == 0 { eof = true }
      if first && buffer.count >= 3 {
        first = false
        if buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
      }
    }
  }
}
