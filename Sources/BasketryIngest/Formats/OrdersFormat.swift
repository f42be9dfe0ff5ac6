import BasketryCore

/// Reads a generic order-line CSV (one line per order line) through a ``ColumnMapping``.
///
/// Missing quantity means 1; missing price means unknown (`.nan`); missing time means
/// ``Baskets/noTime``. A negative quantity with a positive or unknown price is a return (netted by
/// the `cancellation` rule). Category paths may be written `A > B > C` or `A/B/C`.
///
/// Baskets come from the order id column unless ``IngestOptions/basketBy`` groups a user's lines by
/// day or session; then user and time are required on every line. With
/// ``IngestOptions/priceIsLineTotal`` the price and cost columns hold quantity × unit price and are
/// divided by the quantity (a quantity of 0 is a bad row). Dates are read as ``IngestOptions/dateFormat``
/// says.
enum OrdersFormat {
  static func read(_ paths: [String], into input: inout ParsedInput) throws {
    for path in paths { try readFile(path, into: &input) }
    if input.options.priceIsLineTotal {
      input.notes.append("Price and cost columns hold line totals (quantity × unit price); divided by the quantity.")
    }
  }

  private static func readFile(_ path: String, into input: inout ParsedInput) throws {
    var reader = try CSVReader(path: path, separator: .delimiter(input.options.delimiter ?? UInt8(ascii: ",")))
    let file = reader.file
    guard let headerRecord = try reader.next() else { return }
    let header = HeaderIndex(headerRecord.fields)
    let mapping = input.options.columns
    let grouping = input.options.basketBy
    let lineTotals = input.options.priceIsLineTotal
    typealias M = ColumnMapping
    var orderColumn: Int? = nil
    if grouping == .orderColumn {
      guard let column = try header.column(mapping.order, defaults: M.defaultOrder, file: file, role: "order id")
      else {
        throw IngestError(
          SourceLocation(file: file, line: 1),
          "no order id column (looked for \(M.defaultOrder.joined(separator: ", ")); header: "
            + "\(header.names.joined(separator: ", "))); name it with --order-column, or make baskets from "
            + "user and time with --basket-by user-day or --basket-by session:MINUTES")
      }
      orderColumn = column
    }
    let itemColumn = try header.required(mapping.item, defaults: M.defaultItem, file: file, role: "item id")
    let userColumn = try header.column(mapping.user, defaults: M.defaultUser, file: file, role: "user id")
    let timeColumn = try header.column(mapping.time, defaults: M.defaultTime, file: file, role: "time")
    let priceColumn = try header.column(mapping.price, defaults: M.defaultPrice, file: file, role: "price")
    let quantityColumn = try header.column(mapping.quantity, defaults: M.defaultQuantity, file: file, role: "quantity")
    let titleColumn = try header.column(mapping.title, defaults: M.defaultTitle, file: file, role: "title")
    let categoryColumn = try header.column(mapping.category, defaults: M.defaultCategory, file: file, role: "category")
    let costColumn = try header.column(mapping.cost, defaults: M.defaultCost, file: file, role: "cost")
    if grouping != .orderColumn && (userColumn == nil || timeColumn == nil) {
      let missing = userColumn == nil ? "user id" : "time"
      let defaults = userColumn == nil ? M.defaultUser : M.defaultTime
      throw IngestError(
        SourceLocation(file: file, line: 1),
        "--basket-by \(grouping.description) needs a \(missing) column (looked for "
          + "\(defaults.joined(separator: ", ")); header: \(header.names.joined(separator: ", ")))")
    }
    let fieldCount = headerRecord.count
    let names = header.names
    let bytesBefore = input.bytesRead
    while let record = try reader.nextRecord(into: &input) {
      do {
        try record.requireFieldCount(fieldCount, file: file)
        var order: Int32 = -1
        if let orderColumn {
          order = try record.intern(orderColumn, into: &input.table.orderIDs, file: file, field: names[orderColumn])
          guard order >= 0 else {
            throw IngestError(
              SourceLocation(file: file, line: record.line, field: names[orderColumn]), "empty order id")
          }
        }
        let item = try record.intern(itemColumn, into: &input.table.itemIDs, file: file, field: names[itemColumn])
        guard item >= 0 else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: names[itemColumn]), "empty item id")
        }
        var user: Int32 = -1
        if let userColumn {
          user = try record.intern(userColumn, into: &input.table.userIDs, file: file, field: names[userColumn])
          if user < 0 && orderColumn == nil {
            throw IngestError(
              SourceLocation(file: file, line: record.line, field: names[userColumn]),
              "empty user id: --basket-by \(grouping.description) groups a user's lines")
          }
        }
        var price = Double.nan
        if let priceColumn { price = try record.number(priceColumn, file: file, field: names[priceColumn]) }
        var quantity = 1.0
        if let quantityColumn {
          let q = try record.number(quantityColumn, file: file, field: names[quantityColumn])
          if !q.isNaN { quantity = q }
        }
        var title: Int32 = -1
        if let titleColumn {
          title = try record.intern(titleColumn, into: &input.table.titles, file: file, field: names[titleColumn])
        }
        var category: Int32 = -1
        if let categoryColumn {
          category = try record.intern(
            categoryColumn, into: &input.table.categories, file: file, field: names[categoryColumn])
        }
        var cost = Double.nan
        if let costColumn { cost = try record.number(costColumn, file: file, field: names[costColumn]) }
        if lineTotals && !(price.isNaN && cost.isNaN) {
          guard quantity != 0 else {
            throw IngestError(
              SourceLocation(file: file, line: record.line, field: quantityColumn.map { names[$0] }),
              "quantity 0: the line total cannot be divided into a unit price (--price-is-line-total)")
          }
          price /= quantity
          cost /= quantity
        }
        // The date is read last: nothing may fail between it and the append (see DateReader).
        var time = Baskets.noTime
        var dayFirst: Int64? = nil
        if let timeColumn {
          (time, dayFirst) = try record.date(timeColumn, reader: &input.dates, file: file, field: names[timeColumn])
          if time == Baskets.noTime && orderColumn == nil {
            throw IngestError(
              SourceLocation(file: file, line: record.line, field: names[timeColumn]),
              "empty time: --basket-by \(grouping.description) groups a user's lines by time")
          }
        }
        input.table.append(
          order: order, user: user, item: item, time: time, quantity: quantity, price: price, title: title,
          category: category, cost: cost, hash: record.contentHash())
        if let dayFirst, let timeColumn {
          input.dates.remember(
            row: input.table.count - 1, dayFirst: dayFirst,
            location: SourceLocation(file: file, line: record.line, field: names[timeColumn]),
            raw: record.string(timeColumn) ?? "")
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
