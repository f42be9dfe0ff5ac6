import BasketryCore

enum InstacartFormat {
  static func read(_ paths: [String], into input: inout ParsedInput) throws {}
}
