// swift-tools-version: 6.1
// Benchmarks live in their own package so the main build graph stays light.
// Run from this folder: `swift package benchmark` (release build; see README.md).
import PackageDescription

let package = Package(
  name: "basketry-benchmarks",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(name: "basketry", path: ".."),
    .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "BasketryBenchmarks",
      dependencies: [
        .product(name: "Benchmark", package: "package-benchmark"),
        .product(name: "BasketryCore", package: "basketry"),
        .product(name: "BasketryIngest", package: "basketry"),
        .product(name: "BasketryMining", package: "basketry"),
        .product(name: "BasketryBundles", package: "basketry"),
        .product(name: "BasketryModels", package: "basketry"),
      ],
      path: "Benchmarks/BasketryBenchmarks",
      swiftSettings: [.swiftLanguageMode(.v6)],
      plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
    )
  ]
)
