import BasketryCore
import Foundation
import Testing

@testable import BasketryCustomers

/// Profiles of a small simulated shop: segments, lifecycle, interests and price sensitivity.
@Suite struct ProfileTests {
  /// 400 customers over 300 days: regulars every ~10 days, occasional buyers, one-time buyers and
  /// customers who stopped after day 100; two categories; item 1 sometimes sold at 70 %.
  static func shop() -> Dataset {
    var dataset = Dataset()
    var random = SplitMix64(seed: 21)
    let shoes = dataset.catalog.intern("shoe")
    dataset.catalog[shoes] = ItemAttributes(title: "Shoe", categoryPath: ["Outdoor", "Shoes"], price: 50)
    let tent = dataset.catalog.intern("tent")
    dataset.catalog[tent] = ItemAttributes(title: "Tent", categoryPath: ["Outdoor", "Tents"], price: 100)
    let mug = dataset.catalog.intern("mug")
    dataset.catalog[mug] = ItemAttributes(title: "Mug", categoryPath: ["Kitchen", "Mugs"], price: 8)
    let day: Int64 = 86_400
    var order = 0
    for c in 0..<400 {
      let user = dataset.users.intern("c\(c)")
      let kind = c % 4
      let start = Int64(random.next() % 60)
      let (gap, end): (Int64, Int64) =
        switch kind {
        case 0: (10, 300)
        case 1: (45, 300)
        case 2: (1000, 300)
        default: (10, 100)
        }
      var t = start
      while t <= min(end, 299) {
        let item = c % 2 == 0 ? shoes : mug
        let price = item == shoes && random.nextUnit() < 0.3 ? 35.0 : (item == shoes ? 50.0 : 8.0)
        dataset.baskets.append(
          orderID: "o\(order)", user: user, timestamp: 1_600_000_000 + t * day,
          lines: [(item: item, quantity: 1, unitPrice: price), (item: tent, quantity: 1, unitPrice: 100)].prefix(
            c % 3 == 0 ? 2 : 1))
        order += 1
        t += max(1, gap + Int64(random.next() % 5) - 2)
      }
    }
    return dataset
  }

  @Test func profilesCoverEveryCustomerWithConsistentSegments() throws {
    let profiles = try CustomerProfiles.build(dataset: Self.shop())
    #expect(profiles.profiles.count == 400)
    let regular = try #require(profiles.profile(for: "c0"))
    let stopped = try #require(profiles.profile(for: "c3"))
    let once = try #require(profiles.profile(for: "c2"))
    #expect(regular.lifecycle == .active)
    #expect(stopped.lifecycle == .lapsed)
    #expect(once.rfm.frequency == 0)
    #expect(regular.lifetimeValue > once.lifetimeValue)
    #expect([.top, .high].contains(regular.segment))
    #expect(stopped.probabilityAlive < regular.probabilityAlive)
    // Interests: c0 buys shoes and tents (c0 % 3 == 0), with shares summing to 1.
    #expect(Set(regular.interests.map(\.label)) == ["Shoes", "Tents"])
    #expect(abs(regular.interests.map(\.share).reduce(0, +) - 1) < 1e-12)
    // Price: shoes vary (35 vs 50), mugs never do; mug buyers are not measurable.
    #expect(regular.priceSensitivity != nil)
    #expect(try #require(profiles.profile(for: "c1")).priceSensitivity == nil)
    // Segment shares among live customers follow the 10/20/30/40 % cut.
    let top = profiles.profiles.filter { $0.segment == .top }.count
    let live = profiles.profiles.filter { $0.segment != .dormant }.count
    #expect(abs(Double(top) / Double(live) - 0.1) < 0.02)
  }

  @Test func liveProfilesMoveForwardWithLaterPurchases() throws {
    let profiles = try CustomerProfiles.build(dataset: Self.shop())
    let reference = profiles.referenceDay
    let base = try #require(profiles.profile(for: "c3"))
    // Purchases up to the reference day are already in the summary; two later days are two repeats.
    let live = try #require(
      profiles.liveProfile(
        customer: "c3", spendByDay: [reference - 5: 99, reference + 10: 40, reference + 12: 60]))
    #expect(live.livePurchaseDays == 2)
    #expect(live.asOfDay == reference + 12)
    #expect(live.profile.rfm.frequency == base.rfm.frequency + 2)
    #expect(live.profile.rfm.recency == live.profile.rfm.age)
    let spend = base.rfm.monetary * Double(base.rfm.frequency) + 100
    #expect(abs(live.profile.rfm.monetary - spend / Double(base.rfm.frequency + 2)) < 1e-9)
    #expect(live.profile.probabilityAlive > base.probabilityAlive)
    #expect(live.profile.interests == base.interests)
    // Without later purchases the profile is the reference day's.
    #expect(profiles.liveProfile(customer: "c3", spendByDay: [:])?.profile == base)
    // A customer the profiles do not know: summarised from their purchase days alone, the first their birth.
    let newcomer = try #require(
      profiles.liveProfile(customer: "new", spendByDay: [reference + 1: 10, reference + 4: 30]))
    #expect(newcomer.profile.rfm == RFM(frequency: 1, recency: 3, age: 3, monetary: 30))
    #expect(profiles.liveProfile(customer: "new", spendByDay: [:]) == nil)
  }

  @Test func profilesRoundTripThroughJSON() throws {
    let profiles = try CustomerProfiles.build(dataset: Self.shop())
    let decoded = try JSONDecoder().decode(CustomerProfiles.self, from: JSONEncoder().encode(profiles))
    #expect(decoded.profile(for: "c0") == profiles.profile(for: "c0"))
  }

  @Test func rfmTableFollowsTheDailyConvention() throws {
    var dataset = Dataset()
    let user = dataset.users.intern("u")
    let item = dataset.catalog.intern("i")
    let day: Int64 = 86_400
    // Days 0 (two orders), 3, 3, 10; holdout day 12; calibration ends on day 10.
    for (k, (d, v)) in [(0, 1.0), (0, 2.0), (3, 4.0), (3, 6.0), (10, 5.0), (12, 9.0)].enumerated() {
      dataset.baskets.append(
        orderID: "o\(k)", user: user, timestamp: Int64(d) * day + 3600 * Int64(k),
        lines: [(item: item, quantity: 1, unitPrice: v)])
    }
    let table = try RFMTable(dataset: dataset, calibrationEnd: 10 * day, holdoutEnd: 20 * day)
    #expect(table.rows == [RFM(frequency: 2, recency: 10, age: 10, monetary: 7.5)])
    #expect(table.holdoutFrequency == [1])
    #expect(table.holdoutLength == 10)
  }
}
