import Testing

@testable import BasketryCore

@Test func moduleLoads() {}
