import BasketryCore

/// One record of a delimited file: its fields as raw bytes and the physical line it starts on.
///
/// Fields are unescaped (`""` inside quotes becomes `"`) and kept as UTF-8 bytes; make a `String`
/// only when needed with ``string(_:)`` (which validates UTF-8).
public struct CSVRecord: Sendable, Hashable {
  /// 1-based physical line where the record starts (a quoted newline advances the line count).
  public let line: Int
  /// Concatenated field bytes.
  @usableFromInline let bytes: [UInt8]
  /// End offset of each field in ``bytes``.
  @usableFromInline let ends: [Int]
  /// Whether the record came from an empty physical line (not from `""`).
  let isBlankLine: Bool

  @usableFromInline init(line: Int, bytes: [UInt8], ends: [Int], isBlankLine: Bool = false) {
    self.line = line
    self.bytes = bytes
    self.ends = ends
    self.isBlankLine = isBlankLine
  }

  /// Creates a record from strings (for tests and programmatic input).
  public init(line: Int, fields: [String]) {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    for field in fields {
      bytes.append(contentsOf: field.utf8)
      ends.append(bytes.count)
    }
    self.init(line: line, bytes: bytes, ends: ends)
  }

  /// Number of fields.
  @inlinable public var count: Int { ends.count }

  /// The byte range of field `index` in the record's storage.
  @inlinable func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }

  /// The raw bytes of field `index` (0-based).
  @inlinable public subscript(index: Int) -> ArraySlice<UInt8> { bytes[range(index)] }

  /// Calls `body` with the bytes of field `index` without copying.
  @inlinable public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    let range = range(index)
    return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
  }

  /// Field `index` as a string, or `nil` if its bytes are not valid UTF-8.
  public func string(_ index: Int) -> String? { withField(index) { UTF8Validation.string($0) } }

  /// All fields as strings (invalid UTF-8 is repaired with U+FFFD).
  public var fields: [String] {
    (0..<count).map { index in withField(index) { String(decoding: $0, as: UTF8.self) } }
  }

  /// Whether the record is a blank line (an empty physical line; `""` is not blank).
  public var isBlank: Bool { isBlankLine || ends.isEmpty }

  /// A 128-bit hash of all fields and their boundaries, used to find exact duplicate rows.
  func contentHash() -> ContentHash {
    bytes.withUnsafeBufferPointer { buffer in
      var hash = ContentHash(buffer)
      for end in ends { hash.mix(UInt64(end)) }
      return hash
    }
  }
}

/// A 128-bit content hash (two independent 64-bit lanes).
struct ContentHash: Hashable, Sendable {
  var a: UInt64
  var b: UInt64

  init(_ bytes: UnsafeBufferPointer<UInt8>) {
    a = ByteHash.hash(bytes, seed: 0x243F_6A88_85A3_08D3)
    b = ByteHash.hash(bytes, seed: 0x1319_8A2E_0370_7344)
  }

  mutating func mix(_ value: UInt64) {
    a = ByteHash.mix(a ^ value)
    b = ByteHash.mix(b &+ value &* 0x9E37_79B9_7F4A_7C15)
  }
}

/// A fast non-cryptographic hash of byte strings (8 bytes per step, murmur-style finaliser).
enum ByteHash {
  @inline(__always) static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
    var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
    guard let base = bytes.baseAddress else { return mix(h) }
    let raw = UnsafeRawPointer(base)
    var offset = 0
    let count = bytes.count
    while offset + 8 <= count {
      let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
      h = (h ^ word) &* 0x9FB2_1C65_1E98_DF25
      h ^= h >> 29
      offset += 8
    }
    if offset < count {
      var tail: UInt64 = 0
      var shift: UInt64 = 0
      while offset < count {
        tail |= UInt64(base[offset]) << shift
        shift += 8
        offset += 1
      }
      h = (h ^ tail) &* 0x9FB2_1C65_1E98_DF25
    }
    return mix(h)
  }
}

/// UTF-8 validation without Foundation.
enum UTF8Validation {
  /// The bytes as a string, or `nil` if they are not valid UTF-8.
  static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
    isValid(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
  }

  /// Whether the bytes are valid UTF-8 (ASCII fast path).
  static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var ascii = true
    for byte in bytes where byte >= 0x80 {
      ascii = false
      break
    }
    if ascii { return true }
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue: continue
      case .emptyInput: return true
      case .error: return false
      }
    }
  }
}
