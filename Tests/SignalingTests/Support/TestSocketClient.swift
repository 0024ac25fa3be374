import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Testing

@testable import Signaling

/// A bare WebSocket client speaking Engine.IO / Socket.IO by hand, so tests
/// can send exactly the frames they mean (including broken ones).
actor TestSocketClient {
    enum Incoming: Sendable {
        case text(String)
        case closed(code: WebSocketErrorCode?, reason: String?)
        case failed(String)
    }

    private enum Command: Sendable {
        case text(String)
        case binary([UInt8])
        case close
    }

    struct Timeout: Error, CustomStringConvertible {
        var waitingFor: String
        var description: String { "timed out waiting for \(waitingFor)" }
    }

    struct Unexpected: Error, CustomStringConvertible {
        var description: String
    }

    private var inbox: [Incoming] = []
    private var isClosed = false
    private let commands: AsyncStream<Command>.Continuation
    private var task: Task<Void, Never>?
    /// Answer Engine.IO pings automatically (off for clients that must time out).
    private let answersPings: Bool
    private(set) var pingsSeen = 0

    private init(answersPings: Bool, commands: AsyncStream<Command>.Continuation) {
        self.answersPings = answersPings
        self.commands = commands
    }

    /// Opens the WebSocket; the Engine.IO open packet is the first thing in the inbox.
    static func open(port: Int, query: String, answersPings: Bool = true) async -> TestSocketClient {
        let (commandStream, commands) = AsyncStream.makeStream(of: Command.self)
        let client = TestSocketClient(answersPings: answersPings, commands: commands)
        await client.start(url: "ws://127.0.0.1:\(port)/socket.io/?\(query)", commandStream: commandStream)
        return client
    }

    static func query(userId: String, roomId: String, nickname: String? = nil) -> String {
        var query = "EIO=4&transport=websocket&userId=\(userId)&roomId=\(roomId)"
        if let nickname { query += "&nickname=\(nickname)" }
        return query
    }

    /// Opens a socket, does the Engine.IO and Socket.IO handshakes and reads its own `join`.
    static func joined(
        port: Int, userId: String, roomId: String, nickname: String? = nil
    ) async throws -> TestSocketClient {
        let client = await open(port: port, query: query(userId: userId, roomId: roomId, nickname: nickname))
        let open = try await client.nextText()
        guard open.hasPrefix("0"), case .open(let json) = try EngineIOPacket(parsing: open),
            EngineIOHandshake(json) != nil
        else { throw Unexpected(description: "expected an Engine.IO open packet, got \(open)") }
        await client.send("40")
        let connected = try await client.nextText()
        guard connected.hasPrefix("40{\"sid\":") else {
            throw Unexpected(description: "expected 40{sid}, got \(connected)")
        }
        let join = try await client.nextEnvelope()
        guard join.type == "join", join.data["userId"]?.stringValue == userId else {
            throw Unexpected(description: "expected own join, got \(join)")
        }
        return client
    }

    private func start(url: String, commandStream: AsyncStream<Command>) {
        let logger = Logger(label: "test-client")
        task = Task {
            do {
                let closeFrame = try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 20), logger: logger
                ) { inbound, outbound, _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await command in commandStream {
                                switch command {
                                case .text(let text): try await outbound.write(.text(text))
                                case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                                case .close:
                                    try await outbound.close(.normalClosure, reason: nil)
                                    return
                                }
                            }
                        }
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            if case .text(let text) = message { await self.received(text) }
                        }
                        group.cancelAll()
                    }
                }
                self.deliver(.closed(code: closeFrame?.closeCode, reason: closeFrame?.reason))
            } catch {
                self.deliver(.failed("\(error)"))
            }
        }
    }

    private func received(_ text: String) {
        if text == "2" {
            pingsSeen += 1
            if answersPings { commands.yield(.text("3")) }
            return
        }
        deliver(.text(text))
    }

    private func deliver(_ incoming: Incoming) {
        inbox.append(incoming)
        if case .text = incoming {} else { isClosed = true }
    }

    func send(_ text: String) {
        commands.yield(.text(text))
    }

    func sendBinary(_ bytes: [UInt8]) {
        commands.yield(.binary(bytes))
    }

    /// Sends `42["event",payload]`.
    func emit(_ event: String, _ payload: JSONValue) {
        send(OutboundPackets.event(event, payload))
    }

    func close() async {
        commands.yield(.close)
        commands.finish()
        await task?.value
    }

    /// The next item, whatever it is.
    func next(timeout: Duration = .seconds(15), waitingFor: String = "a frame") async throws -> Incoming {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while inbox.isEmpty {
            guard clock.now < deadline else { throw Timeout(waitingFor: waitingFor) }
            try await Task.sleep(for: .milliseconds(2))
        }
        return inbox.removeFirst()
    }

    func nextText(timeout: Duration = .seconds(15)) async throws -> String {
        let incoming = try await next(timeout: timeout, waitingFor: "a text frame")
        guard case .text(let text) = incoming else { throw Unexpected(description: "expected text, got \(incoming)") }
        return text
    }

    /// The next Socket.IO event (`42[...]`).
    func nextEvent(timeout: Duration = .seconds(15)) async throws -> (name: String, payload: JSONValue) {
        let text = try await nextText(timeout: timeout)
        guard case .message(let body) = try EngineIOPacket(parsing: text),
            let event = try SocketIOPacket(parsing: body).event
        else { throw Unexpected(description: "expected a Socket.IO event, got \(text)") }
        return event
    }

    /// The next `msg` envelope.
    func nextEnvelope(timeout: Duration = .seconds(15)) async throws -> Envelope {
        let event = try await nextEvent(timeout: timeout)
        guard event.name == "msg", let envelope = Envelope(event.payload) else {
            throw Unexpected(description: "expected a msg envelope, got \(event)")
        }
        return envelope
    }

    /// Waits for the server to close the WebSocket, skipping text frames; returns the close code and reason.
    func closeFrame(timeout: Duration = .seconds(15)) async throws -> (code: WebSocketErrorCode?, reason: String?) {
        while true {
            switch try await next(timeout: timeout, waitingFor: "the close") {
            case .text: continue
            case .closed(let code, let reason): return (code, reason)
            case .failed(let error): throw Unexpected(description: "connection failed: \(error)")
            }
        }
    }

    /// Fails if anything arrives within `window` (pings excepted).
    func expectSilence(for window: Duration = .milliseconds(150)) async throws {
        try await Task.sleep(for: window)
        if let first = inbox.first { throw Unexpected(description: "expected nothing, got \(first)") }
    }

    var closed: Bool { isClosed }
}
