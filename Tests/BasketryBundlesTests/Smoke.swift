import Testing

@testable import BasketryBundles

@Test func moduleLoads() {}
