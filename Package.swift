// swift-tools-version: 6.1
import PackageDescription

// Numeric hot loops (CSV parsing, mining, model kernels) are compiled with
// optimisation even in debug builds, so `swift test` stays fast; on x86-64 the
// kernels target Haswell (AVX2 + FMA), which every x86-64 server since 2013 has.
#if arch(x86_64)
  let cpuFlags = ["-target-cpu", "haswell"]
#else
  let cpuFlags: [String] = []
#endif

let hotSettings: [SwiftSetting] = [
  .unsafeFlags(["-O"] + cpuFlags, .when(configuration: .debug)),
  .unsafeFlags(cpuFlags, .when(configuration: .release)),
]

let commonSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "basketry",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "basketry", targets: ["basketry"]),
    .library(name: "BasketryCore", targets: ["BasketryCore"]),
    .library(name: "BasketryIngest", targets: ["BasketryIngest"]),
    .library(name: "BasketryMining", targets: ["BasketryMining"]),
    .library(name: "BasketryModels", targets: ["BasketryModels"]),
    .library(name: "BasketryEval", targets: ["BasketryEval"]),
    .library(name: "BasketrySemantic", targets: ["BasketrySemantic"]),
    .library(name: "BasketryBundles", targets: ["BasketryBundles"]),
    .library(name: "BasketryTesting", targets: ["BasketryTesting"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .systemLibrary(
      name: "CZlib",
      path: "Sources/CZlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .target(name: "BasketryCore", swiftSettings: commonSettings + hotSettings),
    .target(
      name: "BasketryIngest",
      dependencies: ["BasketryCore", "CZlib"],
      swiftSettings: commonSettings + hotSettings
    ),
    .target(name: "BasketryMining", dependencies: ["BasketryCore"], swiftSettings: commonSettings + hotSettings),
    .target(name: "BasketryModels", dependencies: ["BasketryCore"], swiftSettings: commonSettings + hotSettings),
    .target(
      name: "BasketryEval",
      dependencies: ["BasketryCore", "BasketryModels"],
      swiftSettings: commonSettings + hotSettings
    ),
    .target(name: "BasketrySemantic", dependencies: ["BasketryCore"], swiftSettings: commonSettings + hotSettings),
    .target(
      name: "BasketryBundles",
      dependencies: ["BasketryCore", "BasketryMining"],
      swiftSettings: commonSettings + hotSettings
    ),
    .target(
      name: "BasketryCLI",
      dependencies: [
        "BasketryCore", "BasketryIngest", "BasketryMining", "BasketryModels", "BasketryEval",
        "BasketrySemantic", "BasketryBundles",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: commonSettings
    ),
    .executableTarget(
      name: "basketry",
      dependencies: ["BasketryCLI"],
      swiftSettings: commonSettings
    ),
    .target(name: "BasketryTesting", dependencies: ["BasketryCore"], swiftSettings: commonSettings),
    .testTarget(
      name: "BasketryCoreTests", dependencies: ["BasketryCore", "BasketryTesting"], swiftSettings: commonSettings),
    .testTarget(
      name: "BasketryIngestTests",
      dependencies: ["BasketryIngest", "BasketryTesting"],
      resources: [.copy("Fixtures")],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryMiningTests",
      dependencies: ["BasketryMining", "BasketryIngest", "BasketryTesting"],
      resources: [.copy("Fixtures")],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryModelsTests",
      dependencies: ["BasketryModels", "BasketryTesting"],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryEvalTests",
      dependencies: ["BasketryEval", "BasketryModels", "BasketryIngest", "BasketryTesting"],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketrySemanticTests",
      dependencies: ["BasketrySemantic", "BasketryTesting"],
      resources: [.copy("Fixtures")],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryBundlesTests",
      dependencies: ["BasketryBundles", "BasketryIngest", "BasketryTesting"],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryCLITests",
      dependencies: ["BasketryCLI", "basketry", "BasketryTesting"],
      exclude: ["Golden"],
      swiftSettings: commonSettings
    ),
  ]
)
