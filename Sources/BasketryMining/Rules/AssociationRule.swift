import BasketryCore

/// An association rule `A → c` with a single-item consequent, stored as transaction counts.
///
/// The interest measures are computed from the supports exactly as mlxtend 0.25.0's
/// `association_rules` computes them (same formulas, same order of floating-point operations, same
/// handling of zero denominators), so values agree to the last few ulps.
public struct AssociationRule: Sendable, Hashable, Codable {
  /// Antecedent item ids, ascending.
  public var antecedent: [Int32]
  /// Consequent item ids (one item).
  public var consequent: [Int32]
  /// Transactions containing the antecedent.
  public var antecedentCount: Int
  /// Transactions containing the consequent.
  public var consequentCount: Int
  /// Transactions containing antecedent and consequent, `|A ∪ C|`.
  public var count: Int
  /// Number of transactions.
  public var transactionCount: Int

  /// Creates a rule from its counts.
  public init(
    antecedent: [Int32], consequent: [Int32], antecedentCount: Int, consequentCount: Int, count: Int,
    transactionCount: Int
  ) {
    self.antecedent = antecedent
    self.consequent = consequent
    self.antecedentCount = antecedentCount
    self.consequentCount = consequentCount
    self.count = count
    self.transactionCount = transactionCount
  }
}

// MARK: - Metrics (mlxtend 0.25.0 formulas)

extension AssociationRule {
  private var n: Double { Double(transactionCount) }

  /// `s(A) = antecedentCount / n`.
  public var antecedentSupport: Double { Double(antecedentCount) / n }
  /// `s(C) = consequentCount / n`.
  public var consequentSupport: Double { Double(consequentCount) / n }
  /// Rule support `s(A ∪ C) = count / n`.
  public var support: Double { Double(count) / n }

  /// Confidence `s(A ∪ C) / s(A)`, in [0, 1] (mlxtend evaluates `(s(AC)·n) / (s(A)·n)`).
  public var confidence: Double { (support * n) / (antecedentSupport * n) }

  /// Lift `confidence / s(C)`, in [0, ∞); 1 means independence.
  public var lift: Double { confidence / consequentSupport }

  /// Leverage `s(A ∪ C) − s(A)·s(C)`, in [−1, 1].
  public var leverage: Double { support - antecedentSupport * consequentSupport }

  /// Conviction `(1 − s(C)) / (1 − confidence)`, in [0, ∞]; `+∞` when confidence is 1.
  public var conviction: Double {
    let confidence = confidence
    guard confidence < 1 else { return .infinity }
    return (1 - consequentSupport) / (1 - confidence)
  }

  /// Zhang's metric `leverage / max(s(AC)·(1 − s(A)), s(A)·(s(C) − s(AC)))`, in [−1, 1]; 0 when the
  /// denominator is 0.
  public var zhangsMetric: Double {
    let sAC = support
    let sA = antecedentSupport
    let sC = consequentSupport
    let denominator = Swift.max(sAC * (1 - sA), sA * (sC - sAC))
    return denominator == 0 ? 0 : leverage / denominator
  }

  /// Jaccard `s(A ∪ C) / (s(A) + s(C) − s(A ∪ C))`, in [0, 1].
  public var jaccard: Double { support / (antecedentSupport + consequentSupport - support) }

  /// Certainty factor `(confidence − s(C)) / (1 − s(C))`, in [−1, 1]; 0 when `s(C) = 1`.
  public var certainty: Double {
    let denominator = 1 - consequentSupport
    return denominator == 0 ? 0 : (confidence - consequentSupport) / denominator
  }

  /// Kulczynski `(P(C|A) + P(A|C)) / 2`, in [0, 1] (each conditional as mlxtend evaluates it).
  public var kulczynski: Double {
    let sAC = support
    let confidenceAC = (sAC * n) / (antecedentSupport * n)
    let confidenceCA = (sAC * n) / (consequentSupport * n)
    return (confidenceAC + confidenceCA) / 2
  }
}
