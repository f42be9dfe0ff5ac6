import BasketryCustomers

/// The customers section: how many customers are in each value segment and lifecycle state, what they are
/// expected to buy and be worth, and the most valuable ones, from the BG/NBD and Gamma-Gamma customer model.
public enum CustomersSection {
  /// Renders the section.
  /// - Parameters:
  ///   - customers: every customer's profile.
  ///   - kit: the chart kit.
  /// - Returns: the section with id `customers`.
  /// - Complexity: O(customers · log customers).
  public static func render(_ customers: CustomerProfiles, kit: ChartKit) -> ReportSection {
    let style = kit.style
    let profiles = customers.profiles
    let horizon = Int(customers.options.horizonDays)
    let months = customers.model.options.months
    let totalValue = profiles.reduce(0) { $0 + $1.lifetimeValue }
    let totalOrders = profiles.reduce(0) { $0 + $1.expectedOrders }
    var body = ""
    let segments = CustomerProfile.Segment.allCases.map { segment in
      let members = profiles.filter { $0.segment == segment }
      return (segment, members.count, members.reduce(0) { $0 + $1.lifetimeValue })
    }
    body +=
      kit.bars(
        id: "chart-segments", title: "Customers per value segment",
        summary: "Customers in each value segment (top 10%, next 20%, next 30% and the rest of the live customers "
          + "by lifetime value; dormant: probably no longer buying).",
        data: segments.map { ChartDatum($0.0.rawValue, Double($0.1)) }, valueName: "customers", labelName: "segment"
      ).html
    body +=
      kit.bars(
        id: "chart-segment-value", title: "Lifetime value per segment (\(months) months, discounted)",
        summary: "The expected discounted value of each segment's customers over the next \(months) months.",
        data: segments.map { ChartDatum($0.0.rawValue, $0.2) }, valueName: "lifetime value", labelName: "segment",
        format: .wholeMoney
      ).html
    let lifecycles = CustomerProfile.Lifecycle.allCases.map { state in
      ChartDatum(state.rawValue, Double(profiles.filter { $0.lifecycle == state }.count))
    }
    body +=
      kit.bars(
        id: "chart-lifecycle", title: "Customers per lifecycle state",
        summary: "New (first order within 30 days), active, at risk (overdue by their own pace) and lapsed.",
        data: lifecycles, valueName: "customers", labelName: "state"
      ).html
    let top = profiles.sorted { ($0.lifetimeValue, $1.customer) > ($1.lifetimeValue, $0.customer) }.prefix(15)
    body +=
      SortableTable(
        id: "table-top-customers", caption: "The most valuable customers",
        columns: [
          .init("customer"), .init("segment"), .init("lifecycle"), .init("P(alive)", numeric: true),
          .init("orders, next \(horizon) days", numeric: true), .init("lifetime value", numeric: true),
          .init("interests"),
        ],
        rows: top.map { profile in
          [
            .init(profile.customer), .init(profile.segment.rawValue), .init(profile.lifecycle.rawValue),
            .init(style.percent(profile.probabilityAlive), value: profile.probabilityAlive),
            .init(style.decimal(profile.expectedOrders, 2), value: profile.expectedOrders),
            .init(style.money(profile.lifetimeValue), value: profile.lifetimeValue),
            .init(profile.interests.prefix(3).map(\.label).joined(separator: ", ")),
          ]
        }
      ).html
    let lead =
      "\(style.count(profiles.count)) customers, expected to place \(style.decimal(totalOrders, 0)) orders in the "
      + "next \(horizon) days and worth \(style.wholeMoney(totalValue)) over \(months) months (BG/NBD purchase "
      + "model and Gamma-Gamma spend model fitted on these orders)."
    return ReportSection(id: "customers", title: "Customers", lead: lead, body: body)
  }
}
