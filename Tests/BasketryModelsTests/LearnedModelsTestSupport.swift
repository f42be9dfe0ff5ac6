import BasketryCore
import BasketryModels
import BasketryTesting
import Foundation

// MARK: - Planted-structure data

/// Synthetic implicit feedback with planted clusters: users in group g buy mostly from group g's items.
struct PlantedData {
  var train: InteractionMatrix
  /// Held-out positives per user (from the user's own group, not in train).
  var heldOut: [[Int32]]
  var groupOfUser: [Int]
  var itemsPerGroup: Int

  init(users: Int = 200, items: Int = 120, groups: Int = 6, perUser: Int = 8, heldOutPerUser: Int = 2, seed: UInt64 = 7)
  {
    var rng = SplitMix64(seed: seed)
    let itemsPerGroup = items / groups
    self.itemsPerGroup = itemsPerGroup
    var triples: [(row: Int32, column: Int32, value: Float)] = []
    var held: [[Int32]] = []
    var groupsOfUsers: [Int] = []
    for u in 0..<users {
      let g = u % groups
      groupsOfUsers.append(g)
      var chosen = Set<Int>()
      while chosen.count < perUser + heldOutPerUser {
        // 90 % in-group, 10 % anywhere.
        let item =
          rng.nextUnit() < 0.9
          ? g * itemsPerGroup + Int(rng.next() % UInt64(itemsPerGroup)) : Int(rng.next() % UInt64(items))
        chosen.insert(item)
      }
      let ordered = chosen.sorted()
      var shuffled = ordered
      shuffled.shuffle(using: &rng)
      let heldItems = shuffled.prefix(heldOutPerUser).filter { $0 / itemsPerGroup == g }
      held.append(heldItems.map { Int32($0) })
      for item in shuffled.dropFirst(heldOutPerUser) {
        triples.append((Int32(u), Int32(item), Float(1 + rng.next() % 3)))
      }
    }
    train = InteractionMatrix(matrix: SparseMatrix(rowCount: users, columnCount: items, triples: triples))
    heldOut = held
    groupOfUser = groupsOfUsers
  }

  /// Mean per-user AUC of held-out positives against items the user never touched.
  func meanAUC(_ model: some Recommender) throws -> Double {
    var total = 0.0
    var counted = 0
    for u in 0..<train.userCount where !heldOut[u].isEmpty {
      let scores = try model.scores(user: Int32(u))
      let seen = Set(train.matrix.row(u).columns).union(heldOut[u])
      let negatives = (0..<train.itemCount).filter { !seen.contains(Int32($0)) }
      var wins = 0.0
      for p in heldOut[u] {
        for n in negatives {
          let a = scores[Int(p)]
          let b = scores[n]
          wins += a > b ? 1 : (a == b ? 0.5 : 0)
        }
      }
      total += wins / Double(heldOut[u].count * negatives.count)
      counted += 1
    }
    return total / Double(max(counted, 1))
  }
}

// MARK: - Classification metrics (private to the tests; BasketryEval owns the official ones)

/// Area under the ROC curve by the rank-sum (Mann–Whitney) statistic, ties counted half.
func testAUC(_ scores: [Double], _ labels: [Bool]) -> Double {
  let order = scores.indices.sorted { scores[$0] < scores[$1] }
  var ranks = [Double](repeating: 0, count: scores.count)
  var k = 0
  while k < order.count {
    var end = k
    while end + 1 < order.count && scores[order[end + 1]] == scores[order[k]] { end += 1 }
    let rank = Double(k + end) / 2 + 1
    for m in k...end { ranks[order[m]] = rank }
    k = end + 1
  }
  let positives = labels.filter { $0 }.count
  let negatives = labels.count - positives
  guard positives > 0, negatives > 0 else { return .nan }
  var sum = 0.0
  for (rank, label) in zip(ranks, labels) where label { sum += rank }
  return (sum - Double(positives) * Double(positives + 1) / 2) / (Double(positives) * Double(negatives))
}

/// Mean binary log loss with probabilities clipped to [1e-7, 1 − 1e-7].
func testLogLoss(_ probabilities: [Double], _ labels: [Bool]) -> Double {
  var sum = 0.0
  for (p, y) in zip(probabilities, labels) {
    let q = min(max(p, 1e-7), 1 - 1e-7)
    sum -= y ? log(q) : log(1 - q)
  }
  return sum / Double(max(probabilities.count, 1))
}

// MARK: - The Online Retail split written by Benchmarks/als/run_implicit.py

/// The next-month Online Retail split, read from `Benchmarks/als/out/` (run the Python script first).
struct RetailSplit {
  var train: InteractionMatrix
  /// Test targets per test user: dense train ids, −1 for items unseen in train.
  var targets: [Int32: [Int32]]

  static var directory: URL {
    URL(fileURLWithPath: TestSupport.repositoryRoot).appendingPathComponent("Benchmarks/als/out")
  }

  static var isAvailable: Bool {
    FileManager.default.fileExists(atPath: directory.appendingPathComponent("test.csv").path)
  }

  static func csvRows(_ name: String) throws -> [[Substring]] {
    let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
  }

  static func load() throws -> RetailSplit {
    var triples: [(row: Int32, column: Int32, value: Float)] = []
    var users = 0
    var items = 0
    for row in try csvRows("train.csv") {
      guard row.count == 3, let u = Int32(row[0]), let i = Int32(row[1]), let s = Float(row[2]) else { continue }
      triples.append((u, i, s))
      users = max(users, Int(u) + 1)
      items = max(items, Int(i) + 1)
    }
    var targets: [Int32: [Int32]] = [:]
    for row in try csvRows("test.csv") {
      guard row.count == 2, let u = Int32(row[0]), let i = Int32(row[1]) else { continue }
      targets[u, default: []].append(i)
    }
    return RetailSplit(
      train: InteractionMatrix(matrix: SparseMatrix(rowCount: users, columnCount: items, triples: triples)),
      targets: targets)
  }

  /// The same strengths mapped through `transform` (e.g. binary).
  func train(mapping transform: (Float) -> Float) -> InteractionMatrix {
    let m = train.matrix
    return InteractionMatrix(
      matrix: SparseMatrix(
        rowCount: m.rowCount, columnCount: m.columnCount, rowOffsets: m.rowOffsets, columns: m.columns,
        values: m.values.map(transform)))
  }

  struct Metrics: CustomStringConvertible {
    var users = 0
    var recall = 0.0
    var recallCapped = 0.0
    var ndcg = 0.0
    var description: String {
      String(format: "users %d R@20 %.4f (capped %.4f) N@20 %.4f", users, recall, recallCapped, ndcg)
    }
  }

  /// Recall@20 (hits/|T| and hits/min(|T|,20)) and NDCG@20 (binary gain, log2 discount) over test users.
  /// - Parameter newItemsOnly: mask train items and drop them from the target.
  func evaluate(_ model: some Recommender, newItemsOnly: Bool) throws -> Metrics {
    var result = Metrics()
    for (user, rawTarget) in targets.sorted(by: { $0.key < $1.key }) {
      let seen = train.matrix.row(Int(user)).columns
      let seenSet = Set(seen)
      let target = newItemsOnly ? rawTarget.filter { !seenSet.contains($0) } : rawTarget
      guard !target.isEmpty else { continue }
      let top = try model.recommend(
        user: user, k: 20, seen: seen, options: RecommendOptions(excludeSeen: newItemsOnly))
      let targetSet = Set(target)
      var hits = 0.0
      var dcg = 0.0
      for (rank, item) in top.enumerated() where targetSet.contains(item.item) {
        hits += 1
        dcg += 1 / log2(Double(rank) + 2)
      }
      var idcg = 0.0
      for rank in 0..<min(target.count, 20) { idcg += 1 / log2(Double(rank) + 2) }
      result.users += 1
      result.recall += hits / Double(target.count)
      result.recallCapped += hits / Double(min(target.count, 20))
      result.ndcg += dcg / idcg
    }
    let n = Double(max(result.users, 1))
    result.recall /= n
    result.recallCapped /= n
    result.ndcg /= n
    return result
  }
}

/// Wall-clock seconds of `body`.
func measureSeconds(_ body: () throws -> Void) rethrows -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  try body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

// MARK: - Cleaned Online Retail orders (Benchmarks/als/out/orders_clean.csv)

enum RetailOrders {
  static var url: URL { RetailSplit.directory.appendingPathComponent("orders_clean.csv") }
  static var isAvailable: Bool { FileManager.default.fileExists(atPath: url.path) }

  /// The cleaned lines grouped into orders (one basket per invoice), as a ``Dataset``.
  static func load() throws -> Dataset {
    let text = try String(contentsOf: url, encoding: .utf8)
    var dataset = Dataset()
    var current: String?
    var user: Int32 = Baskets.noUser
    var time: Int64 = Baskets.noTime
    var lines: [(item: Int32, quantity: Double, unitPrice: Double)] = []
    func flush() {
      if let current { dataset.baskets.append(orderID: current, user: user, timestamp: time, lines: lines) }
      lines.removeAll(keepingCapacity: true)
    }
    for row in text.split(separator: "\n").dropFirst() {
      let fields = row.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == 6, let t = Int64(fields[2]), let q = Double(fields[4]), let p = Double(fields[5]) else {
        continue
      }
      let invoice = String(fields[0])
      if invoice != current {
        flush()
        current = invoice
        user = dataset.users.intern(String(fields[1]))
        time = t
      }
      lines.append((dataset.catalog.intern(String(fields[3])), q, p))
    }
    flush()
    return dataset
  }
}
