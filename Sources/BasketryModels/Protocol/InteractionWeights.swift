import BasketryCore
import Foundation

/// How much each kind of behaviour counts towards a user's interest in an item.
///
/// The strength of (user u, item i) is
/// `f_ui = purchase · p_ui + Σ_e w(type_e)` over u's behaviour events on i, where `p_ui` is the purchase
/// term chosen by ``purchaseCounting`` (default: the number of distinct orders of u containing i) and
/// `w` is the per-type weight (defaults: view 0.1 < cart 0.3 < purchase 1; `return` −1, negative feedback).
/// Entries whose strength ends at or below ``minimumStrength`` are dropped (a returned item is not a like).
public struct InteractionWeights: Sendable, Hashable {
  /// How order lines turn into the purchase term `p_ui`.
  public enum PurchaseCounting: String, Sendable, Hashable, CaseIterable {
    /// Number of distinct orders with the item (default; ORACLES' "interaction strength").
    case distinctOrders = "orders"
    /// Sum of quantities over order lines.
    case quantity
    /// 1 if bought at all.
    case binary
  }

  /// Weight of an order line (purchase). Default 1.
  public var purchase: Float
  /// Weight of a page-view event. Default 0.1.
  public var view: Float
  /// Weight of an add-to-cart event. Default 0.3.
  public var cart: Float
  /// Weight of a return event (negative feedback). Default −1.
  public var `return`: Float
  /// Weights for shop-defined event types; unknown types count 0.
  public var custom: [EventType: Float]
  /// How order lines are counted. Default ``PurchaseCounting/distinctOrders``.
  public var purchaseCounting: PurchaseCounting
  /// Entries with strength ≤ this are dropped. Default 0.
  public var minimumStrength: Float
  /// Optional transform applied to every kept strength (`log1p`, binary), applied last.
  public var transform: Transform

  /// A transform of the final strength.
  public enum Transform: String, Sendable, Hashable, CaseIterable {
    /// Keep the strength.
    case none
    /// `log(1 + f)`.
    case log1p
    /// 1 for every kept entry.
    case binary
  }

  /// Creates weights; every argument has the documented default.
  public init(
    purchase: Float = 1, view: Float = 0.1, cart: Float = 0.3, return: Float = -1,
    custom: [EventType: Float] = [:], purchaseCounting: PurchaseCounting = .distinctOrders,
    minimumStrength: Float = 0, transform: Transform = .none
  ) {
    self.purchase = purchase
    self.view = view
    self.cart = cart
    self.return = `return`
    self.custom = custom
    self.purchaseCounting = purchaseCounting
    self.minimumStrength = minimumStrength
    self.transform = transform
  }

  /// The default weights.
  public static let `default` = InteractionWeights()

  /// The weight of one event of `type`.
  public func weight(of type: EventType) -> Float {
    switch type {
    case .view: view
    case .cart: cart
    case .purchase: purchase
    case .return: self.return
    default: custom[type] ?? 0
    }
  }

  /// Applies ``transform`` to a kept strength.
  @inlinable public func transformed(_ strength: Float) -> Float {
    switch transform {
    case .none: strength
    case .log1p: Float(Foundation.log1p(Double(strength)))
    case .binary: 1
    }
  }
}
