import ArgumentParser
import BasketryCore

/// The `basketry` command: bundle intelligence for online shops.
public struct BasketryCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "basketry",
    abstract: "Bundle intelligence for online shops: clean orders, mine associations, design bundles.",
    discussion: "Run `basketry demo` for the whole pipeline on the shipped sample.",
    version: BasketryVersion.current,
    subcommands: [
      DemoCommand.self,
      IngestCommand.self,
      MineCommand.self,
      BundlesCommand.self,
      ReportCommand.self,
      EvaluateCommand.self,
      CustomersCommand.self,
      PricesCommand.self,
      EmbedCommand.self,
      ModelCommand.self,
      SearchCommand.self,
      SimilarCommand.self,
      SemanticEvalCommand.self,
      SimulateCommand.self,
      CampaignCommand.self,
      TrainCommand.self,
      ServeCommand.self,
      BenchCommand.self,
    ]
  )

  public init() {}
}

/// The executable's entry point: parses the arguments and runs the chosen command.
public enum BasketryMain {
  /// Parses `CommandLine.arguments`, runs the command, and exits with its status.
  public static func run(_ arguments: [String]? = nil) async {
    do {
      var command = try BasketryCommand.parseAsRoot(arguments)
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      BasketryCommand.exit(withError: error)
    }
  }
}
