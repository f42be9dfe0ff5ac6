import BasketryCore

/// Seeded synthetic shops for model selection: 120 days of orders, the last 30 the validation window.
enum SyntheticShops {
  static let day: Int64 = 86_400

  /// Repeat buyers: each user keeps buying three favourite items (plus one random item per order), so "buy
  /// again" (`freq`) is clearly better than popularity.
  static func repeatBuyers(seed: UInt64, users: Int = 80, items: Int = 40) -> Dataset {
    var rng = SplitMix64(seed: seed)
    var dataset = Dataset()
    for item in 0..<items { dataset.catalog.intern("item\(item)") }
    for user in 0..<users { dataset.users.intern("user\(user)") }
    var order = 0
    for user in 0..<users {
      var favourites: [Int32] = []
      while favourites.count < 3 {
        let item = Int32(rng.next() % UInt64(items))
        if !favourites.contains(item) { favourites.append(item) }
      }
      for week in 0..<17 {
        let time = Int64(week) * 7 * day + Int64(user % 7) * day
        let noise = Int32(rng.next() % UInt64(items))
        let favourite = favourites[Int(rng.next() % 3)]
        dataset.baskets.append(orderID: "o\(order)", user: Int32(user), timestamp: time, items: [favourite, noise])
        order += 1
      }
    }
    return dataset
  }

  /// A trend: three items are bought by most users, personal histories are random, and in the validation
  /// window everyone buys the trending items; ranking one's own past items first (`freq`) is worse than
  /// popularity.
  static func trend(seed: UInt64, users: Int = 80, items: Int = 40) -> Dataset {
    var rng = SplitMix64(seed: seed)
    var dataset = Dataset()
    for item in 0..<items { dataset.catalog.intern("item\(item)") }
    for user in 0..<users { dataset.users.intern("user\(user)") }
    var order = 0
    for user in 0..<users {
      for week in 0..<12 {
        var basket = [Int32(3 + rng.next() % UInt64(items - 3))]
        if rng.nextUnit() < 0.15 { basket.append(Int32(rng.next() % 3)) }
        dataset.baskets.append(
          orderID: "o\(order)", user: Int32(user), timestamp: Int64(week) * 7 * day, items: basket)
        order += 1
      }
      dataset.baskets.append(orderID: "o\(order)", user: Int32(user), timestamp: 110 * day, items: [0, 1, 2])
      order += 1
    }
    return dataset
  }
}
