import BasketryServer
import BasketryStore
import BasketryTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The dashboard in a real headless Chromium against a live server on loopback.
@Suite(.enabled(if: WebDriverSession.available, "needs chromium and chromedriver"), .serialized)
struct DashboardBrowserTests {
  @Test func dashboardShowsLiveEventsAndTheExperimentAsItsEndpointReportsIt() async throws {
    let (engine, _) = try await makeEngine()
    let app = BasketryService.application(engine: engine)
    try await app.test(.live) { client in
      let port = try #require(client.port)
      let page = try #require(URL(string: "http://127.0.0.1:\(port)/dashboard"))
      for id in ["mug", "tea", "spoon"] { try await client.putItem(id) }
      for user in ["u1", "u2", "u3"] { try await client.purchase(user, ["mug", "tea"], session: "s") }
      let created = try await client.send(
        .post, "/v1/experiments",
        body:
          #"{"id": "ten-off", "name": "Ten off", "variants": [{"name": "control", "policy": "fixed", "discount": 0}, {"name": "ten", "policy": "fixed", "discount": 0.1}]}"#
      )
      #expect(created.status == .created)
      for session in 0..<24 {
        let offers =
          try json(try await client.send(.get, "/v1/bundles?item=mug&k=1&session=s\(session)", key: Keys.read))[
            "bundles"] as? [[String: Any]] ?? []
        if session % 3 == 0, let id = offers.first?["recommendation_id"] as? String {
          try await client.send(
            .post, "/v1/events", key: Keys.ingest,
            body:
              #"{"user": "b\#(session)", "item": "mug", "type": "purchase", "price": 10, "session": "s\#(session)", "recommendation_id": "\#(id)"}"#
          )
        }
      }
      // A price test on the mug with some sessions and purchases at 11.
      let priceTest = try await client.send(
        .post, "/v1/price-tests",
        body: #"{"id": "mug-price", "item": "mug", "levels": [9, 10, 11], "profit_at_risk_budget": 20}"#)
      #expect(priceTest.status == .created)
      for session in 0..<30 {
        let assigned = try json(
          try await client.send(.get, "/v1/price-tests/mug-price/price?session=p\(session)", key: Keys.read))
        if assigned["price"] as? Double == 11 || session % 5 == 0 {
          try await client.purchase(
            "p\(session)", ["mug"], session: "p\(session)", recommendation: assigned["recommendation_id"] as? String)
        }
      }
      await engine.flush()

      let browser = try await WebDriverSession.start()
      do {
        // Without a key the page asks for one; with it, it renders.
        try await browser.open(page)
        let asks = try await browser.wait(
          seconds: 5, for: "return document.getElementById('keyform').hidden", until: { ($0 as? Bool) == false })
        #expect(asks as? Bool == false)
        _ = try await browser.evaluate("sessionStorage.setItem('basketryKey', arguments[0])", [Keys.read])
        try await browser.open(page)
        let rendered = try await browser.wait(
          seconds: 10, for: "return document.body.dataset.generatedAt || null", until: { $0 != nil })
        #expect(rendered != nil)
        // The 401s the keyless page logged (a poll may still have been on its way when the key was set).
        _ = try await browser.consoleEntries()

        // An event posted now shows within the polling interval (plus rendering slack).
        let viewsScript = "return Number(document.querySelector('polyline[data-type=view]').dataset.total)"
        #expect(try await browser.evaluate(viewsScript) as? Int == 0)
        let posted = Date()
        try await client.send(
          .post, "/v1/events", key: Keys.ingest, body: #"{"user": "viewer", "item": "spoon", "type": "view"}"#)
        let seen = try await browser.wait(seconds: 5, every: 50, for: viewsScript, until: { ($0 as? Int) == 1 })
        let delay = Date().timeIntervalSince(posted)
        #expect(seen as? Int == 1)
        #expect(delay <= 2.0 + 0.75, "the view appeared after \(delay) s")

        // The experiment table shows what GET /v1/experiments/{id} reports.
        let report = try json(try await client.send(.get, "/v1/experiments/ten-off", key: Keys.read))
        let variants = report["variants"] as? [[String: Any]] ?? []
        let cells =
          try await browser.evaluate(
            """
            return [...document.querySelectorAll('article.experiment[data-id="ten-off"] tbody tr')]
              .map(row => [...row.cells].map(cell => cell.textContent.trim()))
            """) as? [[String]] ?? []
        #expect(cells.count == variants.count)
        for (row, variant) in zip(cells, variants) {
          #expect(row.first?.hasPrefix(variant["variant"] as? String ?? "?") == true)
          #expect(row.count > 4 && row[1] == String(variant["impressions"] as? Int ?? -1))
          #expect(row.count > 4 && row[4] == String(variant["conversions"] as? Int ?? -1))
          let rate = String(format: "%.2f %%", 100 * (variant["conversion_rate"] as? Double ?? -1))
          #expect(row.count > 5 && row[5].hasPrefix(rate), "\(row) vs \(rate)")
        }
        #expect(variants.reduce(0) { $0 + ($1["impressions"] as? Int ?? 0) } == 24)

        // The price-test section shows what GET /v1/price-tests/{id} reports.
        let priceReport = try json(try await client.send(.get, "/v1/price-tests/mug-price", key: Keys.read))
        let levels = priceReport["levels"] as? [[String: Any]] ?? []
        let priceRows =
          try await browser.wait(
            seconds: 5,
            for: """
              return [...document.querySelectorAll('article.pricetest[data-id="mug-price"] tbody tr')]
                .map(row => [...row.cells].map(cell => cell.textContent.trim()))
              """, until: { ($0 as? [[String]] ?? []).count == levels.count }) as? [[String]] ?? []
        #expect(levels.count == 3 && priceRows.count == levels.count)
        for (row, level) in zip(priceRows, levels) {
          #expect(row.first?.hasPrefix(String(format: "%.2f", level["price"] as? Double ?? -1)) == true, "\(row)")
          #expect(row.count > 3 && row[1] == String(level["sessions"] as? Int ?? -1), "\(row) vs \(level)")
          #expect(row.count > 3 && row[3] == String(format: "%.2f", level["profit"] as? Double ?? -1), "\(row)")
        }
        #expect(levels.reduce(0) { $0 + ($1["sessions"] as? Int ?? 0) } == 30)
        let heading =
          try await browser.evaluate(
            "return document.querySelector('article.pricetest[data-id=\"mug-price\"]').textContent") as? String ?? ""
        let best = String(format: "%.2f", priceReport["posterior_best_price"] as? Double ?? -1)
        #expect(heading.contains("Posterior-best level: \(best)"), "\(heading)")
        #expect(heading.contains("of a budget of 20.00"), "\(heading)")

        // Item lookup by keyboard: type, submit, see the item's complements.
        _ = try await browser.evaluate(
          "const q = document.getElementById('itemq'); q.focus(); q.value = 'mug'; q.form.requestSubmit()")
        let found = try await browser.wait(
          seconds: 5, for: "return document.querySelectorAll('#items button[data-item]').length",
          until: { ($0 as? Int ?? 0) > 0 })
        #expect(found as? Int == 1)
        _ = try await browser.evaluate("document.querySelector('#items button[data-item]').click()")
        let detail = try await browser.wait(
          seconds: 5, for: "return document.getElementById('itemdetail').textContent",
          until: { ($0 as? String ?? "").contains("tea") })
        #expect((detail as? String ?? "").contains("bought with"))

        let errors = try await browser.consoleEntries().filter { $0.level == "SEVERE" }
        #expect(errors.isEmpty, "console: \(errors)")
      } catch {
        await browser.close()
        throw error
      }
      await browser.close()
    }
  }
}
