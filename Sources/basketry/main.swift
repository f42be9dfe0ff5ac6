import ArgumentParser
import BasketryCLI

// In top-level code `BasketryCommand.main()` resolves to ArgumentParser's synchronous overload, which prints help
// instead of running async subcommands; inside an async function the async overload is chosen.
func runBasketry() async {
  await BasketryCommand.main()
}

await runBasketry()
