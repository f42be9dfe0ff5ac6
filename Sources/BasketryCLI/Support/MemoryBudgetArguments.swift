import ArgumentParser
import BasketryCore
import BasketryMining
import Foundation

/// A byte count given on the command line: whole bytes (`1048576`), or a number with a binary unit
/// K, M, G or T, optionally followed by `B` or `iB`, any case (`512M`, `1.5G`, `2GiB`; 1K = 1024).
struct ByteSize: ExpressibleByArgument, Hashable, Sendable {
  /// The count in bytes.
  var bytes: Int

  /// Creates a byte size.
  /// - Parameter bytes: the count in bytes.
  init(bytes: Int) { self.bytes = bytes }

  /// Parses `512M`, `2G`, `1.5GiB` or `1048576`; nil for anything else, a negative or a fractional
  /// byte count.
  init?(argument: String) {
    var text = argument.trimmingCharacters(in: .whitespaces).uppercased()
    if text.hasSuffix("IB") {
      text.removeLast(2)
    } else if text.hasSuffix("B") {
      text.removeLast()
    }
    var shift = 0
    if let unit = text.last, let position = "KMGT".firstIndex(of: unit) {
      shift = 10 * ("KMGT".distance(from: "KMGT".startIndex, to: position) + 1)
      text.removeLast()
    }
    guard let value = Double(text), value.isFinite, value >= 0 else { return nil }
    let bytes = value * Double(1 << shift)
    guard bytes < 0x1p62, bytes.rounded() == bytes || shift > 0 else { return nil }
    self.bytes = Int(bytes.rounded())
  }

  var defaultValueDescription: String { formatBytes(bytes) }
}

/// The `--memory-budget` option of every command that mines itemsets.
struct MemoryBudgetArguments: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Memory mining may use before it stops and says what to change: bytes, or with a unit K, M, G or T (binary: 512M, 2G). Default: 1/16 of physical memory.",
      valueName: "size"))
  var memoryBudget: ByteSize?

  func validate() throws {
    if let memoryBudget, memoryBudget.bytes < 1 {
      throw ValidationError("--memory-budget must be at least 1 byte; got \(memoryBudget.bytes).")
    }
  }

  /// The budget in bytes for ``MiningOptions/memoryBudget``; nil for the default.
  var bytes: Int? { memoryBudget?.bytes }
}

/// Runs `body`, turning a mining memory-budget error into advice phrased with the command's flags.
/// - Parameters:
///   - lengthFlag: the command's flag for the largest itemset size (`--max-length`, `--max-size`), or
///     nil when it has none.
///   - body: the work that mines.
/// - Returns: what `body` returns.
/// - Throws: ``CommandError`` for an exceeded memory budget; anything else `body` throws, unchanged.
func withMiningAdvice<T>(lengthFlag: String?, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as MiningError where error.code == .memoryBudgetExceeded {
    guard let stop = error.stop else { throw error }
    throw CommandError(miningAdvice(stop, lengthFlag: lengthFlag))
  }
}

/// ``withMiningAdvice(lengthFlag:_:)`` for asynchronous work (training through the store).
func withMiningAdvice<T>(lengthFlag: String?, _ body: () async throws -> T) async throws -> T {
  do {
    return try await body()
  } catch let error as MiningError where error.code == .memoryBudgetExceeded {
    guard let stop = error.stop else { throw error }
    throw CommandError(miningAdvice(stop, lengthFlag: lengthFlag))
  }
}

/// What to tell a user whose mining run hit its memory budget.
func miningAdvice(_ stop: MiningError.Stop, lengthFlag: String?) -> String {
  let orders = max(1, stop.transactionCount)
  let reached =
    stop.itemsets > 0
    ? "after \(formatCount(stop.itemsets)) itemsets, with more to come"
    : "before producing itemsets (the FP-tree alone does not fit)"
  var fixes = [
    "raise --min-support (now a count of \(stop.minimumCount) of \(formatCount(stop.transactionCount)) orders; "
      + "try \(stop.suggestedMinimumCount) or more, i.e. "
      + "\(String(format: "%.3g", Double(stop.suggestedMinimumCount) / Double(orders))) of orders)"
  ]
  if let lengthFlag {
    let now = stop.maxLength.map { "now \($0)" } ?? "now unlimited"
    if let length = stop.suggestedMaxLength {
      // Long subsets of a few large, repeated orders: a length cap works where support cuts do not.
      fixes.insert(
        "lower \(lengthFlag) (\(now); try \(length): 99 % of the itemsets so far are longer)", at: 0)
    } else {
      fixes.append("lower \(lengthFlag) (\(now))")
    }
  }
  fixes.append("raise --memory-budget (e.g. \(compactBytes(stop.memoryBudget * 2)))")
  return "mining stopped \(reached), before passing its memory budget of \(formatBytes(stop.memoryBudget)). "
    + "To finish: " + fixes.joined(separator: ", ") + "."
}

/// A byte count in the `--memory-budget` syntax, rounded up to whole MiB or GiB: `3G`, `512M`.
private func compactBytes(_ bytes: Int) -> String {
  let mib = (bytes + (1 << 20) - 1) >> 20
  return mib % 1024 == 0 ? "\(mib / 1024)G" : mib >= 1024 ? "\((mib + 1023) / 1024)G" : "\(mib)M"
}
