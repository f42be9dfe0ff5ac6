import BasketryCore

/// Detects variants of one product — the same title in another colour, pattern or size, or the
/// same stock-code stem with another suffix — so they are not sold together as a "bundle".
///
/// Two items are variants when any of these holds:
/// 1. their ids share a stem: digits followed by a letter suffix (`85123A` ~ `85123B`), or
///    separator-delimited codes equal once colour and size parts are removed (`TEE-RED-M` ~ `TEE-BLUE-L`);
/// 2. their title tokens are equal once colour, pattern, size and filler words are removed
///    (`ALARM CLOCK BAKELIKE RED` ~ `ALARM CLOCK BAKELIKE GREEN`);
/// 3. those token sets share at least two tokens and differ by one token on one side only
///    (`ROSES REGENCY TEACUP AND SAUCER` ~ `GREEN REGENCY TEACUP AND SAUCER`), or share at least
///    three and differ by one token on each side;
/// 4. they share a run of at least two consecutive product tokens covering more than half of the
///    shorter title (`HOT WATER BOTTLE KEEP CALM` ~ `CHOCOLATE HOT WATER BOTTLE`): the same product
///    type in another design;
/// 5. their titles start with the same two or more product tokens (`WALL ART BICYCLE SAFETY` ~
///    `WALL ART DOG LICENCE`): a product line whose type leads the title.
///
/// The word lists are English; titles in other languages fall back to rule 1 and exact matches.
public struct VariantDetector: Sendable {
  private let stems: [String?]
  private let tokens: [Set<String>]
  private let sequences: [[String]]

  /// Prepares the detector for every item of a catalog.
  /// - Complexity: O(total title length).
  public init(catalog: Catalog) {
    var stems: [String?] = []
    var tokens: [Set<String>] = []
    var sequences: [[String]] = []
    stems.reserveCapacity(catalog.count)
    tokens.reserveCapacity(catalog.count)
    for id in 0..<Int32(catalog.count) {
      stems.append(Self.codeStem(catalog.externalID(id)))
      let sequence = Self.productTokens(catalog[id].title ?? "")
      sequences.append(sequence)
      tokens.append(Set(sequence))
    }
    self.stems = stems
    self.tokens = tokens
    self.sequences = sequences
  }

  /// Whether two items are variants of one product.
  public func areVariants(_ a: Int32, _ b: Int32) -> Bool {
    if a == b { return true }
    if let sa = stems[Int(a)], let sb = stems[Int(b)], sa == sb { return true }
    let ta = tokens[Int(a)]
    let tb = tokens[Int(b)]
    guard !ta.isEmpty, !tb.isEmpty else { return false }
    if ta == tb { return true }
    let shared = ta.intersection(tb).count
    let onlyA = ta.count - shared
    let onlyB = tb.count - shared
    if shared >= 2 && ((onlyA == 0 && onlyB == 1) || (onlyA == 1 && onlyB == 0)) { return true }
    if shared >= 3 && onlyA <= 1 && onlyB <= 1 { return true }
    if shared >= 2 {
      let sa = sequences[Int(a)]
      let sb = sequences[Int(b)]
      if sa.count >= 2 && sb.count >= 2 && sa[0] == sb[0] && sa[1] == sb[1] { return true }
      let run = Self.longestCommonRun(sa, sb)
      if run >= 2 && 2 * run > min(ta.count, tb.count) { return true }
    }
    return false
  }

  /// Length of the longest run of consecutive tokens that two sequences share.
  /// - Complexity: O(|a| · |b|).
  static func longestCommonRun(_ a: [String], _ b: [String]) -> Int {
    guard !a.isEmpty, !b.isEmpty else { return 0 }
    var previous = [Int](repeating: 0, count: b.count + 1)
    var best = 0
    for i in 1...a.count {
      var current = [Int](repeating: 0, count: b.count + 1)
      for j in 1...b.count where a[i - 1] == b[j - 1] {
        current[j] = previous[j - 1] + 1
        best = max(best, current[j])
      }
      previous = current
    }
    return best
  }

  /// Whether any two items of a group are variants of one product.
  public func containsVariants(_ items: [Int32]) -> Bool {
    for i in items.indices {
      for j in items.indices where j > i && areVariants(items[i], items[j]) { return true }
    }
    return false
  }

  // MARK: - Normalisation

  /// The stem of a product code, or nil if the code has no variant structure.
  ///
  /// `85123A` → `85123`; `TEE-RED-M` → `TEE`; `79321` → nil (no suffix to strip).
  public static func codeStem(_ code: String) -> String? {
    let parts = code.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    if parts.count == 1 {
      let part = parts[0]
      let digits = part.prefix { $0.isASCII && $0.isNumber }
      let suffix = part.dropFirst(digits.count)
      guard digits.count >= 3, !suffix.isEmpty, suffix.allSatisfy({ $0.isLetter }) else { return nil }
      return String(digits)
    }
    guard parts.count > 1 else { return nil }
    let kept = parts.filter { !variantWords.contains($0) && !sizeWords.contains($0) }
    guard kept.count < parts.count, !kept.isEmpty else { return nil }
    return kept.joined(separator: "-")
  }

  /// Lower-cased title tokens with colour, pattern, size, number and filler words removed.
  public static func productTokens(_ title: String) -> [String] {
    title.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).compactMap { raw in
      let token = String(raw)
      if token.allSatisfy({ $0.isNumber }) { return nil }
      if variantWords.contains(token) || sizeWords.contains(token) || fillerWords.contains(token) { return nil }
      if patternSuffixes.contains(where: { token.count > $0.count && token.hasSuffix($0) }) { return nil }
      return token
    }
  }

  static let variantWords: Set<String> = [
    "red", "blue", "green", "pink", "white", "black", "ivory", "cream", "yellow", "purple", "orange", "grey",
    "gray", "brown", "gold", "silver", "beige", "navy", "teal", "turquoise", "lilac", "lavender", "violet",
    "magenta", "aqua", "mint", "peach", "coral", "khaki", "olive", "burgundy", "maroon", "copper", "bronze",
    "natural", "clear", "pastel", "multicolour", "multicolor", "assorted", "colour", "color", "colours", "colors",
    "dark", "light", "bright", "pale", "antique",
    "dot", "dots", "polka", "polkadot", "spot", "spots", "spotty", "stripe", "stripes", "striped", "floral",
    "paisley", "check", "checked", "gingham", "tartan", "plaid", "leopard", "zebra", "camo", "plain", "print",
    "printed", "pattern", "design", "retrospot",
  ]
  static let patternSuffixes: [String] = ["spot", "dot", "stripe", "stripes"]
  static let sizeWords: Set<String> = [
    "xs", "s", "m", "xl", "xxl", "xxxl", "small", "medium", "large", "mini", "size", "cm", "mm", "ml", "l", "g",
    "kg", "oz", "lb", "inch", "in",
  ]
  static let fillerWords: Set<String> = ["and", "of", "the", "a", "an", "with", "for", "in", "on", "to"]
}
