import BasketryCore
import CZlib
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A source of raw bytes: a plain file, a gzip file (detected by its magic bytes 1f 8b, not its
/// name) or standard input (`"-"`), read in large chunks.
///
/// Gzip input is inflated with zlib (`inflateInit2_` with window bits 15 + 32, so zlib detects the
/// header itself); concatenated gzip members are read one after another, as `gzip -d` does.
final class ByteStream {
  /// The label used in error locations (the path, or `<stdin>`).
  let label: String
  private let descriptor: Int32
  private let ownsDescriptor: Bool
  private var sniffed: [UInt8] = []
  private var sniffedOffset = 0
  private var inflater: Inflater?
  /// Bytes read from the file (compressed bytes for gzip input).
  private(set) var rawBytesRead = 0

  /// Opens `path` (`"-"` for standard input).
  /// - Throws: ``IngestError`` (`notFound` or `io`) when the file cannot be opened or read.
  init(path: String) throws {
    if path == "-" {
      descriptor = 0
      ownsDescriptor = false
      label = "<stdin>"
    } else {
      let fd = open(path, O_RDONLY)
      if fd < 0 {
        let code = errno
        let reason = String(cString: strerror(code))
        throw IngestError(
          SourceLocation(file: path), "cannot open file: \(reason)", category: code == ENOENT ? .notFound : .io)
      }
      descriptor = fd
      ownsDescriptor = true
      label = path
    }
    // Sniff the first bytes for the gzip magic number.
    var head = [UInt8](repeating: 0, count: 64 * 1024)
    var filled = 0
    while filled < 2 {
      let n = try head.withUnsafeMutableBytes { buffer in
        try readDescriptor(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
      }
      if n == 0 { break }
      filled += n
    }
    head.removeLast(head.count - filled)
    sniffed = head
    if filled >= 2 && head[0] == 0x1f && head[1] == 0x8b {
      inflater = try Inflater(label: label)
    }
  }

  deinit {
    if ownsDescriptor { close(descriptor) }
  }

  /// Whether the input is gzip-compressed.
  var isCompressed: Bool { inflater != nil }

  /// Reads up to `buffer.count` bytes of (decompressed) content.
  /// - Returns: the number of bytes read; 0 at the end of the input.
  /// - Throws: ``IngestError`` on a read error or corrupt gzip data.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if let inflater {
      return try inflater.inflate(into: buffer) { try self.readRaw(into: $0) }
    }
    return try readRaw(into: buffer)
  }

  // MARK: - Raw reading

  private func readRaw(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if sniffedOffset < sniffed.count {
      let n = min(buffer.count, sniffed.count - sniffedOffset)
      sniffed.withUnsafeBytes { source in
        if let from = source.baseAddress, let to = buffer.baseAddress {
          to.copyMemory(from: from + sniffedOffset, byteCount: n)
        }
      }
      sniffedOffset += n
      if sniffedOffset == sniffed.count {
        sniffed = []
        sniffedOffset = 0
      }
      return n
    }
    return try readDescriptor(into: buffer)
  }

  private func readDescriptor(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
    while true {
      let n = Foundation.read(descriptor, base, buffer.count)
      if n >= 0 {
        rawBytesRead += n
        return n
      }
      if errno == EINTR { continue }
      throw IngestError(SourceLocation(file: label), "read failed: \(String(cString: strerror(errno)))", category: .io)
    }
  }
}

// MARK: - Inflater

/// A zlib inflate stream with a stable address (zlib keeps a pointer back to its `z_stream`).
final class Inflater {
  private let stream: UnsafeMutablePointer<z_stream>
  private let input: UnsafeMutableRawBufferPointer
  private let label: String
  private var inputEOF = false
  private var finished = false

  init(label: String) throws {
    self.label = label
    stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    input = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    let status = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    if status != Z_OK {
      stream.deinitialize(count: 1)
      stream.deallocate()
      input.deallocate()
      throw IngestError(SourceLocation(file: label), "zlib initialisation failed (\(status))", category: .io)
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deinitialize(count: 1)
    stream.deallocate()
    input.deallocate()
  }

  /// Inflates into `buffer`, pulling compressed bytes from `refill` as needed.
  func inflate(
    into buffer: UnsafeMutableRawBufferPointer, refill: (UnsafeMutableRawBufferPointer) throws -> Int
  ) throws -> Int {
    guard let outBase = buffer.baseAddress, buffer.count > 0, !finished else { return 0 }
    stream.pointee.next_out = outBase.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
    while true {
      if stream.pointee.avail_in == 0 && !inputEOF {
        let n = try refill(input)
        if n == 0 {
          inputEOF = true
        } else {
          stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
          stream.pointee.avail_in = UInt32(n)
        }
      }
      let before = stream.pointee.avail_out
      let status = CZlib.inflate(stream, Z_NO_FLUSH)
      let produced = Int(before - stream.pointee.avail_out)
      switch status {
      case Z_STREAM_END:
        // Another gzip member may follow (concatenated members, as written by `cat a.gz b.gz`).
        if stream.pointee.avail_in == 0 && !inputEOF {
          let n = try refill(input)
          if n == 0 {
            inputEOF = true
          } else {
            stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = UInt32(n)
          }
        }
        if stream.pointee.avail_in > 0 {
          inflateReset(stream)
        } else {
          finished = true
        }
      case Z_OK:
        break
      case Z_BUF_ERROR:
        if inputEOF && stream.pointee.avail_in == 0 && produced == 0 {
          throw IngestError(SourceLocation(file: label), "truncated gzip data", category: .invalidInput)
        }
      default:
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
        throw IngestError(SourceLocation(file: label), "corrupt gzip data: \(detail)", category: .invalidInput)
      }
      let total = buffer.count - Int(stream.pointee.avail_out)
      if total > 0 || finished { return total }
      if inputEOF && stream.pointee.avail_in == 0 && status != Z_STREAM_END {
        throw IngestError(SourceLocation(file: label), "truncated gzip data", category: .invalidInput)
      }
    }
  }
}
