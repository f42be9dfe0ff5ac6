import BasketryTesting
import Foundation
import Testing

/// `basketry report` on the shipped sample: the file, its sections and numbers, and (when Chromium is installed)
/// the page as a browser renders it.
@Suite(.serialized) struct ReportCommandTests {
  /// The report of the demo sample (popularity and personal frequency only, to stay fast), written once.
  static let generated: Result<URL, any Error> = Result {
    let folder = try TestSupport.temporaryDirectory("basketry-report")
    let output = folder.appendingPathComponent("report.html")
    let run = try CLI.run([
      "report", "--quiet", "--currency", "£", "--models", "pop,freq", "--output", output.path,
      CommandLineTests.sample,
    ])
    guard run.status == 0 else { throw ReportTestFailure(message: "report failed: \(run.stderr)") }
    return output
  }

  /// The bundles and top price as `basketry bundles` computes them, independently of the report.
  static func bundlesFromCLI() throws -> (count: Int, topPrice: Double) {
    let folder = try TestSupport.temporaryDirectory("basketry-report")
    let output = folder.appendingPathComponent("bundles.json")
    let run = try CLI.run(["bundles", "--quiet", "--output", output.path, CommandLineTests.sample])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    let bundles = try #require(json["bundles"] as? [[String: Any]])
    let price = try #require(bundles.first?["bundle_price"] as? Double)
    return (bundles.count, price)
  }

  static let sections = ["data", "associations", "bundles", "models", "pricing", "customers"]

  @Test func reportIsOneSmallFileWithEverySection() throws {
    let url = try Self.generated.get()
    let html = try String(contentsOf: url, encoding: .utf8)
    #expect(html.utf8.count < 3_000_000)
    for section in Self.sections { #expect(html.contains("<section id=\"\(section)\""), "missing section \(section)") }
    // Customer value from the BG/NBD and Gamma-Gamma models: segments, lifecycle, the most valuable customers.
    #expect(html.contains("Customers per value segment"))
    #expect(html.contains("table-top-customers"))
    #expect(!html.contains("Customer value: not computed"))
    #expect(html.contains("Market simulation: not run"))
    // Nothing is fetched when the file opens.
    let stripped = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
    for external in ["src=\"http", "href=\"http", "<link", "@import", "url(http"] {
      #expect(!stripped.contains(external), "external resource \(external)")
    }
  }

  @Test(.enabled(if: HeadlessBrowser.available))
  func browserRendersTheReportWithTheDemoNumbers() throws {
    let browser = try #require(HeadlessBrowser.find())
    let url = try Self.generated.get()
    let page = try browser.load(url)
    #expect(page.attribute("data-script") == "ready", "the page's script did not run")
    #expect(page.attribute("data-script-errors") == "0", "script errors: \(page.dom.suffix(400))")
    #expect(page.consoleMessages.isEmpty, "console: \(page.consoleMessages)")
    for section in Self.sections {
      #expect(page.startTags(containing: "data-section=\"\(section)\"").count == 1, "section \(section)")
    }
    let expected = try Self.bundlesFromCLI()
    let count = try #require(page.startTags(containing: "class=\"bundle-count\"").first)
    #expect(HeadlessBrowser.Page.attribute("data-count", in: count) == String(expected.count))
    let cards = page.startTags(containing: "class=\"card bundle-card\"")
    #expect(cards.count == expected.count)
    let top = try #require(cards.first { HeadlessBrowser.Page.attribute("data-rank", in: $0) == "1" })
    let price = try #require(HeadlessBrowser.Page.attribute("data-price", in: top).flatMap(Double.init))
    #expect(abs(price - expected.topPrice) < 0.005)
    #expect(page.dom.contains(String(format: "£%.2f", expected.topPrice)))
    // Every chart has drawn marks and a text alternative.
    let charts = page.startTags(containing: "class=\"chart\"")
    #expect(charts.count >= 8)
    for chart in charts {
      let marks = HeadlessBrowser.Page.attribute("data-marks", in: chart).flatMap(Int.init) ?? 0
      #expect(marks > 0, "empty chart: \(chart)")
      #expect(chart.contains("role=\"img\"") && chart.contains("aria-labelledby="))
    }
    #expect(page.count(of: "class=\"mark ") >= charts.count)
  }
}

struct ReportTestFailure: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}
