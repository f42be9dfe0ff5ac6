import BasketryCore

/// Reads UCI Online Retail I (`InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice,
/// CustomerID, Country`) and Online Retail II (`Invoice, …, Price, Customer ID, Country`) exports.
///
/// Headers match case-insensitively ignoring spaces and underscores. Invoices starting with `C`
/// are cancellations, with `A` adjustments. Customer ids written as floats (`13085.0`, as pandas
/// exports Online Retail II) are normalised to integers. Descriptions are trimmed. An optional unit
/// cost column (``ColumnMapping/cost``, default `cost` or `unit_cost`) gives item costs for bundle
/// pricing. Dates follow ``IngestOptions/dateFormat``; undecided slash dates are read month/day, the
/// UCI export's order.
enum OnlineRetailFormat {
  static func read(_ paths: [String], into input: inout ParsedInput) throws {
    for path in paths { try readFile(path, into: &input) }
    input.notes.append("InvoiceDate has no time zone (UK local time in the UCI data); it is read as UTC.")
    input.notes.append(
      "Rows with an empty Description are nearly all price-0 stock notes: those not removed earlier are counted "
        + "under non-positive-price (empty_description).")
  }

  private static func readFile(_ path: String, into input: inout ParsedInput) throws {
    var reader = try CSVReader(path: path, separator: .delimiter(input.options.delimiter ?? UInt8(ascii: ",")))
    let file = reader.file
    guard let headerRecord = try reader.next() else { return }
    let header = HeaderIndex(headerRecord.fields)
    let invoice = try header.required(nil, defaults: ["invoiceno", "invoice"], file: file, role: "invoice")
    let stock = try header.required(nil, defaults: ["stockcode"], file: file, role: "stock code")
    let description = header.index(["description"])
    let quantity = try header.required(nil, defaults: ["quantity"], file: file, role: "quantity")
    let date = try header.required(nil, defaults: ["invoicedate"], file: file, role: "invoice date")
    let price = try header.required(nil, defaults: ["unitprice", "price"], file: file, role: "price")
    let customer = header.index(["customerid"])
    let cost = try header.column(
      input.options.columns.cost, defaults: ColumnMapping.defaultCost, file: file, role: "cost")
    let fieldCount = headerRecord.count
    let names = header.names
    let bytesBefore = input.bytesRead
    while let record = try reader.nextRecord(into: &input) {
      do {
        try record.requireFieldCount(fieldCount, file: file)
        let kind: LineKind = record.withField(invoice) { bytes in
          let trimmed = NumberParser.trimmed(bytes)
          guard let first = trimmed.first else { return .purchase }
          if first == UInt8(ascii: "C") || first == UInt8(ascii: "c") { return .cancellation }
          if first == UInt8(ascii: "A") || first == UInt8(ascii: "a") { return .adjustment }
          return .purchase
        }
        let order = try record.intern(invoice, into: &input.table.orderIDs, file: file, field: names[invoice])
        guard order >= 0 else {
          throw IngestError(
            SourceLocation(file: file, line: record.line, field: names[invoice]), "empty invoice number")
        }
        let item = try record.intern(stock, into: &input.table.itemIDs, file: file, field: names[stock])
        guard item >= 0 else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: names[stock]), "empty stock code")
        }
        let q = try record.number(quantity, file: file, field: names[quantity])
        guard !q.isNaN else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: names[quantity]), "empty quantity")
        }
        let p = try record.number(price, file: file, field: names[price])
        var user: Int32 = -1
        if let customer {
          user = try record.withField(customer) { raw in
            var bytes = NumberParser.trimmed(raw)
            // "13085.0" → "13085"
            if bytes.count > 2 && bytes[bytes.count - 1] == 0x30 && bytes[bytes.count - 2] == 0x2E {
              bytes = UnsafeBufferPointer(rebasing: bytes[0..<(bytes.count - 2)])
            }
            if bytes.isEmpty { return -1 }
            guard let id = input.table.userIDs.intern(bytes) else {
              throw IngestError(SourceLocation(file: file, line: record.line, field: names[customer]), "invalid UTF-8")
            }
            return id
          }
        }
        var title: Int32 = -1
        if let description {
          title = try record.intern(description, into: &input.table.titles, file: file, field: names[description])
        }
        var c = Double.nan
        if let cost { c = try record.number(cost, file: file, field: names[cost]) }
        // The date is read last: nothing may fail between it and the append (see DateReader).
        let (t, dayFirst) = try record.date(date, reader: &input.dates, file: file, field: names[date])
        if kind == .cancellation { input.cancellationInvoiceRows += 1 }
        input.table.append(
          order: order, user: user, item: item, time: t, quantity: q, price: p, title: title, cost: c, kind: kind,
          hash: record.contentHash())
        if let dayFirst {
          input.dates.remember(
            row: input.table.count - 1, dayFirst: dayFirst,
            location: SourceLocation(file: file, line: record.line, field: names[date]),
            raw: record.string(date) ?? "")
        }
      } catch let error as IngestError {
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
