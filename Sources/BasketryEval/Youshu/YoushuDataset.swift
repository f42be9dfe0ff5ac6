import BasketryCore
import BasketryModels
import Foundation

/// The Youshu bundle-recommendation benchmark (users, bundles = book lists, items = books), as distributed with
/// CrossCBR: tab-separated 0-based id pairs in `user_bundle_{train,tune,test}.txt`, `user_item.txt`,
/// `bundle_item.txt`, and sizes in `Youshu_data_size.txt` (`#users #bundles #items`).
///
/// Protocol (CrossCBR): for every user with ≥ 1 test bundle, rank all bundles, mask only that user's train
/// bundles, average Recall@K = hits / |test bundles| and NDCG@K over those users.
public struct YoushuDataset: Sendable {
  /// Number of users.
  public var userCount: Int
  /// Number of bundles.
  public var bundleCount: Int
  /// Number of items.
  public var itemCount: Int
  /// (user, bundle) pairs by split.
  public var train: [(Int32, Int32)]
  /// Validation (tune) pairs.
  public var tune: [(Int32, Int32)]
  /// Test pairs.
  public var test: [(Int32, Int32)]
  /// (user, item) pairs.
  public var userItems: [(Int32, Int32)]
  /// (bundle, item) pairs.
  public var bundleItems: [(Int32, Int32)]

  /// Which held-out file to evaluate on.
  public enum Slice: String, Sendable, CaseIterable {
    /// `user_bundle_test.txt` (report these numbers).
    case test
    /// `user_bundle_tune.txt` (tune hyper-parameters on these).
    case validation
  }

  /// Loads the benchmark from a folder.
  /// - Parameter folder: the folder holding the files.
  /// - Throws: ``EvaluationError`` with file and line on a missing file or malformed line.
  public static func load(folder: String) throws -> YoushuDataset {
    let url = URL(fileURLWithPath: folder)
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
      throw EvaluationError("cannot list the folder", location: SourceLocation(file: folder), category: .notFound)
    }
    let sizeFile = names.first { $0.hasSuffix("_data_size.txt") }
    guard let sizeFile else {
      throw EvaluationError(
        "no *_data_size.txt in \(folder)", location: SourceLocation(file: folder), category: .notFound)
    }
    let sizes = try pairs(url.appendingPathComponent(sizeFile).path, columns: 3)
    guard let first = sizes.first, first.count == 3 else {
      throw EvaluationError("expected three sizes", location: SourceLocation(file: sizeFile, line: 1))
    }
    let (users, bundles, items) = (first[0], first[1], first[2])
    func load(_ name: String, _ rows: Int, _ columns: Int) throws -> [(Int32, Int32)] {
      let path = url.appendingPathComponent(name).path
      let data = try pairs(path, columns: 2)
      return try data.enumerated().map { line, pair in
        guard pair[0] >= 0, pair[0] < rows, pair[1] >= 0, pair[1] < columns else {
          throw EvaluationError(
            "id out of range (\(pair[0]), \(pair[1])); sizes \(rows) × \(columns)",
            location: SourceLocation(file: path, line: line + 1))
        }
        return (Int32(pair[0]), Int32(pair[1]))
      }
    }
    return YoushuDataset(
      userCount: users, bundleCount: bundles, itemCount: items,
      train: try load("user_bundle_train.txt", users, bundles), tune: try load("user_bundle_tune.txt", users, bundles),
      test: try load("user_bundle_test.txt", users, bundles), userItems: try load("user_item.txt", users, items),
      bundleItems: try load("bundle_item.txt", bundles, items))
  }

  /// Integer rows of a whitespace-separated file (blank lines skipped).
  private static func pairs(_ path: String, columns: Int) throws -> [[Int]] {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw EvaluationError(
        "cannot read: \(error.localizedDescription)", location: SourceLocation(file: path), category: .notFound)
    }
    var rows: [[Int]] = []
    var lineNumber = 0
    for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      lineNumber += 1
      let fields = line.split(whereSeparator: \.isWhitespace)
      if fields.isEmpty { continue }
      guard fields.count == columns else {
        throw EvaluationError(
          "expected \(columns) integers, found \(fields.count)", location: SourceLocation(file: path, line: lineNumber))
      }
      var row: [Int] = []
      for (index, field) in fields.enumerated() {
        guard let value = Int(field) else {
          throw EvaluationError(
            "'\(field)' is not an integer",
            location: SourceLocation(file: path, line: lineNumber, field: "\(index + 1)"))
        }
        row.append(value)
      }
      rows.append(row)
    }
    return rows
  }

  // MARK: - Matrices and tasks

  /// Users × bundles training matrix (strength 1 per pair).
  public var userBundleTrain: InteractionMatrix {
    InteractionBuilder.matrix(
      pairs: train.map { (user: $0.0, item: $0.1, strength: 1) }, userCount: userCount, itemCount: bundleCount)
  }

  /// The stacked users × (bundles + items) matrix `[UB_train | w · UI]`: bundle columns first, so models fitted on it
  /// rank bundles as items `0 ..< bundleCount`.
  /// - Parameter itemWeight: w, the strength of a user–item pair (ORACLES: 0.5 with EASE λ 400).
  public func stackedTrain(itemWeight: Float) -> InteractionMatrix {
    var pairs = train.map { (user: $0.0, item: $0.1, strength: Float(1)) }
    pairs += userItems.map { (user: $0.0, item: $0.1 + Int32(bundleCount), strength: itemWeight) }
    return InteractionBuilder.matrix(pairs: pairs, userCount: userCount, itemCount: bundleCount + itemCount)
  }

  /// Bundles × items affiliation BI (`bundle_item.txt`, strength 1 per pair).
  public var bundleItemMatrix: SparseMatrix {
    SparseMatrix(
      rowCount: bundleCount, columnCount: itemCount, triples: bundleItems.map { (row: $0.0, column: $0.1, value: 1) })
  }

  /// The bundle-structure model ``BundleEASERecommender`` (`ease+bundles`) with its training matrix
  /// `[UB_train | w · UI]`, ready for the ``Evaluator``.
  /// - Parameter parameters: `lambda` (default 400), `affiliation_weight` β (default 0.1) and `item_weight` w
  ///   (default 0.5); defaults chosen on the validation (tune) split.
  /// - Throws: ``ModelError`` on malformed values.
  public func bundleStructureEntry(
    label: String = "ease+bundles", parameters: ModelParameters = ModelParameters()
  ) throws -> EvaluationEntry {
    let itemWeight = try parameters.double("item_weight", default: 0.5, model: label)
    return EvaluationEntry(
      label: label, model: try BundleEASERecommender(bundleItems: bundleItemMatrix, parameters: parameters),
      train: stackedTrain(itemWeight: Float(itemWeight)))
  }

  /// The user → bundle ranking task of the CrossCBR protocol.
  /// - Parameter slice: `.test` (default) or `.validation` (the tune file).
  public func task(_ slice: Slice = .test) -> EvaluationTask {
    let trainMatrix = userBundleTrain
    var targets: [Int32: [Int32]] = [:]
    for (user, bundle) in slice == .test ? test : tune { targets[user, default: []].append(bundle) }
    let users = targets.keys.sorted()
    return EvaluationTask(
      dataset: "youshu", split: slice == .test ? "official test (mask train)" : "official tune (mask train)",
      train: trainMatrix, users: users, targets: users.map { Array(Set(targets[$0] ?? [])).sorted() },
      mask: trainMatrix.matrix, candidateCount: bundleCount)
  }
}
