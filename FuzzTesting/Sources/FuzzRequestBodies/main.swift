import BasketryCore
import BasketryServer
import BasketryStore
import FuzzSupport
import HummingbirdCore

// The service's request parsing, without sockets: the first byte picks POST /v1/events, POST /v1/experiments or
// PUT /v1/items/{id} bodies, or GET /v1/bundles query strings (through the server library's URI parsing).
// A bad request must throw an `APIError` (answered 400 or 413); nothing else may escape.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestBodies(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  var input = FuzzInput(start, count)
  let request = input.byte() % 4
  let body = input.rest
  do {
    switch request {
    case 0:
      let events = try EventParsing.parse(body, maxBatch: 1000)
      if events.isEmpty || events.count > 1000 { fatalError("\(events.count) events accepted") }
      for event in events {
        if let price = event.price, price < 0 { fatalError("negative price accepted") }
        if let timestamp = event.timestamp, timestamp < 0 { fatalError("negative timestamp accepted") }
      }
    case 1:
      let experiment = try ExperimentParsing.parse(body, now: 1_700_000_000)
      if experiment.variants.count < 2 { fatalError("an experiment with fewer than two variants") }
    case 2:
      let item = try ItemParsing.parse(body, id: "sku-1")
      if item.id != "sku-1" { fatalError("item id \(item.id) differs from the path") }
    default:
      let uri = URI("/v1/bundles?" + String(decoding: body, as: UTF8.self))
      let query = try BundleQueryParsing.parse(uri.queryParameters)
      if !(1...50).contains(query.k) { fatalError("k = \(query.k) accepted") }
    }
  } catch is APIError {
    return 0
  } catch {
    fatalError("a request error that is not an APIError: \(type(of: error)) \(error)")
  }
  return 0
}
