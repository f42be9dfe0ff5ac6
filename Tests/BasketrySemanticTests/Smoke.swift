import Testing

@testable import BasketrySemantic

@Test func moduleLoads() {}
