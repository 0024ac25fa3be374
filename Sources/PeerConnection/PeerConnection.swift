import DTLS
import ICE
import SCTP
import SDP
import SRTP

/// What a peer connection is told to use.
public struct PeerConnectionConfiguration: Sendable {
    public var iceServers: [ICEServer]
    /// Pair only relayed candidates (RTCIceTransportPolicy "relay"); needs a TURN server.
    public var relayOnly: Bool
    /// Loopback host candidates, for tests on one machine.
    public var includeLoopback: Bool
    public var includeIPv6: Bool
    /// Drop this fraction of incoming RTP on purpose, to watch NACK, FEC and PLI at work
    /// on a clean network (`CALL_SIMULATE_LOSS`; this machine has no netem).
    public var simulatedMediaLoss: Double = 0
    /// Delay each incoming RTP packet by a random time up to this (uniform), which
    /// also reorders them (`CALL_SIMULATE_JITTER_MS`), for the same reason.
    public var simulatedMediaJitter: Duration = .zero
    /// Drop this fraction of the RTP we send (`CALL_SIMULATE_SEND_LOSS`): the peer's
    /// NACKs and keyframe requests then show how we answer them.
    public var simulatedSendLoss: Double = 0
    /// Ask the peer for stereo sound and play it in stereo (`--stereo`; mono by default).
    public var stereo = false
    /// Offer and accept video; false for an audio-only call (`--audio-only`).
    public var video = true

    public init(iceServers: [ICEServer] = [], relayOnly: Bool = false, includeLoopback: Bool = false, includeIPv6: Bool = true) {
        self.iceServers = iceServers
        self.relayOnly = relayOnly
        self.includeLoopback = includeLoopback
        self.includeIPv6 = includeIPv6
    }
}

/// RTCPeerConnectionState.
public enum PeerConnectionState: String, Sendable, Equatable {
    case new, connecting, connected, disconnected, failed, closed
}

public enum PeerConnectionEvent: Sendable, Equatable {
    /// A candidate of ours to trickle to the peer (`a=candidate` value without the `candidate:` prefix
    /// is `attribute.attributeText` minus it; signal it with mid "0", m-line 0).
    case localCandidate(CandidateAttribute)
    /// No more local candidates: signal end-of-candidates.
    case gatheringComplete
    case stateChanged(PeerConnectionState)
    case channelOpened(label: String)
    case channelMessage(label: String, DataChannelMessage)
    case channelClosed(label: String)
    /// The channel's buffered amount fell to its low threshold (RTCDataChannel's
    /// `bufferedamountlow`): a sender holding back can go on.
    case channelBufferedAmountLow(label: String)
    /// SRTP is keyed: media may flow, as `video` says (nil: no video was agreed).
    case mediaReady(video: VideoNegotiation?, audio: AudioNegotiation?)
    /// The peer closed the secure transport on purpose (DTLS close_notify or an SCTP shutdown).
    case peerClosed
    /// Something worth a line in the log or on the screen that does not end the call.
    case notice(String)
    /// The connection cannot go on; the sentence says why.
    case failed(String)
}

/// The W3C-shaped peer connection of DESIGN.md, for one call: ICE on real UDP
/// sockets (`ICETransport`), then DTLS (`DTLSEndpoint`) and SCTP data channels
/// (`DataChannelEndpoint`) driven from this actor, str0m-style: every input
/// (a datagram, a timeout, a send) is followed by draining the machines until
/// they name their next deadline. Media (RTP) arrives with the media issues;
/// until then RTP/RTCP datagrams are counted and dropped.
public actor PeerConnection {
    public nonisolated let events: AsyncStream<PeerConnectionEvent>
    private let sink: AsyncStream<PeerConnectionEvent>.Continuation
    /// Decrypted RTP and RTCP from the peer, apart from `events` so media never waits behind them.
    public nonisolated let media: AsyncStream<MediaPacket>
    private let mediaSink: AsyncStream<MediaPacket>.Continuation
    /// SRTP, and the selected pair's socket: media in and out goes through these off the
    /// actor, on the thread that made it and on the socket's event loop.
    private let protection = MediaProtection()
    private let lane = DatagramLane()
    private let rtpTap = RTPTap()
    /// What the offer and answer agreed for video, once both are known.
    public private(set) var video: VideoNegotiation?
    public private(set) var audio: AudioNegotiation?
    private lazy var streams = SessionDescriptionBuilder.Streams(
        cname: Self.iceString(length: 16, using: &random), streamID: Self.iceString(length: 16, using: &random),
        audioSSRC: random.next(), videoSSRC: random.next(), videoRTXSSRC: random.next())
    private let configuration: PeerConnectionConfiguration
    private let certificate: DTLSCertificate
    public nonisolated let localCredentials: ICECredentials
    private var random: SystemRandomNumberGenerator

    private var ice: ICETransport?
    private var iceEvents: Task<Void, Never>?
    /// DTLS from the selected peer, straight from the event loop (`DatagramLane`): one
    /// task hop per read instead of three through the transport.
    private var dtlsReader: Task<Void, Never>?
    private var remote: RemoteTransportDescription?
    private var isOfferer = false
    private var dtls: DTLSEndpoint?
    private var channels: DataChannelEndpoint?
    /// Channels asked for before SCTP exists (the caller's `chat`, created before the offer).
    private var requestedChannels: [DataChannelOptions] = []
    private var labels: [UInt16: String] = [:]
    /// DTLS datagrams that beat the remote description (the answerer's ClientHello can
    /// arrive before its answer through signaling).
    private var earlyDTLS: [[UInt8]] = []
    /// Remote candidates that arrived before our transport existed.
    private var earlyCandidates: [CandidateAttribute] = []
    private var remoteCandidatesEnded = false
    /// Datagrams for the peer, sent in order by one task; held until ICE selects a pair.
    /// An element is all one drain made (or one RTP packet): one hop to the transport each.
    private let outbox: AsyncStream<[[UInt8]]>.Continuation
    private let outgoing: AsyncStream<[[UInt8]]>
    private var writer: Task<Void, Never>?
    private var held: [[UInt8]] = []
    private var hasSelectedPair = false
    private var pendingGathers = 0
    private var timer: Task<Void, Never>?
    private var timerDeadline: Duration?
    private let origin = ContinuousClock.now
    public private(set) var state: PeerConnectionState = .new
    private var ownCounters = PeerConnectionCounters()
    private var closing = false
    /// Our own bound on the DTLS handshake (OpenSSL alone would retry for minutes).
    private var handshakeDeadline: Duration?
    static let handshakeLimit: Duration = .seconds(20)

    public init(configuration: PeerConnectionConfiguration = PeerConnectionConfiguration()) throws {
        self.configuration = configuration
        certificate = try DTLSCertificate()
        random = SystemRandomNumberGenerator()
        localCredentials = ICECredentials(ufrag: Self.iceString(length: 8, using: &random),
                                          pwd: Self.iceString(length: 24, using: &random))
        (events, sink) = AsyncStream.makeStream(of: PeerConnectionEvent.self, bufferingPolicy: .unbounded)
        // Media that the pipeline cannot keep up with is dropped oldest first, never queued without end.
        (media, mediaSink) = AsyncStream.makeStream(of: MediaPacket.self, bufferingPolicy: .bufferingNewest(512))
        (outgoing, outbox) = AsyncStream.makeStream(of: [[UInt8]].self, bufferingPolicy: .unbounded)
        // libsrtp's one-time setup (about 20 ms) now, not when DTLS completes: there each
        // end's wait for it held up its next flight to the peer.
        Task.detached(priority: .utility) { SRTPSession.prepare() }
    }

    /// The SHA-256 fingerprint of our certificate, as `a=fingerprint` carries it.
    public nonisolated var fingerprint: Fingerprint { Fingerprint(algorithm: "sha-256", bytes: certificate.sha256Fingerprint) }

    // MARK: - Offer / answer (RFC 8829)

    /// A data channel, reliable and ordered, opened as soon as SCTP is up.
    public func createDataChannel(label: String, protocol: String = "") {
        requestedChannels.append(DataChannelOptions(label: label, protocol: `protocol`))
    }

    /// Starts ICE as the controlling agent and returns our offer.
    public func createOffer() async throws -> String {
        isOfferer = true
        try await startTransport(role: .controlling)
        return try await builder().offer().text
    }

    /// Applies the remote offer, starts ICE as the controlled agent and returns our answer.
    public func answer(offer sdp: String) async throws -> String {
        let document = try SDPDocument(parsing: sdp)
        let description = try RemoteTransportDescription(document)
        isOfferer = false
        try await startTransport(role: .controlled)
        let answer = try await builder().answer(to: document)
        video = VideoNegotiation(answer: answer, remote: document, localSSRC: streams.videoSSRC,
                                 localRTXSSRC: streams.videoRTXSSRC, cname: streams.cname)
        audio = AudioNegotiation(answer: answer, remote: document, localSSRC: streams.audioSSRC, cname: streams.cname)
        audio?.receiveStereo = configuration.stereo
        try await apply(description)
        return answer.text
    }

    public func setRemoteAnswer(_ sdp: String) async throws {
        guard isOfferer, remote == nil else { throw Failure("an answer arrived for an offer we did not make") }
        let answer = try SDPDocument(parsing: sdp)
        let description = try RemoteTransportDescription(answer)
        video = VideoNegotiation(answer: answer, remote: answer, localSSRC: streams.videoSSRC,
                                 localRTXSSRC: streams.videoRTXSSRC, cname: streams.cname)
        audio = AudioNegotiation(answer: answer, remote: answer, localSSRC: streams.audioSSRC, cname: streams.cname)
        audio?.receiveStereo = configuration.stereo
        try await apply(description)
    }

    /// A trickled remote candidate: `candidate:...` (with or without the prefix); an empty
    /// string is end-of-candidates. Candidates of another ICE generation are dropped.
    public func addRemoteCandidate(_ text: String, usernameFragment: String? = nil) async {
        if let usernameFragment, let remote, usernameFragment != remote.iceUfrag {
            ownCounters.staleCandidates += 1
            return
        }
        let trimmed = text.hasPrefix("candidate:") ? String(text.dropFirst("candidate:".count)) : text
        guard !trimmed.isEmpty else {
            remoteCandidatesEnded = true
            await ice?.remoteCandidatesComplete()
            return
        }
        guard let attribute = CandidateAttribute(parsing: trimmed) else {
            ownCounters.malformedCandidates += 1
            sink.yield(.notice("dropped an unparsable remote candidate"))
            return
        }
        guard let ice, remote != nil else {
            earlyCandidates.append(attribute)
            return
        }
        await addToTransport(attribute, ice)
    }

    /// An mDNS name takes up to its resolver's timeout: resolved on the side, so the
    /// other candidates and the DTLS that may already be arriving do not wait.
    private func addToTransport(_ candidate: CandidateAttribute, _ ice: ICETransport) async {
        if candidate.isMDNSName {
            Task { [weak self] in
                if await !ice.addRemoteCandidate(candidate) { await self?.countUnusableCandidate() }
            }
        } else if await !ice.addRemoteCandidate(candidate) {
            ownCounters.unusableCandidates += 1
        }
    }

    private func countUnusableCandidate() { ownCounters.unusableCandidates += 1 }

    // MARK: - Data channels

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Sends on the open channel with this label.
    public func send(_ message: DataChannelMessage, label: String) throws {
        guard let channels, let id = channelID(label), channels.channels[id]?.state == .open
        else { throw Failure("the \(label) channel is not open") }
        do {
            try channels.send(message, on: id, now: now)
        } catch {
            throw Failure("cannot send on \(label): \(error)")
        }
        drain()
    }

    /// Bytes queued on the open channel with this label and not yet acknowledged by the
    /// peer (RTCDataChannel.bufferedAmount), for a sender that applies backpressure;
    /// 0 when no such channel is open.
    public func bufferedAmount(label: String) -> Int {
        guard let channels, let id = channelID(label) else { return 0 }
        return channels.bufferedAmount(id)
    }

    /// `channelBufferedAmountLow` comes each time the channel's buffered amount falls from
    /// above `bytes` to `bytes` or below (RTCDataChannel.bufferedAmountLowThreshold; 0 at first).
    public func setBufferedAmountLowThreshold(_ bytes: Int, label: String) {
        guard let channels, let id = channelID(label) else { return }
        channels.setBufferedAmountLowThreshold(bytes, on: id)
    }

    private func channelID(_ label: String) -> UInt16? {
        labels.first(where: { $0.value == label })?.key
    }

    // MARK: - Stats

    public struct Stats: Sendable, Equatable {
        public var state: PeerConnectionState
        public var iceState: ICEConnectionState?
        public var localCandidateType: String?
        public var remoteCandidateType: String?
        public var roundTripTime: Duration?
        public var dtlsState: String?
        public var sctpState: String?
    }

    public func stats() async -> Stats {
        let pair = await ice?.selectedPair
        return Stats(state: state, iceState: await ice?.state, localCandidateType: pair?.local.kind.rawValue,
                     remoteCandidateType: pair?.remote.kind.rawValue, roundTripTime: await ice?.roundTripTime,
                     dtlsState: dtls.map { "\($0.state)" }, sctpState: channels.map { "\($0.association.state)" })
    }

    // MARK: - Closing

    /// Ends the connection: close_notify to the peer (so it learns at once, not from
    /// consent freshness), then the sockets.
    public func close() async {
        guard !closing else { return }
        closing = true
        if let dtls, dtls.state == .connected {
            channels?.association.abort(reason: "closed")
            drainSCTP()
            dtls.close()
            flushDTLS()
        }
        setState(.closed)
        mediaSink.finish()
        outbox.finish()
        await writer?.value
        writer = nil
        timer?.cancel()
        iceEvents?.cancel()
        dtlsReader?.cancel()
        await ice?.close()
        sink.finish()
    }

    // MARK: - Transport

    private func startTransport(role: ICERole) async throws {
        guard ice == nil else { throw Failure("the transport is already started") }
        let transport = try await ICETransport.start(role: role, credentials: localCredentials,
                                                     includeLoopback: configuration.includeLoopback,
                                                     includeIPv6: configuration.includeIPv6, lane: lane)
        ice = transport
        let outgoing = outgoing
        // Straight to the transport, not through this actor: one hop fewer per batch.
        writer = Task { [weak self] in
            for await batch in outgoing {
                do { try await transport.send(batch: batch) } catch { await self?.countUnsent(batch.count) }
            }
        }
        await transport.setRelayOnly(configuration.relayOnly)
        iceEvents = Task { [weak self] in
            for await event in transport.events { await self?.handle(event) }
        }
        let (dtlsIn, dtlsSink) = AsyncStream.makeStream(of: [[UInt8]].self, bufferingPolicy: .unbounded)
        lane.setDTLSReceiver { dtlsSink.yield($0) }
        dtlsReader = Task { [weak self] in
            for await batch in dtlsIn { await self?.receive(batch: batch) }
        }
        let hostFamilies = await transport.localCandidates.filter { $0.kind == .host }.map(\.address.family)
        for server in configuration.iceServers {
            let address: TransportAddress
            do { address = try await server.resolve() } catch {
                sink.yield(.notice(error.description))
                continue
            }
            switch server.kind {
            case .stun:
                pendingGathers += 1
                await transport.gatherServerReflexive(from: address)
            case .turn:
                // One allocation per host address of the server's family.
                pendingGathers += hostFamilies.filter { $0 == address.family }.count
                await transport.gatherRelayed(from: address, username: server.username ?? "", password: server.password ?? "",
                                              overTCP: server.transport == .tcp)
            }
        }
        setState(.connecting)
    }

    private func builder() async throws -> SessionDescriptionBuilder {
        guard let ice else { throw Failure("no transport") }
        let candidates = configuration.relayOnly ? [] : await ice.localCandidates.map(\.attribute)
        let transport = SessionDescriptionBuilder.Transport(
            iceUfrag: localCredentials.ufrag, icePwd: localCredentials.pwd, fingerprint: fingerprint,
            candidates: candidates, endOfCandidates: pendingGathers == 0)
        var builder = SessionDescriptionBuilder(sessionID: random.next() >> 2, transport: transport, streams: streams)
        builder.stereo = configuration.stereo
        builder.video = configuration.video
        return builder
    }

    private func apply(_ description: RemoteTransportDescription) async throws {
        guard let ice else { throw Failure("no transport") }
        let isClient = try description.localDTLSRoleIsClient(weAreOfferer: isOfferer)
        guard let dtlsFingerprint = DTLSFingerprint(sdpValue: description.fingerprint.attributeValue) else {
            throw Failure("the peer's fingerprint uses \(description.fingerprint.algorithm), which we cannot check")
        }
        remote = description
        dtls = try DTLSEndpoint(role: isClient ? .client : .server, certificate: certificate,
                                remoteFingerprint: dtlsFingerprint)
        await ice.setRemoteCredentials(ICECredentials(ufrag: description.iceUfrag, pwd: description.icePwd))
        for candidate in description.candidates + earlyCandidates { await addToTransport(candidate, ice) }
        earlyCandidates.removeAll()
        if description.endOfCandidates || remoteCandidatesEnded { await ice.remoteCandidatesComplete() }
        let early = earlyDTLS
        earlyDTLS.removeAll()
        for datagram in early { dtls?.handle(datagram: datagram, now: now) }
        if hasSelectedPair { startDTLSIfClient() }
        drain()
    }

    private func handle(_ event: ICETransport.Event) {
        switch event {
        case .ice(let ice):
            handle(ice)
        case .data(let bytes, _):
            if receive(bytes) { drain() }
        case .datagrams(let batch):
            receive(batch: batch.map(\.bytes))
        }
    }

    /// All of a read's DTLS datagrams go in before one drain: SCTP sees the packets
    /// together and answers them in one go, and the machines are polled once.
    private func receive(batch: [[UInt8]]) {
        var gotDTLS = false
        for bytes in batch {
            if receive(bytes) { gotDTLS = true }
        }
        if gotDTLS { drain() }
    }

    /// One datagram from the peer, demultiplexed; true when DTLS took it and a drain is due.
    private func receive(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first else { return false }
        switch first {
        case 20...63:  // RFC 7983 §7: DTLS
            if let dtls {
                dtls.handle(datagram: bytes, now: now)
                return true
            } else if earlyDTLS.count < 16 {
                earlyDTLS.append(bytes)
            }
        case 128...191:  // RFC 7983 §7: RTP and RTCP, told apart by RFC 5761 §4
            receiveMedia(bytes)
        default:
            ownCounters.unknownDatagrams += 1
        }
        return false
    }

    private func handle(_ event: ICEEvent) {
        switch event {
        case .stateChanged(let iceState):
            switch iceState {
            case .disconnected: if state == .connected { setState(.disconnected) }
            case .connected: if state == .disconnected { setState(.connected) }
            case .failed: fail("ICE failed: no working path to the peer (check the network, or use a TURN server)")
            case .new, .checking, .closed: break
            }
        case .selectedPair:
            hasSelectedPair = true
            if !held.isEmpty { outbox.yield(held) }
            held.removeAll()
            startDTLSIfClient()
            drain()
        case .localCandidate(let candidate):
            if !(configuration.relayOnly && candidate.kind != .relay) { sink.yield(.localCandidate(candidate.attribute)) }
            if candidate.kind == .relay { gathered() }
        case .gatheringComplete:
            gathered()
        case .relayFailed(let why):
            sink.yield(.notice("TURN: \(why)"))
            gathered()
        case .peerReflexiveRemote, .roleChanged, .relayedData:
            break
        }
    }

    private func gathered() {
        guard pendingGathers > 0 else { return }
        pendingGathers -= 1
        if pendingGathers == 0 { sink.yield(.gatheringComplete) }
    }

    private var startedDTLS = false

    private func startDTLSIfClient() {
        guard let dtls, !startedDTLS else { return }
        startedDTLS = true
        handshakeDeadline = now + Self.handshakeLimit
        if dtls.role == .client { dtls.start(now: now) }
    }

    // MARK: - Draining the machines

    /// SCTP packets into DTLS records, DTLS datagrams to the peer, events up, and the
    /// next deadline armed.
    private func drain() {
        guard let dtls else { return }
        while let event = dtls.pollEvent() {
            switch event {
            case .connected(let keys):
                handshakeDeadline = nil
                // Our last flight first: the peer's side of the call waits for it, not for ours.
                flushDTLS()
                setState(.connected)
                startMedia(keys)
                startSCTP(isDTLSClient: dtls.role == .client)
            case .data(let packet):
                channels?.handle(packet: packet, now: now)
            case .closed:
                sink.yield(.peerClosed)
            case .failed(let why):
                fail("DTLS: \(why)")
            }
        }
        drainSCTP()
        flushDTLS()
        armTimer()
    }

    private func drainSCTP() {
        guard let channels, let dtls else { return }
        while let packet = channels.pollTransmit() {
            do { try dtls.send(packet) } catch { ownCounters.sctpUnsent += 1 }
        }
        while let event = channels.pollEvent() {
            switch event {
            case .associationEstablished:
                break
            case .channelOpened(let id, let label, _):
                labels[id] = label
                sink.yield(.channelOpened(label: label))
            case .message(let id, let message):
                sink.yield(.channelMessage(label: labels[id] ?? "", message))
            case .channelClosed(let id):
                sink.yield(.channelClosed(label: labels[id] ?? ""))
            case .bufferedAmountLow(let id):
                sink.yield(.channelBufferedAmountLow(label: labels[id] ?? ""))
            case .closed(let reason):
                // The peer ending SCTP on purpose (SHUTDOWN or ABORT) is a hang-up; anything
                // else (no answer, too many retransmissions) is the data path failing.
                guard !closing else { break }
                if reason.hasPrefix("shutdown") || reason.hasPrefix("abort received") {
                    sink.yield(.peerClosed)
                } else {
                    fail("SCTP: \(reason)")
                }
            }
        }
    }

    private func flushDTLS() {
        guard let dtls else { return }
        var batch: [[UInt8]] = []
        while let datagram = dtls.pollTransmit() {
            if hasSelectedPair { batch.append(datagram) } else if held.count < 64 { held.append(datagram) }
        }
        // On a direct pair, to the socket's event loop from here: the writer task and the
        // transport would be two more task hops for each batch.
        if !batch.isEmpty, !lane.send(batch, fromThisThread: false) { outbox.yield(batch) }
    }

    private func startSCTP(isDTLSClient: Bool) {
        guard channels == nil, let remote else { return }
        guard remote.sctpPort != nil else {
            sink.yield(.notice("the peer has no data channel: chat is off for this call"))
            return
        }
        var configuration = SCTPConfiguration()
        configuration.remotePort = UInt16(clamping: remote.sctpPort ?? 5000)
        configuration.remoteMaxMessageSize = remote.maxMessageSize
        configuration.maxMessageSize = SessionDescriptionBuilder.maxMessageSize
        // Each SCTP packet is one DTLS record, so it must fit what DTLS carries in one
        // datagram (RFC 8261 §5: no IP fragmentation); 12 bytes are SCTP's common header.
        if let room = dtls?.maximumApplicationDataSize { configuration.maxPayload = min(configuration.maxPayload, room - 12) }
        let endpoint = DataChannelEndpoint(association: SCTPAssociation(configuration: configuration, seed: random.next()),
                                           isDTLSClient: isDTLSClient)
        channels = endpoint
        // RFC 8841 §9.3: both ends send INIT; the association resolves the collision.
        endpoint.connect(now: now)
        for options in requestedChannels {
            do {
                let id = try endpoint.open(options, now: now)
                labels[id] = options.label
            } catch {
                sink.yield(.notice("cannot open the \(options.label) channel: \(error)"))
            }
        }
        requestedChannels.removeAll()
    }

    // MARK: - Media (SRTP)

    public enum MediaPacket: Sendable {
        case rtp([UInt8])
        case rtcp([UInt8])
    }

    private func startMedia(_ keys: SRTPKeyingMaterial?) {
        guard let keys else {
            if video != nil || audio != nil { sink.yield(.notice("the peer agreed no SRTP profile: no video or audio in this call")) }
            return
        }
        do {
            try protection.start(keys)
            lane.setReceiver { [weak self] bytes in self?.receiveMedia(bytes) }
            sink.yield(.mediaReady(video: video, audio: audio))
        } catch {
            sink.yield(.notice("SRTP could not start (\(error)): no video or audio in this call"))
        }
    }

    /// SRTP or SRTCP from the peer: on the socket's event loop, or on this actor for a relayed path.
    private nonisolated func receiveMedia(_ bytes: [UInt8]) {
        // RFC 5761 §4: RTCP packet types 192-223 sit where RTP has marker + payload type 64-95.
        let isRTCP = bytes.count > 1 && (64...95).contains(bytes[1] & 0x7F)
        var random = SystemRandomNumberGenerator()
        if !isRTCP, configuration.simulatedMediaLoss > 0,
           Double(random.next() % 1_000_000) / 1_000_000 < configuration.simulatedMediaLoss {
            protection.countSimulatedLoss()
            return
        }
        guard let plain = protection.unprotect(bytes, rtcp: isRTCP) else { return }
        if isRTCP {
            mediaSink.yield(.rtcp(plain))
        } else if configuration.simulatedMediaJitter > .zero {
            let delay = configuration.simulatedMediaJitter * (Double(random.next() % 1_000_001) / 1_000_000)
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                self?.deliverRTP(plain)
            }
        } else {
            deliverRTP(plain)
        }
    }

    private nonisolated func deliverRTP(_ packet: [UInt8]) {
        if !rtpTap.offer(packet) { mediaSink.yield(.rtp(packet)) }
    }

    /// Decrypted RTP of this payload type goes to `receive`, on the thread that decrypted it
    /// (mostly the socket's event loop), instead of to `media`: for a thread-safe receiver
    /// that should not cost a task wake-up per packet (audio: 50 a second).
    public nonisolated func tapRTP(payloadType: UInt8, _ receive: @escaping @Sendable ([UInt8]) -> Void) {
        rtpTap.set(payloadType: payloadType, receive)
    }

    public nonisolated func untapRTP() {
        rtpTap.clear()
    }

    /// Protects and sends one RTP packet, from any thread; dropped (and counted) before SRTP is up.
    public nonisolated func sendRTP(_ packet: [UInt8]) {
        sendRTP(batch: [packet])
    }

    /// Protects and sends these RTP packets in order, in one write to the socket (a video
    /// frame's packets go out in one `sendmmsg`, not a wake-up and a syscall each).
    public nonisolated func sendRTP(batch packets: [[UInt8]]) {
        var random = SystemRandomNumberGenerator()
        let protected = packets.compactMap { packet -> [UInt8]? in
            guard let protected = protection.protect(packet, rtcp: false) else { return nil }
            // After protecting: the sequence and SRTP index move on as if it had been sent.
            if configuration.simulatedSendLoss > 0,
               Double(random.next() % 1_000_000) / 1_000_000 < configuration.simulatedSendLoss {
                protection.countSimulatedLoss()
                return nil
            }
            return protected
        }
        sendMedia(protected)
    }

    public nonisolated func sendRTCP(_ packet: [UInt8]) {
        guard let protected = protection.protect(packet, rtcp: true) else { return }
        sendMedia([protected])
    }

    /// Straight to the socket on a direct pair; else in order with the rest, through the transport.
    private nonisolated func sendMedia(_ protected: [[UInt8]]) {
        guard !protected.isEmpty else { return }
        if !lane.send(protected) { outbox.yield(protected) }
    }

    /// Re-armed only when the deadline moves earlier (see ICETransport.pump).
    private func armTimer() {
        let deadlines = [dtls?.pollTimeout(), channels?.pollTimeout(), handshakeDeadline].compactMap { $0 }
        guard let deadline = deadlines.min(), !closing else { return }
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
        let now = now
        if let deadline = handshakeDeadline, now >= deadline {
            handshakeDeadline = nil
            fail("DTLS: no secure connection within \(Self.handshakeLimit.components.seconds) s of the ICE path opening")
        }
        dtls?.handleTimeout(now: now)
        channels?.handleTimeout(now: now)
        drain()
    }

    private func countUnsent(_ count: Int) { ownCounters.unsent += count }

    private func setState(_ newState: PeerConnectionState) {
        guard newState != state, state != .closed, state != .failed || newState == .closed else { return }
        state = newState
        sink.yield(.stateChanged(newState))
    }

    private func fail(_ why: String) {
        guard state != .failed, state != .closed else { return }
        setState(.failed)
        sink.yield(.failed(why))
    }

    private var now: Duration { ContinuousClock.now - origin }

    public var counters: PeerConnectionCounters {
        var counters = ownCounters
        let media = protection.counters
        counters.rtpDropped = media.rtpDropped
        counters.srtpRejected = media.srtpRejected
        counters.mediaUnsent = media.mediaUnsent
        counters.simulatedLosses = media.simulatedLosses
        return counters
    }

    /// ICE characters (RFC 8839 §5.4: ALPHA / DIGIT / "+" / "/").
    static func iceString(length: Int, using random: inout SystemRandomNumberGenerator) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }
}

/// What the connection dropped or could not use, for stats and tests.
public struct PeerConnectionCounters: Sendable, Equatable {
    public var staleCandidates = 0
    public var malformedCandidates = 0
    public var unusableCandidates = 0
    /// RTP/RTCP before SRTP was keyed.
    public var rtpDropped = 0
    /// SRTP packets that failed authentication or replay checks.
    public var srtpRejected = 0
    public var mediaUnsent = 0
    public var simulatedLosses = 0
    public var unknownDatagrams = 0
    public var sctpUnsent = 0
    public var unsent = 0
}
