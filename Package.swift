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
    .library(name: "BasketryReport", targets: ["BasketryReport"]),
    .library(name: "BasketryCustomers", targets: ["BasketryCustomers"]),
    .library(name: "BasketryTesting", targets: ["BasketryTesting"]),
    .library(name: "BasketryOnline", targets: ["BasketryOnline"]),
    .library(name: "BasketryTraining", targets: ["BasketryTraining"]),
    .library(name: "BasketryStore", targets: ["BasketryStore"]),
    .library(name: "BasketryStoreSQLite", targets: ["BasketryStoreSQLite"]),
    .library(name: "BasketryStorePostgres", targets: ["BasketryStorePostgres"]),
    .library(name: "BasketryServer", targets: ["BasketryServer"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // The service: HTTP server, stores, HMAC, logging, graceful shutdown.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
    .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    // Latency percentiles for the dashboard.
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    // Templates of the HTML report.
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
    // Property-based tests (generators and shrinking in Swift Testing).
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
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
    // Customer value (BG/NBD, Pareto/NBD, Gamma-Gamma) and customer profiles.
    .target(name: "BasketryCustomers", dependencies: ["BasketryCore"], swiftSettings: commonSettings + hotSettings),
    .target(
      name: "BasketryBundles",
      dependencies: ["BasketryCore", "BasketryMining", "BasketryModels"],
      swiftSettings: commonSettings + hotSettings
    ),
    // The self-contained HTML report: page shell, SVG chart kit and the analysis sections.
    .target(
      name: "BasketryReport",
      dependencies: [
        "BasketryCore", "BasketryIngest", "BasketryMining", "BasketryEval", "BasketryBundles", "BasketryCustomers",
        .product(name: "Mustache", package: "swift-mustache"),
      ],
      swiftSettings: commonSettings
    ),
    .target(
      name: "BasketryCLI",
      dependencies: [
        "BasketryCore", "BasketryIngest", "BasketryMining", "BasketryModels", "BasketryEval",
        "BasketrySemantic", "BasketryBundles", "BasketryOnline", "BasketryTraining", "BasketryServer",
        "BasketryReport", "BasketryCustomers",
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
    // MARK: Service
    .target(
      name: "BasketryOnline",
      dependencies: ["BasketryCore", "BasketryMining", "BasketryBundles"],
      swiftSettings: commonSettings + hotSettings
    ),
    // One training pipeline and the model artifact the service serves.
    .target(
      name: "BasketryTraining",
      dependencies: [
        "BasketryCore", "BasketryMining", "BasketryModels", "BasketryEval", "BasketryBundles", "BasketryOnline",
        "BasketrySemantic", "BasketryCustomers",
      ],
      swiftSettings: commonSettings
    ),
    .target(
      name: "BasketryStore",
      dependencies: [
        "BasketryCore", "BasketryOnline", "BasketryModels",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: commonSettings
    ),
    .target(
      name: "BasketryStoreSQLite",
      dependencies: [
        "BasketryStore", .product(name: "GRDB", package: "GRDB.swift"),
        // The SQLite C API, for binding impression rows without per-row argument arrays.
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ],
      swiftSettings: commonSettings
    ),
    .target(
      name: "BasketryStorePostgres",
      dependencies: [
        "BasketryStore",
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: commonSettings
    ),
    .target(
      name: "BasketryServer",
      dependencies: [
        "BasketryCore", "BasketryBundles", "BasketryModels", "BasketryEval", "BasketryOnline", "BasketryTraining",
        "BasketryCustomers", "BasketryStore",
        "BasketryStoreSQLite", "BasketryStorePostgres",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Histogram", package: "hdrhistogram-swift"),
      ],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryCoreTests", dependencies: ["BasketryCore", "BasketryTesting"], swiftSettings: commonSettings),
    .testTarget(
      name: "BasketryIngestTests",
      dependencies: [
        "BasketryIngest", "BasketryTesting", .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      resources: [.copy("Fixtures")],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryMiningTests",
      dependencies: [
        "BasketryMining", "BasketryIngest", "BasketryTesting",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      resources: [.copy("Fixtures")],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryModelsTests",
      dependencies: ["BasketryModels", "BasketryTesting"],
      resources: [.copy("UpliftFixtures")],
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
      name: "BasketryCustomersTests",
      dependencies: ["BasketryCustomers", "BasketryIngest", "BasketryTesting"],
      resources: [.copy("Fixtures")],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryBundlesTests",
      dependencies: ["BasketryBundles", "BasketryModels", "BasketryIngest", "BasketryTesting"],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryReportTests",
      dependencies: ["BasketryReport", "BasketryBundles", "BasketryMining", "BasketryTesting"],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryOnlineTests",
      dependencies: ["BasketryOnline", "BasketryMining", "BasketryTesting"],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryTrainingTests",
      dependencies: [
        "BasketryTraining", "BasketryIngest", "BasketryEval", "BasketryMining", "BasketryModels", "BasketryBundles",
        "BasketryTesting", "BasketryCustomers",
      ],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryStoreTests",
      dependencies: [
        "BasketryStore", "BasketryStoreSQLite", "BasketryStorePostgres", "BasketryTesting",
        // Builds databases the way older versions did, to test their upgrade.
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryServerTests",
      dependencies: [
        "BasketryServer", "BasketryStore", "BasketryStoreSQLite", "BasketryStorePostgres", "BasketryOnline",
        "BasketryBundles", "BasketryTraining", "BasketrySemantic", "BasketryCustomers",
        "BasketryIngest", "BasketryEval", "BasketryMining", "BasketryModels", "BasketryTesting",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        // A second connection that holds the write lock, to make the store unavailable for writes.
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      swiftSettings: commonSettings
    ),
    .testTarget(
      name: "BasketryCLITests",
      dependencies: ["BasketryCLI", "BasketryIngest", "basketry", "BasketryTesting"],
      exclude: ["Golden"],
      swiftSettings: commonSettings
    ),
  ]
)
