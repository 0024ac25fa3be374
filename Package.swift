// swift-tools-version: 6.2
import PackageDescription

/// System library targets for the C libraries we reach through small Swift types.
/// Each has a `module.modulemap` and a shim header with `static inline` wrappers
/// for the macros and variadic functions that do not import into Swift.
/// ncursesw has no pkg-config entry here on purpose: SwiftPM rejects its
/// `-D_XOPEN_SOURCE=600` flag with a warning, so the shim defines what it needs
/// and links by name.
let shims: [(name: String, pkgConfig: String?, apt: String)] = [
    ("CVPX", "vpx", "libvpx-dev"),
    ("COpus", "opus", "libopus-dev"),
    ("CSRTP", "libsrtp2", "libsrtp2-dev"),
    ("COpenSSL", "openssl", "libssl-dev"),
    ("CNcurses", nil, "libncurses-dev"),
    ("CALSA", "alsa", "libasound2-dev"),
    ("CV4L2", "libv4l2", "libv4l-dev"),
]

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "call",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "call", targets: ["call"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: shims.map { shim in
        .systemLibrary(
            name: shim.name,
            path: "Sources/Shims/\(shim.name)",
            pkgConfig: shim.pkgConfig,
            providers: [.apt([shim.apt])]
        )
    } + [
        .target(
            name: "Signaling",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SDP",
            swiftSettings: strict
        ),
        .target(
            name: "ICE",
            dependencies: ["COpenSSL", "SDP"],
            swiftSettings: strict
        ),
        .target(
            name: "SRTP",
            dependencies: ["CSRTP"],
            swiftSettings: strict
        ),
        .target(
            name: "DTLS",
            dependencies: ["COpenSSL", "SRTP"],
            swiftSettings: strict
        ),
        .target(
            name: "CCRC32C",
            path: "Sources/Shims/CCRC32C"
        ),
        .target(
            name: "SCTP",
            dependencies: ["CCRC32C"],
            swiftSettings: strict
        ),
        .target(
            name: "RTP",
            swiftSettings: strict
        ),
        .target(
            // Kept apart from NIO: with NIO imported, the C socket structs' members may
            // belong to CNIOLinux instead of Glibc, depending on file order, and
            // MemberImportVisibility refuses them.
            name: "HostAddresses",
            swiftSettings: strict
        ),
        .target(
            name: "PeerConnection",
            dependencies: [
                "HostAddresses", "ICE", "SDP", "DTLS", "SCTP", "SRTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Camera",
            dependencies: ["Media", "CV4L2"],
            swiftSettings: strict
        ),
        .target(
            name: "Sound",
            dependencies: ["CALSA"],
            swiftSettings: strict
        ),
        .target(
            name: "CallMedia",
            dependencies: ["Media", "Codecs", "RTP", "PeerConnection", "Sound", "Camera"],
            swiftSettings: strict
        ),
        .target(
            name: "CallSession",
            dependencies: [
                "Signaling", "PeerConnection", "SCTP", "ICE", "SDP", "CallMedia", "Media",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Media",
            swiftSettings: strict
        ),
        .target(
            name: "Codecs",
            dependencies: ["Media", "CVPX", "COpus"],
            swiftSettings: strict
        ),
        .target(
            name: "TerminalRender",
            dependencies: ["Media"],
            swiftSettings: strict
        ),
        .target(
            name: "TerminalUI",
            dependencies: ["CNcurses"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "call",
            dependencies: [
                "Signaling",
                "CallSession",
                "CallMedia",
                "Camera",
                "Sound",
                "DTLS",
                "PeerConnection",
                "TerminalUI",
                "Media",
                "TerminalRender",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "signaling-load",
            dependencies: [
                "Signaling",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Benchmarks/signaling-load",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "render-bench",
            dependencies: ["Media", "TerminalRender"],
            path: "Benchmarks/render-bench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "datachannel-bench",
            dependencies: ["PeerConnection", "SCTP", "SDP", "ICE"],
            path: "Benchmarks/datachannel-bench",
            exclude: ["bench.py", "aiortc_role.py"],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShimLinkTests",
            dependencies: shims.map { .target(name: $0.name) },
            swiftSettings: strict
        ),
        .testTarget(
            name: "SignalingTests",
            dependencies: [
                "Signaling",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SDPTests",
            dependencies: ["SDP", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ICETests",
            dependencies: ["ICE", "SDP"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DTLSTests",
            dependencies: ["DTLS", "SRTP", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SRTPTests",
            dependencies: ["SRTP"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SCTPTests",
            dependencies: ["SCTP"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RTPTests",
            dependencies: ["RTP"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PeerConnectionTests",
            dependencies: [
                "PeerConnection", "HostAddresses", "ICE", "SDP", "SCTP", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CameraTests",
            dependencies: ["Camera", "Media", "CV4L2"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SoundTests",
            dependencies: ["Sound"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CallMediaTests",
            dependencies: ["CallMedia", "Codecs", "Media", "PeerConnection", "RTP", "SCTP", "Sound", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CallSessionTests",
            dependencies: ["CallSession", "Signaling"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MediaTests",
            dependencies: ["Media"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CodecsTests",
            dependencies: ["Codecs", "Media"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TerminalRenderTests",
            dependencies: ["TerminalRender", "Media"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TerminalUITests",
            dependencies: ["TerminalUI"],
            swiftSettings: strict
        ),
    ]
)
