import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket
import ServiceLifecycle

/// The signaling server of `call`: Socket.IO v5 over Engine.IO v4 on
/// WebSocket at `/socket.io/`, wire-compatible with the seed's Node server,
/// plus the static web pages.
///
/// ```swift
/// var configuration = SignalingServerConfiguration()
/// configuration.port = 0
/// let server = try await SignalingServer.start(configuration, logger: logger)
/// print(server.port)
/// await server.stop()
/// ```
public final class SignalingServer: Sendable {
    /// The port the server listens on (the real one when the configuration asked for 0).
    public let port: Int

    let state: ServerState
    private let serviceGroup: ServiceGroup
    private let runTask: Task<Void, Never>
    private let stopped = NIOLockedValueBox(false)

    private init(port: Int, state: ServerState, serviceGroup: ServiceGroup, runTask: Task<Void, Never>) {
        self.port = port
        self.state = state
        self.serviceGroup = serviceGroup
        self.runTask = runTask
    }

    /// Starts listening and returns once the socket is bound.
    ///
    /// - Throws: ``SignalingServerError/portInUse(host:port:)`` when another
    ///   process has the port, ``SignalingServerError`` for other failures.
    public static func start(_ configuration: SignalingServerConfiguration, logger: Logger) async throws
        -> SignalingServer
    {
        try configuration.validate()
        let registry = InMemoryRoomRegistry(
            maxUsersPerRoom: configuration.maxUsersPerRoom, maxRooms: configuration.maxRooms)
        let state = ServerState(configuration: configuration, registry: registry, logger: logger)
        let assets = StaticAssets(directory: configuration.assetsDirectory)

        enum StartEvent: Sendable {
            case listening(Int)
            case failed(any Error)
        }
        let (events, reporter) = AsyncStream.makeStream(of: StartEvent.self)

        let application = Application(
            router: makeRouter(assets: assets),
            server: .http1WebSocketUpgrade(
                configuration: .init(
                    http1: .init(),
                    ws: .init(
                        maxFrameSize: configuration.hardFrameLimit,
                        // Engine.IO has its own heartbeat; WebSocket pings would only add traffic.
                        autoPing: .disabled,
                        closeTimeout: .seconds(2))
                ),
                shouldUpgrade: { request, _, _ in
                    try shouldUpgrade(request, state: state)
                }),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil,
                backlog: 4096,
                reuseAddress: true),
            onServerRunning: { channel in
                reporter.yield(.listening(channel.localAddress?.port ?? configuration.port))
            },
            eventLoopGroupProvider: .singleton,
            logger: logger
        )
        // Our own group, without signal handlers: the process (not the library) decides when to stop.
        let serviceGroup = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let runTask = Task {
            do {
                try await serviceGroup.run()
            } catch {
                reporter.yield(.failed(error))
            }
            reporter.finish()
        }
        for await event in events {
            switch event {
            case .listening(let port):
                logger.info("signaling server listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
                return SignalingServer(port: port, state: state, serviceGroup: serviceGroup, runTask: runTask)
            case .failed(let error):
                throw describe(error, configuration: configuration)
            }
        }
        throw SignalingServerError.cannotListen(
            host: configuration.host, port: configuration.port, reason: "the server stopped before listening")
    }

    /// Closes every client (each gets a WebSocket close "server is stopping"),
    /// then stops listening. Returns when no task of the server is left.
    public func stop() async {
        let first = stopped.withLockedValue { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else {
            await runTask.value
            return
        }
        for connection in state.connections.all {
            connection.send(OutboundPackets.disconnect)
            connection.close(.goingAway, reason: "server is stopping")
        }
        // Give the sessions a moment to flush their close frames, then drop the ones that do not read.
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(2))
        while state.connections.count > 0 && clock.now < deadline {
            try? await clock.sleep(for: .milliseconds(5))
        }
        for connection in state.connections.all {
            connection.abort(reason: "server is stopping")
        }
        await serviceGroup.triggerGracefulShutdown()
        // Graceful shutdown waits for every child channel; do not let one stuck peer hold the caller forever.
        let finished = NIOLockedValueBox(false)
        let runTask = self.runTask
        let watchdog = Task {
            try await Task.sleep(for: .seconds(3))
            if !finished.withLockedValue({ $0 }) {
                state.logger.notice("graceful shutdown is taking long; cancelling the remaining connections")
                runTask.cancel()
            }
        }
        await runTask.value
        finished.withLockedValue { $0 = true }
        watchdog.cancel()
    }

    /// Decides whether an upgrade request becomes a Socket.IO session.
    private static func shouldUpgrade(_ request: HTTPRequest, state: ServerState) throws
        -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>
    {
        guard case .success(let handshake) = HandshakeRequest.parse(target: request.path ?? "") else {
            // Hummingbird answers a refused upgrade with a bare 400.
            state.counters.refusedConnection()
            return .dontUpgrade
        }
        guard state.connections.hasRoom else {
            // Refused before the upgrade: a close frame sent right after the 101 proved unreliable to deliver.
            state.counters.refusedConnection()
            return .dontUpgrade
        }
        return .upgrade([:]) { inbound, outbound, _ in
            let connection = ClientConnection(
                id: state.connections.makeID(), user: handshake.user, socketID: OutboundPackets.makeSessionID(),
                maxQueuedBytes: state.configuration.maxQueuedBytesPerClient)
            guard state.connections.insert(connection) else {
                // Only reached when several upgrades raced past the check above.
                state.counters.refusedConnection()
                try await outbound.close(WebSocketErrorCode(codeNumber: 1013), reason: "server is at its connection limit")
                // Read until the client's close answer so the closing handshake completes.
                for try await _ in inbound {}
                return
            }
            await ClientSession(connection: connection, server: state).run(inbound: inbound, outbound: outbound)
        }
    }

    /// The plain HTTP side: pages, and a readable 400 for Socket.IO requests that are not WebSocket upgrades.
    private static func makeRouter(assets: StaticAssets) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("socket.io") { request, _ -> Response in
            let rejection: HandshakeRequest.Rejection
            switch HandshakeRequest.parse(target: request.uri.description) {
            case .failure(let reason):
                rejection = reason
            case .success:
                rejection = .init(code: 3, message: "Bad request: connect with a WebSocket upgrade (transport=websocket)")
            }
            let body: JSONValue = ["code": .number(Double(rejection.code)), "message": .string(rejection.message)]
            return Response(
                status: .badRequest, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body.jsonText)))
        }
        let page: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            guard let asset = assets.asset(forPath: request.uri.path), let contents = try? Data(contentsOf: asset.url)
            else {
                throw HTTPError(.notFound)
            }
            return Response(
                status: .ok, headers: [.contentType: asset.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: contents)))
        }
        router.get("/", use: page)
        router.get("{name}", use: page)
        return router
    }

    private static func describe(_ error: any Error, configuration: SignalingServerConfiguration) -> SignalingServerError {
        if let io = error as? IOError, io.errnoCode == EADDRINUSE {
            return .portInUse(host: configuration.host, port: configuration.port)
        }
        if "\(error)".contains("Address already in use") {
            return .portInUse(host: configuration.host, port: configuration.port)
        }
        return .cannotListen(host: configuration.host, port: configuration.port, reason: "\(error)")
    }
}
