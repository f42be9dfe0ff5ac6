import BasketryCore
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, read front to back.
///
/// Targets take a few leading bytes as choices (a format, an option) and pass the rest to the parser;
/// an input too short for its choices reads zeros, so every input is valid.
public struct FuzzInput {
  /// The remaining bytes.
  public private(set) var bytes: ArraySlice<UInt8>

  /// Wraps `count` bytes at `start` (copied: libFuzzer's buffer is only valid during the call).
  public init(_ start: UnsafeRawPointer?, _ count: Int) {
    if let start, count > 0 {
      bytes = ArraySlice(UnsafeRawBufferPointer(start: start, count: count))
    } else {
      bytes = []
    }
  }

  /// Takes one byte (0 when none are left).
  public mutating func byte() -> UInt8 {
    guard let first = bytes.first else { return 0 }
    bytes = bytes.dropFirst()
    return first
  }

  /// Takes one byte and picks an element of `choices` with it.
  public mutating func choose<T>(_ choices: [T]) -> T {
    choices[Int(byte()) % choices.count]
  }

  /// The remaining bytes as an array.
  public var rest: [UInt8] { Array(bytes) }
}

/// A scratch folder for parsers that read files: one per process under `/dev/shm` when it exists (memory,
/// not disk), else under `/tmp`, removed when the process exits normally. Fuzz runs are single-threaded, so each
/// target reuses the same paths.
public enum ScratchFiles {
  /// The folder, created on first use.
  public static let folder: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    let path = "\(base)/basketry-fuzz-\(getpid())"
    mkdir(path, 0o700)
    atexit { try? FileManager.default.removeItem(atPath: ScratchFiles.folder) }
    return path
  }()

  /// Writes `bytes` to `name` inside the folder (replacing it) and returns the path; `nil` if writing fails.
  @discardableResult
  public static func store(_ bytes: some Collection<UInt8>, to name: String) -> String? {
    let path = folder + "/" + name
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    let array = Array(bytes)
    var written = 0
    while written < array.count {
      let n = array.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + written }, array.count - written) }
      if n <= 0 { return nil }
      written += n
    }
    return path
  }

  /// Removes `name` from the folder if it is there.
  public static func remove(_ name: String) {
    unlink(folder + "/" + name)
  }
}

// MARK: - Outcomes

/// Runs one parse: returning or throwing a ``BasketryError`` (an error with a category and context) is a clean
/// outcome; any other error is a defect and stops the run, so libFuzzer keeps the input.
/// - Parameters:
///   - what: what was parsed, for the message.
///   - body: the parse.
public func expectCleanOutcome(_ what: String, _ body: () throws -> Void) {
  do {
    try body()
  } catch is any BasketryError {
    return
  } catch {
    fatalError("\(what) threw an error that is not a BasketryError: \(type(of: error)): \(error)")
  }
}

/// Stops the run when an invariant does not hold, so libFuzzer keeps the input.
public func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
  if !condition() { fatalError(message()) }
}

extension FuzzInput {
  /// Splits the remaining bytes at each `\n--\n` into at most `limit` parts (the last part keeps any further
  /// separators), for targets that read several files at once.
  public func parts(limit: Int) -> [ArraySlice<UInt8>] {
    let separator: [UInt8] = Array("\n--\n".utf8)
    var parts: [ArraySlice<UInt8>] = []
    var rest = bytes
    while parts.count < limit - 1, let range = rest.firstRange(of: separator) {
      parts.append(rest[rest.startIndex..<range.lowerBound])
      rest = rest[range.upperBound...]
    }
    parts.append(rest)
    return parts
  }
}

extension ScratchFiles {
  /// Creates the folder `name` inside the scratch folder if it is not there.
  public static func makeFolder(_ name: String) {
    mkdir(folder + "/" + name, 0o700)
  }
}
