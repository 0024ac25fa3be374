import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket

/// A Socket.IO client for the signaling wire (Engine.IO v4 over WebSocket).
///
/// `start()` makes the first connection and throws if the server cannot be
/// reached, so the caller decides what a missing server means. After that the
/// client keeps the connection: when it drops, it reconnects with backoff,
/// rejoins the room (the identity travels in the handshake query) and reports
/// each step as a `SignalingEvent`. Events sent while disconnected wait in a
/// bounded queue and go out after the reconnect.
public actor SignalingClient {
    public nonisolated let events: AsyncStream<SignalingEvent>
    public nonisolated let endpoint: SignalingEndpoint

    private let eventSink: AsyncStream<SignalingEvent>.Continuation
    private let backoff: ReconnectBackoff
    private let logger: Logger
    /// Frames waiting for a connection; bounded so a long outage cannot grow memory.
    private var pending: [String] = []
    static let maxPending = 256
    private var outbound: AsyncStream<String>.Continuation?
    private var hasConnectedBefore = false
    private var firstOutcome: CheckedContinuation<Void, any Error>?
    private var runTask: Task<Void, Never>?
    private var stopReason: String?
    private var lastHeard = ContinuousClock.now

    public enum ConnectError: Error, CustomStringConvertible {
        case unreachable(SignalingEndpoint, underlying: String)

        public var description: String {
            switch self {
            case .unreachable(let endpoint, let underlying):
                return "cannot reach the signaling server at \(endpoint.hostPort) (\(underlying))"
            }
        }
    }

    public init(endpoint: SignalingEndpoint, backoff: ReconnectBackoff = .init(), logger: Logger) {
        self.endpoint = endpoint
        self.backoff = backoff
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(of: SignalingEvent.self, bufferingPolicy: .unbounded)
    }

    /// Connects and joins the room; returns once joined. Throws `ConnectError` if the first
    /// attempt fails. Later drops are retried in the background.
    public func start() async throws {
        precondition(runTask == nil, "SignalingClient.start() called twice")
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            firstOutcome = continuation
            runTask = Task { await self.runLoop() }
        }
    }

    /// Leaves the room and stops reconnecting.
    public func stop() async {
        stopReason = stopReason ?? "stopped"
        let task = runTask
        if let outbound {
            // The writer sends what is queued, then a close frame; that ends the session.
            outbound.finish()
        } else {
            task?.cancel()
        }
        let deadline = Task {
            try? await Task.sleep(for: .seconds(2))
            task?.cancel()
        }
        await task?.value
        deadline.cancel()
    }

    /// Sends `42["event",payload]`; queued while disconnected.
    public func emit(_ event: String, _ payload: JSONValue) {
        let frame = EngineIOPacket.message(SocketIOPacket.event(event, payload).encoded).encoded
        if let outbound {
            outbound.yield(frame)
        } else {
            if pending.count >= Self.maxPending {
                logger.warning("signaling queue full while disconnected; dropping the oldest event")
                pending.removeFirst()
            }
            pending.append(frame)
        }
    }

    /// Sends a peer-to-peer event to `target`, with our own `userId` and `targetUid` added.
    public func relay(_ kind: RelayKind, to target: String, fields: [String: JSONValue] = [:]) {
        var payload = fields
        payload["userId"] = .string(endpoint.userId)
        payload["targetUid"] = .string(target)
        emit(kind.rawValue, .object(payload))
    }

    public func requestRoomUsers() {
        emit("roomUserList", ["roomId": .string(endpoint.roomId)])
    }

    // MARK: - Connection loop

    private func runLoop() async {
        var attempt = 0
        while stopReason == nil && !Task.isCancelled {
            var reason = "the server closed the connection"
            do {
                try await connectOnce()
            } catch is CancellationError {
                reason = "stopped"
            } catch {
                reason = Self.describe(error)
            }
            outbound = nil
            if let firstOutcome {
                // The very first attempt failed: report it to start() and end here.
                self.firstOutcome = nil
                firstOutcome.resume(throwing: ConnectError.unreachable(endpoint, underlying: reason))
                eventSink.finish()
                return
            }
            if stopReason != nil || Task.isCancelled { break }
            eventSink.yield(.connectionLost(reason: reason))
            attempt = hasConnectedBefore && attempt == 0 ? 1 : attempt + 1
            let delay = backoff.delay(attempt: attempt, unit: Double.random(in: 0..<1))
            eventSink.yield(.reconnecting(attempt: attempt, delay: delay))
            logger.info("signaling lost (\(reason)); reconnect attempt \(attempt) in \(delay)")
            do { try await Task.sleep(for: delay) } catch { break }
        }
        eventSink.yield(.stopped(reason: stopReason ?? "stopped"))
        eventSink.finish()
    }

    private func connectOnce() async throws {
        var configuration = WebSocketClientConfiguration()
        configuration.maxFrameSize = 1 << 20
        try await WebSocketClient.connect(url: endpoint.webSocketURL, configuration: configuration, logger: logger) {
            inbound, outbound, _ in
            try await self.runSession(inbound: inbound, outbound: outbound)
        }
    }

    private nonisolated func runSession(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (frames, frameSink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        await sessionStarted()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames { try await outbound.write(.text(frame)) }
                try await outbound.close(.normalClosure, reason: "leaving")
            }
            group.addTask {
                var reader = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                while let message = try await reader.next() {
                    guard case .text(let text) = message else {
                        throw SessionEnd.protocolError("binary frame from server")
                    }
                    if try await self.handle(frame: text, sink: frameSink) == .close { break }
                }
                frameSink.finish()
            }
            group.addTask { try await self.watchLiveness() }
            // Whichever ends first (the server closed, a protocol error, silence, stop) ends the session.
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    enum SessionEnd: Error, CustomStringConvertible {
        case protocolError(String)
        case silent(Duration)
        case kicked(String)

        var description: String {
            switch self {
            case .protocolError(let what): return "protocol error: \(what)"
            case .silent(let d): return "no ping from the server for \(d)"
            case .kicked(let why): return why
            }
        }
    }

    private enum FrameOutcome { case keepGoing, close }

    private var pingDeadline: Duration = .seconds(45)

    /// The frame sink becomes `outbound` only when Socket.IO says connected (`40`):
    /// until then only Engine.IO replies go out on it.
    private func sessionStarted() {
        lastHeard = .now
    }

    private func handle(frame: String, sink: AsyncStream<String>.Continuation) throws -> FrameOutcome {
        lastHeard = .now
        let packet: EngineIOPacket
        do { packet = try EngineIOPacket(parsing: frame) } catch { throw SessionEnd.protocolError(error.description) }
        switch packet {
        case .open(let json):
            guard let handshake = EngineIOHandshake(json) else { throw SessionEnd.protocolError("bad Engine.IO handshake") }
            // Engine.IO v4: the server pings every pingInterval and waits pingTimeout for the pong;
            // if we hear nothing for both, the connection is dead.
            pingDeadline = .milliseconds(handshake.pingInterval + handshake.pingTimeout)
            sink.yield(EngineIOPacket.message(SocketIOPacket(kind: .connect).encoded).encoded)
        case .ping(let data):
            sink.yield(EngineIOPacket.pong(data).encoded)
        case .close:
            return .close
        case .message(let text):
            let packet: SocketIOPacket
            do { packet = try SocketIOPacket(parsing: text) } catch {
                logger.warning("dropping a malformed Socket.IO packet from the server: \(error)")
                return .keepGoing
            }
            switch packet.kind {
            case .connect:
                joined(sink)
            case .connectError:
                let reason = packet.data?["message"]?.stringValue ?? "connection refused"
                stopReason = reason
                throw SessionEnd.kicked(reason)
            case .disconnect:
                return .close
            case .event:
                if let (name, payload) = packet.event { deliver(name: name, payload: payload) }
            case .ack, .binaryEvent, .binaryAck:
                break
            }
        case .pong, .noop, .upgrade:
            break
        }
        return .keepGoing
    }

    private func joined(_ sink: AsyncStream<String>.Continuation) {
        outbound = sink
        let isReconnect = hasConnectedBefore
        hasConnectedBefore = true
        logger.info("signaling connected to \(endpoint.hostPort) as \(endpoint.userId) in room \(endpoint.roomId)")
        if let firstOutcome {
            self.firstOutcome = nil
            firstOutcome.resume()
        }
        eventSink.yield(.connected(isReconnect: isReconnect))
        requestRoomUsers()
        for frame in pending { sink.yield(frame) }
        pending.removeAll()
    }

    private func deliver(name: String, payload: JSONValue) {
        guard let event = SignalingEvent(socketIOEvent: name, payload: payload) else {
            logger.debug("ignoring unknown server event \(name)")
            return
        }
        switch event {
        case .userJoined, .userLeft:
            // The seed's page re-reads the list on every join/leave; so do we (it carries nicknames).
            requestRoomUsers()
        case .serverError(let status, let message, let data) where status == 409 || data["event"]?.stringValue == "connect":
            // Another login of the same user took our place, or the server refused our
            // connection (room full): reconnecting would not help, so stop and say why.
            stopReason = message
        default:
            break
        }
        eventSink.yield(event)
    }

    private func watchLiveness() async throws {
        while true {
            try await Task.sleep(for: .seconds(1))
            let silence = ContinuousClock.now - lastHeard
            if silence > pingDeadline { throw SessionEnd.silent(silence) }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let end = error as? SessionEnd { return end.description }
        if let io = error as? IOError { return io.description }
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }
}
