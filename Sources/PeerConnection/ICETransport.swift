import HostAddresses
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
        /// One datagram relayed by a TURN server, unwrapped.
        case data([UInt8], from: TransportAddress)
        /// The non-STUN datagrams of one socket read (one `recvmmsg` burst), in arrival
        /// order: one event, so one hop into the consumer, for the lot.
        case datagrams([Datagram])
    }

    public struct Datagram: Sendable, Equatable {
        public var bytes: [UInt8]
        public var from: TransportAddress
    }

    typealias Socket = NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>

    public nonisolated let events: AsyncStream<Event>
    /// The selected pair's socket for media, off this actor.
    public nonisolated let lane: DatagramLane
    private let eventSink: AsyncStream<Event>.Continuation
    private var agent: ICEAgent
    private var sockets: [TransportAddress: Socket] = [:]
    /// The UDP channel of each host socket, by its address (the base of its candidates).
    private var hostChannels: [TransportAddress: (channel: any Channel, sender: BoundUDPSender?)] = [:]
    /// The pair `lane` routes to now (local base, remote address).
    private var lanePair: (base: TransportAddress, remote: TransportAddress)?
    private var channels: [any Channel] = []
    private let origin = ContinuousClock.now
    private var timer: Task<Void, Never>?
    private var timerDeadline: Duration?
    private var readers: [Task<Void, Never>] = []
    /// Datagrams leave in the order the agent made them, through one writer task
    /// (a task per datagram could reorder them, which DTLS and SRTP would not forgive).
    /// Each element is a run of datagrams for one socket, written with one flush, so
    /// NIO can hand them to the kernel in one `sendmmsg` instead of a `sendmsg` each.
    private let outgoing: AsyncStream<(Socket, [AddressedEnvelope<ByteBuffer>])>.Continuation
    private let writer: Task<Void, Never>
    /// TURN servers reached over TCP, by the host base whose allocation they carry.
    private var streamRelays: [TransportAddress: StreamRelay] = [:]

    struct StreamRelay {
        var server: TransportAddress
        var outgoing: AsyncStream<[UInt8]>.Continuation
        var framer = TURNStreamFramer()
    }

    private init(agent: ICEAgent, lane: DatagramLane) {
        self.agent = agent
        self.lane = lane
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
        let (queue, outgoing) = AsyncStream.makeStream(of: (Socket, [AddressedEnvelope<ByteBuffer>]).self)
        self.outgoing = outgoing
        writer = Task {
            for await (socket, envelopes) in queue { try? await socket.write(contentsOf: envelopes) }
        }
    }

    /// Binds a UDP socket on every usable interface and returns the transport with its host candidates.
    public static func start(role: ICERole, credentials: ICECredentials, includeLoopback: Bool = false,
                             includeIPv6: Bool = true, lane: DatagramLane = DatagramLane()) async throws -> ICETransport {
        var seed: UInt64 = 0
        var generator = SystemRandomNumberGenerator()
        seed = generator.next()
        let transport = ICETransport(agent: ICEAgent(role: role, credentials: credentials, seed: seed), lane: lane)
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
        try send(batch: [bytes])
    }

    /// Sends these datagrams, in order, on the selected pair: one call and one drain of
    /// the agent for the lot (a `PeerConnection` drain hands over all it made at once).
    /// Throws, sending none, when there is no pair yet.
    public func send(batch: [[UInt8]]) throws {
        for bytes in batch {
            guard agent.sendData(bytes) else { throw SendError.notConnected }
        }
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
        lane.close()
        agent.close()
        outgoing.finish()
        await writer.value
        for relay in streamRelays.values { relay.outgoing.finish() }
        timer?.cancel()
        for reader in readers { reader.cancel() }
        for channel in channels { try? await channel.close() }
        // The senders hold duplicates of the sockets' descriptors: the ports are free only without them.
        hostChannels.removeAll()
        eventSink.finish()
    }

    // MARK: - Sockets

    private func bind(_ ip: [UInt8]) async throws {
        // A literal address: `bind(host:)` would run it through getaddrinfo, which asks the
        // kernel for every interface's addresses each time.
        let channel = try await Self.hostSocketBootstrap()
            .bind(to: SocketAddress(ipAddress: IPAddress.text(ip), port: 0)) { [lane] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramBatcher(lane: lane))
                    return try NIOAsyncChannel<[DatagramBatcher.Received], AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel)
                }
            }
        guard let port = channel.channel.localAddress?.port else { return }
        let local = TransportAddress(address: ip, port: UInt16(port))
        channels.append(channel.channel)
        hostChannels[local] = (channel.channel, BoundUDPSender(boundTo: ip, port: UInt16(port)))
        // The channel lives as long as its reader: the outbound writer comes back out
        // through `attach` before this returns, so the candidate exists when `start` ends.
        await withCheckedContinuation { (attached: CheckedContinuation<Void, Never>) in
            readers.append(Task { [weak self] in
                try? await channel.executeThenClose { inbound, outbound in
                    await self?.attach(outbound, at: local)
                    attached.resume()
                    // Turning a SocketAddress into ours goes through its text form: the
                    // last one is kept, as nearly every datagram comes from the same peer.
                    var last: (SocketAddress, TransportAddress)?
                    for try await datagrams in inbound {
                        var batch: [Datagram] = []
                        batch.reserveCapacity(datagrams.count)
                        for datagram in datagrams {
                            let source: TransportAddress
                            if let last, last.0 == datagram.from {
                                source = last.1
                            } else {
                                guard let address = Self.transportAddress(datagram.from) else { continue }
                                last = (datagram.from, address)
                                source = address
                            }
                            batch.append(Datagram(bytes: datagram.bytes, from: source))
                        }
                        if !batch.isEmpty { await self?.received(batch, to: local) }
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

    private func attach(_ outbound: Socket, at local: TransportAddress) {
        sockets[local] = outbound
        agent.addLocalCandidate(ICECandidate.local(kind: .host, address: local, base: local,
                                                   localPreference: UInt16(65535 - sockets.count)))
    }

    /// STUN (and TURN) goes to the agent, the rest up as one `.datagrams` event. Data
    /// that came before a STUN message is yielded before the agent sees it, so events
    /// keep the order of the datagrams that caused them.
    private func received(_ batch: [Datagram], to local: TransportAddress) {
        var data: [Datagram] = []
        data.reserveCapacity(batch.count)
        for datagram in batch {
            if STUNMessage.looksLikeSTUN(datagram.bytes) || agent.isRelayServer(datagram.from) {
                if !data.isEmpty {
                    eventSink.yield(.datagrams(data))
                    data.removeAll()
                }
                agent.handle(datagram: datagram.bytes, from: datagram.from, to: local, now: now)
                pump()
            } else {
                data.append(datagram)
            }
        }
        if !data.isEmpty { eventSink.yield(.datagrams(data)) }
    }

    private var now: Duration { ContinuousClock.now - origin }

    /// Drains the agent (datagrams, events) and arms the timer for its next deadline.
    private func pump() {
        agent.handleTimeout(now: now)
        // Consecutive datagrams from one socket go to the writer as one run; a run ends
        // where the socket changes, so the order across sockets stays as the agent made it.
        var run: (from: TransportAddress, socket: Socket, envelopes: [AddressedEnvelope<ByteBuffer>])?
        // SocketAddress is made from text: the last destination is kept for the next one.
        var lastDestination: (TransportAddress, SocketAddress)?
        while let transmit = agent.pollTransmit() {
            if let relay = streamRelays[transmit.from], relay.server == transmit.to {
                if let done = run { outgoing.yield((done.socket, done.envelopes)) }
                run = nil
                relay.outgoing.yield(TURNStreamFramer.frame(transmit.bytes))
                continue
            }
            let to: SocketAddress
            if let lastDestination, lastDestination.0 == transmit.to {
                to = lastDestination.1
            } else {
                guard let address = try? Self.socketAddress(transmit.to) else { continue }
                lastDestination = (transmit.to, address)
                to = address
            }
            let envelope = AddressedEnvelope(remoteAddress: to, data: ByteBuffer(bytes: transmit.bytes))
            if run?.from == transmit.from {
                run?.envelopes.append(envelope)
                continue
            }
            guard let socket = sockets[transmit.from] else { continue }
            if let done = run { outgoing.yield((done.socket, done.envelopes)) }
            run = (transmit.from, socket, [envelope])
        }
        if let done = run { outgoing.yield((done.socket, done.envelopes)) }
        while let event = agent.pollEvent() {
            if case .relayedData(let bytes, let peer) = event {
                eventSink.yield(.data(bytes, from: peer))
            } else {
                eventSink.yield(.ice(event))
            }
        }
        routeLane()
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

    /// Points the lane at the selected pair when it is a direct one (sent from one of our
    /// host sockets, not through a TURN relay), else at nothing.
    private func routeLane() {
        let selected = agent.selectedPair
        let pair = selected.map { (base: $0.local.base, remote: $0.remote.address) }
        guard pair?.base != lanePair?.base || pair?.remote != lanePair?.remote else { return }
        lanePair = pair
        guard let selected, selected.local.kind != .relay, let host = hostChannels[selected.local.base],
              let destination = try? Self.socketAddress(selected.remote.address)
        else {
            lane.setRoute(nil)
            return
        }
        lane.setRoute(DatagramLane.Route(channel: host.channel, destination: destination, sender: host.sender,
                                         remote: selected.remote.address))
    }

    /// Datagrams per `recvmmsg`: a burst of DATA or a keyframe's packets in a few reads.
    static let vectorReadCount = 16
    /// Room for one incoming datagram (larger ones arrive truncated, as with NIO's default).
    static let maximumDatagramBytes = 2048
    /// Room for one read with UDP GRO on: the kernel hands a run of one peer's equal-size
    /// datagrams over as one, up to 64 KiB (its GRO limit); cut short, the rest is lost.
    static let maximumCoalescedBytes = 65536
    /// Reads per `recvmmsg` with GRO on: each can be a whole run of datagrams. Fewer than
    /// `vectorReadCount` keeps the read buffer at 512 KiB: NIO writes all of a new buffer
    /// once (it copies it on first use), and that much stays resident per socket.
    static let coalescedReadCount = 8

    /// How a host socket is set up. Reads take several datagrams per syscall (`recvmmsg`:
    /// `vectorReadCount`, or `coalescedReadCount` with GRO), and the batcher hands each
    /// read's datagrams up as one element: one hop per burst. With UDP GRO (Linux), a
    /// peer's segmented write (ours, a data channel's bulk) arrives as one datagram and one
    /// pass through the kernel, not one each; the batcher cuts it up. The socket buffer and
    /// the async buffer's watermarks stay NIO's defaults: deeper ones turned a starved
    /// reader's losses into seconds of delay (BENCHMARKS.md, video call).
    static func hostSocketBootstrap() -> DatagramBootstrap {
        let coalescing = System.supportsUDPReceiveOffload
        // A vector read splits one buffer evenly between its messages.
        let (count, room) = coalescing ? (coalescedReadCount, maximumCoalescedBytes) : (vectorReadCount, maximumDatagramBytes)
        let bootstrap = DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.datagramVectorReadMessageCount, value: count)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: count * room))
        guard coalescing else { return bootstrap }
        return bootstrap
            .channelOption(.datagramReceiveOffload, value: true)
            .channelOption(.datagramReceiveSegmentSize, value: true)
    }

    static func socketAddress(_ address: TransportAddress) throws -> SocketAddress {
        try SocketAddress(ipAddress: IPAddress.text(address.address), port: Int(address.port))
    }

    static func transportAddress(_ address: SocketAddress) -> TransportAddress? {
        guard let ip = address.ipAddress, let bytes = IPAddress.parse(ip), let port = address.port else { return nil }
        return TransportAddress(address: bytes, port: UInt16(port))
    }
}


/// Collects the datagrams of one read (NIO reads several per syscall,
/// and a few syscalls per read event) and passes them on as one array at
/// `channelReadComplete`, so the async reader wakes once per burst rather than once
/// per datagram.
final class DatagramBatcher: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = [Received]

    /// A datagram for the transport's own path, copied out of the read buffer here: a
    /// slice kept until the reader task runs would keep the whole buffer from being reused,
    /// and NIO then allocates another and copies all of it (1 MiB with GRO's room).
    struct Received: Sendable {
        var bytes: [UInt8]
        var from: SocketAddress
    }

    private var batch: [Received] = []
    private var dtls: [[UInt8]] = []
    /// Media and DTLS from the selected peer leave here, on the event loop (see DatagramLane).
    private let lane: DatagramLane

    init(lane: DatagramLane) {
        self.lane = lane
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let size = envelope.metadata?.segmentSize, size > 0, envelope.data.readableBytes > size else {
            take(envelope)
            return
        }
        // Coalesced by UDP GRO: every `size` bytes was a datagram, the last may be shorter.
        var rest = envelope.data
        while rest.readableBytes > 0, let segment = rest.readSlice(length: min(size, rest.readableBytes)) {
            take(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: segment))
        }
    }

    private func take(_ envelope: AddressedEnvelope<ByteBuffer>) {
        switch lane.deliver(envelope) {
        case .delivered: break
        case .dtls(let bytes): dtls.append(bytes)
        case .notTaken: batch.append(Received(bytes: Array(buffer: envelope.data), from: envelope.remoteAddress))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !dtls.isEmpty {
            lane.deliverDTLS(dtls)
            dtls.removeAll(keepingCapacity: true)
        }
        if !batch.isEmpty {
            let done = batch
            batch.removeAll(keepingCapacity: true)
            context.fireChannelRead(wrapInboundOut(done))
        }
        context.fireChannelReadComplete()
    }
}

@available(*, unavailable)
extension DatagramBatcher: Sendable {}
