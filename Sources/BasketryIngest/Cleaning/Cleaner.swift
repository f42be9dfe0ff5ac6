import BasketryCore

/// Applies the ``CleaningOptions`` rules to parsed lines, counts every rule, and builds the
/// ``Dataset``. See ``CleaningOptions`` for the rules and their order.
struct Cleaner {
  private var input: ParsedInput
  private let options: CleaningOptions
  private var alive: [Bool]
  private var rules: [CleaningReport.Rule] = []
  private var returnEvents: [RawEvent] = []
  private var orderMark: [Int32]
  private var stamp: Int32 = 0
  private let nonProductRegex: Regex<AnyRegexOutput>?

  /// - Throws: ``IngestError`` when ``CleaningOptions/nonProductPattern`` is not a valid regular expression.
  init(input: ParsedInput) throws {
    self.input = input
    self.options = input.options.cleaning
    alive = [Bool](repeating: true, count: input.table.count)
    orderMark = [Int32](repeating: 0, count: input.table.orderIDs.count)
    if let pattern = options.nonProductPattern, options.dropNonProducts {
      do {
        nonProductRegex = try Regex(pattern)
      } catch {
        throw IngestError(
          SourceLocation(file: "<options>", field: "nonProductPattern"),
          "invalid regular expression '\(pattern)': \(error)")
      }
    } else {
      nonProductRegex = nil
    }
  }

  // MARK: - Counting helpers

  /// Counts distinct orders among `rows`.
  private mutating func distinctOrders(_ rows: [Int]) -> Int {
    stamp += 1
    var count = 0
    for row in rows {
      let order = Int(input.table.order[row])
      if orderMark[order] != stamp {
        orderMark[order] = stamp
        count += 1
      }
    }
    return count
  }

  /// Drops `rows` and records the rule.
  private mutating func drop(_ rows: [Int], rule: String, description: String, details: [String: Int] = [:]) {
    for row in rows { alive[row] = false }
    rules.append(
      CleaningReport.Rule(
        rule: rule, description: description, action: "dropped", rowsAffected: rows.count,
        ordersAffected: distinctOrders(rows), details: details))
  }

  // MARK: - Run

  mutating func run() throws -> IngestResult {
    let table = input.table
    let n = table.count
    rules.append(contentsOf: input.readRules)

    // 1. Exact duplicates.
    if options.dropDuplicates && table.rowHash.count == n && n > 0 {
      var seen = Set<ContentHash>(minimumCapacity: n)
      var rows: [Int] = []
      for i in 0..<n where !seen.insert(table.rowHash[i]).inserted { rows.append(i) }
      drop(rows, rule: "duplicate", description: "exact duplicate rows (all fields equal) after the first")
    }

    // 2. Adjustments.
    if options.dropAdjustments {
      let rows = (0..<n).filter { alive[$0] && table.kind[$0] == .adjustment }
      if !rows.isEmpty || input.options.format == .onlineRetail {
        drop(rows, rule: "adjustment", description: "adjustment invoices (A…, adjust bad debt)")
      }
    }

    // 3. Cancellations and returns, netted against earlier purchases.
    if options.netCancellations { netCancellations() }

    // 4. Non-product codes.
    if options.dropNonProducts {
      var cache = [Int8](repeating: -1, count: table.itemIDs.count)
      var rows: [Int] = []
      for i in 0..<n where alive[i] {
        let item = Int(table.item[i])
        if cache[item] < 0 { cache[item] = isNonProduct(table.itemIDs[Int32(item)]) ? 1 : 0 }
        if cache[item] == 1 { rows.append(i) }
      }
      drop(rows, rule: "non-product", description: "non-product codes (postage, fees, manual lines, vouchers)")
    }

    // 5. Non-positive quantity.
    if options.dropNonPositiveQuantity {
      let rows = (0..<n).filter { alive[$0] && table.quantity[$0] <= 0 }
      drop(rows, rule: "non-positive-quantity", description: "quantity ≤ 0 not a return (stock write-offs)")
    }

    // 6. Non-positive price.
    if options.dropNonPositivePrice {
      let rows = (0..<n).filter { alive[$0] && table.price[$0] <= 0 }
      // Online Retail's empty-description rows are nearly all price-0 junk; count them here.
      let emptyTitle = rows.filter { table.title[$0] < 0 }.count
      drop(
        rows, rule: "non-positive-price", description: "unit price ≤ 0 (free lines, stock notes)",
        details: emptyTitle > 0 ? ["empty_description": emptyTitle] : [:])
    }

    // 7. Unknown items.
    if options.dropUnknownItems, let catalog = input.catalog {
      var cache = [Int8](repeating: -1, count: table.itemIDs.count)
      var rows: [Int] = []
      for i in 0..<n where alive[i] {
        let item = Int(table.item[i])
        if cache[item] < 0 { cache[item] = catalog[table.itemIDs[Int32(item)]] == nil ? 1 : 0 }
        if cache[item] == 1 { rows.append(i) }
      }
      drop(rows, rule: "unknown-item", description: "item not in the supplied catalog")
    }

    input.reportProgress(phase: "build", force: true)
    return buildResult()
  }

  // MARK: - Non-products

  private func isNonProduct(_ code: String) -> Bool {
    if options.nonProductCodes.contains(code) { return true }
    for prefix in options.nonProductPrefixes where code.hasPrefix(prefix) { return true }
    if let nonProductRegex {
      do {
        return try nonProductRegex.wholeMatch(in: code) != nil
      } catch {
        return false
      }
    }
    return false
  }

  // MARK: - Netting

  private mutating func netCancellations() {
    let table = input.table
    let n = table.count
    // Process in time order (stable); most inputs are already sorted.
    var sorted = true
    var previous = Int64.min
    for i in 0..<n {
      if table.time[i] < previous {
        sorted = false
        break
      }
      previous = table.time[i]
    }
    let order: [Int] = sorted ? Array(0..<n) : (0..<n).sorted { (table.time[$0], $0) < (table.time[$1], $1) }
    var quantity = table.quantity
    var stacks: [Int64: [Int32]] = [:]
    var returnRows: [Int] = []
    var nettedRemoved: [Int] = []
    var reduced = Set<Int32>()
    var unmatched = 0
    var withoutUser = 0
    var negativeQuantityRows = 0
    for i in order where alive[i] {
      let q = quantity[i]
      let price = table.price[i]
      let isReturn = table.kind[i] == .cancellation || (q < 0 && !(price <= 0))
      let user = table.user[i]
      let key = Int64(user) << 32 | Int64(UInt32(bitPattern: table.item[i]))
      if !isReturn {
        if q > 0 && user >= 0 { stacks[key, default: []].append(Int32(i)) }
        continue
      }
      returnRows.append(i)
      if table.kind[i] != .cancellation { negativeQuantityRows += 1 }
      guard user >= 0 else {
        withoutUser += 1
        continue
      }
      var remaining = abs(q)
      returnEvents.append(
        RawEvent(
          user: user, item: table.item[i], type: .return, value: remaining, price: price.isNaN ? nil : price,
          time: table.time[i], session: Event.noSession))
      while remaining > 0, let last = stacks[key]?.last {
        let j = Int(last)
        if !alive[j] {
          stacks[key]?.removeLast()
          continue
        }
        let take = min(remaining, quantity[j])
        quantity[j] -= take
        remaining -= take
        if quantity[j] <= 0 {
          stacks[key]?.removeLast()
          nettedRemoved.append(j)
          alive[j] = false
          reduced.remove(last)
        } else {
          reduced.insert(last)
        }
      }
      if remaining > 0 { unmatched += 1 }
    }
    // Write back reduced quantities.
    for j in reduced { input.table.quantity[Int(j)] = quantity[Int(j)] }
    for j in nettedRemoved { alive[j] = true }  // let drop() count them with the returns
    var details: [String: Int] = [
      "return_rows": returnRows.count,
      "netted_purchase_lines_removed": nettedRemoved.count,
      "purchase_lines_reduced": reduced.count,
      "unmatched_returns": unmatched,
      "returns_without_user": withoutUser,
      "negative_quantity_rows": negativeQuantityRows,
    ]
    if input.cancellationInvoiceRows > 0 { details["invoice_rows_read"] = input.cancellationInvoiceRows }
    drop(
      returnRows + nettedRemoved, rule: "cancellation",
      description: "cancellations/returns, netted against the customer's earlier purchases", details: details)
  }

  // MARK: - Build

  private mutating func buildResult() -> IngestResult {
    let table = input.table
    let n = table.count
    let orderCount = table.orderIDs.count

    // Group alive rows by order (counting sort keeps input order inside an order).
    var rowOffsets = [Int](repeating: 0, count: orderCount + 1)
    for i in 0..<n where alive[i] { rowOffsets[Int(table.order[i]) + 1] += 1 }
    for o in 0..<orderCount { rowOffsets[o + 1] += rowOffsets[o] }
    var cursor = rowOffsets
    var grouped = [Int32](repeating: 0, count: rowOffsets[orderCount])
    for i in 0..<n where alive[i] {
      let o = Int(table.order[i])
      grouped[cursor[o]] = Int32(i)
      cursor[o] += 1
    }

    // Merge repeated items per order.
    var orderKeys: [Int32] = []
    var orderUsers: [Int32] = []
    var orderTimes: [Int64] = []
    var orderRowCounts: [Int] = []
    var lineOffsets: [Int] = [0]
    var lineItems: [Int32] = []
    var lineQuantities: [Double] = []
    var lineAmounts: [Double] = []  // Σ q·p while merging, then the unit price
    var linePriceKnown: [Bool] = []
    var slotOrder = [Int32](repeating: -1, count: table.itemIDs.count)
    var slotIndex = [Int](repeating: 0, count: table.itemIDs.count)
    var mergedRows: [Int] = []
    for o in 0..<orderCount where rowOffsets[o + 1] > rowOffsets[o] {
      let orderIndex = Int32(orderKeys.count)
      var user = Baskets.noUser
      var time = Baskets.noTime
      for k in rowOffsets[o]..<rowOffsets[o + 1] {
        let i = Int(grouped[k])
        if user < 0 && table.user[i] >= 0 { user = table.user[i] }
        let t = table.time[i]
        if t != Baskets.noTime && (time == Baskets.noTime || t < time) { time = t }
        let item = Int(table.item[i])
        let q = table.quantity[i]
        let p = table.price[i]
        if slotOrder[item] == orderIndex {
          let slot = slotIndex[item]
          mergedRows.append(i)
          if linePriceKnown[slot] && !p.isNaN {
            lineAmounts[slot] += q * p
          } else if !p.isNaN {
            lineAmounts[slot] = (lineQuantities[slot] + q) * p
            linePriceKnown[slot] = true
          }
          lineQuantities[slot] += q
        } else {
          slotOrder[item] = orderIndex
          slotIndex[item] = lineItems.count
          lineItems.append(Int32(item))
          lineQuantities.append(q)
          lineAmounts.append(p.isNaN ? 0 : q * p)
          linePriceKnown.append(!p.isNaN)
        }
      }
      orderKeys.append(Int32(o))
      orderUsers.append(user)
      orderTimes.append(time)
      orderRowCounts.append(rowOffsets[o + 1] - rowOffsets[o])
      lineOffsets.append(lineItems.count)
    }
    if !mergedRows.isEmpty || n > 0 {
      rules.append(
        CleaningReport.Rule(
          rule: "merged-repeat",
          description: "repeated items in one order merged (quantities summed, weighted-mean price)", action: "info",
          rowsAffected: mergedRows.count, ordersAffected: distinctOrders(mergedRows)))
    }

    // Oversized baskets.
    let sizes = (0..<orderKeys.count).map { lineOffsets[$0 + 1] - lineOffsets[$0] }
    let cap = Cleaner.resolveCap(options.basketCap, sizes: sizes)
    var keep = [Bool](repeating: true, count: orderKeys.count)
    if options.basketCap != .none {
      var rowsAffected = 0
      var ordersAffected = 0
      if let cap {
        for b in 0..<orderKeys.count where sizes[b] > cap {
          keep[b] = false
          rowsAffected += orderRowCounts[b]
          ordersAffected += 1
        }
      }
      rules.append(
        CleaningReport.Rule(
          rule: "oversized-basket",
          description: "orders with more distinct items than the cap (\(cap.map(String.init) ?? "none"))",
          action: "dropped", rowsAffected: rowsAffected, ordersAffected: ordersAffected,
          details: cap.map { ["cap": $0] } ?? [:]))
    }

    // Missing user (kept, marked).
    var missingRows = 0
    var missingOrders = 0
    for b in 0..<orderKeys.count where keep[b] && orderUsers[b] < 0 {
      missingRows += orderRowCounts[b]
      missingOrders += 1
    }
    if input.options.format != .baskets {
      rules.append(
        CleaningReport.Rule(
          rule: "missing-user", description: "no user: kept for mining, excluded from personalisation",
          action: "kept", rowsAffected: missingRows, ordersAffected: missingOrders))
    }

    // Sort kept orders by time (stable).
    var kept = (0..<orderKeys.count).filter { keep[$0] }
    if kept.contains(where: { orderTimes[$0] != Baskets.noTime }) {
      var isSorted = true
      for k in kept.indices.dropFirst() where orderTimes[kept[k]] < orderTimes[kept[k - 1]] {
        isSorted = false
        break
      }
      if !isSorted { kept.sort { (orderTimes[$0], $0) < (orderTimes[$1], $1) } }
    }

    // Dense ids in order of appearance.
    var catalog = Catalog()
    var users = Interner()
    var itemMap = [Int32](repeating: -1, count: table.itemIDs.count)
    var userMap = [Int32](repeating: -1, count: table.userIDs.count)
    var baskets = Baskets()
    let keptLines = kept.reduce(0) { $0 + sizes[$1] }
    baskets.reserveCapacity(orders: kept.count, lines: keptLines)
    var rowsKept = 0
    var keptOrderFlag = [Bool](repeating: false, count: orderCount)
    for b in kept {
      rowsKept += orderRowCounts[b]
      keptOrderFlag[Int(orderKeys[b])] = true
      var user = Baskets.noUser
      if orderUsers[b] >= 0 {
        let u = Int(orderUsers[b])
        if userMap[u] < 0 { userMap[u] = users.intern(table.userIDs[Int32(u)]) }
        user = userMap[u]
      }
      let range = lineOffsets[b]..<lineOffsets[b + 1]
      var lines: [(item: Int32, quantity: Double, unitPrice: Double)] = []
      lines.reserveCapacity(range.count)
      for l in range {
        let raw = Int(lineItems[l])
        if itemMap[raw] < 0 { itemMap[raw] = catalog.intern(table.itemIDs[Int32(raw)]) }
        let q = lineQuantities[l]
        let price: Double = linePriceKnown[l] ? (q != 0 ? lineAmounts[l] / q : .nan) : .nan
        lines.append((item: itemMap[raw], quantity: q, unitPrice: price))
      }
      baskets.append(
        orderID: table.orderIDs[orderKeys[b]], user: user, timestamp: orderTimes[b], lines: lines)
    }
    let itemsKept = catalog.count

    // Item attributes from the kept rows (fallback: all rows).
    var keptRow = [Bool](repeating: false, count: n)
    for i in 0..<n where alive[i] && keptOrderFlag[Int(table.order[i])] { keptRow[i] = true }
    let titleMode = Cleaner.modes(table.item, table.title, keptRow: keptRow)
    let categoryMode = Cleaner.modes(table.item, table.category, keptRow: keptRow)
    let priceMode = Cleaner.priceModes(table.item, table.price, keptRow: keptRow)
    let costMode = Cleaner.priceModes(table.item, table.cost, keptRow: keptRow)
    for raw in 0..<table.itemIDs.count where itemMap[raw] >= 0 {
      let id = itemMap[raw]
      var attributes = catalog[id]
      if let title = titleMode[raw] { attributes.title = table.titles[title] }
      if let category = categoryMode[raw] { attributes.categoryPath = splitCategoryPath(table.categories[category]) }
      if let price = priceMode[raw] { attributes.price = price }
      if let cost = costMode[raw] { attributes.cost = cost }
      catalog[id] = attributes
    }

    // Supplied catalog: overrides known fields; catalog-only items are appended.
    if let supplied = input.catalog {
      for externalID in input.catalogOrder {
        guard let entry = supplied[externalID] else { continue }
        let id = catalog.intern(externalID)
        var attributes = catalog[id]
        if let title = entry.title, !title.isEmpty { attributes.title = title }
        if !entry.categoryPath.isEmpty { attributes.categoryPath = entry.categoryPath }
        if let price = entry.price { attributes.price = price }
        if let cost = entry.cost { attributes.cost = cost }
        if let stock = entry.stock { attributes.stock = stock }
        if let cap = entry.priceCap { attributes.priceCap = cap }
        attributes.hidden = entry.hidden
        catalog[id] = attributes
      }
    }

    // Events: the format's own events (items and users added as needed), then returns of known
    // users and items.
    var events: [Event] = []
    events.reserveCapacity(input.events.count + returnEvents.count)
    for raw in input.events {
      let itemIndex = Int(raw.item)
      if itemMap[itemIndex] < 0 { itemMap[itemIndex] = catalog.intern(table.itemIDs[raw.item]) }
      var user = Baskets.noUser
      if raw.user >= 0 {
        let u = Int(raw.user)
        if userMap[u] < 0 { userMap[u] = users.intern(table.userIDs[raw.user]) }
        user = userMap[u]
      }
      events.append(
        Event(
          user: user, item: itemMap[itemIndex], type: raw.type, value: raw.value, price: raw.price,
          timestamp: raw.time, session: raw.session))
    }
    for raw in returnEvents {
      let item = itemMap[Int(raw.item)]
      let user = userMap[Int(raw.user)]
      guard item >= 0, user >= 0 else { continue }
      events.append(
        Event(user: user, item: item, type: .return, value: raw.value, price: raw.price, timestamp: raw.time))
    }

    let dataset = Dataset(
      catalog: catalog, users: users, baskets: baskets, events: events, sessions: Interner(input.sessions.strings))
    // For `baskets` a row is a line (one basket), not an item occurrence.
    if input.options.format == .baskets { rowsKept = baskets.count }
    let report = CleaningReport(
      format: input.options.format.rawValue, rowsRead: input.rowsRead, rowsKept: rowsKept,
      linesKept: baskets.lineCount, ordersKept: baskets.count, itemsKept: itemsKept, catalogItems: catalog.count,
      usersKept: users.count, eventsKept: events.count, basketCap: cap, rules: rules,
      badRowCount: input.badRows.count, badRows: input.badRows.first, notes: input.notes)
    return IngestResult(dataset: dataset, report: report)
  }

  // MARK: - Statistics

  /// The basket cap for `cap` given the order sizes (nearest-rank percentile).
  static func resolveCap(_ cap: CleaningOptions.BasketCap, sizes: [Int]) -> Int? {
    switch cap {
    case .none: return nil
    case .absolute(let value): return value
    case .percentile(let p):
      guard !sizes.isEmpty else { return nil }
      let sorted = sizes.sorted()
      let fraction = p.isNaN ? 1 : min(max(p, 0), 100) / 100
      // A tiny tolerance keeps p × n = 7.000000000000001 at rank 7.
      let rank = max(1, Int((fraction * Double(sorted.count) - 1e-9).rounded(.up)))
      return sorted[min(rank, sorted.count) - 1]
    }
  }

  /// The most frequent value id per item (ties: the smaller id, i.e. first seen), over kept rows;
  /// items without any kept value fall back to all rows.
  static func modes(_ items: [Int32], _ values: [Int32], keptRow: [Bool]) -> [Int: Int32] {
    func tally(_ include: (Int) -> Bool) -> [Int: Int32] {
      var pairs: [UInt64] = []
      for i in items.indices where values[i] >= 0 && include(i) {
        pairs.append(UInt64(UInt32(bitPattern: items[i])) << 32 | UInt64(UInt32(bitPattern: values[i])))
      }
      pairs.sort()
      var result: [Int: Int32] = [:]
      var bestCount = 0
      var k = 0
      while k < pairs.count {
        var j = k
        while j < pairs.count && pairs[j] == pairs[k] { j += 1 }
        let item = Int(pairs[k] >> 32)
        let value = Int32(truncatingIfNeeded: pairs[k] & 0xFFFF_FFFF)
        if k == 0 || (pairs[k - 1] >> 32) != pairs[k] >> 32 { bestCount = 0 }
        if j - k > bestCount {
          bestCount = j - k
          result[item] = value
        }
        k = j
      }
      return result
    }
    var result = tally { keptRow[$0] }
    let fallback = tally { !keptRow[$0] }
    for (item, value) in fallback where result[item] == nil { result[item] = value }
    return result
  }

  /// The modal finite value per item over kept rows (ties: the lower value).
  static func priceModes(_ items: [Int32], _ values: [Double], keptRow: [Bool]) -> [Int: Double] {
    var pairs: [(Int32, Double)] = []
    for i in items.indices where keptRow[i] && values[i].isFinite { pairs.append((items[i], values[i])) }
    pairs.sort { $0 < $1 }
    var result: [Int: Double] = [:]
    var bestCount = 0
    var k = 0
    while k < pairs.count {
      var j = k
      while j < pairs.count && pairs[j] == pairs[k] { j += 1 }
      if k == 0 || pairs[k - 1].0 != pairs[k].0 { bestCount = 0 }
      if j - k > bestCount {
        bestCount = j - k
        result[Int(pairs[k].0)] = pairs[k].1
      }
      k = j
    }
    return result
  }
}
