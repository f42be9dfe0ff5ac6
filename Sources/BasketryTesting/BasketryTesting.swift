@_exported import BasketryCore
import Foundation

/// Shared helpers for Basketry's test suites.
public enum TestSupport {
  /// The repository root, found from this source file's path.
  public static var repositoryRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
  }

  /// The shared data folder (`../shared/data` beside the repository), if present.
  /// `BASKETRY_SHARED_DATA` overrides it.
  public static var sharedDataRoot: String? {
    if let path = ProcessInfo.processInfo.environment["BASKETRY_SHARED_DATA"] { return path }
    let candidate = URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent()
      .appendingPathComponent("shared/data").path
    return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
  }

  /// Whether slow tests were asked for with `BASKETRY_SLOW_TESTS=1`.
  public static var slowTestsEnabled: Bool { ProcessInfo.processInfo.environment["BASKETRY_SLOW_TESTS"] == "1" }

  /// A fresh temporary directory.
  public static func temporaryDirectory(_ label: String = "basketry") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
