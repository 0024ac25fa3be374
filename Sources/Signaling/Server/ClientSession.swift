import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// Runs one client's WebSocket from the Engine.IO open to the close: a reader
/// (Engine.IO and Socket.IO packets in), a writer (the connection's queue
/// out), a pinger (Engine.IO heartbeats) and a watch for forced aborts.
///
/// Whatever a client sends, the worst outcome is that this one client is
/// closed with a reason; the other clients never see it.
struct ClientSession: Sendable {
    let connection: ClientConnection
    let server: ServerState

    private var logger: Logger { server.logger }

    /// What ends a session's child task.
    private enum TaskEnd { case reader, writer, pinger, aborted }

    /// Why the reader stops: the client left, or broke the protocol.
    private enum ReaderOutcome {
        case keepReading
        case clientLeft
        case violation(WebSocketErrorCode, String)
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let configuration = server.configuration
        let handshake = EngineIOHandshake(
            sid: OutboundPackets.makeSessionID(),
            pingInterval: Int(configuration.pingInterval.milliseconds),
            pingTimeout: Int(configuration.pingTimeout.milliseconds),
            maxPayload: configuration.maxFrameBytes)
        connection.send(EngineIOPacket.open(handshake.json).encoded)

        await withTaskGroup(of: TaskEnd.self) { group in
            group.addTask {
                await writeFrames(to: outbound)
                return .writer
            }
            group.addTask {
                await readFrames(from: inbound)
                return .reader
            }
            group.addTask {
                await sendPings()
                return .pinger
            }
            group.addTask {
                for await reason in connection.aborts {
                    logger.debug("dropping client", metadata: ["connection": "\(connection.id)", "reason": "\(reason)"])
                    break
                }
                return .aborted
            }
            // The reader and pinger end by closing the connection, which lets the
            // writer flush and send the close frame; so wait for the writer.
            while let end = await group.next() {
                if end == .writer || end == .aborted { break }
            }
            group.cancelAll()
        }
        await finish()
    }

    /// Unregisters the user and tells the room, unless a newer connection of the same user took over.
    private func finish() async {
        server.connections.remove(connection.id)
        guard connection.hasJoined else { return }
        let user = connection.user
        if await server.registry.leave(userId: user.userId, roomId: user.roomId, connection: connection.id) {
            let envelope = Envelope(
                type: "leave", msg: "\(user.userId) leave then room", status: 200,
                data: ["userId": .string(user.userId), "nickname": .string(user.nickname)])
            await server.router.broadcast(OutboundPackets.envelope(envelope), toRoom: user.roomId)
        }
    }

    private func writeFrames(to outbound: WebSocketOutboundWriter) async {
        for await frame in connection.frames {
            switch frame {
            case .text(let text):
                do {
                    try await outbound.write(.text(text))
                } catch {
                    connection.abort(reason: "write failed: \(error)")
                    return
                }
                connection.didWrite(text)
            case .close(let code, let reason):
                try? await outbound.close(code, reason: reason)
                return
            }
        }
    }

    private func readFrames(from inbound: WebSocketInboundStream) async {
        let hardLimit = server.configuration.hardFrameLimit
        do {
            for try await message in inbound.messages(maxSize: hardLimit) {
                let outcome: ReaderOutcome
                switch message {
                case .text(let text):
                    outcome = await receive(text)
                case .binary:
                    outcome = .violation(.unacceptableData, "binary frames are not part of this protocol")
                }
                switch outcome {
                case .keepReading:
                    continue
                case .clientLeft:
                    connection.close(.normalClosure, reason: "goodbye")
                    return
                case .violation(let code, let reason):
                    server.counters.protocolViolation()
                    logger.debug(
                        "closing client after a protocol violation",
                        metadata: ["connection": "\(connection.id)", "reason": "\(reason)"])
                    connection.close(code, reason: reason)
                    return
                }
            }
            connection.close(.normalClosure, reason: "goodbye")
        } catch {
            server.counters.protocolViolation()
            connection.close(.messageTooLarge, reason: "frame larger than \(hardLimit) bytes or broken WebSocket framing")
        }
    }

    private func receive(_ text: String) async -> ReaderOutcome {
        let size = text.utf8.count
        if size > server.configuration.maxFrameBytes {
            // An event a bit too large is a mistake worth an answer; the event name is in the first bytes.
            if connection.hasJoined, let name = Self.eventName(inOversizedFrame: text) {
                let rejection = RelayRejection(
                    status: 413,
                    sentence: "The '\(name)' frame has \(size) bytes; the limit is \(server.configuration.maxFrameBytes).",
                    event: name)
                connection.send(OutboundPackets.envelope(rejection.envelope))
                return .keepReading
            }
            return .violation(.messageTooLarge, "frame of \(size) bytes exceeds the \(server.configuration.maxFrameBytes)-byte limit")
        }
        let packet: EngineIOPacket
        do {
            packet = try EngineIOPacket(parsing: text)
        } catch {
            return .violation(.policyViolation, error.description)
        }
        switch packet {
        case .pong:
            connection.pongReceived()
            return .keepReading
        case .ping(let data):
            connection.send(EngineIOPacket.pong(data).encoded)
            return .keepReading
        case .close:
            return .clientLeft
        case .upgrade, .noop:
            return .keepReading
        case .open:
            return .violation(.policyViolation, "clients do not send Engine.IO open packets")
        case .message(let body):
            return await receiveSocketIO(body)
        }
    }

    private func receiveSocketIO(_ body: String) async -> ReaderOutcome {
        let packet: SocketIOPacket
        do {
            packet = try SocketIOPacket(parsing: body)
        } catch {
            return .violation(.policyViolation, error.description)
        }
        guard packet.namespace == "/" else {
            // Only the main namespace exists; the seed's clients never use another.
            if packet.kind == .connect {
                connection.send(OutboundPackets.connectError(namespace: packet.namespace, message: "Invalid namespace"))
            }
            return .keepReading
        }
        switch packet.kind {
        case .connect:
            if !connection.hasJoined { await join() }
            return .keepReading
        case .disconnect:
            return .clientLeft
        case .event:
            guard connection.hasJoined else {
                return .violation(.policyViolation, "Socket.IO event before the Socket.IO connect")
            }
            // The parser guarantees an event has a name.
            guard let event = packet.event else { return .keepReading }
            await server.router.handle(event: event.name, payload: event.payload, from: connection)
            return .keepReading
        case .ack, .connectError, .binaryEvent, .binaryAck:
            // Acks are never requested by this server; the rest only flows server to client.
            return .keepReading
        }
    }

    /// The Socket.IO connect: answer it, register the user, tell the room.
    private func join() async {
        let user = connection.user
        // The connect answer goes first so that no relayed event can overtake it.
        connection.send(OutboundPackets.connectAccepted(socketID: connection.socketID))
        let outcome = await server.registry.join(user, connection: connection.id)
        switch outcome {
        case .joined(let replaced):
            connection.hasJoined = true
            if let replaced, let old = server.connections[replaced] {
                old.wasReplaced = true
                let rejection = RelayRejection(
                    status: 409, sentence: "replaced by a new connection for user \(user.userId)", event: "connect")
                old.send(OutboundPackets.envelope(rejection.envelope))
                old.send(OutboundPackets.disconnect)
                old.close(.normalClosure, reason: "replaced by a new connection")
            }
            let envelope = Envelope(
                type: "join", msg: "\(user.userId) join then room", status: 200,
                data: ["userId": .string(user.userId), "nickname": .string(user.nickname)])
            await server.router.broadcast(OutboundPackets.envelope(envelope), toRoom: user.roomId)
        case .roomFull(let limit):
            refuse(status: 503, "Room \(user.roomId) is full (\(limit) users).")
        case .tooManyRooms(let limit):
            refuse(status: 503, "The server has reached its limit of \(limit) rooms.")
        }
    }

    private func refuse(status: Int, _ sentence: String) {
        let rejection = RelayRejection(status: status, sentence: sentence, event: "connect")
        connection.send(OutboundPackets.envelope(rejection.envelope))
        connection.send(OutboundPackets.disconnect)
        connection.close(.normalClosure, reason: sentence)
    }

    /// Engine.IO heartbeat: a ping every interval, and a client that does not
    /// answer within the timeout (or never sends its Socket.IO connect) is dropped.
    private func sendPings() async {
        let clock = ContinuousClock()
        let interval = server.configuration.pingInterval
        let timeout = server.configuration.pingTimeout
        var nextPing = clock.now.advanced(by: interval)
        let connectDeadline = clock.now.advanced(by: timeout)
        do {
            while !connection.isClosing {
                // The connect deadline is its own timer: a connect that is merely slower than
                // one ping interval is not late.
                if !connection.hasJoined && connectDeadline <= nextPing {
                    try await clock.sleep(until: connectDeadline)
                    guard connection.hasJoined || connection.isClosing else {
                        connection.close(.policyViolation, reason: "no Socket.IO connect within the ping timeout")
                        return
                    }
                }
                try await clock.sleep(until: nextPing)
                guard !connection.isClosing else { return }
                _ = connection.pingSent()
                connection.send(OutboundPackets.ping)
                let pongDeadline = nextPing.advanced(by: timeout)
                try await clock.sleep(until: pongDeadline)
                if connection.isAwaitingPong {
                    server.counters.pingTimeout()
                    connection.close(.goingAway, reason: "ping timeout")
                    return
                }
                nextPing = max(nextPing.advanced(by: interval), pongDeadline)
            }
        } catch {
            // Cancelled: the session is ending.
        }
    }

    /// `42["name",...` → `name`, read from the start of a frame too large to parse whole.
    static func eventName(inOversizedFrame text: String) -> String? {
        guard text.hasPrefix("42[\"") else { return nil }
        let rest = text.utf8.dropFirst(4).prefix(65)
        guard let quote = rest.firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        let name = String(decoding: rest[..<quote], as: UTF8.self)
        return name.isEmpty || name.contains("\\") ? nil : name
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
