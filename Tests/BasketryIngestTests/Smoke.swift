import Testing

@testable import BasketryIngest

@Test func moduleLoads() {}
