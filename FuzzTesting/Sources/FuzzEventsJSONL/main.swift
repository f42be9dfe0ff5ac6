import BasketryCore
import BasketryIngest
import FuzzSupport

// Behaviour events as JSON Lines through the whole ingest (read, clean, build), leniently (bad lines are counted)
// or strictly (the first bad line throws), with each date format for string timestamps.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventsJSONL(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  var input = FuzzInput(start, count)
  let flags = input.byte()
  var options = IngestOptions(format: .events, strict: flags & 1 != 0)
  options.dateFormat = input.choose(DateFormat.allCases)
  guard let path = ScratchFiles.store(input.bytes, to: "events.jsonl") else { return 0 }
  expectCleanOutcome("events ingest") {
    let result = try Ingest.load([path], options: options)
    checkDataset(result.dataset)
    let itemCount = result.dataset.catalog.count
    check(result.dataset.events.allSatisfy { Int($0.item) < itemCount && $0.item >= 0 }, "an event's item is unknown")
  }
  return 0
}
