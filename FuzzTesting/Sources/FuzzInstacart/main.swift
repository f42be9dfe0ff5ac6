import BasketryCore
import BasketryIngest
import FuzzSupport

// The Instacart reader over a folder of tables made from one input: the parts between `\n--\n` separators are,
// in order, orders.csv, order_products__prior.csv, products.csv, aisles.csv and departments.csv (a missing part
// leaves its table out). The first byte may instead make the first part a joined sample (any other CSV name).

private let tableNames = [
  "orders.csv", "order_products__prior.csv", "products.csv", "aisles.csv", "departments.csv",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInstacart(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  var input = FuzzInput(start, count)
  let flags = input.byte()
  var names = tableNames
  if flags & 1 != 0 { names[0] = "sample.csv" }
  for name in tableNames + ["sample.csv"] { ScratchFiles.remove("instacart/" + name) }
  let folder = ScratchFiles.folder + "/instacart"
  ScratchFiles.makeFolder("instacart")
  for (name, part) in zip(names, input.parts(limit: names.count)) {
    guard ScratchFiles.store(part, to: "instacart/" + name) != nil else { return 0 }
  }
  let options = IngestOptions(format: .instacart, strict: flags & 2 != 0)
  expectCleanOutcome("instacart ingest") {
    checkDataset(try Ingest.load([folder], options: options).dataset)
  }
  return 0
}
