import BasketryCore

/// Checks what every cleaned dataset promises: basket offsets rise, item ids index the catalog, user ids index the
/// user table (or are ``Baskets/noUser``), and the transaction set builds.
public func checkDataset(_ dataset: Dataset) {
  let baskets = dataset.baskets
  check(baskets.offsets.count == baskets.count + 1, "offsets do not match the basket count")
  check(zip(baskets.offsets, baskets.offsets.dropFirst()).allSatisfy { $0 <= $1 }, "basket offsets fall")
  check(baskets.offsets.last == baskets.lineCount, "the last offset is not the line count")
  let itemCount = dataset.catalog.count
  check(baskets.items.allSatisfy { $0 >= 0 && Int($0) < itemCount }, "an item id outside the catalog")
  let userCount = dataset.users.count
  check(
    baskets.users.allSatisfy { $0 == Baskets.noUser || ($0 >= 0 && Int($0) < userCount) }, "a user id out of range")
  let transactions = dataset.transactions()
  _ = transactions
}
