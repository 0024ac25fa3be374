import Foundation
import Logging

@testable import Signaling

/// Starts a server on a free port for one test and always stops it.
func withTestServer(
    _ configure: (inout SignalingServerConfiguration) -> Void = { _ in },
    _ body: (SignalingServer) async throws -> Void
) async throws {
    var configuration = SignalingServerConfiguration()
    configuration.port = 0
    configure(&configuration)
    var logger = Logger(label: "test-server")
    logger.logLevel = .warning
    let server = try await SignalingServer.start(configuration, logger: logger)
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

