import BasketryCore

enum EventsFormat {
  static func read(_ paths: [String], into input: inout ParsedInput) throws {}
}
