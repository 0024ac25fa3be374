import ICE
import NIOCore
import SDP
import NIOPosix

/// The ICE agent on real UDP sockets: one socket per host address (so a
/// candidate's base is the socket it is sent from), the agent driven by the
/// datagrams and its own deadlines. Everything that is not STUN is handed up
/// as `.data` for DTLS and SRTP (RFC 7983 demultiplexing).
public actor ICETransport {
    public enum Event: Sendable, Equatable {
        case ice(ICEEvent)
        case data([UInt8], from: TransportAddress)
    }

    public nonisolated let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private var agent: ICEAgent
    private var sockets: [TransportAddress: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>] = [:]
    private var channels: [any Channel] = []
    private let origin = ContinuousClock.now
    private var timer: Task<Void, Never>?
    private var timerDeadline: Duration?
    private var readers: [Task<Void, Never>] = []
    /// Datagrams leave in the order the agent made them, through one writer task
    /// (a task per datagram could reorder them, which DTLS and SRTP would not forgive).
    private let outgoing: AsyncStream<(NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>, AddressedEnvelope<ByteBuffer>)>.Continuation
    private let writer: Task<Void, Never>
    /// TURN servers reached over TCP, by the host base whose allocation they carry.
    private var streamRelays: [TransportAddress: StreamRelay] = [:]

    struct StreamRelay {
        var server: TransportAddress
        var outgoing: AsyncStream<[UInt8]>.Continuation
        var framer = TURNStreamFramer()
    }

    private init(agent: ICEAgent) {
        self.agent = agent
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
        let (queue, outgoing) = AsyncStream.makeStream(
            of: (NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>, AddressedEnvelope<ByteBuffer>).self)
        self.outgoing = outgoing
        writer = Task {
            for await (socket, envelope) in queue { try? await socket.write(envelope) }
        }
    }

    /// Binds a UDP socket on every usable interface and returns the transport with its host candidates.
    public static func start(role: ICERole, credentials: ICECredentials, includeLoopback: Bool = false,
                             includeIPv6: Bool = true) async throws -> ICETransport {
        var seed: UInt64 = 0
        var generator = SystemRandomNumberGenerator()
        seed = generator.next()
        let transport = ICETransport(agent: ICEAgent(role: role, credentials: credentials, seed: seed))
        for ip in HostInterfaces.addresses(includeLoopback: includeLoopback, includeIPv6: includeIPv6) {
            try await transport.bind(ip)
        }
        return transport
    }

    public var localCandidates: [ICECandidate] { agent.localCandidates }
    public var selectedPair: CandidatePair? { agent.selectedPair }
    public var state: ICEConnectionState { agent.state }
    public var counters: ICECounters { agent.counters }
    public var roundTripTime: Duration? { agent.roundTripTime }

    public func setRemoteCredentials(_ credentials: ICECredentials) {
        agent.setRemoteCredentials(credentials)
        pump()
    }

    public func addRemoteCandidate(_ candidate: ICECandidate) {
        agent.addRemoteCandidate(candidate)
        pump()
    }

    /// A remote candidate as signalled. An mDNS name (`<uuid>.local`, how browsers hide
    /// host addresses) is resolved first; one that cannot be resolved, or a TCP
    /// candidate, is dropped and false returned. The others are not held up meanwhile.
    @discardableResult
    public func addRemoteCandidate(_ attribute: CandidateAttribute) async -> Bool {
        var attribute = attribute
        if attribute.isMDNSName {
            guard let address = await MDNSResolver.resolve(attribute.address) else { return false }
            attribute.address = IPAddress.text(address)
        }
        guard let candidate = ICECandidate(attribute) else { return false }
        addRemoteCandidate(candidate)
        return true
    }

    /// Server-reflexive candidates from a STUN server (they arrive as `.localCandidate` events).
    public func gatherServerReflexive(from server: TransportAddress) {
        agent.gatherServerReflexive(from: server, now: now)
        pump()
    }

    public func remoteCandidatesComplete() {
        agent.remoteCandidatesComplete()
        pump()
    }

    public enum SendError: Error, CustomStringConvertible {
        case notConnected
        public var description: String { "no ICE path to the peer yet" }
    }

    /// Sends on the selected pair (through the relay when it is a relayed pair).
    public func send(_ bytes: [UInt8]) throws {
        guard agent.sendData(bytes) else { throw SendError.notConnected }
        pump()
    }

    /// Relayed candidates from a TURN server (`.localCandidate` events once allocated),
    /// reached over UDP or, with `overTCP`, over a TCP connection from each host
    /// address (RFC 8656 §3.1; the relayed side stays UDP). A host whose TCP
    /// connection fails is left out and said so with a `.relayFailed` event.
    public func gatherRelayed(from server: TransportAddress, username: String, password: String, overTCP: Bool = false) async {
        if overTCP {
            for host in agent.localCandidates where host.kind == .host && host.address.family == server.family {
                do {
                    try await connectStream(from: host.base, to: server)
                } catch {
                    eventSink.yield(.ice(.relayFailed("cannot reach the TURN server \(server) over TCP: \(error)")))
                }
            }
            agent.gatherRelayed(from: server, username: username, password: password, now: now,
                                onlyFrom: Set(streamRelays.filter { $0.value.server == server }.keys))
        } else {
            agent.gatherRelayed(from: server, username: username, password: password, now: now)
        }
        pump()
    }

    /// Pair only relayed candidates (`--relay-only`); set before candidates arrive.
    public func setRelayOnly(_ relayOnly: Bool) {
        agent.relayOnly = relayOnly
    }

    public func close() async {
        agent.close()
        outgoing.finish()
        await writer.value
        for relay in streamRelays.values { relay.outgoing.finish() }
        timer?.cancel()
        for reader in readers { reader.cancel() }
        for channel in channels { try? await channel.close() }
        eventSink.finish()
    }

    // MARK: - Sockets

    private func bind(_ ip: [UInt8]) async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: IPAddress.text(ip), port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel)
                }
            }
        guard let port = channel.channel.localAddress?.port else { return }
        let local = TransportAddress(address: ip, port: UInt16(port))
        channels.append(channel.channel)
        // The channel lives as long as its reader: the outbound writer comes back out
        // through `attach` before this returns, so the candidate exists when `start` ends.
        await withCheckedContinuation { (attached: CheckedContinuation<Void, Never>) in
            readers.append(Task { [weak self] in
                try? await channel.executeThenClose { inbound, outbound in
                    await self?.attach(outbound, at: local)
                    attached.resume()
                    for try await envelope in inbound {
                        guard let source = Self.transportAddress(envelope.remoteAddress) else { continue }
                        await self?.received(Array(buffer: envelope.data), from: source, to: local)
                    }
                }
            })
        }
    }

    private func connectStream(from base: TransportAddress, to server: TransportAddress) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: SocketAddress(ipAddress: IPAddress.text(base.address), port: 0))
            .connect(to: Self.socketAddress(server)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        channels.append(channel.channel)
        let (queue, sink) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .unbounded)
        streamRelays[base] = StreamRelay(server: server, outgoing: sink)
        readers.append(Task { [weak self] in
            try? await channel.executeThenClose { inbound, outbound in
                let writer = Task {
                    for await bytes in queue { try? await outbound.write(ByteBuffer(bytes: bytes)) }
                }
                defer { writer.cancel() }
                for try await buffer in inbound {
                    await self?.receivedStream(Array(buffer: buffer), to: base)
                }
            }
        })
    }

    private func receivedStream(_ bytes: [UInt8], to base: TransportAddress) {
        guard var relay = streamRelays[base] else { return }
        let messages = relay.framer.append(bytes)
        streamRelays[base] = relay
        for message in messages { agent.handle(datagram: message, from: relay.server, to: base, now: now) }
        if relay.framer.isBroken { relay.outgoing.finish() }
        pump()
    }

    private func attach(_ outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>, at local: TransportAddress) {
        sockets[local] = outbound
        agent.addLocalCandidate(ICECandidate.local(kind: .host, address: local, base: local,
                                                   localPreference: UInt16(65535 - sockets.count)))
    }

    private func received(_ bytes: [UInt8], from source: TransportAddress, to local: TransportAddress) {
        if STUNMessage.looksLikeSTUN(bytes) || agent.isRelayServer(source) {
            agent.handle(datagram: bytes, from: source, to: local, now: now)
            pump()
        } else {
            eventSink.yield(.data(bytes, from: source))
        }
    }

    private var now: Duration { ContinuousClock.now - origin }

    /// Drains the agent (datagrams, events) and arms the timer for its next deadline.
    private func pump() {
        agent.handleTimeout(now: now)
        while let transmit = agent.pollTransmit() {
            if let relay = streamRelays[transmit.from], relay.server == transmit.to {
                relay.outgoing.yield(TURNStreamFramer.frame(transmit.bytes))
                continue
            }
            guard let socket = sockets[transmit.from], let to = try? Self.socketAddress(transmit.to) else { continue }
            outgoing.yield((socket, AddressedEnvelope(remoteAddress: to, data: ByteBuffer(bytes: transmit.bytes))))
        }
        while let event = agent.pollEvent() {
            if case .relayedData(let bytes, let peer) = event {
                eventSink.yield(.data(bytes, from: peer))
            } else {
                eventSink.yield(.ice(event))
            }
        }
        // A timer is made again only when the deadline moves earlier: one armed for a later
        // deadline would fire early and harmlessly re-arm. (Making a timer task for every
        // datagram cost about 6% of a bulk transfer.)
        guard let deadline = agent.pollTimeout() else { return }
        if let armed = timerDeadline, armed <= deadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        let delay = max(deadline - now, .zero)
        timer = Task { [weak self] in
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            await self?.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        pump()
    }

    static func socketAddress(_ address: TransportAddress) throws -> SocketAddress {
        try SocketAddress(ipAddress: IPAddress.text(address.address), port: Int(address.port))
    }

    static func transportAddress(_ address: SocketAddress) -> TransportAddress? {
        guard let ip = address.ipAddress, let bytes = IPAddress.parse(ip), let port = address.port else { return nil }
        return TransportAddress(address: bytes, port: UInt16(port))
    }
}
