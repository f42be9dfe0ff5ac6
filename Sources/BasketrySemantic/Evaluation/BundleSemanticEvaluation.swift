import BasketryCore
import Foundation

/// How well title similarity explains crowd-marked bundles.
///
/// - Partner ranking: for every item inside a marked bundle (the anchor), each (partner, non-partner) pair counts
///   1 when `sim(anchor, partner) > sim(anchor, non-partner)`, ½ on a tie; the AUC is the mean over all pairs.
///   Non-partners are (a) the other items of the same session outside the bundle ("co-session"), and (b) ten items
///   drawn at random from the domain's catalog per anchor.
/// - Complements vs substitutes: complements are item pairs bundled together; substitutes are pairs of items with
///   the same leaf category that are never bundled together (a seeded sample, as many as there are complements).
///   Reported: mean similarity of each, and the AUC of similarity for "substitute above complement".
public struct BundleSemanticEvaluation: Sendable, CustomStringConvertible {
  /// Domain label.
  public var domain: String
  /// Anchors (item occurrences inside bundles) with at least one co-session non-partner.
  public var anchors: Int
  /// AUC of partners above co-session non-partners.
  public var coSessionAUC: Double
  /// Number of (partner, co-session non-partner) pairs.
  public var coSessionPairs: Int
  /// AUC of partners above random catalog items.
  public var randomAUC: Double
  /// Complement pairs (bundled together).
  public var complementPairs: Int
  /// Mean similarity of complement pairs.
  public var complementMean: Double
  /// Complement pairs whose items share a leaf category.
  public var complementsSameLeaf: Int
  /// Mean similarity of complement pairs with different leaf categories.
  public var complementDifferentLeafMean: Double
  /// Substitute pairs (same leaf category, never bundled).
  public var substitutePairs: Int
  /// Mean similarity of substitute pairs.
  public var substituteMean: Double
  /// AUC of substitute similarity above complement similarity.
  public var substituteOverComplementAUC: Double
  /// AUC of substitute similarity above complements from different leaf categories.
  public var substituteOverCrossCategoryComplementAUC: Double
  /// Share of complement pairs at or above ``SemanticRelation/substituteThreshold`` (0.70).
  public var complementsAboveThreshold: Double
  /// Share of substitute pairs at or above ``SemanticRelation/substituteThreshold`` (0.70).
  public var substitutesAboveThreshold: Double

  public var description: String {
    func f(_ x: Double) -> String { String(format: "%.3f", x) }
    return """
      \(domain): partner-vs-co-session AUC \(f(coSessionAUC)) (\(anchors) anchors, \(coSessionPairs) pairs); \
      partner-vs-random AUC \(f(randomAUC)); complements \(complementPairs) (mean sim \(f(complementMean)); \
      \(complementsSameLeaf) same leaf; different-leaf mean \(f(complementDifferentLeafMean))), substitutes \
      \(substitutePairs) (mean sim \(f(substituteMean))); AUC substitute>complement \
      \(f(substituteOverComplementAUC)), substitute>cross-category complement \
      \(f(substituteOverCrossCategoryComplementAUC)); share with sim ≥ 0.70: complements \
      \(f(complementsAboveThreshold)), substitutes \(f(substitutesAboveThreshold))
      """
  }

  /// Runs the evaluation.
  /// - Parameters:
  ///   - dataset: One domain.
  ///   - vectors: Unit-length title vectors, row i for `dataset.items[i]`.
  ///   - domain: Label for the report.
  ///   - seed: Seed of the random negatives and the substitute sample.
  /// - Complexity: O(pairs · d).
  public static func run(
    dataset: BundleIntentDataset, vectors: EmbeddingMatrix, domain: String, seed: UInt64 = 42
  ) -> BundleSemanticEvaluation {
    let index = EmbeddingIndex(vectors, normalize: false)
    var rng = SplitMix64(seed: seed)
    var coSession = AUCCounter()
    var random = AUCCounter()
    var anchors = 0
    let n = dataset.items.count
    for (session, bundle) in dataset.sessionBundles {
      let members = dataset.bundles[bundle]
      let memberSet = Set(members)
      let outside = dataset.sessions[session].filter { !memberSet.contains($0) }
      for anchor in members {
        let partners = members.filter { $0 != anchor }
        guard !partners.isEmpty else { continue }
        let positive = partners.map { index.similarity(anchor, $0) }
        if !outside.isEmpty {
          anchors += 1
          coSession.add(positive: positive, negative: outside.map { index.similarity(anchor, $0) })
        }
        var negatives: [Float] = []
        while negatives.count < 10 && n > memberSet.count {
          let candidate = Int(rng.next() % UInt64(n))
          if !memberSet.contains(candidate) { negatives.append(index.similarity(anchor, candidate)) }
        }
        random.add(positive: positive, negative: negatives)
      }
    }

    var bundled = Set<Pair>()
    for members in dataset.bundles {
      for (i, a) in members.enumerated() { for b in members[(i + 1)...] { bundled.insert(Pair(a, b)) } }
    }
    let complements = bundled.sorted { ($0.a, $0.b) < ($1.a, $1.b) }
    let complementScores = complements.map { index.similarity($0.a, $0.b) }
    let crossCategory = complements.indices.filter {
      let x = dataset.leafCategories[complements[$0].a]
      let y = dataset.leafCategories[complements[$0].b]
      return x == nil || y == nil || x != y
    }
    var byLeaf: [String: [Int]] = [:]
    for (item, leaf) in dataset.leafCategories.enumerated() { if let leaf { byLeaf[leaf, default: []].append(item) } }
    let groups = byLeaf.keys.sorted().compactMap { byLeaf[$0] }.filter { $0.count >= 2 }
    // Sample pairs uniformly over all same-leaf pairs: pick a group with probability ∝ its pair count.
    let weights = groups.map { Double($0.count * ($0.count - 1) / 2) }
    let total = weights.reduce(0, +)
    var substitutes: [Float] = []
    var seen = Set<Pair>()
    var attempts = 0
    while substitutes.count < complements.count, total > 0, attempts < complements.count * 50 {
      attempts += 1
      var target = rng.nextUnit() * total
      var group = groups[groups.count - 1]
      for (g, weight) in weights.enumerated() {
        if target < weight {
          group = groups[g]
          break
        }
        target -= weight
      }
      let a = group[Int(rng.next() % UInt64(group.count))]
      let b = group[Int(rng.next() % UInt64(group.count))]
      let pair = Pair(a, b)
      guard a != b, !bundled.contains(pair), seen.insert(pair).inserted else { continue }
      substitutes.append(index.similarity(a, b))
    }
    var versusAll = AUCCounter()
    versusAll.add(positive: substitutes, negative: complementScores)
    var versusCross = AUCCounter()
    versusCross.add(positive: substitutes, negative: crossCategory.map { complementScores[$0] })
    func mean(_ x: [Float]) -> Double { x.isEmpty ? 0 : x.reduce(0.0) { $0 + Double($1) } / Double(x.count) }
    let threshold = SemanticRelation().substituteThreshold
    func shareAbove(_ x: [Float]) -> Double {
      x.isEmpty ? 0 : Double(x.filter { $0 >= threshold }.count) / Double(x.count)
    }
    return BundleSemanticEvaluation(
      domain: domain, anchors: anchors, coSessionAUC: coSession.auc, coSessionPairs: coSession.pairs,
      randomAUC: random.auc, complementPairs: complements.count, complementMean: mean(complementScores),
      complementsSameLeaf: complements.count - crossCategory.count,
      complementDifferentLeafMean: mean(crossCategory.map { complementScores[$0] }), substitutePairs: substitutes.count,
      substituteMean: mean(substitutes), substituteOverComplementAUC: versusAll.auc,
      substituteOverCrossCategoryComplementAUC: versusCross.auc,
      complementsAboveThreshold: shareAbove(complementScores),
      substitutesAboveThreshold: shareAbove(substitutes))
  }
}

/// An unordered item pair.
struct Pair: Hashable {
  let a: Int
  let b: Int
  init(_ x: Int, _ y: Int) {
    a = min(x, y)
    b = max(x, y)
  }
}

/// Accumulates the Mann–Whitney AUC: P(positive score > negative score), ties counting ½.
public struct AUCCounter: Sendable {
  private var wins: Double = 0
  /// Number of (positive, negative) pairs compared.
  public private(set) var pairs = 0

  /// Creates an empty counter.
  public init() {}

  /// Compares every positive with every negative.
  /// - Complexity: O((p + q) log q) for p positives and q negatives.
  public mutating func add(positive: [Float], negative: [Float]) {
    guard !positive.isEmpty, !negative.isEmpty else { return }
    let sorted = negative.sorted()
    for score in positive {
      let below = lowerBound(sorted, score)
      let notAbove = upperBound(sorted, score)
      wins += Double(below) + 0.5 * Double(notAbove - below)
    }
    pairs += positive.count * negative.count
  }

  /// The AUC (0.5 when nothing was compared).
  public var auc: Double { pairs == 0 ? 0.5 : wins / Double(pairs) }

  private func lowerBound(_ values: [Float], _ x: Float) -> Int {
    var low = 0
    var high = values.count
    while low < high {
      let mid = (low + high) / 2
      if values[mid] < x { low = mid + 1 } else { high = mid }
    }
    return low
  }

  private func upperBound(_ values: [Float], _ x: Float) -> Int {
    var low = 0
    var high = values.count
    while low < high {
      let mid = (low + high) / 2
      if values[mid] <= x { low = mid + 1 } else { high = mid }
    }
    return low
  }
}
