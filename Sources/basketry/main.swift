import BasketryCLI

await BasketryMain.run()
