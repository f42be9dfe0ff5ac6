import BasketryBundles
import BasketryEval
import BasketryIngest

/// Everything one shop's report shows, computed beforehand; ``render()`` turns it into one self-contained HTML
/// file.
///
/// Parts that are costly or not built yet are explicit outcomes: ``ModelsOutcome/skipped(_:)`` and
/// ``SimulationOutcome/skipped(_:)`` render a section that says what was not computed and how to get it, and
/// ``customers`` is the hook for customer value (nil renders "customer value: not computed").
public struct ShopReport: Sendable {
  /// The model leaderboard, or why it is absent.
  public enum ModelsOutcome: Sendable {
    /// Not run; the sentence says why and how to run it.
    case skipped(String)
    /// The leaderboard, its cut-off K, and a sentence describing the split.
    case leaderboard(Leaderboard, k: Int, split: String)
  }

  /// The market simulation, or why it is absent.
  public enum SimulationOutcome: Sendable {
    /// Not run; the sentence says why and how to run it.
    case skipped(String)
    /// The strategies' results and the number of simulated visits each was compared on.
    case result(MarketSimulationResult, visits: Int)
  }

  /// Page title.
  public var title: String
  /// Input files, as given.
  public var sources: [String]
  /// Currency symbol for amounts.
  public var currency: String
  /// What ingest read and dropped.
  public var cleaning: CleaningReport
  /// Sizes, repeat orders and revenue over time.
  public var profile: DatasetProfile
  /// Rules and strong pairs.
  public var associations: AssociationSummary
  /// Bundles and what was left out.
  public var bundles: BundleSummary
  /// The recommender leaderboard.
  public var models: ModelsOutcome
  /// The market simulation's strategies.
  public var simulation: SimulationOutcome
  /// Customer value (segments, CLV distribution) as a ready section; nil until that analysis exists.
  public var customers: ReportSection?
  /// Small print: version and how the report was made.
  public var footer: String

  /// Creates a report.
  public init(
    title: String, sources: [String], currency: String, cleaning: CleaningReport, profile: DatasetProfile,
    associations: AssociationSummary, bundles: BundleSummary, models: ModelsOutcome, simulation: SimulationOutcome,
    customers: ReportSection? = nil, footer: String = ""
  ) {
    self.title = title
    self.sources = sources
    self.currency = currency
    self.cleaning = cleaning
    self.profile = profile
    self.associations = associations
    self.bundles = bundles
    self.models = models
    self.simulation = simulation
    self.customers = customers
    self.footer = footer
  }

  /// The ids of the sections, in page order.
  public static let sectionIDs = ["data", "associations", "bundles", "models", "pricing", "customers"]

  /// The page's sections, in order: data and cleaning, associations, bundles, models, pricing, customers.
  /// - Throws: ``ReportError`` if the bundle card template does not parse.
  public func sections() throws -> [ReportSection] {
    let kit = ChartKit(style: NumberStyle(currency: currency))
    return [
      DataSection.render(cleaning: cleaning, profile: profile, kit: kit),
      AssociationsSection.render(associations, kit: kit),
      try BundlesSection.render(bundles, kit: kit),
      ModelsSection.render(models, kit: kit),
      PricingSection.render(bundles: bundles, simulation: simulation, kit: kit),
      customers
        ?? ReportSection.notComputed(
          id: "customers", title: "Customers",
          message:
            "Customer value: not computed. Value segments and the distribution of customer lifetime value will "
            + "appear here once Basketry estimates them."),
    ]
  }

  /// Renders the whole page.
  /// - Returns: one HTML document with inline CSS, SVG and script.
  /// - Throws: ``ReportError`` if a template does not parse.
  /// - Complexity: O(bundles + rules + periods): the analysis is done beforehand.
  public func render() throws -> String {
    let style = NumberStyle(currency: currency)
    var subtitle = "\(style.count(profile.orders)) orders, \(style.count(profile.items)) items"
    if let first = profile.periods.first?.start, let last = profile.periods.last?.start {
      subtitle += " · \(first) to \(last)"
    }
    let shell = PageShell(title: title, subtitle: subtitle, footer: footer)
    return try shell.render(sections())
  }
}
