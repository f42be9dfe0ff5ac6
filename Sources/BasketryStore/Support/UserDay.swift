/// A user and a day (Unix seconds / 86,400): the key of `impression_days`, through which both drivers find a
/// user's impressions, recommendation lists and offer lists when erasing them.
public struct UserDay: Hashable, Sendable {
  /// User pseudonym.
  public var user: String
  /// Days since the Unix epoch.
  public var day: Int64

  /// Creates a pair.
  public init(user: String, day: Int64) {
    self.user = user
    self.day = day
  }

  /// The distinct user/day pairs of `(user, Unix seconds)` entries, in first-seen order.
  /// - Complexity: O(n) expected.
  public static func distinct<S: Sequence>(_ entries: S) -> [UserDay] where S.Element == (String, Int64) {
    var seen = Set<UserDay>()
    var pairs: [UserDay] = []
    for (user, timestamp) in entries {
      let pair = UserDay(user: user, day: timestamp / 86_400)
      if seen.insert(pair).inserted { pairs.append(pair) }
    }
    return pairs
  }
}
