import BasketryCore

/// Uplift-ranking metrics on a randomised sample, with scikit-uplift's definitions (`sklift.metrics`,
/// version 0.5.1): Qini and uplift curves, their normalised areas, and uplift at k.
///
/// Every function takes, per customer, the binary outcome y (converted), the treatment flag t and a score s
/// (higher = target first). Customers are ordered by descending score; sklift's order is NumPy's stable
/// ascending `argsort` reversed, so tied scores come in descending index order. Curves are evaluated only at
/// the last position of each run of tied scores, so the order within ties never changes a curve.
///
/// The results equal sklift's to floating-point rounding (the fixture test checks 1e-9).
public enum UpliftMetrics {
  /// The points of a curve: x = customers targeted (0, …, n), y = the curve's value there.
  public struct Curve: Sendable, Hashable, Codable {
    /// Customers targeted at each point, starting at 0.
    public var x: [Double]
    /// The curve's value at each point, starting at 0.
    public var y: [Double]

    /// Creates a curve from its points.
    public init(x: [Double], y: [Double]) {
      self.x = x
      self.y = y
    }

    /// The area under the curve by the trapezoid rule, Σ (x_{i+1} − x_i)(y_i + y_{i+1})/2
    /// (`sklearn.metrics.auc`).
    /// - Complexity: O(points).
    public var area: Double {
      var sum = 0.0
      for i in 0..<max(0, x.count - 1) { sum += (x[i + 1] - x[i]) * (y[i] + y[i + 1]) / 2 }
      return sum
    }
  }

  /// How ``upliftAtK(outcomes:scores:treatment:k:strategy:)`` takes the top k.
  public enum TopKStrategy: String, Sendable, Hashable, Codable {
    /// The first k of all customers by score; conversion rates of the treated and control among them
    /// (sklift `strategy='overall'`).
    case overall
    /// The first k of the treated and, separately, the first k of the control group (sklift `'by_group'`).
    case byGroup = "by_group"
  }

  /// The indices ordered as sklift orders them: descending score, ties in descending index order.
  /// - Complexity: O(n log n).
  public static func descendingOrder(_ scores: [Double]) -> [Int] {
    scores.indices.sorted { a, b in scores[a] != scores[b] ? scores[a] > scores[b] : a > b }
  }

  /// Cumulative counts at the end of each run of tied scores: (customers, treated, treated conversions,
  /// control conversions).
  static func thresholdCounts(
    outcomes: [Bool], scores: [Double], treatment: [Bool]
  ) -> [(all: Double, treated: Double, treatedConversions: Double, controlConversions: Double)] {
    let order = descendingOrder(scores)
    var points: [(Double, Double, Double, Double)] = []
    var treated = 0.0
    var treatedConversions = 0.0
    var controlConversions = 0.0
    for (position, index) in order.enumerated() {
      if treatment[index] {
        treated += 1
        if outcomes[index] { treatedConversions += 1 }
      } else if outcomes[index] {
        controlConversions += 1
      }
      let last = position == order.count - 1
      if last || scores[order[position + 1]] != scores[index] {
        points.append((Double(position + 1), treated, treatedConversions, controlConversions))
      }
    }
    return points
  }

  // MARK: - Curves

  /// The Qini curve (Radcliffe 2007; sklift `qini_curve`): at the top n customers,
  /// Q(n) = Y_T(n) − Y_C(n) · N_T(n) / N_C(n), where N_T, N_C count the treated and control customers among
  /// them and Y_T, Y_C their conversions (the ratio is 0 while N_C = 0); the curve starts at (0, 0).
  /// - Parameters:
  ///   - outcomes: whether each customer converted.
  ///   - scores: the ranking score (e.g. predicted uplift).
  ///   - treatment: whether each customer was treated.
  /// - Precondition: equal lengths.
  /// - Complexity: O(n log n).
  public static func qiniCurve(outcomes: [Bool], scores: [Double], treatment: [Bool]) -> Curve {
    precondition(outcomes.count == scores.count && scores.count == treatment.count)
    var curve = Curve(x: [0], y: [0])
    for p in thresholdCounts(outcomes: outcomes, scores: scores, treatment: treatment) {
      let control = p.all - p.treated
      curve.x.append(p.all)
      curve.y.append(p.treatedConversions - p.controlConversions * (control != 0 ? p.treated / control : 0))
    }
    return curve
  }

  /// The uplift curve (sklift `uplift_curve`, Devriendt et al. 2020): at the top n customers,
  /// U(n) = (Y_T(n)/N_T(n) − Y_C(n)/N_C(n)) · n, each rate 0 while its group is empty; starts at (0, 0).
  /// - Parameters:
  ///   - outcomes: whether each customer converted.
  ///   - scores: the ranking score.
  ///   - treatment: whether each customer was treated.
  /// - Precondition: equal lengths.
  /// - Complexity: O(n log n).
  public static func upliftCurve(outcomes: [Bool], scores: [Double], treatment: [Bool]) -> Curve {
    precondition(outcomes.count == scores.count && scores.count == treatment.count)
    var curve = Curve(x: [0], y: [0])
    for p in thresholdCounts(outcomes: outcomes, scores: scores, treatment: treatment) {
      let control = p.all - p.treated
      let treatedRate = p.treated != 0 ? p.treatedConversions / p.treated : 0
      let controlRate = control != 0 ? p.controlConversions / control : 0
      curve.x.append(p.all)
      curve.y.append((treatedRate - controlRate) * p.all)
    }
    return curve
  }

  /// The best Qini curve (sklift `perfect_qini_curve`). With `negativeEffect` (default), the Qini curve of the
  /// score y·t − y·(1 − t): treated converters first, control converters last. Without, the three points
  /// (0, 0), (r, r), (n, r) with r = Y_T − N_T · Y_C / N_C, the random-targeting total.
  /// - Complexity: O(n log n).
  public static func perfectQiniCurve(outcomes: [Bool], treatment: [Bool], negativeEffect: Bool = true) -> Curve {
    precondition(outcomes.count == treatment.count)
    if negativeEffect {
      let scores = zip(outcomes, treatment).map { y, t in y ? (t ? 1.0 : -1.0) : 0.0 }
      return qiniCurve(outcomes: outcomes, scores: scores, treatment: treatment)
    }
    var treated = 0.0
    var control = 0.0
    var treatedConversions = 0.0
    var controlConversions = 0.0
    for (y, t) in zip(outcomes, treatment) {
      if t {
        treated += 1
        if y { treatedConversions += 1 }
      } else {
        control += 1
        if y { controlConversions += 1 }
      }
    }
    let r = treatedConversions - treated * controlConversions / control
    return Curve(x: [0, r, Double(outcomes.count)], y: [0, r, r])
  }

  /// The best uplift curve (sklift `perfect_uplift_curve`): the uplift curve of the score
  /// 2·[y = t] + (y when control converters outnumber treated non-converters, else t).
  /// - Complexity: O(n log n).
  public static func perfectUpliftCurve(outcomes: [Bool], treatment: [Bool]) -> Curve {
    precondition(outcomes.count == treatment.count)
    var controlResponders = 0
    var treatedNonResponders = 0
    for (y, t) in zip(outcomes, treatment) {
      if y && !t { controlResponders += 1 }
      if !y && t { treatedNonResponders += 1 }
    }
    let useOutcome = controlResponders > treatedNonResponders
    let scores = zip(outcomes, treatment).map { y, t in
      2 * (y == t ? 1.0 : 0.0) + ((useOutcome ? y : t) ? 1.0 : 0.0)
    }
    return upliftCurve(outcomes: outcomes, scores: scores, treatment: treatment)
  }

  // MARK: - Scores

  /// The area between a curve and the straight line from (0, 0) to the perfect curve's end point, divided by
  /// the same area for the perfect curve.
  static func normalisedArea(_ actual: Curve, perfect: Curve) -> Double {
    let endX = perfect.x.last ?? 0
    let endY = perfect.y.last ?? 0
    let baseline = Curve(x: [0, endX], y: [0, endY]).area
    return (actual.area - baseline) / (perfect.area - baseline)
  }

  /// The Qini coefficient (sklift `qini_auc_score`): (area under the Qini curve − area under the random line)
  /// / (the same for the perfect Qini curve). 1 is a perfect ranking, 0 random, negative worse than random.
  /// - Parameters:
  ///   - outcomes: whether each customer converted.
  ///   - scores: the ranking score.
  ///   - treatment: whether each customer was treated.
  ///   - negativeEffect: whether the perfect curve puts control converters last (sklift's default, true).
  /// - Returns: the coefficient; NaN when the perfect curve has no area above the line.
  /// - Complexity: O(n log n).
  public static func qiniAUCScore(
    outcomes: [Bool], scores: [Double], treatment: [Bool], negativeEffect: Bool = true
  ) -> Double {
    normalisedArea(
      qiniCurve(outcomes: outcomes, scores: scores, treatment: treatment),
      perfect: perfectQiniCurve(outcomes: outcomes, treatment: treatment, negativeEffect: negativeEffect))
  }

  /// The normalised area under the uplift curve, AUUC (sklift `uplift_auc_score`): (area under the uplift
  /// curve − area under the random line) / (the same for the perfect uplift curve).
  /// - Parameters:
  ///   - outcomes: whether each customer converted.
  ///   - scores: the ranking score.
  ///   - treatment: whether each customer was treated.
  /// - Returns: the normalised area; NaN when the perfect curve has no area above the line.
  /// - Complexity: O(n log n).
  public static func upliftAUCScore(outcomes: [Bool], scores: [Double], treatment: [Bool]) -> Double {
    normalisedArea(
      upliftCurve(outcomes: outcomes, scores: scores, treatment: treatment),
      perfect: perfectUpliftCurve(outcomes: outcomes, treatment: treatment))
  }

  /// Uplift at k (sklift `uplift_at_k`): the treated conversion rate minus the control conversion rate among
  /// the top customers by score. With `.overall`, the top ⌊n·k⌋ of everyone; with `.byGroup`, the top
  /// ⌊N_T·k⌋ treated and the top ⌊N_C·k⌋ control customers.
  /// - Parameters:
  ///   - outcomes: whether each customer converted.
  ///   - scores: the ranking score.
  ///   - treatment: whether each customer was treated.
  ///   - k: the share targeted, in (0, 1). sklift's default is 0.3.
  ///   - strategy: which top k. Default `.overall`.
  /// - Returns: the difference of rates; NaN when a group has no customer in the top k.
  /// - Complexity: O(n log n).
  public static func upliftAtK(
    outcomes: [Bool], scores: [Double], treatment: [Bool], k: Double = 0.3, strategy: TopKStrategy = .overall
  ) -> Double {
    precondition(outcomes.count == scores.count && scores.count == treatment.count)
    let order = descendingOrder(scores)
    let treatedTotal = treatment.filter { $0 }.count
    let limitAll = Int(Double(outcomes.count) * k)
    let limitTreated = strategy == .overall ? Int.max : Int(Double(treatedTotal) * k)
    let limitControl = strategy == .overall ? Int.max : Int(Double(outcomes.count - treatedTotal) * k)
    var counts = (treated: 0, treatedConversions: 0, control: 0, controlConversions: 0)
    for (position, index) in order.enumerated() {
      if strategy == .overall && position >= limitAll { break }
      if treatment[index] {
        guard counts.treated < limitTreated else { continue }
        counts.treated += 1
        if outcomes[index] { counts.treatedConversions += 1 }
      } else {
        guard counts.control < limitControl else { continue }
        counts.control += 1
        if outcomes[index] { counts.controlConversions += 1 }
      }
    }
    let treatedRate = counts.treated > 0 ? Double(counts.treatedConversions) / Double(counts.treated) : .nan
    let controlRate = counts.control > 0 ? Double(counts.controlConversions) / Double(counts.control) : .nan
    return treatedRate - controlRate
  }
}
