import BasketryCore
import BasketryOnline
import BasketryStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Builds the `/v1` router and the health, metrics and OpenAPI routes.
public enum Routes {
  /// The request context used by every route.
  public typealias Context = BasicRequestContext

  /// A router serving the engine.
  public static func router(engine: Engine) -> Router<Context> {
    let router = Router(context: Context.self)
    router.add(middleware: ServiceMiddleware(engine: engine))
    let auth = Authorizer(keys: engine.configuration.apiKeys)
    let maxBody = engine.configuration.maxBodyBytes

    // MARK: Health, metrics, OpenAPI
    router.get("/health/live") { _, _ in json(["status": "ok"]) }
    router.get("/health/ready") { _, _ -> Response in
      let ready = await engine.isReady()
      return try json(
        ReadyResponse(status: ready ? "ready" : "unavailable", modelVersion: engine.modelVersion),
        status: ready ? .ok : .serviceUnavailable)
    }
    router.get("/metrics") { _, _ in
      engine.metrics.set("in_flight_requests", Double(engine.admission.inFlight))
      return text(engine.metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
    router.get("/openapi.json") { _, _ in text(OpenAPIDocument.json, contentType: "application/json") }

    router.get("/v1/admin/stats") { request, _ -> Response in
      try auth.require(request, .admin)
      return try json(try await engine.stats())
    }

    // MARK: Dashboard
    // The page holds no data (served without a key); what it shows comes from the read-key endpoint below.
    let dashboardPage = DashboardPage.html(keysRequired: !engine.configuration.apiKeys.isEmpty)
    router.get("/dashboard") { _, _ in
      var response = text(dashboardPage, contentType: "text/html; charset=utf-8")
      response.headers[.contentSecurityPolicy] =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:"
      return response
    }
    router.get("/v1/admin/dashboard") { request, _ -> Response in
      try auth.require(request, .read)
      let query = request.uri.queryParameters
      try checkQuery(query, allowed: ["seconds"])
      let seconds = try intParameter(query, "seconds", default: 120, range: 1...LiveActivity.windowSeconds)
      return try json(try await engine.dashboard(seconds: seconds))
    }

    // MARK: Events
    router.post("/v1/events") { request, _ -> Response in
      try auth.require(request, .ingest)
      let body = try await collect(request, limit: maxBody)
      let inputs = try EventParsing.parse(body, maxBatch: engine.configuration.maxBatchEvents)
      return try json(try await engine.ingest(inputs))
    }

    // MARK: Recommendations and bundles
    router.get("/v1/users/:id/recommendations") { request, context -> Response in
      try auth.require(request, .read)
      let user = try pathID(context)
      let query = request.uri.queryParameters
      try checkQuery(query, allowed: ["k", "category", "exclude_seen"])
      let k = try intParameter(query, "k", default: 10, range: 1...100)
      let excludeSeen = try boolParameter(query, "exclude_seen", default: true)
      let category = query.get("category")
      let answer = try await engine.recommendations(user: user, k: k, category: category, excludeSeen: excludeSeen)
      return Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.fastJSON())))
    }
    router.get("/v1/bundles") { request, _ -> Response in
      try auth.require(request, .read)
      let answer = try await engine.bundles(try BundleQueryParsing.parse(request.uri.queryParameters))
      return Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.fastJSON())))
    }

    // MARK: Items
    router.get("/v1/items") { request, _ -> Response in
      try auth.require(request, .read)
      let query = request.uri.queryParameters
      try checkQuery(query, allowed: ["q", "k"])
      guard let text = query.get("q").map({ $0.trimmingCharacters(in: .whitespaces) }), (1...200).contains(text.count)
      else {
        throw APIError.badRequest("invalid_parameter", "q must be 1–200 characters", field: "q")
      }
      let k = try intParameter(query, "k", default: 20, range: 1...100)
      return try json(ItemSearchResponse(items: engine.searchItems(text, k: k)))
    }
    router.get("/v1/items/:id/neighbors") { request, context -> Response in
      try auth.require(request, .read)
      let id = try pathID(context)
      let query = request.uri.queryParameters
      try checkQuery(query, allowed: ["k"])
      let k = try intParameter(query, "k", default: 10, range: 1...100)
      guard let answer = engine.neighbors(of: id, k: k) else {
        throw APIError.notFound("unknown item '\(id)'", field: "id")
      }
      return try json(answer)
    }
    router.get("/v1/items/:id/price-advice") { request, context -> Response in
      try auth.require(request, .read)
      let id = try pathID(context)
      try checkQuery(request.uri.queryParameters, allowed: [])
      guard let advice = engine.priceAdvice(item: id) else {
        throw APIError.notFound("unknown item '\(id)', or it has no price in the model or catalogue", field: "id")
      }
      return try json(PriceAdviceResponse(advice: advice, note: Engine.samePriceNote))
    }
    router.put("/v1/items/:id") { request, context -> Response in
      try auth.require(request, .admin)
      let id = try pathID(context)
      try ItemIDRules.check(id, field: "id")
      let item = try ItemParsing.parse(try await collect(request, limit: maxBody), id: id)
      try await engine.putItem(item)
      return try json(item)
    }
    router.delete("/v1/items/:id") { request, context -> Response in
      try auth.require(request, .admin)
      let id = try pathID(context)
      guard try await engine.deleteItem(id: id) else { throw APIError.notFound("unknown item '\(id)'", field: "id") }
      return json(["deleted": id])
    }

    // MARK: Users
    router.get("/v1/users/:id/profile") { request, context -> Response in
      try auth.require(request, .read)
      let user = try pathID(context)
      try checkQuery(request.uri.queryParameters, allowed: [])
      guard let profile = try await engine.profile(user: user) else {
        throw APIError.notFound(
          "no profile for this shopper: unknown, erased, or the served model has no customer profiles", field: "id")
      }
      return try json(profile)
    }
    router.delete("/v1/users/:id") { request, context -> Response in
      try auth.require(request, .admin)
      return try json(try await engine.deleteUser(rawID: try pathID(context)))
    }

    // MARK: Campaigns
    router.post("/v1/campaigns") { request, _ -> Response in
      try auth.require(request, .admin)
      let parsed = try CampaignParsing.parse(try await collect(request, limit: maxBody))
      return try json(try await engine.campaign(parsed))
    }

    // MARK: Experiments
    router.post("/v1/experiments") { request, _ -> Response in
      try auth.require(request, .admin)
      let experiment = try ExperimentParsing.parse(try await collect(request, limit: maxBody), now: Engine.now())
      try await engine.createExperiment(experiment)
      return try json(experiment, status: .created)
    }
    router.get("/v1/experiments") { request, _ -> Response in
      try auth.require(request, .read)
      return try json(["experiments": try await engine.experiments()])
    }
    router.get("/v1/experiments/:id") { request, context -> Response in
      try auth.require(request, .read)
      let id = try pathID(context)
      guard let report = try await engine.report(experiment: id) else {
        throw APIError.notFound("unknown experiment '\(id)'", field: "id")
      }
      return try json(report)
    }
    router.get("/v1/experiments/:id/replay") { request, context -> Response in
      try auth.require(request, .read)
      let query = request.uri.queryParameters
      try checkQuery(query, allowed: ["discount"])
      guard let text = query.get("discount"), let discount = Double(text), (0..<1).contains(discount) else {
        throw APIError.badRequest("invalid_parameter", "discount must be a number in [0, 1)", field: "discount")
      }
      _ = try pathID(context)
      return try json(try await engine.replay(discount: discount))
    }

    // MARK: Price tests
    router.post("/v1/price-tests") { request, _ -> Response in
      try auth.require(request, .admin)
      let parsed = try PriceTestParsing.parse(try await collect(request, limit: maxBody), now: Engine.now())
      return try json(try await engine.createPriceTest(parsed), status: .created)
    }
    router.get("/v1/price-tests/:id") { request, context -> Response in
      try auth.require(request, .read)
      let id = try pathID(context)
      try checkQuery(request.uri.queryParameters, allowed: [])
      guard let report = try await engine.priceTestReport(id: id) else {
        throw APIError.notFound("unknown price test '\(id)'", field: "id")
      }
      return try json(report)
    }
    router.get("/v1/price-tests/:id/price") { request, context -> Response in
      try auth.require(request, .read)
      let id = try pathID(context)
      let query = request.uri.queryParameters
      try checkQuery(query, allowed: ["session"])
      guard let session = query.get("session"), (1...256).contains(session.count) else {
        throw APIError.badRequest("invalid_parameter", "session must be 1–256 characters", field: "session")
      }
      guard let assignment = try await engine.priceAssignment(test: id, session: session) else {
        throw APIError.notFound("unknown price test '\(id)'", field: "id")
      }
      return try json(assignment)
    }
    return router
  }

  // MARK: - Helpers

  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  /// A JSON response.
  static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let data = try encoder.encode(value)
    return Response(
      status: status, headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
  }

  static func json(_ value: [String: String]) -> Response {
    (try? json(value, status: .ok)) ?? Response(status: .internalServerError)
  }

  static func text(_ value: String, contentType: String) -> Response {
    Response(
      status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: value)))
  }

  /// Reads the body, answering 413 past the limit.
  static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
    do {
      let buffer = try await request.body.collect(upTo: limit)
      return Array(buffer.readableBytesView)
    } catch {
      throw APIError(
        status: .contentTooLarge, code: "payload_too_large", message: "request body exceeds \(limit) bytes",
        field: nil)
    }
  }

  static func pathID(_ context: Context) throws -> String {
    guard let id = context.parameters.get("id"), !id.isEmpty, id.count <= 256 else {
      throw APIError.badRequest("invalid_parameter", "id must be 1–256 characters", field: "id")
    }
    return id
  }

  static func checkQuery(_ query: FlatDictionary<Substring, Substring>, allowed: Set<String>) throws {
    for (key, _) in query where !allowed.contains(String(key)) {
      throw APIError.badRequest("unknown_parameter", "unknown query parameter '\(key)'", field: String(key))
    }
  }

  static func intParameter(
    _ query: FlatDictionary<Substring, Substring>, _ name: String, default value: Int, range: ClosedRange<Int>
  ) throws -> Int {
    guard let text = query.get(name) else { return value }
    guard let number = Int(text), range.contains(number) else {
      throw APIError.badRequest(
        "invalid_parameter", "\(name) must be an integer in \(range.lowerBound)…\(range.upperBound)", field: name)
    }
    return number
  }

  static func boolParameter(
    _ query: FlatDictionary<Substring, Substring>, _ name: String, default value: Bool
  ) throws
    -> Bool
  {
    guard let text = query.get(name) else { return value }
    switch text.lowercased() {
    case "true", "1", "yes": return true
    case "false", "0", "no": return false
    default: throw APIError.badRequest("invalid_parameter", "\(name) must be true or false", field: name)
    }
  }
}

/// GET /v1/items's answer.
struct ItemSearchResponse: Encodable {
  var items: [ItemMatch]
}

/// GET /health/ready's answer.
struct ReadyResponse: Encodable {
  var status: String
  var modelVersion: Int64?
}

/// Checks `Authorization: Bearer KEY` against the configured keys and roles.
struct Authorizer: Sendable {
  let keys: [String: APIRole]

  /// The role of a presented key: compared with every configured key in time that depends only on the lengths,
  /// never on where the bytes first differ (no early exit a timing attacker could measure).
  /// - Complexity: O(keys · key length).
  static func role(of presented: Substring, in keys: [String: APIRole]) -> APIRole? {
    var found: APIRole?
    for (key, role) in keys {
      // Every byte of the longer of the two is compared, with no early exit (and no allocation).
      var given = presented.utf8.makeIterator()
      var expected = key.utf8.makeIterator()
      var difference: UInt8 = 0
      while true {
        let a = given.next()
        let b = expected.next()
        if a == nil && b == nil { break }
        let lengthsDiffer: UInt8 = (a == nil) != (b == nil) ? 1 : 0
        difference |= ((a ?? 0) ^ (b ?? 0)) | lengthsDiffer
      }
      if difference == 0 { found = role }
    }
    return found
  }

  func require(_ request: Request, _ role: APIRole) throws {
    guard !keys.isEmpty else { return }
    guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
      throw APIError(
        status: .unauthorized, code: "unauthorized", message: "missing Authorization: Bearer <key>",
        field: "Authorization")
    }
    guard let granted = Self.role(of: header.dropFirst("Bearer ".count), in: keys) else {
      throw APIError(status: .unauthorized, code: "unauthorized", message: "unknown API key", field: "Authorization")
    }
    guard granted >= role else {
      throw APIError(
        status: .forbidden, code: "forbidden",
        message: "this key's role (\(granted.rawValue)) may not do this; needs \(role.rawValue)")
    }
  }
}

/// Maps errors to JSON, enforces the body size limit early, and records metrics.
struct ServiceMiddleware: RouterMiddleware {
  typealias Context = BasicRequestContext
  let engine: Engine
  let admission: Admission

  init(engine: Engine) {
    self.engine = engine
    self.admission = engine.admission
  }

  /// Health and metrics are answered even when the server sheds load or a key is over its rate.
  static func isExempt(_ path: String) -> Bool { path.hasPrefix("/health/") || path == "/metrics" }

  /// Applies the concurrency cap and the key's rate limit around `next`.
  func admitted(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    guard !Self.isExempt(request.uri.path) else { return try await next(request, context) }
    guard admission.enter() else {
      engine.metrics.increment("requests_shed_total")
      throw APIError(
        status: .serviceUnavailable, code: "overloaded",
        message: "more than \(admission.capacity) requests at once; retry shortly", retryAfter: 1)
    }
    do {
      if let wait = admission.take(bucket: bucketKey(request)) {
        engine.metrics.increment("requests_rate_limited_total")
        throw APIError(
          status: .tooManyRequests, code: "rate_limited",
          message: "more than \(admission.rate) requests per second with this key", retryAfter: Int(wait.rounded(.up)))
      }
      let response = try await next(request, context)
      admission.leave()
      return response
    } catch {
      admission.leave()
      throw error
    }
  }

  /// The rate-limit bucket of a request: its API key when it is a configured one, else one shared bucket.
  func bucketKey(_ request: Request) -> String {
    let keys = engine.configuration.apiKeys
    guard !keys.isEmpty, let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return "" }
    let presented = header.dropFirst("Bearer ".count)
    return Authorizer.role(of: presented, in: keys) == nil ? "" : String(presented)
  }

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    let start = ContinuousClock.now
    var response: Response
    do {
      if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > engine.configuration.maxBodyBytes {
        throw APIError(
          status: .contentTooLarge, code: "payload_too_large",
          message: "request body exceeds \(engine.configuration.maxBodyBytes) bytes")
      }
      response = try await admitted(request, context: context, next: next)
    } catch {
      let apiError: APIError
      if let error = error as? APIError {
        apiError = error
      } else if let error = error as? any HTTPResponseError {
        apiError = APIError(
          status: error.status, code: error.status == .notFound ? "not_found" : "http_\(error.status.code)",
          message: error.status == .notFound
            ? "no route for \(request.method) \(request.uri.path)" : error.status.reasonPhrase)
      } else {
        apiError = APIError.from(error)
        if apiError.status.code >= 500 { engine.logger.error("request failed", metadata: ["error": "\(error)"]) }
      }
      response = Self.errorResponse(apiError)
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    engine.metrics.observe(
      route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
      seconds: seconds)
    return response
  }

  static func errorResponse(_ error: APIError) -> Response {
    struct Body: Encodable {
      struct Detail: Encodable {
        var code: String
        var message: String
        var field: String?
      }
      var error: Detail
    }
    let body = Body(error: .init(code: error.code, message: error.message, field: error.field))
    let data = (try? Routes.encoder.encode(body)) ?? Data()
    var headers: HTTPFields = [.contentType: "application/json"]
    if error.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
    if let seconds = error.retryAfter { headers[.retryAfter] = String(seconds) }
    return Response(status: error.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
  }
}
