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
    let slow = Admission(capacity: 10, rate: 0.5)  // a bucket holds at least one request
    #expect(slow.take(bucket: "a", now: 0) == nil)
    #expect(slow.take(bucket: "a", now: 0).map { abs($0 - 2) < 1e-9 } == true)
    #expect(admission.take(bucket: "b", now: 100) == nil)  // buckets are per key
    #expect(admission.take(bucket: "a", now: 100.6) == nil)  // 0.6 s · 2/s = 1.2 tokens
  }

  @Test func aKeyOverItsRateGets429WithRetryAfterWhileOtherKeysAndHealthDoNot() async throws {
    // One request per 100 s: the second one with the same key is over the rate however slow the machine is.
    let (engine, _) = try await makeEngine { try $0.set("rate_limit_per_second", "0.01", source: "test") }
    try await makeApp(engine).test(.router) { client in
      #expect(try await client.send(.get, "/v1/items?q=a", key: Keys.read).status == .ok)
      let limited = try await client.send(.get, "/v1/items?q=a", key: Keys.read)
      #expect(limited.status == .tooManyRequests)
      let retry = Int(limited.headers[.retryAfter] ?? "") ?? 0
      #expect((90...100).contains(retry), "Retry-After \(retry)")
      #expect(try errorBody(limited).code == "rate_limited")
      #expect(try await client.send(.get, "/v1/items?q=a", key: Keys.admin).status == .ok)
      for _ in 0..<5 { #expect(try await client.send(.get, "/health/live", key: nil).status == .ok) }
      let metrics = String(buffer: try await client.send(.get, "/metrics", key: nil).body)
      #expect(metrics.contains("basketry_requests_rate_limited_total 1"))
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
