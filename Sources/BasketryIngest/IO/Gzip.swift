import BasketryCore
import CZlib

/// Gzip compression with zlib (used to write compressed outputs and to test the reader).
enum Gzip {
  /// Compresses `bytes` into one gzip member.
  /// - Parameter level: zlib level 0–9; 6 by default.
  /// - Throws: ``IngestError`` (`internal`) if zlib fails.
  static func compress(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer {
      stream.deinitialize(count: 1)
      stream.deallocate()
    }
    // Window bits 15 + 16 selects the gzip wrapper.
    let status = deflateInit2_(
      stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      throw IngestError(SourceLocation(file: "<gzip>"), "zlib deflateInit2 failed (\(status))", category: .internal)
    }
    defer { deflateEnd(stream) }
    var input = bytes
    var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(bytes.count))) + 64)
    let produced: Int = try input.withUnsafeMutableBufferPointer { inBuffer in
      try output.withUnsafeMutableBufferPointer { outBuffer in
        stream.pointee.next_in = inBuffer.baseAddress
        stream.pointee.avail_in = UInt32(inBuffer.count)
        stream.pointee.next_out = outBuffer.baseAddress
        stream.pointee.avail_out = UInt32(outBuffer.count)
        let result = deflate(stream, Z_FINISH)
        guard result == Z_STREAM_END else {
          throw IngestError(SourceLocation(file: "<gzip>"), "zlib deflate failed (\(result))", category: .internal)
        }
        return outBuffer.count - Int(stream.pointee.avail_out)
      }
    }
    output.removeLast(output.count - produced)
    return output
  }
}
