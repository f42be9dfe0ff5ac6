import Testing

@testable import BasketryCLI

/// `--memory-budget`: its syntax, and the advice a command gives when mining hits the budget.
@Suite struct MemoryBudgetCommandTests {
  @Test(arguments: [
    ("1048576", 1_048_576), ("512M", 512 << 20), ("2G", 2 << 30), ("1.5g", 3 << 29), ("64KiB", 64 << 10),
    ("3MB", 3 << 20), ("1T", 1 << 40),
  ])
  func parsesSizes(text: String, bytes: Int) {
    #expect(ByteSize(argument: text)?.bytes == bytes)
  }

  @Test(arguments: ["", "G", "-1M", "1.5", "twelve", "1X"])
  func rejectsNonsense(text: String) {
    #expect(ByteSize(argument: text) == nil)
  }

  @Test func mineStopsWithAdviceOnASmallBudget() throws {
    let run = try CLI.run([
      "mine", "--quiet", "--format", "online-retail", "--min-support", "2", "--no-rules", "--memory-budget", "4M",
      CommandLineTests.sample,
    ])
    #expect(run.status == 65, "\(run.stderr)")
    #expect(run.stderr.contains("error: mining stopped"))
    #expect(run.stderr.contains("before passing its memory budget of 4 MiB"))
    #expect(run.stderr.contains("raise --min-support (now a count of 2 of "))
    #expect(run.stderr.contains("lower --max-length (now unlimited)"))
    #expect(run.stderr.contains("raise --memory-budget (e.g. 8M)"))
    #expect(run.stdout.isEmpty)
  }

  @Test func bundlesNameTheirSizeFlag() throws {
    let run = try CLI.run([
      "bundles", "--quiet", "--min-support", "2", "--memory-budget", "4M", CommandLineTests.sample,
    ])
    #expect(run.status == 65, "\(run.stderr)")
    #expect(run.stderr.contains("lower --max-size (now 4"))
  }

  @Test func rejectsAnUnreadableBudget() throws {
    let run = try CLI.run(["mine", "--memory-budget", "lots", CommandLineTests.sample])
    #expect(run.status != 0)
    #expect(run.stderr.contains("--memory-budget"))
  }
}
