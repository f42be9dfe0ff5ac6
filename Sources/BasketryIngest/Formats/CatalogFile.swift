import BasketryCore

enum CatalogFile {
  static func read(_ path: String, into input: inout ParsedInput) throws {}
}
