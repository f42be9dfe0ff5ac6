import ArgumentParser

/// The `basketry` command: bundle intelligence for online shops.
public struct BasketryCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "basketry",
    abstract: "Bundle intelligence for online shops: clean orders, mine associations, design bundles.",
    version: "0.1.0",
    subcommands: [
      EmbedCommand.self,
      ModelCommand.self,
      SearchCommand.self,
      SimilarCommand.self,
      SemanticEvalCommand.self,
    ]
  )

  public init() {}
}
