import BasketryCore
import BasketryModels
import BasketryTesting
import Foundation
import Testing

@Suite("Model files")
struct ModelArchiveTests {
  @Test func roundTripsArraysAndMatrices() throws {
    var archive = ModelArchive(kind: "demo")
    archive.numbers["lambda"] = 400
    archive.strings["solver"] = "dual"
    archive.floats["w"] = [1.5, -2, .infinity]
    archive.int32s["ids"] = [3, -1, 7]
    let data = ModelFixtures.interactions(users: 5, items: 6, perUser: 3)
    archive.setInteractions("X", data)
    let url = try TestSupport.temporaryDirectory().appendingPathComponent("a.bin")
    try archive.write(to: url)
    let read = try ModelArchive.read(from: url, kind: "demo")
    #expect(try read.number("lambda") == 400)
    #expect(read.strings["solver"] == "dual")
    #expect(try read.floatArray("w") == [1.5, -2, .infinity])
    #expect(try read.int32Array("ids") == [3, -1, 7])
    #expect(try read.interactions("X") == data)
    #expect(throws: ModelError.self) { try read.number("missing") }
  }

  @Test func rejectsOtherKindsAndDamagedFiles() throws {
    let folder = try TestSupport.temporaryDirectory()
    let url = folder.appendingPathComponent("m.bin")
    var archive = ModelArchive(kind: "pop")
    archive.floats["popularity"] = [Float](repeating: 1, count: 100)
    try archive.write(to: url)
    #expect(throws: ModelError.self) { try ModelArchive.read(from: url, kind: "ease") }
    #expect(throws: ModelError.self) { try EASERecommender.load(from: url) }
    let bytes = try Data(contentsOf: url)
    let truncated = folder.appendingPathComponent("t.bin")
    try bytes.prefix(bytes.count - 10).write(to: truncated)
    #expect(throws: ModelError.self) { try PopularityRecommender.load(from: truncated) }
    let garbage = folder.appendingPathComponent("g.bin")
    try Data("not a model at all".utf8).write(to: garbage)
    #expect(throws: ModelError.self) { try PopularityRecommender.load(from: garbage) }
    #expect(throws: ModelError.self) { try PopularityRecommender.load(from: folder.appendingPathComponent("none")) }
  }

  @Test func registryBuildsEveryModelAndRejectsUnknownNames() throws {
    for name in ModelRegistry.names {
      var model = try ModelRegistry.make(name: name)
      try model.fit(ModelFixtures.interactions())
      #expect(try model.scores(user: 0).count == 40)
    }
    #expect(throws: ModelError.self) { try ModelRegistry.make(name: "nope") }
    #expect(throws: ModelError.self) {
      try ModelRegistry.make(name: "ease", parameters: ModelParameters(["lambda": "x"]))
    }
    #expect(throws: ModelError.self) {
      try ModelRegistry.make(name: "itemknn", parameters: ModelParameters(["similarity": "jaccard"]))
    }
  }
}
