/// Interns byte strings to dense `Int32` ids without making a `String` per lookup.
///
/// An open-addressing hash table over a byte arena; a `String` is made (and its UTF-8 validated)
/// only the first time a value is seen, so repeated values (stock codes, customer ids,
/// descriptions) cost one hash and one `memcmp`.
struct ByteInterner {
  /// The strings by id.
  private(set) var strings: [String] = []
  private var arena: [UInt8] = []
  private var starts: [Int] = [0]
  private var hashes: [UInt64] = []
  private var table: [Int32] = [Int32](repeating: -1, count: 1024)

  /// Number of distinct values.
  var count: Int { strings.count }

  /// The string of an id.
  subscript(id: Int32) -> String { strings[Int(id)] }

  /// The id of `bytes`, adding it if new; `nil` when the bytes are not valid UTF-8.
  /// - Complexity: O(length) expected.
  mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
    let hash = ByteHash.hash(bytes, seed: 0x5851_F42D_4C95_7F2D)
    var mask = table.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let id = table[slot]
      if id < 0 { break }
      if hashes[Int(id)] == hash && equals(Int(id), bytes) { return id }
      slot = (slot + 1) & mask
    }
    guard let string = UTF8Validation.string(bytes) else { return nil }
    let id = Int32(strings.count)
    strings.append(string)
    hashes.append(hash)
    arena.append(contentsOf: bytes)
    starts.append(arena.count)
    if strings.count * 2 > table.count {
      grow()
      mask = table.count - 1
      slot = Int(truncatingIfNeeded: hash) & mask
      while table[slot] >= 0 { slot = (slot + 1) & mask }
    }
    table[slot] = id
    return id
  }

  /// The id of a string, adding it if new.
  mutating func intern(_ string: String) -> Int32 {
    var copy = string
    return copy.withUTF8 { intern($0) } ?? -1
  }

  /// The id of `bytes` if already interned.
  func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
    let hash = ByteHash.hash(bytes, seed: 0x5851_F42D_4C95_7F2D)
    let mask = table.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let id = table[slot]
      if id < 0 { return nil }
      if hashes[Int(id)] == hash && equals(Int(id), bytes) { return id }
      slot = (slot + 1) & mask
    }
  }

  /// The id of a string if already interned.
  func id(of string: String) -> Int32? {
    var copy = string
    return copy.withUTF8 { id(of: $0) }
  }

  private func equals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = starts[id]
    let length = starts[id + 1] - start
    if length != bytes.count { return false }
    if length == 0 { return true }
    return arena.withUnsafeBufferPointer { stored in
      guard let a = stored.baseAddress, let b = bytes.baseAddress else { return false }
      return memcmpBytes(a + start, b, length)
    }
  }

  private mutating func grow() {
    let size = table.count * 2
    var newTable = [Int32](repeating: -1, count: size)
    let mask = size - 1
    for (id, hash) in hashes.enumerated() {
      var slot = Int(truncatingIfNeeded: hash) & mask
      while newTable[slot] >= 0 { slot = (slot + 1) & mask }
      newTable[slot] = Int32(id)
    }
    table = newTable
  }
}

/// Byte equality of two buffers of `count` bytes (8 bytes per step).
@inline(__always) func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
  var i = 0
  let ra = UnsafeRawPointer(a)
  let rb = UnsafeRawPointer(b)
  while i + 8 <= count {
    if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
      return false
    }
    i += 8
  }
  while i < count {
    if a[i] != b[i] { return false }
    i += 1
  }
  return true
}
