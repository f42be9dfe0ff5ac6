import BasketryStore
import Foundation
import Testing

@Suite struct StoreJSONTests {
  /// The hand-written string-array and offer writers read back exactly through JSONDecoder, whatever the text holds.
  @Test func handWrittenJSONReadsBackExactly() throws {
    let strings = [
      "", "plain", "quote \" and backslash \\", "slash / and tab \t", "new\nline\r", "\u{0}\u{1}\u{1F}",
      "Café ☕️ 😀", "\u{2028}", "85123A+22423",
    ]
    let text = StoreJSON.encode(strings: strings)
    #expect(try StoreJSON.decode([String].self, from: text, operation: "test") == strings)
    #expect(try StoreJSON.decode([String].self, from: StoreJSON.encode(strings: []), operation: "test") == [])
    let offers = strings.enumerated().map { index, key in
      OfferList.Offer(
        key: key, arm: index - 1, discount: Double(index) / 10, price: 1.0 / 3 + Double(index),
        margin: -0.5 * Double(index), propensity: 1e-9)
    }
    let list = OfferList(
      id: "l", firstSequence: 0, experimentID: nil, variant: nil, user: "u", session: "s", kind: "bundle",
      offers: offers, timestamp: 0)
    #expect(try OfferList.decodeOffers(list.encodedOffers, operation: "test") == offers)
  }
}
