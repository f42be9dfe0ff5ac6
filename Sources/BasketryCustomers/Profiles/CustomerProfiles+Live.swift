/// A customer's profile moved forward from the reference day by the purchases they made after it.
public struct LiveProfile: Sendable, Hashable, Codable {
  /// The profile, scored with the fitted model and the same segment cut points.
  public var profile: CustomerProfile
  /// The day the profile describes (days since 1970-01-01, UTC): the reference day, or the newest purchase day
  /// after it.
  public var asOfDay: Int
  /// Purchase days folded into the summary after the reference day (every purchase day for a customer the
  /// profiles did not know).
  public var livePurchaseDays: Int
}

extension CustomerProfiles {
  /// A customer's profile moved forward by their later purchases: each purchase day after the reference day is
  /// a repeat purchase and its spend joins the mean repeat value; the summary ages to the newest of the reference
  /// day and those days. A customer the profiles do not know is summarised from their purchase days alone (the
  /// first is their birth).
  ///
  /// The customer's interests and price sensitivity are the reference day's.
  /// - Parameters:
  ///   - customer: external id (as the profiles are keyed).
  ///   - spendByDay: the customer's purchases as spend per day (days since 1970-01-01, UTC); days up to the
  ///     reference day are already in a known customer's summary and are skipped.
  /// - Returns: nil for a customer the profiles do not know and who has no purchase day.
  /// - Complexity: O(days · log days) plus O(``CustomerValueModel/Options/months``) predictions.
  public func liveProfile(customer: String, spendByDay: [Int: Double]) -> LiveProfile? {
    let base = profile(for: customer)
    let days = spendByDay.keys.filter { base == nil || $0 > referenceDay }.sorted()
    let rfm: RFM
    let firstDay: Int
    if let base {
      firstDay = referenceDay - Int(base.rfm.age.rounded())
      let frequency = base.rfm.frequency + days.count
      let spend = base.rfm.monetary * Double(base.rfm.frequency) + days.reduce(0) { $0 + (spendByDay[$1] ?? 0) }
      let asOf = max(referenceDay, days.last ?? referenceDay)
      rfm = RFM(
        frequency: frequency, recency: days.last.map { Double($0 - firstDay) } ?? base.rfm.recency,
        age: Double(asOf - firstDay), monetary: frequency > 0 ? spend / Double(frequency) : 0)
    } else {
      guard let first = days.first, let last = days.last else { return nil }
      firstDay = first
      let repeats = days.dropFirst()
      rfm = RFM(
        frequency: repeats.count, recency: Double(last - first), age: Double(max(referenceDay, last) - first),
        monetary: repeats.isEmpty ? 0 : repeats.reduce(0) { $0 + (spendByDay[$1] ?? 0) } / Double(repeats.count))
    }
    let scored = profile(
      customer: customer, rfm: rfm, interests: base?.interests ?? [], priceSensitivity: base?.priceSensitivity)
    return LiveProfile(profile: scored, asOfDay: firstDay + Int(rfm.age.rounded()), livePurchaseDays: days.count)
  }
}
