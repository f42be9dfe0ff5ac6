import ArgumentParser
import BasketryCLI

/// Runs the root command. Inside an `async` function the async `AsyncParsableCommand` overloads are chosen; in
/// top-level code `await BasketryCommand.main()` resolves to the synchronous `ParsableCommand.main()`, which
/// prints help instead of running async subcommands.
func runBasketry() async {
  await BasketryCommand.main()
}

await runBasketry()
