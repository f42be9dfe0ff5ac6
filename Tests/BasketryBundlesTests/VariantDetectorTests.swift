import BasketryCore
import Testing

@testable import BasketryBundles

@Suite struct VariantDetectorTests {
  func catalog(_ entries: [(String, String)]) -> Catalog {
    var catalog = Catalog()
    for (id, title) in entries {
      let item = catalog.intern(id)
      catalog[item].title = title
    }
    return catalog
  }

  @Test(arguments: [
    ("ALARM CLOCK BAKELIKE RED", "ALARM CLOCK BAKELIKE GREEN", true),
    ("JUMBO BAG RED RETROSPOT", "JUMBO BAG PINK POLKADOT", true),
    ("ROSES REGENCY TEACUP AND SAUCER", "GREEN REGENCY TEACUP AND SAUCER", true),
    ("Phone Case, Black, Large", "Phone case - white (large)", true),
    ("HOT WATER BOTTLE KEEP CALM", "CHOCOLATE HOT WATER BOTTLE", true),
    ("PAPER CHAIN KIT 50'S CHRISTMAS", "PAPER CHAIN KIT VINTAGE CHRISTMAS", true),
    ("WOODEN STAR CHRISTMAS SCANDINAVIAN", "WOODEN HEART CHRISTMAS SCANDINAVIAN", true),
    ("DOORMAT KEEP CALM AND COME IN", "HOT WATER BOTTLE KEEP CALM", false),
    ("WALL ART BICYCLE SAFETY", "WALL ART DOG LICENCE", true),
    ("BAKING SET 9 PIECE RETROSPOT", "BAKING SET SPACEBOY DESIGN", true),
    ("JUMBO BAG APPLES", "JUMBO BAG PEARS", true),
    ("SET OF 3 WOODEN SLEIGH DECORATIONS", "SET OF 3 WOODEN STOCKING DECORATIONS", true),
    ("SET 6 SCHOOL MILK BOTTLES IN CRATE", "SET OF 3 CAKE TINS PANTRY DESIGN", false),
    ("REGENCY TEAPOT ROSES", "ROSES REGENCY TEACUP AND SAUCER", false),
    ("LUNCH BAG RED RETROSPOT", "JUMBO BAG RED RETROSPOT", false),
    ("PINK REGENCY TEACUP AND SAUCER", "REGENCY CAKESTAND 3 TIER", false),
    ("WHITE HANGING HEART T-LIGHT HOLDER", "WHITE METAL LANTERN", false),
    ("Organic Banana", "Organic Strawberries", false),
  ])
  func titles(a: String, b: String, expected: Bool) {
    let detector = VariantDetector(catalog: catalog([("1", a), ("2", b)]))
    #expect(detector.areVariants(0, 1) == expected)
  }

  @Test func codeStems() {
    #expect(VariantDetector.codeStem("85123A") == "85123")
    #expect(VariantDetector.codeStem("85123B") == "85123")
    #expect(VariantDetector.codeStem("79321") == nil)
    #expect(VariantDetector.codeStem("TEE-RED-M") == "tee")
    #expect(VariantDetector.codeStem("TEE-BLUE-L") == "tee")
    #expect(VariantDetector.codeStem("POST") == nil)
    let detector = VariantDetector(catalog: catalog([("85123A", "HEART HOLDER"), ("85123B", "LANTERN")]))
    #expect(detector.areVariants(0, 1))
    #expect(detector.containsVariants([0, 1]))
  }

  @Test func untitledItemsAreNotVariantsByTitle() {
    let detector = VariantDetector(catalog: catalog([("a", ""), ("b", "")]))
    #expect(!detector.areVariants(0, 1))
  }
}
