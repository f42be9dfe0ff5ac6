import BasketryCore

enum OrdersFormat {
  static func read(_ paths: [String], into input: inout ParsedInput) throws {}
}
