import BasketryCore

/// A streaming reader of delimited text (RFC 4180 CSV, TSV, semicolon- or whitespace-separated).
///
/// Reads plain files, gzip files (detected by magic bytes) and standard input (`"-"`) in 1 MiB
/// chunks and parses raw bytes: quoted fields, escaped quotes (`""`), delimiters and newlines inside
/// quotes, CRLF or LF line ends, a leading UTF-8 byte-order mark and a missing final newline.
/// Records carry the physical line they start on.
///
/// ```swift
/// var reader = try CSVReader(path: "orders.csv.gz")
/// while let record = try reader.next() { print(record.line, record.fields) }
/// ```
///
/// Malformed input never crashes: an unterminated quote at the end of the input or a stray quote
/// inside an unquoted field throws an ``IngestError`` naming file, line and field; the reader
/// skips to the next line, so a caller may catch the error and keep reading.
/// - Complexity: O(n) in the input size; no per-byte allocation.
public struct CSVReader {
  /// How fields are separated.
  public enum Separator: Sendable, Hashable {
    /// A single delimiter byte (`,`, `\t`, `;` …), with RFC 4180 quoting.
    case delimiter(UInt8)
    /// Runs of spaces and tabs; no quoting; leading and trailing blanks ignored (FIMI `.dat` style).
    case whitespace
    /// Decided from the first chunk read (up to 1 MiB): comma if it contains a comma, else
    /// whitespace (basket files: groceries.csv vs FIMI `.dat`). Works for standard input too.
    case automatic
  }

  /// The label used in error locations (path or `<stdin>`).
  public let file: String
  /// The field separator (``Separator/automatic`` resolves on the first read).
  public private(set) var separator: Separator
  /// Whether blank lines are skipped (true) or returned as records with one empty field.
  public var skipsBlankLines: Bool
  private let storage: Storage
  private var lineNumber = 1
  private var skipLineFeed = false
  private var atStart = true
  // Cursor state lives in the struct (statically checked), not in the class: class stored
  // properties pay a dynamic exclusivity check on every access.
  private var position = 0
  private var end = 0
  private var eof = false
  private var fieldBytes: [UInt8] = []
  private var fieldEnds: [Int] = []

  /// Opens a file (`"-"` for standard input).
  /// - Parameters:
  ///   - path: file path; gzip input is detected by content.
  ///   - separator: field separator; comma by default.
  ///   - skipsBlankLines: skip empty lines instead of returning them; true by default.
  ///   - chunkSize: read size in bytes; 1 MiB by default.
  /// - Throws: ``IngestError`` if the file cannot be opened.
  public init(
    path: String, separator: Separator = .delimiter(UInt8(ascii: ",")), skipsBlankLines: Bool = true,
    chunkSize: Int = 1 << 20
  ) throws {
    let stream = try ByteStream(path: path)
    self.file = stream.label
    self.separator = separator
    self.skipsBlankLines = skipsBlankLines
    self.storage = Storage(stream: stream, chunkSize: max(chunkSize, 16))
  }

  /// Bytes consumed from the underlying file so far (compressed bytes for gzip input).
  public var bytesRead: Int { storage.stream.rawBytesRead }

  /// Whether the input is gzip-compressed.
  public var isCompressed: Bool { storage.stream.isCompressed }

  /// The physical line the reader is at (1-based).
  public var currentLine: Int { lineNumber }

  /// Reads the next record, or returns `nil` at the end of the input.
  /// - Throws: ``IngestError`` for malformed quoting (the rest of that line is skipped, so reading
  ///   may continue) or a read error.
  public mutating func next() throws -> CSVRecord? {
    while true {
      let record: CSVRecord?
      if separator == .automatic { _ = try fill() }
      switch separator {
      case .delimiter(let delimiter): record = try nextDelimited(delimiter)
      case .whitespace: record = try nextWhitespace()
      case .automatic: return nil  // empty input: fill() resolves it otherwise
      }
      guard let record else { return nil }
      if skipsBlankLines && (record.count == 0 || record.isBlank) { continue }
      return record
    }
  }

  // MARK: - Buffer management

  /// Makes bytes available; returns false at the end of the input.
  private mutating func fill() throws -> Bool {
    if position < end { return true }
    if eof { return false }
    let n = try storage.stream.read(into: storage.buffer)
    position = 0
    end = n
    if n == 0 {
      eof = true
      return false
    }
    if atStart {
      atStart = false
      if separator == .automatic {
        let chunk = UnsafeBufferPointer(start: storage.pointer, count: n)
        separator = chunk.contains(UInt8(ascii: ",")) ? .delimiter(UInt8(ascii: ",")) : .whitespace
      }
      // Skip a UTF-8 byte-order mark (it may in theory straddle reads; 1 MiB reads make that moot).
      if n >= 3 && storage.byte(0) == 0xEF && storage.byte(1) == 0xBB && storage.byte(2) == 0xBF {
        position = 3
        if position < end { return true }
        return try fill()
      }
    }
    return true
  }

  /// Clears the field arrays; when the previous record still holds them, copy-on-write gives
  /// this record fresh storage, otherwise their capacity is reused.
  private mutating func beginRecord() {
    fieldBytes.removeAll(keepingCapacity: true)
    fieldEnds.removeAll(keepingCapacity: true)
  }

  private func makeRecord(line: Int, quoted: Bool = true) -> CSVRecord {
    let blank = !quoted && fieldEnds.count == 1 && fieldBytes.isEmpty
    return CSVRecord(line: line, bytes: fieldBytes, ends: fieldEnds, isBlankLine: blank)
  }

  private func location(line: Int, field: Int) -> SourceLocation {
    SourceLocation(file: file, line: line, field: String(field))
  }

  /// Skips the rest of the current physical line (after a syntax error).
  private mutating func skipRestOfLine() throws {
    while try fill() {
      let start = position
      let end = self.end
      var i = start
      while i < end {
        let byte = storage.byte(i)
        if byte == 0x0A || byte == 0x0D {
          position = i + 1
          lineNumber += 1
          skipLineFeed = byte == 0x0D
          return
        }
        i += 1
      }
      position = end
    }
  }

  /// Consumes a pending `\n` after a `\r`.
  private mutating func consumePendingLineFeed() throws {
    if skipLineFeed {
      skipLineFeed = false
      if try fill(), storage.byte(position) == 0x0A { position += 1 }
    }
  }

  // MARK: - Delimited parsing

  private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

  private mutating func nextDelimited(_ delimiter: UInt8) throws -> CSVRecord? {
    try consumePendingLineFeed()
    guard try fill() else { return nil }
    beginRecord()
    let recordLine = lineNumber
    var quoteLine = lineNumber
    var sawQuote = false
    var state = State.fieldStart
    let quote: UInt8 = 0x22
    while true {
      guard try fill() else {
        // End of input.
        switch state {
        case .quoted:
          let error = IngestError(
            location(line: quoteLine, field: fieldEnds.count + 1),
            "unterminated quoted field (opened on line \(quoteLine), never closed before the end of the input)")
          throw error
        case .fieldStart, .unquoted, .quoteInQuoted:
          fieldEnds.append(fieldBytes.count)
          lineNumber += 1
          return makeRecord(line: recordLine, quoted: sawQuote)
        }
      }
      let base = storage.pointer
      let end = self.end
      var i = position
      switch state {
      case .fieldStart:
        if base[i] == quote {
          state = .quoted
          sawQuote = true
          quoteLine = lineNumber
          position = i + 1
        } else {
          state = .unquoted
        }
      case .unquoted:
        let start = i
        while i < end {
          let byte = base[i]
          if byte == delimiter || byte == 0x0A || byte == 0x0D || byte == quote { break }
          i += 1
        }
        if i > start { fieldBytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i - start)) }
        position = i
        if i == end { continue }
        let byte = base[i]
        position = i + 1
        if byte == delimiter {
          fieldEnds.append(fieldBytes.count)
          state = .fieldStart
        } else if byte == quote {
          let field = fieldEnds.count + 1
          let line = lineNumber
          try skipRestOfLine()
          throw IngestError(location(line: line, field: field), "stray quote inside an unquoted field")
        } else {
          fieldEnds.append(fieldBytes.count)
          lineNumber += 1
          skipLineFeed = byte == 0x0D
          return makeRecord(line: recordLine, quoted: sawQuote)
        }
      case .quoted:
        let start = i
        var newlines = 0
        while i < end {
          let byte = base[i]
          if byte == quote { break }
          if byte == 0x0A { newlines += 1 }
          i += 1
        }
        lineNumber += newlines
        if i > start { fieldBytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i - start)) }
        if i == end {
          position = i
          continue
        }
        position = i + 1
        state = .quoteInQuoted
      case .quoteInQuoted:
        let byte = base[i]
        position = i + 1
        if byte == quote {
          fieldBytes.append(quote)
          state = .quoted
        } else if byte == delimiter {
          fieldEnds.append(fieldBytes.count)
          state = .fieldStart
        } else if byte == 0x0A || byte == 0x0D {
          fieldEnds.append(fieldBytes.count)
          lineNumber += 1
          skipLineFeed = byte == 0x0D
          return makeRecord(line: recordLine)
        } else {
          let field = fieldEnds.count + 1
          let line = lineNumber
          position = i
          try skipRestOfLine()
          throw IngestError(
            location(line: line, field: field), "unexpected character after a closing quote (quotes must be doubled)")
        }
      }
    }
  }

  // MARK: - Whitespace parsing

  private mutating func nextWhitespace() throws -> CSVRecord? {
    try consumePendingLineFeed()
    guard try fill() else { return nil }
    beginRecord()
    let recordLine = lineNumber
    var inField = false
    while true {
      guard try fill() else {
        if inField { fieldEnds.append(fieldBytes.count) }
        lineNumber += 1
        return makeRecord(line: recordLine)
      }
      let base = storage.pointer
      let end = self.end
      var i = position
      while i < end {
        let byte = base[i]
        if byte == 0x20 || byte == 0x09 {
          if inField {
            fieldEnds.append(fieldBytes.count)
            inField = false
          }
        } else if byte == 0x0A || byte == 0x0D {
          if inField { fieldEnds.append(fieldBytes.count) }
          position = i + 1
          lineNumber += 1
          skipLineFeed = byte == 0x0D
          return makeRecord(line: recordLine)
        } else {
          let start = i
          while i < end {
            let b = base[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { break }
            i += 1
          }
          fieldBytes.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i - start))
          inField = true
          continue
        }
        i += 1
      }
      position = end
    }
  }
}

// MARK: - Storage

extension CSVReader {
  /// The chunk buffer and the byte stream (a class so the buffer is freed once; only `let`s).
  final class Storage {
    let stream: ByteStream
    let buffer: UnsafeMutableRawBufferPointer
    let pointer: UnsafeMutablePointer<UInt8>

    init(stream: ByteStream, chunkSize: Int) {
      self.stream = stream
      buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
      pointer = buffer.bindMemory(to: UInt8.self).baseAddress ?? UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    }

    deinit { buffer.deallocate() }

    @inline(__always) func byte(_ index: Int) -> UInt8 { pointer[index] }
  }
}
