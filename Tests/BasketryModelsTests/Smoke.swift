import Testing

@testable import BasketryModels

@Test func moduleLoads() {}
