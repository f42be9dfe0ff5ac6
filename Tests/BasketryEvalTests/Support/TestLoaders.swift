import BasketryCore
import Foundation

/// Minimal loaders for the shared real data, used only by the opt-in benchmark tests (the real ingest lives in
/// BasketryIngest). Online Retail is cleaned as ORACLES.md states.
enum TestLoaders {
  struct LoadError: Error, CustomStringConvertible {
    var description: String
  }

  /// Decompresses a .gz file with the system gzip.
  static func gunzip(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "gzip -dc '\(path)'"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw LoadError(description: "gzip failed on \(path)") }
    return String(decoding: data, as: UTF8.self)
  }

  /// Splits one CSV record (double-quoted fields may contain commas and doubled quotes).
  static func fields(_ line: Substring) -> [Substring] {
    guard line.contains("\"") else { return line.split(separator: ",", omittingEmptySubsequences: false) }
    var result: [Substring] = []
    var current = ""
    var quoted = false
    var iterator = line.makeIterator()
    while let ch = iterator.next() {
      if quoted {
        if ch == "\"" {
          quoted = false
        } else {
          current.append(ch)
        }
      } else if ch == "\"" {
        quoted = true
      } else if ch == "," {
        result.append(Substring(current))
        current = ""
      } else {
        current.append(ch)
      }
    }
    result.append(Substring(current))
    return result
  }

  static func isValidStockCode(_ code: Substring) -> Bool {
    let scalars = Array(code.unicodeScalars)
    guard scalars.count >= 5 else { return false }
    for (i, s) in scalars.enumerated() {
      if i < 5 {
        guard s.value >= 48 && s.value <= 57 else { return false }
      } else {
        guard (s.value >= 65 && s.value <= 90) || (s.value >= 97 && s.value <= 122) else { return false }
      }
    }
    return true
  }

  /// Unix seconds of "YYYY-MM-DD HH:MM[:SS]" (UTC).
  static func parseTime(_ text: Substring) -> Int64? {
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int($0) }
    guard parts.count >= 5 else { return nil }
    let (y, m, d) = (parts[0], parts[1], parts[2])
    // Days from civil (Howard Hinnant).
    let yy = m <= 2 ? y - 1 : y
    let era = (yy >= 0 ? yy : yy - 399) / 400
    let yoe = yy - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146_097 + doe - 719_468
    let seconds = parts.count > 5 ? parts[5] : 0
    return Int64(days) * 86_400 + Int64(parts[3] * 3600 + parts[4] * 60 + seconds)
  }

  /// UCI Online Retail with ORACLES cleaning: drop invoices starting with C or A, quantity ≤ 0, price ≤ 0,
  /// missing customer, and stock codes not matching `^[0-9]{5}[A-Za-z]*$`; one basket per invoice.
  static func onlineRetail(_ path: String) throws -> Dataset {
    let text = try gunzip(path)
    var dataset = Dataset()
    var invoiceIndex: [Substring: Int] = [:]
    var invoices:
      [(id: Substring, user: Int32, time: Int64, lines: [(item: Int32, quantity: Double, unitPrice: Double)])] = []
    var first = true
    for line in text.split(whereSeparator: \.isNewline) {
      if first {
        first = false
        continue
      }
      let f = fields(line)
      guard f.count >= 8 else { continue }
      let invoice = f[0]
      guard let head = invoice.first, head != "C", head != "A" else { continue }
      guard let quantity = Double(f[3]), quantity > 0, let price = Double(f[5]), price > 0 else { continue }
      let customer = f[6].trimmingCharacters(in: .whitespaces)
      guard !customer.isEmpty, isValidStockCode(f[1]), let time = parseTime(f[4]) else { continue }
      let item = dataset.catalog.intern(String(f[1]))
      let user = dataset.users.intern(customer)
      if let index = invoiceIndex[invoice] {
        invoices[index].lines.append((item, quantity, price))
      } else {
        invoiceIndex[invoice] = invoices.count
        invoices.append((invoice, user, time, [(item, quantity, price)]))
      }
    }
    for invoice in invoices {
      dataset.baskets.append(
        orderID: String(invoice.id), user: invoice.user, timestamp: invoice.time, lines: invoice.lines)
    }
    return dataset
  }

  /// The Instacart sample (orders ⋈ prior lines): one basket per order, time = the user's order number.
  static func instacartSample(_ path: String) throws -> Dataset {
    let text = try gunzip(path)
    var dataset = Dataset()
    var orderIndex: [Substring: Int] = [:]
    var orders: [(id: Substring, user: Int32, number: Int64, items: [Int32])] = []
    var first = true
    for line in text.split(whereSeparator: \.isNewline) {
      if first {
        first = false
        continue
      }
      let f = fields(line)
      guard f.count >= 8, let number = Int64(f[3]) else { continue }
      let user = dataset.users.intern(String(f[2]))
      let item = dataset.catalog.intern(String(f[7]))
      if let index = orderIndex[f[1]] {
        orders[index].items.append(item)
      } else {
        orderIndex[f[1]] = orders.count
        orders.append((f[1], user, number, [item]))
      }
    }
    for order in orders {
      dataset.baskets.append(orderID: String(order.id), user: order.user, timestamp: order.number, items: order.items)
    }
    return dataset
  }
}
