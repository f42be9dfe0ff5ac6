import ArgumentParser
import BasketryCore

/// Runs a command body, turning Basketry errors into a message on standard error and the
/// category's exit code (sysexits: 65 bad input, 66 not found, 69 unavailable, 74 I/O, 70 internal).
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
  do {
    return try await body()
  } catch let error as any BasketryError {
    FileHandleOutput.standardError("error: \(error.description)")
    throw ExitCode(error.category.exitCode)
  }
}

/// A CLI-level error with its category.
struct CommandError: BasketryError {
  var message: String
  var category: ErrorCategory
  init(_ message: String, category: ErrorCategory = .invalidInput) {
    self.message = message
    self.category = category
  }
  var description: String { message }
}
