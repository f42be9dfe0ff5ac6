import BasketryCore

/// Reads one basket per line, no header: comma-separated item names (groceries.csv, with RFC 4180
/// quoting) or whitespace-separated item ids (FIMI `retail.dat`).
///
/// The separator is detected per file from its first 1 MiB: a comma anywhere means comma CSV, else
/// whitespace. (Per-line detection would split one-item lines such as `whole milk` at the space.)
/// ``IngestOptions/delimiter`` overrides the detection (a space or tab means whitespace).
/// Item names are kept exactly as written (groceries has `cream cheese ` with a trailing space);
/// only empty tokens are ignored (FIMI lines end with a space). Order ids are the 1-based physical
/// line numbers; empty lines are counted by the `empty-basket` rule and skipped.
enum BasketsFormat {
  static func read(_ paths: [String], into input: inout ParsedInput) throws {
    var emptyLines = 0
    for path in paths { try readFile(path, into: &input, emptyLines: &emptyLines) }
    input.readRules.append(
      CleaningReport.Rule(
        rule: "empty-basket", description: "empty lines (no items)", action: "dropped", rowsAffected: emptyLines,
        ordersAffected: emptyLines))
  }

  /// The separator for a basket file: the explicit delimiter if given (space or tab meaning
  /// whitespace), else detected from the first 1 MiB.
  static func separator(override: UInt8?) -> CSVReader.Separator {
    guard let override else { return .automatic }
    return override == UInt8(ascii: " ") || override == UInt8(ascii: "\t") ? .whitespace : .delimiter(override)
  }

  private static func readFile(_ path: String, into input: inout ParsedInput, emptyLines: inout Int) throws {
    var reader = try CSVReader(
      path: path, separator: separator(override: input.options.delimiter), skipsBlankLines: false)
    let file = reader.file
    let multiple = input.table.orderIDs.count > 0
    let bytesBefore = input.bytesRead
    while let record = try reader.nextRecord(into: &input) {
      var orderID: Int32 = -1
      var added = 0
      do {
        for field in 0..<record.count {
          if record.withField(field, { $0.isEmpty }) { continue }
          let item = try record.intern(
            field, into: &input.table.itemIDs, file: file, field: String(field + 1), trim: false)
          if orderID < 0 {
            let label = multiple ? "\(file):\(record.line)" : String(record.line)
            orderID = input.table.orderIDs.intern(label)
          }
          input.table.append(order: orderID, user: -1, item: item, time: Baskets.noTime, quantity: 1, price: .nan)
          added += 1
        }
        if record.count == 0 || added == 0 { emptyLines += 1 }
      } catch let error as IngestError {
        // Undo the lines of this basket already appended, then count the bad row.
        while added > 0 {
          input.table.removeLast()
          added -= 1
        }
        try input.badRows.record(error)
      }
      if input.rowsRead & 0xFFFF == 0 {
        input.bytesRead = bytesBefore + reader.bytesRead
        input.reportProgress(phase: "read")
      }
    }
    input.bytesRead = bytesBefore + reader.bytesRead
  }
}
