import ArgumentParser
import BasketryServer
import Foundation

/// `basketry serve`: the HTTP service.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve recommendations, bundles, events and experiments over HTTP.",
    discussion: """
      Settings come from defaults, then --config FILE (`key = value` lines; see basketry.example.conf),
      then BASKETRY_* environment variables (e.g. BASKETRY_PSEUDONYM_KEY, BASKETRY_API_KEYS), then flags.
      The store is a SQLite file path (default basketry.sqlite) or postgres://user:password@host:port/db.
      A model published by `basketry train` is picked up without a restart.

      Example: BASKETRY_PSEUDONYM_KEY=secret basketry serve --store shop.sqlite --port 8080
      """)

  @Option(help: ArgumentHelp("Configuration file (`key = value` lines).", valueName: "file"))
  var config: String?

  @Option(help: ArgumentHelp("SQLite file path or postgres:// URL.", valueName: "location"))
  var store: String?

  @Option(help: ArgumentHelp("Interface to bind.", valueName: "address"))
  var host: String?

  @Option(help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "port"))
  var port: Int?

  @Option(
    name: .customLong("api-key"),
    help: ArgumentHelp("An API key as role:key (roles admin, ingest, read); repeatable.", valueName: "role:key"))
  var apiKeys: [String] = []

  @Option(help: ArgumentHelp("Log level (trace … critical).", valueName: "level"))
  var logLevel: String?

  @Flag(
    help: ArgumentHelp(
      "Serve beyond loopback without API keys or with the development pseudonym key (a demo on a trusted network)."))
  var insecure = false

  func run() async throws {
    var settings = ServerConfiguration()
    do {
      if let config { try settings.apply(file: config) }
      try settings.apply(environment: ProcessInfo.processInfo.environment)
      if let store { try settings.set("store", store, source: "--store") }
      if let host { try settings.set("host", host, source: "--host") }
      if let port { try settings.set("port", String(port), source: "--port") }
      if !apiKeys.isEmpty { try settings.set("api_keys", apiKeys.joined(separator: ","), source: "--api-key") }
      if let logLevel { try settings.set("log_level", logLevel, source: "--log-level") }
      if insecure { try settings.set("insecure", "true", source: "--insecure") }
      try settings.checkExposure()
    } catch let error as ConfigurationError {
      throw ValidationError(error.description)
    }
    let host = settings.host
    try await reportingErrors {
      try await ServerMain.serve(configuration: settings) { port in
        FileHandle.standardError.write(Data("basketry: listening on http://\(host):\(port)\n".utf8))
      }
    }
  }
}
