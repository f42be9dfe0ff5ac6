import BasketryCore
import BasketryServer
import FuzzSupport

// The service's configuration file (`key = value` lines, comments, quotes) over any text, then the exposure
// check that refuses an unsafe setup. A bad file must throw a `ConfigurationError` naming the place.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerConfiguration(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let input = FuzzInput(start, count)
  guard let path = ScratchFiles.store(input.bytes, to: "basketry.conf") else { return 0 }
  var configuration = ServerConfiguration()
  expectCleanOutcome("the configuration file") {
    try configuration.apply(file: path)
    check((0...65535).contains(configuration.port), "port \(configuration.port) accepted")
    check(!configuration.store.isEmpty, "an empty store accepted")
    check(configuration.banditLevels.allSatisfy { $0 >= 0 && $0 < 1 }, "a bandit level outside [0, 1) accepted")
    try configuration.checkExposure()
  }
  return 0
}
