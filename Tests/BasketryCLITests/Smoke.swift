import Testing

@testable import BasketryCLI

@Test func moduleLoads() {}
