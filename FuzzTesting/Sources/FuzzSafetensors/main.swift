import BasketryCore
import BasketrySemantic
import FuzzSupport

// The safetensors reader over any file: the header (length, JSON, dtypes, shapes, byte ranges) must be checked
// before any tensor is touched, so every listed tensor can be read (as floats, for the float dtypes) within the
// file, and a bad file throws a `SemanticError`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let input = FuzzInput(start, count)
  guard let path = ScratchFiles.store(input.bytes, to: "model.safetensors") else { return 0 }
  expectCleanOutcome("the safetensors reader") {
    let file = try SafetensorsFile(path: path)
    _ = file.metadata.count
    for (name, info) in file.tensors.sorted(by: { $0.key < $1.key }) {
      let raw = try file.rawBytes(name)
      check(raw.count == info.dataRange.count, "tensor \(name): \(raw.count) bytes for range \(info.dataRange)")
      check(raw.count <= count, "tensor \(name) is larger than the file")
      if ["F32", "F16", "BF16", "F64"].contains(info.dtype) {
        let floats = try file.floats(name)
        check(floats.count == info.elementCount, "tensor \(name): \(floats.count) floats for shape \(info.shape)")
      } else {
        expectCleanOutcome("reading a \(info.dtype) tensor as floats") { _ = try file.floats(name, shape: info.shape) }
      }
    }
  }
  return 0
}
