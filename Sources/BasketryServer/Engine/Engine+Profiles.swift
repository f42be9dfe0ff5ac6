import BasketryCore
import BasketryCustomers
import BasketryStore
import BasketryTraining
import Foundation

/// GET /v1/users/{id}/profile's answer.
public struct ProfileResponse: Sendable, Codable {
  /// Model version whose customer model scored the profile.
  public var modelVersion: Int64?
  /// The day the profile describes (YYYY-MM-DD, UTC): the end of the model's data, or the shopper's newest
  /// purchase day after it.
  public var asOf: String
  /// Purchase days from the shopper's events after the model's data, folded into the summary.
  public var livePurchaseDays: Int
  /// Segment, lifecycle, P(alive), expected orders, expected spend per order, lifetime value, interests, price
  /// sensitivity and the RFM summary they come from.
  public var profile: CustomerProfile
}

extension Engine {
  /// A shopper's value and profile: the model's customer summary at training time, moved forward by their
  /// purchases since (each new purchase day is a repeat purchase; its spend joins the average order value), and
  /// scored again with the trained BG/NBD and Gamma-Gamma models and the same segment cut points
  /// (``CustomerProfiles/liveProfile(customer:spendByDay:)``).
  ///
  /// A shopper unknown to the model but with purchases in the store is summarised from those purchases alone.
  /// - Parameter rawUser: the shop's user id (pseudonymised here).
  /// - Returns: nil for an unknown or erased shopper, or when the model has no customer profiles.
  /// - Throws: store errors.
  /// - Complexity: O(the shopper's events) plus O(12) model evaluations.
  public func profile(user rawUser: String) async throws -> ProfileResponse? {
    let user = pseudonymizer.pseudonym(rawUser)
    let (model, version, erased) = state.withLock { ($0.model, $0.modelVersion, $0.erasedUsers.contains(user)) }
    guard !erased, let customers = model?.customers else { return nil }
    var spendByDay: [Int: Double] = [:]
    for event in try await storeEvents(of: user) where event.type == .purchase {
      spendByDay[RFMTable.day(event.timestamp), default: 0] += (event.price ?? 0) * max(event.value, 1)
    }
    guard let live = customers.liveProfile(customer: user, spendByDay: spendByDay) else { return nil }
    return ProfileResponse(
      modelVersion: version, asOf: Self.dayString(live.asOfDay), livePurchaseDays: live.livePurchaseDays,
      profile: live.profile)
  }

  /// A day number (days since 1970-01-01) as YYYY-MM-DD in UTC.
  static func dayString(_ day: Int) -> String {
    let date = Date(timeIntervalSince1970: Double(day) * 86_400)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    let parts = calendar.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
  }
}
