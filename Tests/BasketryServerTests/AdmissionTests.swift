import BasketryServer
import BasketryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import BasketryServer

@Suite struct AdmissionTests {
  @Test func theConcurrencyCapRefusesBeyondItsCapacityAndFreesSlots() {
    let admission = Admission(capacity: 2, rate: 0)
    #expect(admission.enter() && admission.enter())
    #expect(!admission.enter())
    #expect(admission.inFlight == 2)
    admission.leave()
    #expect(admission.enter())
    #expect(admission.take(bucket: "k") == nil)  // rate limiting off
  }

  @Test func tokenBucketsRefillAtTheirRate() {
    let admission = Admission(capacity: 10, rate: 2)
    #expect(admission.take(bucket: "a", now: 100) == nil)
    #expect(admission.take(bucket: "a", now: 100) == nil)
    let wait = admission.take(bucket: "a", now: 100)
    #expect(wait.map { abs($0 - 0.5) < 1e-9 } == true)
    #expect(admission.take(bucket: "b", now: 100) == nil)  // buckets are per key
    #expect(admission.take(bucket: "a", now: 100.6) == nil)  // 0.6 s · 2/s = 1.2 tokens
  }

  @Test func aKeyOverItsRateGets429WithRetryAfterWhileOtherKeysAndHealthDoNot() async throws {
    let (engine, _) = try await makeEngine { try $0.set("rate_limit_per_second", "3", source: "test") }
    try await makeApp(engine).test(.router) { client in
      var statuses: [HTTPResponse.Status] = []
      for _ in 0..<5 { statuses.append(try await client.send(.get, "/v1/items?q=a", key: Keys.read).status) }
      #expect(statuses.prefix(3).allSatisfy { $0 == .ok })
      #expect(statuses.last == .tooManyRequests)
      let limited = try await client.send(.get, "/v1/items?q=a", key: Keys.read)
      #expect(limited.status == .tooManyRequests)
      #expect(limited.headers[.retryAfter] == "1")
      #expect(try errorBody(limited).code == "rate_limited")
      #expect(try await client.send(.get, "/v1/items?q=a", key: Keys.admin).status == .ok)
      for _ in 0..<5 { #expect(try await client.send(.get, "/health/live", key: nil).status == .ok) }
      let metrics = String(buffer: try await client.send(.get, "/metrics", key: nil).body)
      #expect(metrics.contains("basketry_requests_rate_limited_total 3"))
      #expect(metrics.contains("basketry_in_flight_requests 0"))
    }
  }

  @Test func settingsAreValidated() throws {
    var configuration = ServerConfiguration()
    #expect(throws: ConfigurationError.self) { try configuration.set("max_concurrent_requests", "0", source: "t") }
    #expect(throws: ConfigurationError.self) { try configuration.set("rate_limit_per_second", "-1", source: "t") }
    try configuration.set("max_concurrent_requests", "64", source: "t")
    #expect(configuration.maxConcurrentRequests == 64)
  }
}
