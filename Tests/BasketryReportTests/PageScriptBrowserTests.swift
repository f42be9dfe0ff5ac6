import BasketryReport
import BasketryTesting
import Foundation
import Testing

/// The page shell's script in a real browser: sorting by a heading's button (what Enter or Space on the focused
/// heading does) and the error marker.
@Suite struct PageScriptBrowserTests {
  @Test(.enabled(if: HeadlessBrowser.available))
  func headingButtonsSortRowsBothWays() throws {
    let browser = try #require(HeadlessBrowser.find())
    let table = SortableTable(
      id: "t", caption: "Rules", columns: [.init("rule"), .init("lift", numeric: true)],
      rows: [
        [.init("b"), .init("2", value: 2)], [.init("a"), .init("10", value: 10)],
        [.init("c"), .init("1.5", value: 1.5)],
      ])
    // Clicks the lift heading twice and records the first row's rule after each click.
    let probe = """
      var button=document.querySelectorAll('#t th button')[1];var order=[];
      button.click();order.push(document.querySelector('#t tbody tr').cells[0].textContent);
      button.click();order.push(document.querySelector('#t tbody tr').cells[0].textContent);
      document.documentElement.setAttribute('data-order',order.join(','));
      document.documentElement.setAttribute('data-aria',button.parentNode.getAttribute('aria-sort'));
      """
    let html = try PageShell(title: "Sort", extraScript: probe).render([
      ReportSection(id: "s", title: "S", body: table.html)
    ])
    let file = try TestSupport.temporaryDirectory("basketry-page").appendingPathComponent("page.html")
    try html.write(to: file, atomically: true, encoding: .utf8)
    let page = try browser.load(file)
    #expect(page.attribute("data-order") == "c,a")
    #expect(page.attribute("data-aria") == "descending")
    #expect(page.attribute("data-script-errors") == "0")
    #expect(page.consoleMessages.isEmpty)
  }

  @Test(.enabled(if: HeadlessBrowser.available))
  func errorMarkerCountsScriptErrors() throws {
    let browser = try #require(HeadlessBrowser.find())
    let html = try PageShell(title: "Broken", extraScript: "console.error('bad'); missingFunction();").render([])
    let file = try TestSupport.temporaryDirectory("basketry-page").appendingPathComponent("page.html")
    try html.write(to: file, atomically: true, encoding: .utf8)
    let page = try browser.load(file)
    #expect(page.attribute("data-script-errors") == "2")
    #expect(page.consoleMessages.count == 2)
  }
}
