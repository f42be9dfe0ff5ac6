import BasketryCore
import BasketryIngest
import FuzzSupport

// The whole ingest (read, clean, build the dataset) of the order formats read from one file: Online Retail,
// baskets, generic orders (with every basket grouping and line totals), plus an optional catalog file after a
// `\n--\n` separator, and the campaign log. Leading bytes pick the format and options. Bad input must end in a
// `BasketryError` (strict mode) or counted bad rows, never a crash.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOrderFormats(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  var input = FuzzInput(start, count)
  let choice = input.byte()
  let flags = input.byte()
  let format = [InputFormat.onlineRetail, .baskets, .orders, .orders, .orders][Int(choice % 6) % 5]
  let readsCampaignLog = choice % 6 == 5
  var options = IngestOptions(format: format, strict: flags & 1 != 0)
  options.dateFormat = input.choose(DateFormat.allCases)
  options.delimiter = input.choose([nil, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: " ")])
  if format == .orders {
    options.basketBy = input.choose([BasketGrouping.orderColumn, .userDay, .session(minutes: 30)])
    options.priceIsLineTotal = flags & 2 != 0
  }
  if flags & 4 != 0 { options.cleaning.basketCap = .none }
  let parts = input.parts(limit: 2)
  guard let path = ScratchFiles.store(parts[0], to: "orders.csv") else { return 0 }
  if parts.count > 1, let catalog = ScratchFiles.store(parts[1], to: "catalog.csv") {
    options.catalogPath = catalog
  }
  if readsCampaignLog {
    expectCleanOutcome("the campaign log") { _ = try CampaignLogFile.read(path) }
    return 0
  }
  expectCleanOutcome("\(format.rawValue) ingest") {
    let result = try Ingest.load([path], options: options)
    checkDataset(result.dataset)
  }
  return 0
}
