import BasketryCore

/// Which cleaning rules run and with what parameters. Every rule is counted in the
/// ``CleaningReport``.
///
/// Rules, in the order they run:
/// 1. `duplicate` — exact duplicate rows (all fields byte-equal) after the first are dropped. Applies
///    to formats whose rows are order lines (online-retail, orders, instacart, purchase events); not
///    to `baskets`, where two identical baskets are two real transactions.
/// 2. `adjustment` — Online Retail `A…` invoices ("Adjust bad debt") are dropped.
/// 3. `cancellation` — Online Retail `C…` invoice lines and every line with a negative quantity and
///    a positive (or unknown) price are returns. They are dropped and *netted* against the same
///    customer's most recent earlier purchase lines of the same item (quantities reduced, a line
///    dropped when it reaches ≤ 0). Returns with a known customer become ``EventType/return``
///    events.
/// 4. `non-product` — postage, fees, manual lines, vouchers (see ``nonProductCodes``,
///    ``nonProductPrefixes``, ``nonProductPattern``).
/// 5. `non-positive-quantity` — remaining lines with quantity ≤ 0 (stock write-offs such as
///    "damaged" or "?" lines with price 0).
/// 6. `non-positive-price` — lines with unit price ≤ 0 (free samples, stock notes; in Online Retail
///    most of the 1,454 empty-description rows fall here). Unknown prices are kept.
/// 7. `unknown-item` — with a supplied catalog, lines whose item is not in it.
/// 8. `merged-repeat` (info) — repeated items inside one order are merged into one line (quantities
///    summed, unit price the quantity-weighted mean).
/// 9. `oversized-basket` — orders with more distinct items than ``basketCap`` are dropped.
/// 10. `missing-user` (kept) — orders without a user stay for association mining but get
///    ``Baskets/noUser`` and so are excluded from personalisation.
public struct CleaningOptions: Sendable, Hashable {
  /// The cap on distinct items per order for the `oversized-basket` rule.
  public enum BasketCap: Sendable, Hashable {
    /// The given percentile (0–100) of order sizes, nearest-rank method: the size at rank
    /// ⌈p/100 × n⌉ of the ascending sizes.
    case percentile(Double)
    /// A fixed number of distinct items.
    case absolute(Int)
    /// No cap.
    case none
  }

  /// Online Retail's non-product stock codes (postage, fees, manual lines, samples, …).
  public static let defaultNonProductCodes: Set<String> = [
    "POST", "DOT", "M", "m", "C2", "D", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS", "DCGSSGIRL",
    "DCGSSBOY",
  ]

  /// Drop exact duplicate rows. Default true.
  public var dropDuplicates = true
  /// Drop adjustment invoices. Default true.
  public var dropAdjustments = true
  /// Drop cancellations and returns and net them against earlier purchases. Default true.
  public var netCancellations = true
  /// Drop non-product lines. Default true.
  public var dropNonProducts = true
  /// Item codes that are not products (exact match). Default ``defaultNonProductCodes``.
  public var nonProductCodes: Set<String> = CleaningOptions.defaultNonProductCodes
  /// Item code prefixes that are not products. Default `gift_0001_` (vouchers) and `TEST`.
  public var nonProductPrefixes: [String] = ["gift_0001_", "TEST"]
  /// A regular expression (whole match) for non-product codes in unknown shops. The default,
  /// `^[A-Z]{3,}( [A-Z]+)*$`, matches codes without any digit made of upper-case words of at least
  /// three letters ("POSTAGE", "SHIPPING", "FEE", "BANK CHARGES"): real SKUs nearly always contain a
  /// digit. One- and two-letter codes are left to ``nonProductCodes`` (Online Retail's `M`, `D`, `S`,
  /// `B`), since short letter ids are plausible item ids elsewhere. `nil` disables the heuristic.
  public var nonProductPattern: String? = "^[A-Z]{3,}( [A-Z]+)*$"
  /// Drop lines with quantity ≤ 0 that are not returns. Default true.
  public var dropNonPositiveQuantity = true
  /// Drop lines with unit price ≤ 0. Default true.
  public var dropNonPositivePrice = true
  /// Drop lines whose item is not in a supplied catalog. Default true.
  public var dropUnknownItems = true
  /// Cap on distinct items per order. Default the 99.9th percentile.
  public var basketCap: BasketCap = .percentile(99.9)

  /// Creates the default rules (for order-line formats).
  public init() {}

  /// The defaults for a format.
  ///
  /// `baskets` input is already a list of transactions, typically a mining benchmark whose
  /// published results (groceries, FIMI retail) count *all* baskets; so for it the basket cap is
  /// `.none` and the non-product rule is off (its item names are category names, not codes).
  /// Every other format gets ``init()``.
  public static func `default`(for format: InputFormat) -> CleaningOptions {
    var options = CleaningOptions()
    if format == .baskets {
      options.basketCap = .none
      options.dropNonProducts = false
    }
    return options
  }
}
