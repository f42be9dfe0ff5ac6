import Testing

@testable import BasketryMining

@Test func moduleLoads() {}
