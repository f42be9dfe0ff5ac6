import BasketryBundles
import BasketryCore
import BasketryCustomers
import BasketryEval
import BasketryModels
import BasketryOnline
import Foundation

/// Where a model's training data came from.
public enum ModelProvenance: Sendable, Hashable, Codable {
  /// The store's purchase events (the location is redacted of credentials).
  case store(String)
  /// Order files read with an input format.
  case files([String], format: String)

  /// Whether the model was trained on the store's own events: its bundles are then re-checked against the live
  /// counts so that an erased user's influence disappears before the next retrain.
  public var isStore: Bool {
    if case .store = self { return true }
    return false
  }

  /// A short label (`store:shop.sqlite`, `file:a.csv,b.csv`).
  public var label: String {
    switch self {
    case .store(let location): "store:" + location
    case .files(let paths, _): "file:" + paths.joined(separator: ",")
    }
  }
}

/// What a model was trained on and how: data window, options, the validation leaderboard and the build.
public struct ModelMetadata: Sendable, Codable {
  /// Artifact format version (``ServingModel/formatVersion``).
  public var format: Int
  /// Basketry version that trained the model.
  public var basketryVersion: String
  /// Unix seconds of training.
  public var trainedAt: Int64
  /// Where the data came from.
  public var provenance: ModelProvenance
  /// Earliest and latest order time used (Unix seconds; nil without timed orders).
  public var dataStart: Int64?
  /// Latest order or event time used: live events after it are folded into users' histories when serving.
  public var dataEnd: Int64?
  /// The training cut-off, when one was given.
  public var cutoff: Int64?
  /// Orders used.
  public var orders: Int
  /// Users with a history.
  public var users: Int
  /// Items in the catalogue.
  public var items: Int
  /// The recommender served.
  public var recommender: String
  /// Its hyper-parameters.
  public var recommenderParameters: [String: String]
  /// The validation leaderboard behind the choice (nil when the model was forced).
  public var selection: ModelSelectionResult?
  /// The settings used, as `key = value` text.
  public var options: [String: String]
  /// For a model trained from files: the fingerprint of the pseudonym key its customers' ids were pseudonymised
  /// with (`Pseudonymizer.keyCheck`); nil for a store-trained model (ids pseudonymised already) and older
  /// artifacts.
  public var pseudonymKeyCheck: String? = nil
}

/// The trained engine as the service serves it: one typed, versioned artifact per `basketry train`.
///
/// Holds the chosen recommender (fitted), every user's interaction history at training time (so a shop's
/// history in files reaches the service), the designed bundles with their prices, costs and evidence as fields,
/// per-item bundles for product pages, and co-occurrence neighbours. Items are interned once: histories and the
/// recommender use dense ids into ``items``.
///
/// A final class: the server shares one instance between requests by reference.
public final class ServingModel: Sendable {
  /// The artifact format this build writes and reads.
  public static let formatVersion = 2

  /// Provenance, window, options, selection.
  public let metadata: ModelMetadata
  /// External item ids by dense id.
  public let items: [String]
  /// Item titles by dense id ("" when unknown).
  public let titles: [String]
  /// User keys (pseudonyms) by dense id.
  public let users: [String]
  /// Users' histories (CSR: rows are users, columns items, values strengths; aligned last times).
  public let history: SparseMatrix
  /// Last interaction time per history entry (aligned with `history.values`; Int64.min when unknown).
  public let historyTimes: [Int64]
  /// The fitted recommender.
  public let recommender: any Recommender
  /// Designed bundles, best first.
  public let bundles: [ProductBundle]
  /// Bundles generated for single anchor items (product pages), by external item id, best first.
  public let anchorBundles: [String: [ProductBundle]]
  /// Top complements per item at training time.
  public let neighbors: [String: [Neighbor]]
  /// The recommender's rank → purchase-probability calibration, for bundles ranked by a shopper's expected
  /// profit (nil when the data was too short to calibrate).
  public let personal: PersonalCalibration?
  /// Items without sales and the titled items with sales nearest to them (empty without a sentence encoder at
  /// training time), by external item id.
  public let titleNeighbors: [String: TitleNeighbors]
  /// Every customer's value and profile at training time (BG/NBD and Gamma-Gamma fitted on the training orders),
  /// keyed like ``users``; nil when the orders could not support the fit.
  public let customers: CustomerProfiles?
  /// Price advice per item at training time (``ItemPriceAdvisor`` with its default guardrails), by external
  /// item id; empty when the orders carry no prices.
  public let priceAdvice: [String: ItemPriceAdvice]

  /// Dense id of each item and user.
  let itemIndex: [String: Int32]
  let userIndex: [String: Int32]
  /// Items the recommender saw in training (the only ones it can rank).
  let rankable: [Bool]
  /// Users with each item in their training history.
  let popularity: [Float]

  /// Creates a model.
  public init(
    metadata: ModelMetadata, items: [String], titles: [String], users: [String], history: SparseMatrix,
    historyTimes: [Int64], recommender: any Recommender, bundles: [ProductBundle],
    anchorBundles: [String: [ProductBundle]], neighbors: [String: [Neighbor]], personal: PersonalCalibration? = nil,
    titleNeighbors: [String: TitleNeighbors] = [:], customers: CustomerProfiles? = nil,
    priceAdvice: [String: ItemPriceAdvice] = [:]
  ) {
    self.priceAdvice = priceAdvice
    self.metadata = metadata
    self.items = items
    self.titles = titles
    self.users = users
    self.history = history
    self.historyTimes = historyTimes
    self.recommender = recommender
    self.bundles = bundles
    self.anchorBundles = anchorBundles
    self.neighbors = neighbors
    self.personal = personal
    self.titleNeighbors = titleNeighbors
    self.customers = customers
    var itemIndex: [String: Int32] = [:]
    itemIndex.reserveCapacity(items.count)
    for (index, item) in items.enumerated() { itemIndex[item] = Int32(index) }
    self.itemIndex = itemIndex
    var userIndex: [String: Int32] = [:]
    userIndex.reserveCapacity(users.count)
    for (index, user) in users.enumerated() { userIndex[user] = Int32(index) }
    self.userIndex = userIndex
    var popularity = [Float](repeating: 0, count: items.count)
    for column in history.columns where Int(column) < popularity.count { popularity[Int(column)] += 1 }
    self.popularity = popularity
    self.rankable = popularity.map { $0 > 0 }
  }

  /// The dense id of an external item id.
  public func item(_ id: String) -> Int32? { itemIndex[id] }

  /// An item's title at training time (nil when unknown or empty).
  public func title(of id: String) -> String? {
    guard let index = itemIndex[id], !titles[Int(index)].isEmpty else { return nil }
    return titles[Int(index)]
  }

  /// Whether the recommender can rank an item (it had a training interaction).
  public func isRankable(_ item: Int32) -> Bool { item >= 0 && Int(item) < rankable.count && rankable[Int(item)] }

  /// A user's history at training time (empty for a user unknown then).
  /// - Parameter user: the user key (pseudonym).
  public func trainingHistory(of user: String) -> [HistoryEntry] {
    guard let row = userIndex[user] else { return [] }
    let range = history.rowOffsets[Int(row)]..<history.rowOffsets[Int(row) + 1]
    return range.map {
      HistoryEntry(item: history.columns[$0], strength: history.values[$0], lastTime: historyTimes[$0])
    }
  }

  /// The items most users had in their training history, best first (score: that number of users).
  /// - Complexity: O(items · log k).
  public func popular(k: Int, where isAllowed: (Int32) -> Bool = { _ in true }) -> [ScoredItem] {
    topK(popularity, k: k) { self.rankable[Int($0)] && isAllowed($0) }
  }

  /// Whether a user had a history at training time.
  public func knows(user: String) -> Bool { userIndex[user] != nil }
}
