/// One customer of a randomised campaign log.
public struct CampaignLogEntry: Sendable, Hashable {
  /// The customer's external id (as in the order files).
  public var customer: String
  /// Whether the customer was given the campaign.
  public var treated: Bool
  /// Whether the customer bought what the campaign promoted within its window.
  public var converted: Bool

  /// Creates an entry.
  public init(customer: String, treated: Bool, converted: Bool) {
    self.customer = customer
    self.treated = treated
    self.converted = converted
  }
}
