import Foundation

/// A minimal streaming JSON writer for large outputs (hundreds of thousands of itemsets),
/// where building a Codable tree first would double the memory and time.
struct JSONWriter {
  private(set) var data = Data()

  init(reserving capacity: Int = 1 << 16) { data.reserveCapacity(capacity) }

  mutating func raw(_ text: String) { data.append(contentsOf: text.utf8) }

  mutating func string(_ text: String) {
    data.append(0x22)
    for byte in text.utf8 {
      switch byte {
      case 0x22: data.append(contentsOf: [0x5C, 0x22])
      case 0x5C: data.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: data.append(contentsOf: [0x5C, 0x6E])
      case 0x0D: data.append(contentsOf: [0x5C, 0x72])
      case 0x09: data.append(contentsOf: [0x5C, 0x74])
      case 0..<0x20: data.append(contentsOf: String(format: "\\u%04x", byte).utf8)
      default: data.append(byte)
      }
    }
    data.append(0x22)
  }

  /// A number; non-finite values become `null` (JSON has no infinity).
  mutating func number(_ value: Double) {
    if value.isFinite { raw("\(value)") } else { raw("null") }
  }

  mutating func number(_ value: Int) { raw(String(value)) }

  mutating func stringArray(_ values: [String]) {
    raw("[")
    for (i, value) in values.enumerated() {
      if i > 0 { raw(",") }
      string(value)
    }
    raw("]")
  }
}
