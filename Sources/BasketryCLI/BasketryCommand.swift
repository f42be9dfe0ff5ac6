import ArgumentParser

/// The `basketry` command: bundle intelligence for online shops.
public struct BasketryCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "basketry",
    abstract: "Bundle intelligence for online shops: clean orders, mine associations, design bundles.",
    discussion: "Run `basketry demo` for the whole pipeline on the shipped sample.",
    version: "0.1.0",
    subcommands: [
      DemoCommand.self,
      IngestCommand.self,
      MineCommand.self,
      BundlesCommand.self,
    ]
  )

  public init() {}
}
