// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Basketry's parsers. Each target is an executable whose
// `LLVMFuzzerTestOneInput` takes one input; build with
// `swift build -c release --sanitize=fuzzer --sanitize=address` (or `Scripts/fuzz.sh`).
// The package lives outside the main package's build graph, as swift-protobuf's and
// swift-nio-http2's FuzzTesting packages do.

let settings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

/// A fuzz target: `Sources/NAME/main.swift` with the entry point.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
  .executableTarget(
    name: name,
    dependencies: ["FuzzSupport", .product(name: "BasketryCore", package: "basketry")] + dependencies,
    swiftSettings: settings
  )
}

let package = Package(
  name: "FuzzTesting",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(name: "basketry", path: ".."),
    // The server library's URI type, to parse query strings as the service does.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
  ],
  targets: [
    .target(
      name: "FuzzSupport", dependencies: [.product(name: "BasketryCore", package: "basketry")], swiftSettings: settings
    ),
    fuzzTarget("FuzzCSVReader", [.product(name: "BasketryIngest", package: "basketry")]),
    fuzzTarget("FuzzOrderFormats", [.product(name: "BasketryIngest", package: "basketry")]),
    fuzzTarget("FuzzInstacart", [.product(name: "BasketryIngest", package: "basketry")]),
    fuzzTarget("FuzzEventsJSONL", [.product(name: "BasketryIngest", package: "basketry")]),
    fuzzTarget(
      "FuzzRequestBodies",
      [
        .product(name: "BasketryServer", package: "basketry"),
        .product(name: "BasketryStore", package: "basketry"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
      ]),
    fuzzTarget("FuzzServerConfiguration", [.product(name: "BasketryServer", package: "basketry")]),
    fuzzTarget("FuzzSafetensors", [.product(name: "BasketrySemantic", package: "basketry")]),
    fuzzTarget("FuzzTokenizer", [.product(name: "BasketrySemantic", package: "basketry")]),
    fuzzTarget(
      "FuzzModelArtifact",
      [
        .product(name: "BasketryTraining", package: "basketry"),
        .product(name: "BasketryModels", package: "basketry"),
      ]),
  ]
)
