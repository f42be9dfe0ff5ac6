import BasketryCore
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A read-only memory-mapped file; the mapping lives as long as this object.
///
/// Pages are read from disk on first touch, so a model's large embedding table costs resident memory only for the
/// rows that are used.
public final class MappedFile: @unchecked Sendable {
  /// Start of the mapping (nil for an empty file).
  public let base: UnsafeRawPointer?
  /// Length in bytes.
  public let count: Int
  /// Path of the file.
  public let path: String

  /// Maps a file read-only.
  /// - Parameter path: The file to map.
  /// - Throws: `SemanticError` (`.notFound` or `.io`) when the file cannot be opened or mapped.
  public init(path: String) throws {
    self.path = path
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      throw SemanticError(.notFound, "cannot open file (errno \(errno))", file: path)
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw SemanticError(.io, "cannot stat file", file: path) }
    let size = Int(info.st_size)
    count = size
    if size == 0 {
      base = nil
      return
    }
    let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
    guard let address, address != MAP_FAILED else {
      throw SemanticError(.io, "cannot memory-map file (errno \(errno))", file: path)
    }
    base = UnsafeRawPointer(address)
  }

  deinit {
    if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
  }

  /// Tells the kernel the mapped pages are not needed now: they leave this process's resident set and are read
  /// from the file again on next touch (used after the layers were copied into packed form).
  public func releaseResidentPages() {
    guard let base else { return }
    _ = madvise(UnsafeMutableRawPointer(mutating: base), count, MADV_DONTNEED)
  }

  /// The mapped bytes.
  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
