import BasketryCore

/// Reads a randomised campaign log: a CSV with a header and the columns `customer` (or `customer_id`,
/// `user`, `user_id`), `treated` (or `treatment`, `group`: 1/0, true/false, yes/no, treatment/control) and
/// `converted` (or `conversion`, `outcome`, `purchased`: 1/0, true/false, yes/no).
public enum CampaignLogFile {
  /// Reads every row.
  /// - Parameter path: the file (plain or gzip; `-` for standard input).
  /// - Returns: the entries in file order.
  /// - Throws: ``IngestError`` naming the file, line and field of the first bad row (missing column, empty
  ///   customer, a flag that is not 0/1, a customer listed twice); `.notFound` when the file is missing.
  /// - Complexity: O(file size).
  public static func read(_ path: String) throws -> [CampaignLogEntry] {
    var reader = try CSVReader(path: path)
    let file = reader.file
    guard let headerRecord = try reader.next() else {
      throw IngestError(SourceLocation(file: file, line: 1), "empty campaign log (expected customer,treated,converted)")
    }
    let header = HeaderIndex(headerRecord.fields)
    let customer = try header.required(
      nil, defaults: ["customer", "customer_id", "user", "user_id"], file: file, role: "customer")
    let treated = try header.required(nil, defaults: ["treated", "treatment", "group"], file: file, role: "treated")
    let converted = try header.required(
      nil, defaults: ["converted", "conversion", "outcome", "purchased"], file: file, role: "converted")
    let names = header.names
    var entries: [CampaignLogEntry] = []
    var seen: [String: Int] = [:]
    while let record = try reader.next() {
      try record.requireFieldCount(headerRecord.count, file: file)
      func text(_ column: Int) throws -> String {
        guard let value = record.string(column) else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: names[column]), "invalid UTF-8")
        }
        return Substring(value).trimmingBlanks()
      }
      func flag(_ column: Int, extra: [String: Bool] = [:]) throws -> Bool {
        let value = try text(column).lowercased()
        if let known = extra[value] { return known }
        switch value {
        case "1", "true", "yes", "y": return true
        case "0", "false", "no", "n": return false
        default:
          throw IngestError(
            SourceLocation(file: file, line: record.line, field: names[column]),
            "expected 0 or 1, got '\(value)'")
        }
      }
      let id = try text(customer)
      guard !id.isEmpty else {
        throw IngestError(SourceLocation(file: file, line: record.line, field: names[customer]), "empty customer id")
      }
      if let first = seen[id] {
        throw IngestError(
          SourceLocation(file: file, line: record.line, field: names[customer]),
          "customer '\(id)' is already on line \(first)")
      }
      seen[id] = record.line
      entries.append(
        CampaignLogEntry(
          customer: id, treated: try flag(treated, extra: ["treatment": true, "control": false]),
          converted: try flag(converted)))
    }
    return entries
  }
}
