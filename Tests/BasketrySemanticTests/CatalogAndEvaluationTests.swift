import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

@Suite struct CatalogAndEvaluationTests {
  @Test func csvParserHandlesQuotes() {
    let records = CSVReader.parse("a,b\n1,\"x, \"\"y\"\"\nz\"\r\n2,\n\n3,w")
    #expect(records == [["a", "b"], ["1", "x, \"y\"\nz"], ["2", ""], ["3", "w"]])
  }

  @Test func titleCatalogReadsCSVAndText() throws {
    let folder = try TestSupport.temporaryDirectory("catalog")
    let csv = folder.appendingPathComponent("items.csv")
    try "product_id,product_name,aisle\n7,Green Tea,1\n8,\"Cup, large\",2\n7,Dup,3\n9,,4\n".write(
      to: csv, atomically: true, encoding: .utf8)
    let catalog = try TitleCatalog.load(from: csv)
    #expect(catalog.ids == ["7", "8"])
    #expect(catalog.titles == ["Green Tea", "Cup, large"])
    #expect(catalog.row(of: "8") == 1)
    let text = folder.appendingPathComponent("titles.txt")
    try "tea\n\ncup\r\n".write(to: text, atomically: true, encoding: .utf8)
    let lines = try TitleCatalog.load(from: text)
    #expect(lines.ids == ["1", "3"] && lines.titles == ["tea", "cup"])
    // Every row, for embedding: row r is line r, empty or repeated ones included.
    let everyLine = try TitleCatalog.load(from: text, everyRow: true)
    #expect(everyLine.ids == ["1", "2", "3"] && everyLine.titles == ["tea", "", "cup"])
    let everyRecord = try TitleCatalog.load(from: csv, everyRow: true)
    #expect(everyRecord.ids == ["7", "8", "7", "9"])
    #expect(everyRecord.titles == ["Green Tea", "Cup, large", "Dup", ""])
    let bad = folder.appendingPathComponent("bad.csv")
    try "a,b\n1,2\n".write(to: bad, atomically: true, encoding: .utf8)
    #expect(throws: SemanticError.self) { try TitleCatalog.load(from: bad) }
  }

  @Test func aucCounter() {
    var counter = AUCCounter()
    counter.add(positive: [0.9, 0.5], negative: [0.1, 0.5, 0.95])
    // 0.9 beats 0.1 and 0.5 (2); 0.5 beats 0.1 and ties 0.5 (1.5): 3.5 / 6.
    #expect(abs(counter.auc - 3.5 / 6) < 1e-12)
    #expect(counter.pairs == 6)
    #expect(AUCCounter().auc == 0.5)
  }

  @Test func leafCategories() {
    #expect(
      BundleIntentDataset.leafCategory("[[Clothing, Shoes & Jewelry,Novelty, Costumes & More,Costumes & Accessories]]")
        == "Costumes & Accessories")
    #expect(BundleIntentDataset.leafCategory("[[Electronics,Computers & Accessories,Cases]]") == "Cases")
    #expect(BundleIntentDataset.leafCategory("[[]]") == nil)
    #expect(BundleIntentDataset.unescapeHTML("Red, White &amp; Blue &quot;x&quot;") == "Red, White & Blue \"x\"")
  }

  @Test func evaluationOnSyntheticBundles() throws {
    let folder = try TestSupport.temporaryDirectory("bundles")
    func write(_ name: String, _ text: String) throws {
      try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    try write("item_titles.csv", "item ID,titles\n1,phone\n2,phone case\n3,sofa\n4,lamp\n5,phone two\n")
    try write(
      "item_categories.csv",
      "item ID,categories\n1,\"[[E,Phones]]\"\n2,\"[[E,Cases]]\"\n3,\"[[H,Sofas]]\"\n4,\"[[H,Lamps]]\"\n5,\"[[E,Phones]]\"\n"
    )
    try write("bundle_item.csv", "bundle ID,item ID\n0,1\n0,2\n")
    try write("session_item.csv", "session ID,item ID\n0,1\n0,2\n0,3\n0,4\n")
    try write("session_bundle.csv", "session ID,bundle ID\n0,0\n")
    let dataset = try BundleIntentDataset.load(from: folder)
    #expect(dataset.items.count == 5 && dataset.bundles == [[0, 1]] && dataset.sessions == [[0, 1, 2, 3]])
    // Phone and case are close; sofa and lamp far; the two phones closest.
    let vectors = EmbeddingMatrix(vectors: [[1, 0.2, 0], [0.8, 0.6, 0], [0, 0, 1], [0, 1, 0.2], [1, 0.1, 0]])
    let result = BundleSemanticEvaluation.run(dataset: dataset, vectors: EmbeddingIndex(vectors).vectors, domain: "toy")
    #expect(result.anchors == 2)
    #expect(result.coSessionAUC == 1)
    #expect(result.complementPairs == 1 && result.substitutePairs == 1)
    #expect(result.substituteOverComplementAUC == 1)
    #expect(result.description.contains("toy"))
  }
}
