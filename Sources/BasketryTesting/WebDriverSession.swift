import Foundation

/// A live headless Chromium page driven over WebDriver (W3C, through Debian's `chromedriver`), for tests
/// that must watch a page change: load it, run scripts in it, read its console.
///
/// Found through `BASKETRY_CHROMEDRIVER` (a path), else `chromedriver` on `PATH`, with the browser from
/// `BASKETRY_CHROMIUM` or `chromium` on `PATH`; tests are enabled with `.enabled(if: WebDriverSession.available)`.
///
/// ```swift
/// let session = try await WebDriverSession.start()
/// try await session.open(URL(string: "http://127.0.0.1:8080/dashboard")!)
/// let title: String? = try await session.evaluate("return document.title")
/// try await session.close()
/// ```
public final class WebDriverSession: Sendable {
  /// A WebDriver failure, with the command and what the driver answered.
  public struct Failure: Error, CustomStringConvertible {
    /// What was being done.
    public var action: String
    /// The driver's answer or the reason.
    public var detail: String

    public var description: String { "webdriver: \(action): \(detail)" }
  }

  private let driver: Process
  private let base: URL
  private let sessionID: String

  private init(driver: Process, base: URL, sessionID: String) {
    self.driver = driver
    self.base = base
    self.sessionID = sessionID
  }

  /// The driver and browser executables, or nil when either is missing.
  public static func executables() -> (driver: String, browser: String)? {
    guard let driver = HeadlessBrowser.executable(variable: "BASKETRY_CHROMEDRIVER", names: ["chromedriver"]),
      let browser = HeadlessBrowser.find()?.executable
    else { return nil }
    return (driver, browser)
  }

  /// Whether a driver and a browser were found (for `.enabled(if:)`).
  public static var available: Bool { executables() != nil }

  /// Starts `chromedriver` on a free loopback port and opens a headless browser session.
  /// - Parameters:
  ///   - width: window width in CSS pixels.
  ///   - height: window height.
  /// - Throws: ``Failure`` when the driver or the browser does not start within 30 seconds.
  public static func start(width: Int = 1280, height: Int = 1800) async throws -> WebDriverSession {
    guard let (driverPath, browserPath) = executables() else {
      throw Failure(action: "start", detail: "no chromedriver or chromium found")
    }
    let port = try freeLoopbackPort()
    let driver = Process()
    driver.executableURL = URL(fileURLWithPath: driverPath)
    driver.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
    driver.standardOutput = FileHandle.nullDevice
    driver.standardError = FileHandle.nullDevice
    try driver.run()
    guard let base = URL(string: "http://127.0.0.1:\(port)") else {
      kill(driver.processIdentifier, SIGKILL)
      throw Failure(action: "start", detail: "bad port \(port)")
    }
    do {
      let deadline = Date().addingTimeInterval(30)
      while true {
        do {
          _ = try await request(base, "GET", "/status", nil)
          break
        } catch {
          guard Date() < deadline else {
            throw Failure(action: "start", detail: "chromedriver did not answer in 30 s: \(error)")
          }
          try await Task.sleep(for: .milliseconds(100))
        }
      }
      let capabilities: [String: Any] = [
        "capabilities": [
          "alwaysMatch": [
            "browserName": "chrome",
            "goog:loggingPrefs": ["browser": "ALL"],
            "goog:chromeOptions": [
              "binary": browserPath,
              "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=\(width),\(height)",
              ],
            ],
          ]
        ]
      ]
      let answer = try await request(base, "POST", "/session", capabilities)
      guard let id = (answer as? [String: Any])?["sessionId"] as? String else {
        throw Failure(action: "new session", detail: "\(answer ?? "nothing")")
      }
      return WebDriverSession(driver: driver, base: base, sessionID: id)
    } catch {
      kill(driver.processIdentifier, SIGKILL)
      throw error
    }
  }

  /// Navigates to a URL and waits for it to load.
  /// - Throws: ``Failure``.
  public func open(_ url: URL) async throws {
    _ = try await Self.request(base, "POST", "/session/\(sessionID)/url", ["url": url.absoluteString])
  }

  /// Runs a script in the page (`return …` gives its value) and returns the value as JSON would decode it.
  /// - Throws: ``Failure``, including the script's own exceptions.
  public func evaluate(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
    try await Self.request(
      base, "POST", "/session/\(sessionID)/execute/sync", ["script": script, "args": arguments])
  }

  /// Polls a script until it returns a value for which `accept` holds, or the timeout passes.
  /// - Returns: the accepted value, or nil after `seconds`.
  /// - Throws: ``Failure``.
  public func wait(
    seconds: Double, every milliseconds: Int = 100, for script: String, until accept: (Any?) -> Bool
  ) async throws -> Any? {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
      let value = try await evaluate(script)
      if accept(value) { return value }
      guard Date() < deadline else { return nil }
      try await Task.sleep(for: .milliseconds(milliseconds))
    }
  }

  /// The browser console's entries since the last call (level and message), from Chromium's log.
  /// - Throws: ``Failure``.
  public func consoleEntries() async throws -> [(level: String, message: String)] {
    let value = try await Self.request(base, "POST", "/session/\(sessionID)/se/log", ["type": "browser"])
    return (value as? [[String: Any]] ?? []).map { ($0["level"] as? String ?? "", $0["message"] as? String ?? "") }
  }

  /// A PNG screenshot of the viewport.
  /// - Throws: ``Failure``.
  public func screenshot() async throws -> Data {
    guard let text = try await Self.request(base, "GET", "/session/\(sessionID)/screenshot", nil) as? String,
      let data = Data(base64Encoded: text)
    else { throw Failure(action: "screenshot", detail: "no image") }
    return data
  }

  /// Ends the session and the driver.
  public func close() async {
    _ = try? await Self.request(base, "DELETE", "/session/\(sessionID)", nil)
    // SIGKILL and a short poll: chromedriver may outlive SIGTERM, and `waitUntilExit` can hang off the main thread.
    kill(driver.processIdentifier, SIGKILL)
    for _ in 0..<50 where driver.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
  }

  // MARK: - Protocol

  /// Sends one WebDriver command and returns its `value`.
  ///
  /// Plain HTTP/1.1 over a loopback socket with `Connection: close` (Foundation's URLSession on Linux fails on
  /// chromedriver's answers with "Failed writing header"); it blocks the calling thread for the command's time.
  private static func request(_ base: URL, _ method: String, _ path: String, _ body: Any?) async throws -> Any? {
    let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    head += "Content-Type: application/json\r\nContent-Length: \(payload.count)\r\n\r\n"
    let answer = try exchange(port: base.port ?? 0, Data(head.utf8) + payload)
    guard let split = answer.range(of: Data("\r\n\r\n".utf8)) else {
      throw Failure(action: "\(method) \(path)", detail: "no HTTP answer")
    }
    let statusLine = String(decoding: answer[..<split.lowerBound], as: UTF8.self).prefix { $0 != "\r" }
    let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    let data = answer[split.upperBound...]
    let object = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(data))
    let value = (object as? [String: Any])?["value"]
    guard status == 200 else {
      let message =
        ((value as? [String: Any])?["message"] as? String) ?? String(decoding: data.prefix(500), as: UTF8.self)
      throw Failure(action: "\(method) \(path)", detail: "\(status): \(message)")
    }
    return value is NSNull ? nil : value
  }
}

/// Sends bytes to a loopback port and reads the answer: headers, then `Content-Length` bytes of body (chromedriver
/// says `Connection: close` but keeps the socket open a while), or until the peer closes.
private func exchange(port: Int, _ bytes: Data) throws -> Data {
  let descriptor = tcpSocket()
  guard descriptor >= 0 else { throw WebDriverSession.Failure(action: "connect", detail: "socket() failed") }
  defer { close(descriptor) }
  var address = loopbackAddress(port: UInt16(port))
  let connected = withUnsafePointer(to: &address) { pointer in
    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
    }
  }
  guard connected else { throw WebDriverSession.Failure(action: "connect", detail: "port \(port) refused") }
  var sent = 0
  while sent < bytes.count {
    let written = bytes.withUnsafeBytes { raw in
      send(descriptor, raw.baseAddress.map { $0 + sent }, bytes.count - sent, 0)
    }
    guard written > 0 else { throw WebDriverSession.Failure(action: "send", detail: "send() failed") }
    sent += written
  }
  var answer = Data()
  var buffer = [UInt8](repeating: 0, count: 65_536)
  let separator = Data("\r\n\r\n".utf8)
  while true {
    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { break }
    answer.append(contentsOf: buffer[0..<count])
    if let split = answer.range(of: separator) {
      let head = String(decoding: answer[..<split.lowerBound], as: UTF8.self).lowercased()
      let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }.flatMap {
        Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
      }
      if let length, answer.count - split.upperBound >= length { break }
    }
  }
  return answer
}

/// A loopback port nobody listens on now (bound to port 0, then released).
private func freeLoopbackPort() throws -> Int {
  let descriptor = tcpSocket()
  guard descriptor >= 0 else { throw WebDriverSession.Failure(action: "free port", detail: "socket() failed") }
  defer { close(descriptor) }
  var address = loopbackAddress(port: 0)
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let bound = withUnsafeMutablePointer(to: &address) { pointer in
    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
      bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
    }
  }
  guard bound else { throw WebDriverSession.Failure(action: "free port", detail: "bind() failed") }
  return Int(UInt16(bigEndian: address.sin_port))
}

/// A TCP socket (-1 on failure).
private func tcpSocket() -> Int32 {
  #if os(Linux)
    socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  #else
    socket(AF_INET, SOCK_STREAM, 0)
  #endif
}

/// 127.0.0.1 at a port.
private func loopbackAddress(port: UInt16) -> sockaddr_in {
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = port.bigEndian
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  return address
}
