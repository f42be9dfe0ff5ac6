import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the CLI writes: results to standard output; progress, notes and warnings to standard
/// error. Progress appears only when standard error is a terminal and `--quiet` is off.
final class Console: @unchecked Sendable {
  /// How much to say on standard error.
  enum Verbosity: Int, Comparable {
    case quiet, normal, verbose
    static func < (a: Verbosity, b: Verbosity) -> Bool { a.rawValue < b.rawValue }
  }

  let verbosity: Verbosity
  let isTerminal: Bool
  private let start = Date()
  private let lock = NSLock()
  private var lastProgress = Date.distantPast
  private var progressShown = false

  init(quiet: Bool, verbose: Bool) {
    verbosity = quiet ? .quiet : (verbose ? .verbose : .normal)
    isTerminal = isatty(STDERR_FILENO) == 1
  }

  /// Seconds since the command started.
  var elapsed: Double { Date().timeIntervalSince(start) }

  /// Writes a result line to standard output.
  func out(_ text: String) {
    lock.lock()
    defer { lock.unlock() }
    clearProgressLocked()
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  /// Writes a note to standard error unless quiet.
  func note(_ text: String) {
    guard verbosity >= .normal else { return }
    err(text)
  }

  /// Writes detail to standard error only with `--verbose`.
  func detail(_ text: String) {
    guard verbosity >= .verbose else { return }
    err(text)
  }

  /// Writes a warning to standard error (even when quiet).
  func warn(_ text: String) { err("warning: " + text) }

  /// Shows a transient progress line (terminal only, at most 10 times a second).
  func progress(_ text: @autoclosure () -> String, force: Bool = false) {
    guard verbosity >= .normal, isTerminal else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    guard force || now.timeIntervalSince(lastProgress) >= 0.1 else { return }
    lastProgress = now
    let line = "\u{1B}[2K\r" + text() + String(format: "  [%.1fs]", elapsed)
    FileHandle.standardError.write(Data(line.utf8))
    progressShown = true
  }

  /// Marks the end of a phase: in verbose mode, a permanent line with its duration.
  func phaseDone(_ text: String) {
    lock.lock()
    clearProgressLocked()
    lock.unlock()
    detail(String(format: "%@ [%.2fs]", text, elapsed))
  }

  private func err(_ text: String) {
    lock.lock()
    defer { lock.unlock() }
    clearProgressLocked()
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  private func clearProgressLocked() {
    if progressShown {
      FileHandle.standardError.write(Data("\u{1B}[2K\r".utf8))
      progressShown = false
    }
  }
}
