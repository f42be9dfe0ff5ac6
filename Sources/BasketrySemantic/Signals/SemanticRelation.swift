import Foundation

/// A complement-versus-substitute signal for a pair of items, from their title similarity, whether they share a
/// category, and (optionally) how strongly they are bought together.
///
/// Two phone cases are substitutes: very similar titles in the same category; a shopper buys one *or* the other.
/// A phone and its case are complements: different titles bought together. The signal:
///
/// - substitute likelihood `p_sub = σ((s − τ) / w)`, with `s` the cosine similarity of the titles, threshold
///   `τ = substituteThreshold` (default 0.70) when the categories match, `τ + crossCategoryPenalty` (default +0.15)
///   when they differ, `τ + unknownCategoryPenalty` (default +0.05) when unknown, and width `w = 0.05`;
/// - complement score `c = a · (1 − p_sub)`, with `a` ∈ [0, 1] the co-purchase strength (e.g. a normalised lift or
///   confidence; 1 when absent), so co-purchased pairs that look like substitutes are discounted.
///
/// What the Amazon bundle data says (`basketry semantic-eval`, all-MiniLM-L6-v2; complements = pairs bundled
/// together, substitutes = same leaf category, never bundled): mean cosine of complements / substitutes is
/// 0.25 / 0.47 (electronics), 0.42 / 0.32 (clothing), 0.47 / 0.52 (food); the AUC of "substitute scores higher" is
/// 0.84, 0.36 and 0.62. Title similarity alone separates the two well only where bundles mix kinds of product
/// (electronics: a camera with its battery and card); clothing bundles are often "the same top in other colours",
/// so the category and co-purchase inputs matter, and the threshold is deliberately high: few pairs in any domain
/// reach 0.70 (complements 2–13 %, substitutes 1–9 %), and those are mostly near-duplicates (variants, sizes, flavours).
public struct SemanticRelation: Sendable, Hashable {
  /// Similarity at which a same-category pair is 50 % likely a substitute (default 0.70).
  public var substituteThreshold: Float = 0.70
  /// Added to the threshold when categories differ (default 0.15).
  public var crossCategoryPenalty: Float = 0.15
  /// Added to the threshold when a category is unknown (default 0.05).
  public var unknownCategoryPenalty: Float = 0.05
  /// Width of the logistic transition (default 0.05).
  public var width: Float = 0.05

  /// Creates a signal with the default parameters.
  public init() {}

  /// Verdict for one pair.
  public struct Assessment: Sendable, Hashable {
    /// Probability-like substitute likelihood in (0, 1).
    public var substitute: Float
    /// Complement score in [0, 1].
    public var complement: Float
    /// The larger of the two, as a label.
    public var isSubstitute: Bool { substitute >= complement }
  }

  /// Substitute likelihood `σ((s − τ) / w)`.
  /// - Parameters:
  ///   - similarity: Cosine similarity of the two titles.
  ///   - sameCategory: Whether the items share a (leaf) category; nil when unknown.
  public func substituteLikelihood(similarity: Float, sameCategory: Bool?) -> Float {
    let threshold: Float =
      switch sameCategory {
      case .some(true): substituteThreshold
      case .some(false): substituteThreshold + crossCategoryPenalty
      case .none: substituteThreshold + unknownCategoryPenalty
      }
    return 1 / (1 + expf(-(similarity - threshold) / width))
  }

  /// Assesses a pair: substitute likelihood and complement score `a · (1 − p_sub)`.
  /// - Parameters:
  ///   - similarity: Cosine similarity of the two titles.
  ///   - sameCategory: Whether they share a category; nil when unknown.
  ///   - coPurchase: Co-purchase strength in [0, 1] (clamped); 1 when unknown.
  public func assess(similarity: Float, sameCategory: Bool?, coPurchase: Float = 1) -> Assessment {
    let substitute = substituteLikelihood(similarity: similarity, sameCategory: sameCategory)
    let strength = min(max(coPurchase, 0), 1)
    return Assessment(substitute: substitute, complement: strength * (1 - substitute))
  }
}
