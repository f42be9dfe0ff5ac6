import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

@Suite struct SafetensorsTests {
  @Test func roundTripsF32AndF16() throws {
    var writer = SafetensorsWriter()
    writer.add("a", shape: [2, 3], values: [1, -2, 3.5, 0, 1e-3, -7])
    writer.add("b", shape: [4], values: [0.5, -0.25, 65504, 1e-7], half: true)
    let url = try TestSupport.temporaryDirectory("st").appendingPathComponent("m.safetensors")
    try writer.write(to: url)
    let file = try SafetensorsFile(path: url.path)
    #expect(file.metadata["format"] == "pt")
    #expect(file.tensors["a"]?.shape == [2, 3])
    #expect(try file.floats("a", shape: [2, 3]) == [1, -2, 3.5, 0, 1e-3, -7])
    let b = try file.floats("b")
    #expect(b[0] == 0.5 && b[1] == -0.25 && b[2] == 65504)
    #expect(abs(b[3] - 1e-7) < 3e-8)  // a binary16 subnormal
    #expect(throws: SemanticError.self) { try file.floats("a", shape: [3, 2]) }
    #expect(throws: SemanticError.self) { try file.floats("missing") }
  }

  @Test func readsBF16() throws {
    let header = #"{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#
    var data = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    // 1.0 = 0x3F80, -2.5 = 0xC020 in bfloat16.
    data.append(contentsOf: [0x80, 0x3F, 0x20, 0xC0])
    let url = try TestSupport.temporaryDirectory("st").appendingPathComponent("bf16.safetensors")
    try data.write(to: url)
    #expect(try SafetensorsFile(path: url.path).floats("x") == [1, -2.5])
  }

  @Test func rejectsMalformedFiles() throws {
    let folder = try TestSupport.temporaryDirectory("st")
    let short = folder.appendingPathComponent("short.safetensors")
    try Data([1, 2, 3]).write(to: short)
    #expect(throws: SemanticError.self) { try SafetensorsFile(path: short.path) }
    let huge = folder.appendingPathComponent("huge.safetensors")
    try Data([255, 0, 0, 0, 0, 0, 0, 0, 123]).write(to: huge)
    #expect(throws: SemanticError.self) { try SafetensorsFile(path: huge.path) }
    let badRange = folder.appendingPathComponent("range.safetensors")
    let header = #"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
    var data = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    data.append(contentsOf: [0, 0, 0, 0])
    try data.write(to: badRange)
    #expect(throws: SemanticError.self) { try SafetensorsFile(path: badRange.path) }
    #expect(throws: SemanticError.self) { try SafetensorsFile(path: folder.appendingPathComponent("none").path) }
  }

  /// A safetensors file from a header and data bytes.
  static func file(header: String, data: [UInt8] = [], length: UInt64? = nil) throws -> String {
    var bytes = Data()
    withUnsafeBytes(of: (length ?? UInt64(header.utf8.count)).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: Array(header.utf8))
    bytes.append(contentsOf: data)
    let url = try TestSupport.temporaryDirectory("st").appendingPathComponent("t.safetensors")
    try bytes.write(to: url)
    return url.path
  }

  /// Inputs that once crashed the reader (found by FuzzTesting's FuzzSafetensors): each must throw instead.
  @Test(
    arguments: [
      // A header length above Int.max (first byte 0xCB of the big-endian view).
      (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, UInt64(0xCB00_0000_0000_0000)),
      // Shapes whose element count overflows, is negative, or is not a whole number.
      (#"{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, nil),
      (#"{"x":{"dtype":"I4","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, nil),
      (#"{"x":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,16]}}"#, nil),
      (#"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, nil),
      (#"{"x":{"dtype":"F32","shape":[1e300],"data_offsets":[0,4]}}"#, nil),
      (#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,1e300]}}"#, nil),
    ] as [(String, UInt64?)])
  func rejectsHeadersThatOnceCrashed(header: String, length: UInt64?) throws {
    let path = try Self.file(header: header, data: Array(repeating: 0, count: 16), length: length)
    #expect(throws: SemanticError.self) { try SafetensorsFile(path: path) }
  }

  @Test func halfConversionRoundTripsEveryFiniteValue() {
    for bits in UInt16.min...UInt16.max {
      let exponent = (bits >> 10) & 0x1F
      guard exponent != 31 else { continue }
      let value = SafetensorsFile.halfToFloat(bits)
      let back = SafetensorsFile.floatToHalf(value)
      #expect(back == bits || (value == 0 && back & 0x7FFF == 0), "bits \(bits)")
    }
    #expect(SafetensorsFile.floatToHalf(1e6) == 0x7C00)
    #expect(SafetensorsFile.halfToFloat(0x7C00) == .infinity)
    #expect(SafetensorsFile.floatToHalf(1 + 0x1p-11) == 0x3C00)  // ties to even
    #expect(SafetensorsFile.floatToHalf(1 + 3 * 0x1p-11) == 0x3C02)
  }

  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
  ])
  func sha256KnownAnswers(text: String, digest: String) {
    #expect(SHA256.hex(of: Data(text.utf8)) == digest)
  }

  @Test func sha256IncrementalMatchesOneShot() throws {
    var rng = SplitMix64(seed: 3)
    let bytes = (0..<10_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    var hasher = SHA256()
    var offset = 0
    for step in [1, 63, 64, 65, 1000, 7] + Array(repeating: 997, count: 20) where offset < bytes.count {
      let end = min(bytes.count, offset + step)
      bytes[offset..<end].withUnsafeBytes { hasher.update($0) }
      offset = end
    }
    if offset < bytes.count { bytes[offset...].withUnsafeBytes { hasher.update($0) } }
    let incremental = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    #expect(incremental == SHA256.hex(of: Data(bytes)))
    let url = try TestSupport.temporaryDirectory("sha").appendingPathComponent("f.bin")
    try Data(bytes).write(to: url)
    #expect(try SHA256.hex(ofFile: url.path) == incremental)
  }
}
