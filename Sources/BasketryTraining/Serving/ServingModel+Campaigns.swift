import BasketryCustomers
import BasketryModels

/// One purchase of a customer after training (a basket from the store), for campaign features and outcomes.
public struct CustomerPurchase: Sendable, Hashable {
  /// Unix seconds.
  public var timestamp: Int64
  /// The items bought (external ids).
  public var items: [String]
  /// The basket's value.
  public var spend: Double

  /// Creates a purchase.
  public init(timestamp: Int64, items: [String], spend: Double) {
    self.timestamp = timestamp
    self.items = items
    self.spend = spend
  }
}

/// What a campaign promotes, resolved to item ids.
public struct PromotedItems: Sendable, Hashable {
  /// Promoted item ids (the listed items, or the catalogue's items in the category).
  public var items: Set<String>
  /// The category, lowercased, for a category campaign (its share of a customer's interests counts too).
  public var category: String?

  /// Creates the set; the category is lowercased.
  public init(items: Set<String>, category: String? = nil) {
    self.items = items
    self.category = category?.lowercased()
  }

  /// Whether an item is promoted.
  public func contains(_ item: String) -> Bool { items.contains(item) }
}

extension ServingModel {
  /// A customer as a campaign candidate (``ProfileCampaignTargeting``): their profile moved forward by their
  /// purchases (``CustomerProfiles/liveProfile(customer:spendByDay:)``) and their affinity to the promoted items,
  /// the training-time share s of promoted items in their history (or, for a category, the category's share of
  /// their interests when larger) pooled with their purchase days after training
  /// (``ProfileCampaignTargeting/affinity(trainingShare:trainingDays:liveDays:livePromotedDays:)``).
  /// - Parameters:
  ///   - user: the customer key (pseudonym).
  ///   - purchases: their purchases in the store (any order; those up to the profiles' reference day are already
  ///     in a known customer's summary).
  ///   - before: only purchases before this time count (a customer as they were at a campaign assignment); nil
  ///     for all.
  ///   - promoted: what the campaign promotes.
  /// - Returns: nil without customer profiles, or when the profiles do not know the customer and they have no
  ///   purchase.
  /// - Complexity: O(purchases + the customer's training history).
  public func campaignCandidate(
    _ user: String, purchases: [CustomerPurchase], before: Int64? = nil, promoted: PromotedItems
  ) -> CampaignCandidate? {
    guard let customers else { return nil }
    let base = customers.profile(for: user)
    var spendByDay: [Int: Double] = [:]
    var liveDays = Set<Int>()
    var promotedDays = Set<Int>()
    for purchase in purchases where before.map({ purchase.timestamp < $0 }) ?? true {
      let day = RFMTable.day(purchase.timestamp)
      spendByDay[day, default: 0] += purchase.spend
      guard base == nil || day > customers.referenceDay else { continue }
      liveDays.insert(day)
      if purchase.items.contains(where: promoted.contains) { promotedDays.insert(day) }
    }
    guard let live = customers.liveProfile(customer: user, spendByDay: spendByDay) else { return nil }
    var share = 0.0
    var trainingDays = 0
    if let base {
      trainingDays = base.rfm.frequency + 1
      var total = 0.0
      var onTarget = 0.0
      for entry in trainingHistory(of: user) where Int(entry.item) < items.count {
        let strength = Double(entry.strength)
        total += strength
        if promoted.contains(items[Int(entry.item)]) { onTarget += strength }
      }
      share = total > 0 ? onTarget / total : 0
      if let category = promoted.category,
        let interest = base.interests.first(where: { $0.isCategory && $0.label.lowercased() == category })
      {
        share = max(share, interest.share)
      }
    }
    let affinity = ProfileCampaignTargeting.affinity(
      trainingShare: share, trainingDays: trainingDays, liveDays: liveDays.count,
      livePromotedDays: promotedDays.count)
    return CampaignCandidate(customer: user, profile: live.profile, affinity: affinity)
  }
}
