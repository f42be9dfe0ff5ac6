import BasketryBundles
import BasketryCore
import BasketryCustomers
import BasketryModels
import BasketryOnline
import Foundation

/// An artifact that cannot be read: malformed, truncated, of another format version, or naming an unknown model.
public struct ArtifactError: BasketryError {
  /// What is wrong.
  public var message: String
  public var category: ErrorCategory

  /// Creates an error.
  public init(_ message: String, category: ErrorCategory = .invalidInput) {
    self.message = message
    self.category = category
  }

  public var description: String { "model artifact: \(message)" }
}

extension ServingModel {
  /// The archive kind of a serving model.
  static let archiveKind = "basketry-serving-model"

  /// The JSON-encoded parts of the artifact (everything but the large arrays).
  private struct Document: Codable {
    var metadata: ModelMetadata
    var items: [String]
    var titles: [String]
    var users: [String]
    var bundles: [ProductBundle]
    var anchorBundles: [String: [ProductBundle]]
    var neighbors: [String: [Neighbor]]
    var personal: PersonalCalibration?
    var titleNeighbors: [String: TitleNeighbors]?
  }

  /// The artifact's bytes: a ``ModelArchive`` (magic, JSON header, little-endian arrays) holding the metadata,
  /// item and user tables, bundles and neighbours as one JSON document, the histories as arrays, and the
  /// recommender's own archive as a blob.
  /// - Throws: ``ArtifactError`` when a part cannot be encoded.
  /// - Complexity: O(artifact size).
  public func encoded() throws -> [UInt8] {
    var archive = ModelArchive(kind: Self.archiveKind)
    archive.numbers["format"] = Double(Self.formatVersion)
    let document = Document(
      metadata: metadata, items: items, titles: titles, users: users, bundles: bundles, anchorBundles: anchorBundles,
      neighbors: neighbors, personal: personal, titleNeighbors: titleNeighbors.isEmpty ? nil : titleNeighbors)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    do {
      archive.blobs["document"] = Array(try encoder.encode(document))
    } catch {
      throw ArtifactError("cannot encode the model document: \(error)", category: .internal)
    }
    archive.setMatrix("history", history)
    archive.int64s["history.times"] = historyTimes
    if let customers {
      do {
        archive.blobs["customers"] = Array(try encoder.encode(customers))
      } catch {
        throw ArtifactError("cannot encode the customer profiles: \(error)", category: .internal)
      }
    }
    if !priceAdvice.isEmpty {
      do {
        archive.blobs["price-advice"] = Array(try encoder.encode(priceAdvice.values.sorted { $0.item < $1.item }))
      } catch {
        throw ArtifactError("cannot encode the price advice: \(error)", category: .internal)
      }
    }
    archive.strings["recommender"] = recommender.name
    archive.blobs["recommender"] = try Self.recommenderBytes(recommender)
    do {
      return Array(try archive.encoded())
    } catch {
      throw ArtifactError("cannot encode the model: \(error)", category: .internal)
    }
  }

  /// Reads an artifact written by ``encoded()``.
  /// - Throws: ``ArtifactError`` for anything but a complete artifact of this format version.
  /// - Complexity: O(artifact size).
  public static func decode(_ bytes: [UInt8]) throws -> ServingModel {
    let archive: ModelArchive
    do {
      archive = try ModelArchive.decode(bytes, kind: archiveKind, source: "model artifact")
    } catch let error as ModelError {
      throw ArtifactError(error.message)
    }
    // Compared as stored (a double): a damaged header can hold a value no Int can.
    let format = archive.numbers["format"] ?? 0
    guard format == Double(formatVersion) else {
      let shown = format == format.rounded() && abs(format) < 1e15 ? String(Int64(format)) : String(format)
      throw ArtifactError(
        "format version \(shown) is not the version \(formatVersion) this build reads; retrain with `basketry train`")
    }
    guard let documentBytes = archive.blobs["document"], let recommenderBytes = archive.blobs["recommender"],
      let recommenderKind = archive.strings["recommender"], let times = archive.int64s["history.times"]
    else { throw ArtifactError("a section is missing") }
    let document: Document
    do { document = try JSONDecoder().decode(Document.self, from: Data(documentBytes)) } catch {
      throw ArtifactError("the model document is malformed: \(error)")
    }
    let history: SparseMatrix
    do { history = try archive.matrix("history") } catch let error as ModelError {
      throw ArtifactError(error.message)
    }
    guard history.rowCount == document.users.count, history.columnCount == document.items.count,
      times.count == history.values.count, document.titles.count == document.items.count,
      history.columns.allSatisfy({ $0 >= 0 && Int($0) < document.items.count }),
      zip(history.rowOffsets, history.rowOffsets.dropFirst()).allSatisfy({ $0 <= $1 })
    else { throw ArtifactError("the history does not match the item and user tables") }
    let recommender = try loadRecommender(kind: recommenderKind, bytes: recommenderBytes)
    var customers: CustomerProfiles?
    if let bytes = archive.blobs["customers"] {
      do { customers = try JSONDecoder().decode(CustomerProfiles.self, from: Data(bytes)) } catch {
        throw ArtifactError("the customer profiles are malformed: \(error)")
      }
    }
    var priceAdvice: [String: ItemPriceAdvice] = [:]
    if let bytes = archive.blobs["price-advice"] {
      do {
        let entries = try JSONDecoder().decode([ItemPriceAdvice].self, from: Data(bytes))
        priceAdvice = Dictionary(entries.map { ($0.item, $0) }, uniquingKeysWith: { first, _ in first })
      } catch {
        throw ArtifactError("the price advice is malformed: \(error)")
      }
    }
    return ServingModel(
      metadata: document.metadata, items: document.items, titles: document.titles, users: document.users,
      history: history, historyTimes: times, recommender: recommender, bundles: document.bundles,
      anchorBundles: document.anchorBundles, neighbors: document.neighbors, personal: document.personal,
      titleNeighbors: document.titleNeighbors ?? [:], customers: customers, priceAdvice: priceAdvice)
  }

  // MARK: - Recommender blobs

  /// Loaders of saved recommenders by ``Recommender/name``.
  static let loaders: [String: @Sendable (URL) throws -> any Recommender] = [
    "pop": { try PopularityRecommender.load(from: $0) },
    "pop-recent": { try PopularityRecommender.load(from: $0) },
    "freq": { try PersonalFrequencyRecommender.load(from: $0) },
    "itemknn": { try ItemKNNRecommender.load(from: $0) },
    "tifuknn": { try TIFUKNNRecommender.load(from: $0) },
    "repeat-explore": { try RepeatExploreRecommender.load(from: $0) },
    "ease": { try EASERecommender.load(from: $0) },
    "als": { try ImplicitALS.load(from: $0) },
    "bpr": { try BPR.load(from: $0) },
    "neural": { try NeuralHistoryScorer.load(from: $0) },
  ]

  /// A recommender's saved bytes (models save to files; a private temporary file carries them).
  static func recommenderBytes(_ model: any Recommender) throws -> [UInt8] {
    let url = temporaryURL()
    defer { try? FileManager.default.removeItem(at: url) }
    do {
      try model.save(to: url)
      return Array(try Data(contentsOf: url))
    } catch {
      throw ArtifactError("cannot save the \(model.name) recommender: \(error)", category: .io)
    }
  }

  /// A recommender from its saved bytes.
  static func loadRecommender(kind: String, bytes: [UInt8]) throws -> any Recommender {
    guard let loader = loaders[kind] else {
      throw ArtifactError(
        "the recommender '\(kind)' cannot be served; known: \(loaders.keys.sorted().joined(separator: ", "))")
    }
    let url = temporaryURL()
    defer { try? FileManager.default.removeItem(at: url) }
    do {
      try Data(bytes).write(to: url)
      return try loader(url)
    } catch let error as ModelError {
      throw ArtifactError("the \(kind) recommender cannot be read: \(error.message)")
    } catch {
      throw ArtifactError("the \(kind) recommender cannot be read: \(error)", category: .io)
    }
  }

  private static func temporaryURL() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("basketry-model-\(UUID().uuidString).bin")
  }
}
