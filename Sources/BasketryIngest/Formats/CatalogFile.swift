import BasketryCore

/// Reads a catalog CSV: one item per row with columns (matched by normalised name)
/// item (`item`, `item_id`, `product_id`, `sku`, `stock_code`, `id`), title (`title`, `name`,
/// `description`, `product_name`), category (`category`, `category_path`; `A > B` or `A/B`),
/// price, cost, stock (`stock`, `inventory`, `stock_quantity`), price cap (`msrp`, `rrp`,
/// `competitor_price`, `price_cap`) and hidden (`hidden`: 1/true/yes).
///
/// Only the item column is required. Supplying a catalog turns on the `unknown-item` rule.
enum CatalogFile {
  static func read(_ path: String, into input: inout ParsedInput) throws {
    var reader = try CSVReader(path: path, separator: .delimiter(input.options.delimiter ?? UInt8(ascii: ",")))
    let file = reader.file
    guard let headerRecord = try reader.next() else {
      if input.catalog == nil { input.catalog = [:] }
      return
    }
    let header = HeaderIndex(headerRecord.fields)
    let item = try header.required(
      nil, defaults: ["item", "item_id", "product_id", "sku", "stock_code", "id"], file: file, role: "item id")
    let title = header.index(["title", "name", "description", "product_name", "item_name"])
    let category = header.index(["category", "category_path"])
    let price = header.index(["price", "unit_price"])
    let cost = header.index(["cost", "unit_cost"])
    let stock = header.index(["stock", "inventory", "stock_quantity"])
    let cap = header.index(["msrp", "rrp", "competitor_price", "price_cap"])
    let hidden = header.index(["hidden"])
    let names = header.names
    if input.catalog == nil { input.catalog = [:] }
    while true {
      let record: CSVRecord
      do {
        guard let next = try reader.next() else { break }
        record = next
      } catch let error as IngestError where error.category == .invalidInput && error.location.line != nil {
        try input.badRows.record(error)
        continue
      }
      do {
        try record.requireFieldCount(headerRecord.count, file: file)
        func text(_ column: Int?) throws -> String? {
          guard let column else { return nil }
          guard let value = record.string(column) else {
            throw IngestError(SourceLocation(file: file, line: record.line, field: names[column]), "invalid UTF-8")
          }
          let trimmed = Substring(value).trimmingBlanks()
          return trimmed.isEmpty ? nil : trimmed
        }
        func number(_ column: Int?) throws -> Double? {
          guard let column else { return nil }
          let value = try record.number(column, file: file, field: names[column])
          return value.isNaN ? nil : value
        }
        guard let id = try text(item) else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: names[item]), "empty item id")
        }
        var attributes = ItemAttributes()
        attributes.title = try text(title)
        attributes.categoryPath = try text(category).map(splitCategoryPath) ?? []
        attributes.price = try number(price)
        attributes.cost = try number(cost)
        attributes.priceCap = try number(cap)
        if let stock, let stockValue = try number(stock) {
          guard abs(stockValue) < 1e15 else {
            throw IngestError(SourceLocation(file: file, line: record.line, field: names[stock]), "stock out of range")
          }
          attributes.stock = Int(stockValue)
        }
        if let flag = try text(hidden)?.lowercased() { attributes.hidden = ["1", "true", "yes", "y"].contains(flag) }
        input.addCatalogItem(id, attributes)
      } catch let error as IngestError {
        try input.badRows.record(error)
      }
    }
  }
}
