import ArgumentParser
import BasketryCLI

await BasketryCommand.main()
