import Foundation
import Logging
import Signaling
import TestSupport
import Testing

/// Our `SignalingClient` against a seed-style server written with python-socketio
/// (Tests/interop/seed_server.py): an independent Socket.IO implementation that
/// knows only the seed's events. Needs the project venv (`.venv`, made by the
/// test command); without it these tests fail with a message saying so.
@Suite(.serialized) struct SeedServerClientTests {
    @Test func twoClientsJoinListAndExchangeTheSeedEvents() async throws {
        try await SeedServerProcess.with { server in try await exchangeTheSeedEvents(port: server.port) }
    }

    func exchangeTheSeedEvents(port: Int) async throws {
        let a = try await ConnectedClient(port: port, user: "1001", room: "10012")
        let b = try await ConnectedClient(port: port, user: "1002", room: "10012")

        // A sees B join and the list with both of us.
        try await a.expect { if case .userJoined("1002", _) = $0 { true } else { false } }
        try await a.expect { if case .roomUsers(let users) = $0 { Set(users.map(\.userId)) == ["1001", "1002"] } else { false } }

        await a.client.relay(.call, to: "1002")
        try await b.expect { $0 == .relayed(.call, from: "1001", data: ["userId": "1001", "targetUid": "1002"]) }

        let offer = SessionDescription(type: .offer, sdp: "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n")
        await a.client.relay(.offer, to: "1002", fields: ["offer": offer.json])
        try await b.expect {
            if case .relayed(.offer, "1001", let data) = $0 { data["offer"].flatMap(SessionDescription.init) == offer } else { false }
        }

        let answer = SessionDescription(type: .answer, sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n")
        await b.client.relay(.answer, to: "1001", fields: ["answer": answer.json])
        try await a.expect {
            if case .relayed(.answer, "1002", let data) = $0 { data["answer"].flatMap(SessionDescription.init) == answer } else { false }
        }

        // Our extensions are not forwarded by a seed server: the candidate after an
        // `accept` must be the next relayed thing B sees.
        await a.client.relay(.accept, to: "1002")
        let candidate = IceCandidateInit(candidate: "candidate:842163049 1 udp 1677729535 192.0.2.3 50000 typ srflx raddr 0.0.0.0 rport 0",
                                         sdpMid: "0", sdpMLineIndex: 0, usernameFragment: "abcd")
        await a.client.relay(.candidate, to: "1002", fields: ["candidate": candidate.json])
        try await b.expect(skipping: { if case .relayed = $0 { false } else { true } }) {
            if case .relayed(.candidate, "1001", let data) = $0 { data["candidate"].flatMap(IceCandidateInit.init) == candidate } else { false }
        }

        await b.client.stop()
        try await a.expect { if case .userLeft("1002", _) = $0 { true } else { false } }
        await a.client.stop()
    }

    @Test func aServerThatGoesAwayIsReconnectedToAndTheRoomRejoined() async throws {
        let first = try await SeedServerProcess.start()
        let a = try await ConnectedClient(port: first.port, user: "1001", room: "r", backoff: ReconnectBackoff(initial: .milliseconds(100), maximum: .milliseconds(300)))
        await first.stop()
        try await a.expect { if case .connectionLost = $0 { true } else { false } }
        try await a.expect { if case .reconnecting(let attempt, _) = $0 { attempt >= 1 } else { false } }
        // Same port again: the client comes back by itself and rejoins.
        try await SeedServerProcess.with(port: first.port) { _ in
            try await a.expect(within: .seconds(10)) { $0 == .connected(isReconnect: true) }
            try await a.expect { if case .roomUsers(let users) = $0 { users.map(\.userId) == ["1001"] } else { false } }
            await a.client.stop()
        }
    }

    @Test func anUnreachableServerFailsTheFirstStartWithAClearError() async throws {
        let port = try SeedServerProcess.unusedPort()
        let endpoint = try SignalingEndpoint(server: "http://127.0.0.1:\(port)", userId: "1", roomId: "r", nickname: "n")
        let client = SignalingClient(endpoint: endpoint, logger: Logger(label: "test"))
        await #expect {
            try await client.start()
        } throws: { error in
            String(describing: error).contains("cannot reach the signaling server at 127.0.0.1:\(port)")
        }
    }
}

/// A started client and its event stream, with a way to wait for a matching event.
struct ConnectedClient {
    let client: SignalingClient
    private let iterator: EventIterator

    final class EventIterator: @unchecked Sendable {
        // Only touched by the one test that owns it, one await at a time.
        var base: AsyncStream<SignalingEvent>.Iterator
        init(_ stream: AsyncStream<SignalingEvent>) { base = stream.makeAsyncIterator() }
    }

    init(port: Int, user: String, room: String, backoff: ReconnectBackoff = .init()) async throws {
        let endpoint = try SignalingEndpoint(server: "http://127.0.0.1:\(port)", userId: user, roomId: room, nickname: "nick-\(user)")
        client = SignalingClient(endpoint: endpoint, backoff: backoff, logger: Logger(label: "test.\(user)"))
        iterator = EventIterator(client.events)
        try await client.start()
    }

    /// Waits for the first event that matches, failing if `skipping` rejects one on the way or time runs out.
    func expect(
        within timeout: Duration = .seconds(5),
        skipping: @escaping @Sendable (SignalingEvent) -> Bool = { _ in true },
        sourceLocation: SourceLocation = #_sourceLocation,
        _ matches: @escaping @Sendable (SignalingEvent) -> Bool
    ) async throws {
        let iterator = self.iterator
        let found: SignalingEvent? = try await withThrowingTaskGroup(of: SignalingEvent?.self) { group in
            group.addTask {
                while let event = await iterator.base.next() {
                    if matches(event) { return event }
                    if !skipping(event) {
                        Issue.record("unexpected event \(event)", sourceLocation: sourceLocation)
                        return nil
                    }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(found != nil, "no matching event within \(timeout)", sourceLocation: sourceLocation)
    }
}

/// Tests/interop/seed_server.py run with the project venv's python.
///
/// Starting and stopping block (reading the port line, reaping the process),
/// so they run on their own thread: blocking one of the few cooperative
/// threads would stall every other test running in parallel.
final class SeedServerProcess: Sendable {
    let port: Int
    private let pid: pid_t

    static var repoRoot: URL {
        ChildProcess.repositoryRoot(fromTestFile: #filePath)
    }

    /// Runs `body` with a started server and stops the server afterwards, whatever happens.
    static func with<T: Sendable>(port: Int = 0, _ body: (SeedServerProcess) async throws -> T) async throws -> T {
        let server = try await start(port: port)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    static func start(port requested: Int = 0) async throws -> SeedServerProcess {
        try await ChildProcess.offThePool { try SeedServerProcess(port: requested) }
    }

    private init(port requested: Int) throws {
        let python = Self.repoRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw SetupError("missing \(python.path): run the README's test command (it makes the venv with python-socketio)")
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [Self.repoRoot.appendingPathComponent("Tests/interop/seed_server.py").path, "--port", String(requested)]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        pid = process.processIdentifier
        // The server prints `listening on PORT` once bound.
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), let b = byte.first, b != 10 { line.append(b) }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let port = Int(text.dropFirst("listening on ".count)) else {
            kill(pid, SIGKILL)
            throw SetupError("seed_server.py did not start: '\(text)'")
        }
        self.port = port
    }

    func stop() async {
        await ChildProcess.stop(pid)
    }

    /// A loopback port nothing listens on (bound, read back, released).
    static func unusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw SetupError("cannot bind a loopback port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
