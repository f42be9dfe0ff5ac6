import BasketryCore

/// Every user's orders in time order, each order reduced to its set of distinct items: the input of models that
/// read baskets rather than per-item strengths (``TIFUKNNRecommender``).
///
/// Three levels of offsets in compressed sparse row form: user `u` owns baskets
/// `userOffsets[u] ..< userOffsets[u + 1]` (oldest first), basket `b` owns items
/// `basketOffsets[b] ..< basketOffsets[b + 1]` (distinct, ascending) and has time `times[b]`
/// (Unix seconds, ``Baskets/noTime`` when unknown). Built by ``InteractionBuilder`` alongside the strengths;
/// matrices made any other way carry none (``InteractionMatrix/baskets`` is nil).
public struct BasketSequences: Sendable, Hashable {
  /// `userCount + 1` offsets into the baskets; `userOffsets[0] == 0`.
  public private(set) var userOffsets: [Int]
  /// `basketCount + 1` offsets into ``items``; `basketOffsets[0] == 0`.
  public private(set) var basketOffsets: [Int]
  /// The distinct items of every basket, ascending within a basket.
  public private(set) var items: [Int32]
  /// Time of every basket, Unix seconds or ``Baskets/noTime``.
  public private(set) var times: [Int64]

  /// Creates sequences from their arrays.
  /// - Throws: ``ModelError`` when the offsets are not monotone, do not start at 0 or do not end at the arrays'
  ///   lengths, or `times` does not have one entry per basket.
  public init(userOffsets: [Int], basketOffsets: [Int], items: [Int32], times: [Int64]) throws {
    func monotone(_ offsets: [Int], end: Int) -> Bool {
      offsets.first == 0 && offsets.last == end && zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }
    }
    guard monotone(basketOffsets, end: items.count), monotone(userOffsets, end: basketOffsets.count - 1),
      times.count == basketOffsets.count - 1
    else {
      throw ModelError(model: "baskets", "basket sequence offsets do not match their arrays")
    }
    self.userOffsets = userOffsets
    self.basketOffsets = basketOffsets
    self.items = items
    self.times = times
  }

  /// Number of users (rows).
  public var userCount: Int { userOffsets.count - 1 }
  /// Number of baskets over all users.
  public var basketCount: Int { basketOffsets.count - 1 }

  /// The basket indices of `user`, oldest first; empty for an out-of-range user.
  @inlinable public func baskets(of user: Int) -> Range<Int> {
    guard user >= 0, user < userOffsets.count - 1 else { return 0..<0 }
    return userOffsets[user]..<userOffsets[user + 1]
  }

  /// The distinct items of basket `b`, ascending.
  @inlinable public func items(ofBasket b: Int) -> ArraySlice<Int32> { items[basketOffsets[b]..<basketOffsets[b + 1]] }

  /// The sequences of a set of orders.
  ///
  /// Orders without a user in `0..<userCount` are skipped, items outside `0..<itemCount` dropped, repeated items
  /// of an order kept once, and orders left empty skipped. Each user's orders are sorted by time (unknown times
  /// first), then by position in `baskets`.
  /// - Parameters:
  ///   - baskets: the orders.
  ///   - userCount: number of users (rows).
  ///   - itemCount: number of items.
  /// - Complexity: O(lines log lines).
  public static func build(baskets: Baskets, userCount: Int, itemCount: Int) -> BasketSequences {
    var perUser = [[Int]](repeating: [], count: userCount)
    for b in 0..<baskets.count {
      let user = Int(baskets.users[b])
      guard user >= 0, user < userCount else { continue }
      perUser[user].append(b)
    }
    var sequences = BasketSequences(unchecked: ())
    var distinct: [Int32] = []
    for orders in perUser {
      let sorted = orders.sorted { (baskets.timestamps[$0], $0) < (baskets.timestamps[$1], $1) }
      for b in sorted {
        distinct = baskets.items(of: b).filter { $0 >= 0 && Int($0) < itemCount }
        distinct.sort()
        var previous = Int32(-1)
        var appended = 0
        for item in distinct where item != previous {
          sequences.items.append(item)
          previous = item
          appended += 1
        }
        guard appended > 0 else { continue }
        sequences.basketOffsets.append(sequences.items.count)
        sequences.times.append(baskets.timestamps[b])
      }
      sequences.userOffsets.append(sequences.basketOffsets.count - 1)
    }
    return sequences
  }

  /// Empty sequences (no users), filled by ``build(baskets:userCount:itemCount:)``.
  private init(unchecked: Void) {
    userOffsets = [0]
    basketOffsets = [0]
    items = []
    times = []
  }
}
