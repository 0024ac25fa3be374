import Foundation
import ICE
import Synchronization
import NIOCore
import NIOPosix
import PeerConnection
import TestSupport
import Testing

/// Our TURN client against coturn (Debian's `coturn`), started on loopback by
/// the test: allocation with the long-term credential challenge, permission,
/// Send/Data indications, channel binding and ChannelData both ways.
@Suite(.serialized) struct TURNInteropTests {
    @Test func allocatesAndRelaysBothWaysThroughCoturn() async throws {
        let coturn = try Coturn()
        do { try await relayBothWays(through: coturn) } catch {
            await coturn.stop()
            throw error
        }
        await coturn.stop()
    }

    func relayBothWays(through coturn: Coturn) async throws {
        let client = try await UDPSocket()
        let peer = try await UDPSocket()
        var turn = TURNClient(server: coturn.address, username: "u", password: "p", seed: 42)
        let clock = ContinuousClock(), origin = clock.now
        var now: Duration { clock.now - origin }

        turn.allocate(now: now)
        var events: [TURNClient.Event] = []
        func pump(until done: (TURNClient.Event) -> Bool) async throws -> Bool {
            let deadline = now + .seconds(8)
            while now < deadline {
                while let datagram = turn.pollTransmit() { try await client.send(datagram, to: coturn.address) }
                if let (bytes, _) = try await client.receive(within: .milliseconds(50)) { turn.handle(datagram: bytes, now: now) }
                turn.handleTimeout(now: now)
                while let event = turn.pollEvent() {
                    events.append(event)
                    if done(event) { return true }
                }
            }
            return false
        }

        #expect(try await pump { if case .stateChanged(.allocated) = $0 { true } else { false } }, "events: \(events)")
        guard case .allocated(let relayed, let mapped) = turn.state else { return }
        #expect(relayed.address == [127, 0, 0, 1])
        #expect(mapped == client.address)

        // Permission, then a Send indication out and a Data indication back.
        turn.createPermission(for: peer.address, now: now)
        #expect(try await pump { $0 == .permissionCreated(peer.address) })
        turn.send(Array("through a send indication".utf8), to: peer.address)
        while let datagram = turn.pollTransmit() { try await client.send(datagram, to: coturn.address) }
        let atPeer = try #require(try await peer.receive(within: .seconds(3)))
        #expect(atPeer.0 == Array("through a send indication".utf8))
        #expect(atPeer.1 == relayed)
        try await peer.send(Array("back as a data indication".utf8), to: relayed)
        #expect(try await pump { $0 == .data(from: peer.address, Array("back as a data indication".utf8)) })

        // A channel: 4-byte headers both ways.
        turn.bindChannel(to: peer.address, now: now)
        #expect(try await pump { if case .channelBound(peer.address, _) = $0 { true } else { false } })
        turn.send(Array("over a channel".utf8), to: peer.address)
        let channelDatagram = turn.pollTransmit() ?? []
        #expect((0x40...0x4F).contains(channelDatagram[0]))
        try await client.send(channelDatagram, to: coturn.address)
        #expect(try await peer.receive(within: .seconds(3))?.0 == Array("over a channel".utf8))
        try await peer.send(Array("channel data back".utf8), to: relayed)
        #expect(try await pump { $0 == .data(from: peer.address, Array("channel data back".utf8)) })
        #expect(turn.counters.badIntegrity == 0)

        turn.release(now: now)
        while let datagram = turn.pollTransmit() { try await client.send(datagram, to: coturn.address) }
        await client.close()
        await peer.close()
    }

    /// coturn is also a STUN server: every host socket asks it for its reflexive address.
    /// On one machine the answer equals the host address, so no new candidate, but
    /// gathering must complete with answers, not timeouts.
    @Test func gathersFromCoturnAsAStunServer() async throws {
        let coturn = try Coturn()
        try await Task.sleep(for: .milliseconds(300))  // let coturn bind before the first request
        let transport = try await ICETransport.start(role: .controlling, credentials: ICECredentials(ufrag: "gath", pwd: "gatheringpasswordgather"),
                                                     includeLoopback: true, includeIPv6: false)
        let events = SharedIterator(transport.events)
        await transport.gatherServerReflexive(from: coturn.address)
        let complete = try await within(.seconds(5)) {
            while let event = await events.base.next() { if event == .ice(.gatheringComplete) { return true } }
            return false
        }
        let counters = await transport.counters
        await transport.close()
        await coturn.stop()
        #expect(complete == true)
        #expect(counters.responsesReceived >= 1)
    }

    @Test func wrongCredentialsFailWithAClearReason() async throws {
        let coturn = try Coturn()
        do { try await failToAllocate(through: coturn) } catch {
            await coturn.stop()
            throw error
        }
        await coturn.stop()
    }

    func failToAllocate(through coturn: Coturn) async throws {
        let client = try await UDPSocket()
        var turn = TURNClient(server: coturn.address, username: "u", password: "wrong", seed: 7)
        let clock = ContinuousClock(), origin = clock.now
        turn.allocate(now: clock.now - origin)
        let deadline = clock.now + .seconds(8)
        while clock.now < deadline {
            if case .failed = turn.state { break }
            while let datagram = turn.pollTransmit() { try await client.send(datagram, to: coturn.address) }
            if let (bytes, _) = try await client.receive(within: .milliseconds(50)) { turn.handle(datagram: bytes, now: clock.now - origin) }
            turn.handleTimeout(now: clock.now - origin)
        }
        guard case .failed(let reason) = turn.state else {
            Issue.record("expected failure, got \(turn.state)")
            return
        }
        #expect(reason.contains("refused the credentials"))
        await client.close()
    }
}

/// A UDP socket on 127.0.0.1 for tests, with a receive that gives up after a while.
final class UDPSocket: Sendable {
    let address: TransportAddress
    private let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
    /// Datagrams not yet taken. A mailbox rather than an AsyncStream: a receive that
    /// times out must not cancel (and so end) the stream's consumer.
    private let inbox = DatagramInbox()

    final class DatagramInbox: Sendable {
        let items = Mutex<[AddressedEnvelope<ByteBuffer>]>([])
    }
    private let writer: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>
    private let task: Task<Void, Never>

    init() async throws {
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
        address = TransportAddress(address: [127, 0, 0, 1], port: UInt16(channel.channel.localAddress?.port ?? 0))
        let (writerStream, writerSink) = AsyncStream.makeStream(of: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>.self)
        let channel = self.channel
        let inbox = self.inbox
        task = Task {
            try? await channel.executeThenClose { inbound, outbound in
                writerSink.yield(outbound)
                for try await envelope in inbound { inbox.items.withLock { $0.append(envelope) } }
            }
        }
        var writers = writerStream.makeAsyncIterator()
        guard let writer = await writers.next() else { throw SetupFailure("UDP socket closed at once") }
        self.writer = writer
    }

    func send(_ bytes: [UInt8], to destination: TransportAddress) async throws {
        let address = try SocketAddress(ipAddress: IPAddress.text(destination.address), port: Int(destination.port))
        try await writer.write(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: bytes)))
    }

    func receive(within limit: Duration) async throws -> ([UInt8], TransportAddress)? {
        let deadline = ContinuousClock.now + limit
        var taken: AddressedEnvelope<ByteBuffer>?
        while taken == nil {
            taken = inbox.items.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            if taken == nil {
                guard ContinuousClock.now < deadline else { return nil }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        guard let envelope = taken else { return nil }
        guard let ip = envelope.remoteAddress.ipAddress, let bytes = IPAddress.parse(ip), let port = envelope.remoteAddress.port
        else { return nil }
        return (Array(buffer: envelope.data), TransportAddress(address: bytes, port: UInt16(port)))
    }

    func close() async {
        try? await channel.channel.close()
        task.cancel()
    }
}

/// coturn on a free loopback port with user u:p in realm "test", relaying to loopback peers.
final class Coturn: Sendable {
    let address: TransportAddress
    private let pid: pid_t

    /// `tcp`: coturn also listens on TCP (same port), for TURN over TCP.
    init(tcp: Bool = false) throws {
        let binary = "/usr/bin/turnserver"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw SetupFailure("missing \(binary): run the README's test command (it installs Debian's coturn)")
        }
        let port = try Self.freeUDPPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("coturn-\(port)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        process.arguments = ["-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=\(port)",
                             "--user=u:p", "--realm=test", "--lt-cred-mech", "--no-tls", "--no-dtls",
                             "--allow-loopback-peers", "--no-cli", "--pidfile=\(dir.path)/turn.pid",
                             "--log-file=\(dir.path)/turn.log", "--min-port=49152", "--max-port=65535"]
            + (tcp ? [] : ["--no-tcp"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
        address = TransportAddress(address: [127, 0, 0, 1], port: port)
        // The client retransmits until coturn listens; no need to wait here.
    }

    func stop() async {
        await ChildProcess.stop(pid)
    }

    static func freeUDPPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw SetupFailure("cannot bind a loopback UDP port") }
        return UInt16(bigEndian: addr.sin_port)
    }
}
