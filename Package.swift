// swift-tools-version:6.0
import PackageDescription

/// clipdex: a self-hosted video search service on a frozen CLIP.
/// One library module per concern; `clipdex` (CLI) and `clipdexd` (daemon) sit on top.
let package = Package(
    name: "clipdex",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clipdex", targets: ["clipdex"]),
        .executable(name: "clipdexd", targets: ["clipdexd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // System libraries, each behind a tiny shim header.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg"),
        .systemLibrary(name: "CInotify", path: "Sources/CInotify"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // Hand-written SIMD kernels with run-time CPU dispatch (AVX2/FMA/F16C or portable C).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // Numeric core: safetensors, float buffers, BLAS-backed kernels.
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"]),
        // RGB images and CLIP's Pillow-compatible preprocessing.
        .target(name: "Imaging"),
        // The frozen CLIP: config, weights, tokenizer, ViT and text encoders.
        .target(name: "CLIP", dependencies: ["Tensor", "Imaging", "CZlib"],
                resources: [.copy("Resources/bpe_simple_vocab_16e6.txt.gz")]),
        // FFmpeg: probing, decoding and sampling video, reading image files.
        .target(name: "Media", dependencies: ["CFFmpeg", "Imaging"]),
        // SQLite store, indexing pipeline, segmenter and vector search.
        .target(name: "Index", dependencies: [
            "CLIP", "Media", "Tensor", "Adapters",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Video adaptation: temporal module, learned prompts, proposals, training.
        .target(name: "Adapters", dependencies: ["CLIP", "Tensor"]),
        // The clipdex.toml configuration shared by the daemon and the CLI.
        .target(name: "Config", dependencies: ["CLIP", "Tensor", "DemoModel", .product(name: "TOMLKit", package: "TOMLKit")]),
        // Folder watching: inotify, settle timers, polling fallback.
        .target(name: "Watch", dependencies: ["CInotify", .product(name: "Logging", package: "swift-log")]),
        // The synthetic "shapes" world used by the demo and the benchmark. Optimised even in debug
        // builds: the first-run demo renders its videos from a debug build.
        .target(name: "Synth", dependencies: ["Imaging", "Media"], swiftSettings: [.unsafeFlags(["-O"])]),
        // The bundled demo CLIP weights and their recipe.
        .target(name: "DemoModel", dependencies: ["Tensor"], exclude: ["recipe"], resources: [.copy("clip-demo")]),

        .executableTarget(name: "clipdex", dependencies: [
            "Tensor", "Imaging", "CLIP", "Media", "Index", "Adapters", "Synth", "DemoModel", "Config",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "clipdexd", dependencies: [
            "Index", "Watch", "Config", "CLIP", "Media", "Adapters", "DemoModel",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),

        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "CLIPTests", dependencies: ["CLIP", "Tensor", "Imaging"]),
        .testTarget(name: "AdaptersTests", dependencies: ["Adapters", "CLIP", "Tensor", "Index"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Media", "Tensor"]),
        .testTarget(name: "IndexTests", dependencies: ["Index", "Adapters", "CLIP", "Media", "Tensor",
                                                       .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "WatchTests", dependencies: ["Watch", "Config"]),
        .testTarget(name: "DaemonTests", dependencies: ["clipdexd", "Watch", "Config", "Index", "Adapters", "CLIP",
                                                        .product(name: "Logging", package: "swift-log"),
                                                        .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "Imaging"]),
        .testTarget(name: "SynthTests", dependencies: ["Synth", "Media", "Imaging", "CLIP", "DemoModel"]),
    ]
)
