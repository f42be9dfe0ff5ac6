// swift-tools-version: 6.1
// Side-by-side mining benchmark; kept out of the main build graph (see README.md).
import PackageDescription

#if arch(x86_64)
  let cpuFlags = ["-target-cpu", "haswell"]
#else
  let cpuFlags: [String] = []
#endif

let package = Package(
  name: "basketry-mining-bench",
  platforms: [.macOS(.v14)],
  dependencies: [.package(name: "basketry", path: "../..")],
  targets: [
    .executableTarget(
      name: "mining-bench",
      dependencies: [.product(name: "BasketryMining", package: "basketry")],
      swiftSettings: [
        .swiftLanguageMode(.v6), .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"), .unsafeFlags(cpuFlags),
      ]
    )
  ]
)
