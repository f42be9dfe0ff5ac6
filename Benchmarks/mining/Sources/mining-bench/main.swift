// mining-bench FILE SUPPORT [--threads N] [--rules CONFIDENCE] [--count-only] [--repeat K]
//
// Reads a basket file (FIMI .dat: whitespace-separated ids; otherwise comma-separated names), mines it
// with FPGrowth at relative SUPPORT and prints `key=value` timings (seconds) on one line:
//   itemsets=7589 read_s=0.05 mine_s=0.03 [rules=… rules_s=…]
// The process's own wall time (measured by run.py) is the whole-process figure. With --repeat K the
// mining runs K times and mine_s is the fastest run (a steadier figure on a busy machine).
import BasketryCore
import BasketryMining
import Foundation

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data((message + "\n").utf8))
  exit(64)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var threads: Int? = nil
var ruleConfidence: Double? = nil
var countOnly = false
var repeats = 1
var positional: [String] = []
while let argument = arguments.first {
  arguments.removeFirst()
  switch argument {
  case "--threads": threads = arguments.first.flatMap(Int.init); arguments = Array(arguments.dropFirst())
  case "--rules": ruleConfidence = arguments.first.flatMap(Double.init); arguments = Array(arguments.dropFirst())
  case "--count-only": countOnly = true
  case "--repeat":
    repeats = max(1, arguments.first.flatMap(Int.init) ?? 1)
    arguments = Array(arguments.dropFirst())
  default: positional.append(argument)
  }
}
guard positional.count == 2, let support = Double(positional[1]) else {
  fail("usage: mining-bench FILE SUPPORT [--threads N] [--rules CONFIDENCE] [--count-only] [--repeat K]")
}
let path = positional[0]

func now() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

// MARK: - Reading (a small byte-level reader; the real one lives in BasketryIngest)

let readStart = now()
guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
let numeric = path.hasSuffix(".dat")
var offsets = [0]
var items: [Int32] = []
items.reserveCapacity(data.count / 3)
var names: [String: Int32] = [:]
var maxID: Int32 = -1
data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
  let bytes = raw.bindMemory(to: UInt8.self)
  var position = 0
  let end = bytes.count
  while position < end {
    // One line.
    var lineEnd = position
    while lineEnd < end && bytes[lineEnd] != 10 { lineEnd += 1 }
    var stop = lineEnd
    if stop > position && bytes[stop - 1] == 13 { stop -= 1 }
    if numeric {
      var value: Int32 = 0
      var inNumber = false
      for index in position..<stop {
        let byte = bytes[index]
        if byte >= 48 && byte <= 57 {
          value = value &* 10 &+ Int32(byte &- 48)
          inNumber = true
        } else if inNumber {
          items.append(value)
          if value > maxID { maxID = value }
          value = 0
          inNumber = false
        }
      }
      if inNumber {
        items.append(value)
        if value > maxID { maxID = value }
      }
    } else if stop > position {
      var start = position
      for index in position...stop where index == stop || bytes[index] == 44 {
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        let id: Int32
        if let known = names[name] {
          id = known
        } else {
          id = Int32(names.count)
          names[name] = id
        }
        items.append(id)
        if id > maxID { maxID = id }
        start = index + 1
      }
    }
    if stop > position { offsets.append(items.count) }
    position = lineEnd + 1
  }
}
let transactions = TransactionSet(
  (0..<(offsets.count - 1)).lazy.map { items[offsets[$0]..<offsets[$0 + 1]] }, itemCount: Int(maxID) + 1)
let readSeconds = now() - readStart

// MARK: - Mining

do {
  let options = MiningOptions(minSupport: .relative(support), threads: threads)
  var mineSeconds = Double.infinity
  if countOnly {
    var histogram: [Int] = []
    for _ in 0..<repeats {
      let mineStart = now()
      histogram = try FPGrowth.countBySize(transactions, options: options)
      mineSeconds = min(mineSeconds, now() - mineStart)
    }
    print("itemsets=\(histogram.reduce(0, +)) read_s=\(readSeconds) mine_s=\(mineSeconds)")
  } else {
    var itemsets = FrequentItemsets(transactionCount: 0, itemsets: [])
    for _ in 0..<repeats {
      let mineStart = now()
      itemsets = try FPGrowth.mine(transactions, options: options)
      mineSeconds = min(mineSeconds, now() - mineStart)
    }
    var line = "itemsets=\(itemsets.count) read_s=\(readSeconds) mine_s=\(mineSeconds)"
    if let ruleConfidence {
      let rulesStart = now()
      let rules = AssociationRules.generate(from: itemsets, options: RuleOptions(minConfidence: ruleConfidence))
      line += " rules=\(rules.count) rules_s=\(now() - rulesStart)"
    }
    print(line)
  }
} catch {
  fail("\(error)")
}
