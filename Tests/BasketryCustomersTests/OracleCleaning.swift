import BasketryCore
import BasketryIngest
import Foundation

/// The ORACLES cleaning of Online Retail through Basketry's ingest: adjustments (A…) dropped,
/// cancellations (C…, all with negative quantities) dropped as quantity ≤ 0 rather than netted,
/// price ≤ 0 dropped, duplicates kept (the oracle keeps them), no basket cap; stock codes outside
/// `^[0-9]{5}[A-Za-z]*$` removed by the RFM table's item filter; orders without a customer ignored.
enum OracleCleaning {
  static var options: IngestOptions {
    var options = IngestOptions(format: .onlineRetail)
    options.cleaning.dropDuplicates = false
    options.cleaning.netCancellations = false
    options.cleaning.dropNonProducts = false
    options.cleaning.basketCap = .none
    return options
  }

  /// Whether a stock code is five digits followed by letters only.
  static func isProductCode(_ code: String) -> Bool {
    let bytes = Array(code.utf8)
    guard bytes.count >= 5, bytes[0..<5].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
    return bytes[5...].allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }
  }

  static func productFilter(_ catalog: Catalog) -> (Int32) -> Bool {
    let keep = (0..<catalog.count).map { isProductCode(catalog.externalID(Int32($0))) }
    return { keep[Int($0)] }
  }

  /// Midnight UTC of a `YYYY-MM-DD` date, in Unix seconds.
  static func unixTime(_ date: String) -> Int64 {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    return Int64(formatter.date(from: date)?.timeIntervalSince1970 ?? 0)
  }
}
