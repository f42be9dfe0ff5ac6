import Testing

@testable import BasketryEval

@Test func moduleLoads() {}
