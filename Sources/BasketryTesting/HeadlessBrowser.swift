import Foundation

/// Drives a headless Chromium from tests: loads a page and returns its DOM after scripts ran, with the
/// console messages Chromium logged; takes screenshots.
///
/// Found through `BASKETRY_CHROMIUM` (a path), else `chromium`, `chromium-browser` or `google-chrome` on
/// `PATH`; tests that need it are enabled with `.enabled(if: HeadlessBrowser.available)`. CI installs Debian's
/// `chromium` package.
///
/// ```swift
/// let browser = try #require(HeadlessBrowser.find())
/// let page = try browser.load(URL(fileURLWithPath: "/tmp/report.html"))
/// #expect(page.consoleMessages.isEmpty)
/// #expect(page.attribute("data-script") == "ready")
/// ```
public struct HeadlessBrowser: Sendable {
  /// A loaded page.
  public struct Page: Sendable {
    /// The serialised DOM after the page's scripts ran (`--dump-dom`).
    public var dom: String
    /// Console messages and uncaught errors Chromium logged (`"text", source: file (line)`).
    public var consoleMessages: [String]
    /// Everything Chromium wrote on standard error.
    public var log: String

    /// The value of an attribute of the root `<html>` element, if set.
    /// - Parameter name: attribute name.
    public func attribute(_ name: String) -> String? {
      guard let start = dom.range(of: "<html"), let end = dom[start.upperBound...].range(of: ">") else { return nil }
      return Self.attribute(name, in: String(dom[start.upperBound..<end.lowerBound]))
    }

    /// The start tags (`<svg …>` without the `<` and `>`) of elements whose start tag contains `marker`.
    /// - Parameter marker: text in the start tag, e.g. `class="chart"`.
    public func startTags(containing marker: String) -> [String] {
      var tags: [String] = []
      var rest = dom[...]
      while let open = rest.range(of: "<") {
        guard let close = rest[open.upperBound...].range(of: ">") else { break }
        let tag = rest[open.upperBound..<close.lowerBound]
        if tag.contains(marker) { tags.append(String(tag)) }
        rest = rest[close.upperBound...]
      }
      return tags
    }

    /// The value of `name="…"` in a start tag, if present.
    /// - Parameters:
    ///   - name: attribute name.
    ///   - tag: a start tag's text.
    public static func attribute(_ name: String, in tag: String) -> String? {
      guard let start = tag.range(of: " \(name)=\"") else { return nil }
      guard let end = tag[start.upperBound...].firstIndex(of: "\"") else { return nil }
      return String(tag[start.upperBound..<end])
    }

    /// How many times `text` occurs in the DOM.
    public func count(of text: String) -> Int { dom.components(separatedBy: text).count - 1 }
  }

  /// A failure to run the browser, with what it printed.
  public struct Failure: Error, CustomStringConvertible {
    /// What was being done.
    public var action: String
    /// Exit status, or nil on a timeout.
    public var status: Int32?
    /// The browser's standard error (last 2,000 characters).
    public var log: String

    public var description: String {
      "\(action): " + (status.map { "chromium exited with \($0)" } ?? "timed out") + "\n\(log)"
    }
  }

  /// The browser executable.
  public var executable: String

  /// Creates a driver for an executable.
  public init(executable: String) { self.executable = executable }

  /// The browser from `BASKETRY_CHROMIUM` or `PATH`, or nil when there is none.
  public static func find() -> HeadlessBrowser? {
    executable(variable: "BASKETRY_CHROMIUM", names: ["chromium", "chromium-browser", "google-chrome"])
      .map(HeadlessBrowser.init(executable:))
  }

  /// The executable named by an environment variable, else the first of `names` on `PATH`.
  /// - Parameters:
  ///   - variable: environment variable holding a path.
  ///   - names: program names to look for on `PATH`, in order.
  public static func executable(variable: String, names: [String]) -> String? {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment[variable], FileManager.default.isExecutableFile(atPath: path) { return path }
    let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
    for name in names {
      for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
        return folder + "/" + name
      }
    }
    return nil
  }

  /// Whether a browser was found (for `.enabled(if:)`).
  public static var available: Bool { find() != nil }

  /// Loads a page and returns its DOM after its scripts ran, and the console messages.
  /// - Parameters:
  ///   - url: a `file://` or `http://` URL.
  ///   - width: window width in CSS pixels.
  ///   - timeout: seconds before the browser is killed.
  /// - Throws: ``Failure`` when the browser fails or times out.
  public func load(_ url: URL, width: Int = 1280, timeout: Double = 60) throws -> Page {
    let (status, output, log) = try run(
      ["--dump-dom", "--window-size=\(width),2000", "--enable-logging=stderr", "--v=0", url.absoluteString],
      timeout: timeout)
    guard status == 0 else { throw Failure(action: "load \(url)", status: status, log: String(log.suffix(2000))) }
    let console = log.split(separator: "\n").compactMap { line -> String? in
      guard let marker = line.range(of: ":CONSOLE") else { return nil }
      return line[marker.upperBound...].drop { $0 != "\"" }.description
    }
    return Page(dom: String(decoding: output, as: UTF8.self), consoleMessages: console, log: log)
  }

  /// Saves a PNG screenshot of a page.
  /// - Parameters:
  ///   - url: the page.
  ///   - file: the PNG to write.
  ///   - width: window width in CSS pixels.
  ///   - height: window height (the part of the page captured).
  ///   - timeout: seconds before the browser is killed.
  /// - Throws: ``Failure`` when the browser fails or times out.
  public func screenshot(_ url: URL, to file: URL, width: Int, height: Int, timeout: Double = 60) throws {
    let (status, _, log) = try run(
      ["--screenshot=\(file.path)", "--window-size=\(width),\(height)", "--hide-scrollbars", url.absoluteString],
      timeout: timeout)
    guard status == 0 else { throw Failure(action: "screenshot \(url)", status: status, log: String(log.suffix(2000))) }
  }

  private func run(_ arguments: [String], timeout: Double) throws -> (Int32, Data, String) {
    let profile = FileManager.default.temporaryDirectory.appendingPathComponent(
      "basketry-chromium-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: profile) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments =
      [
        "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
        "--user-data-dir=\(profile.path)",
      ] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let errors = LockedData()
    let reader = Thread { errors.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    watchdog.cancel()
    let log = String(decoding: errors.wait(), as: UTF8.self)
    if process.terminationReason == .uncaughtSignal {
      throw Failure(action: "run chromium", status: nil, log: String(log.suffix(2000)))
    }
    return (process.terminationStatus, output, log)
  }
}

/// Data written by one thread and read by another once it is there.
private final class LockedData: @unchecked Sendable {
  private let condition = NSCondition()
  private var data: Data?

  func set(_ value: Data) {
    condition.lock()
    data = value
    condition.signal()
    condition.unlock()
  }

  func wait() -> Data {
    condition.lock()
    defer { condition.unlock() }
    while data == nil { condition.wait() }
    return data ?? Data()
  }
}
