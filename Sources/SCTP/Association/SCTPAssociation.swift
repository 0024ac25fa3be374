/// One SCTP association over DTLS (RFC 8261), sans-IO. The driver feeds packets and time and
/// drains packets, events and the next deadline:
///
///     association.handle(packet:now:)  /  association.handleTimeout(now:)  /  send(...)
///     while let p = association.pollTransmit() { put p in a DTLS record }
///     while let e = association.pollEvent() { act on e }
///     association.pollTimeout()  // when to call handleTimeout next
///
/// Time is a `Duration` since an origin the driver picks. Randomness comes from `seed`.
/// Not thread-safe: the driver serialises access.
public final class SCTPAssociation {
    public let configuration: SCTPConfiguration
    public internal(set) var state: SCTPAssociationState = .closed
    public internal(set) var counters = SCTPCounters()

    // Identity, fixed for the life of this object (RFC 9260 §5.3.1).
    let localTag: UInt32
    let localInitialTSN: UInt32
    let cookieSecret: [UInt8]
    var random: SCTPRandom

    // Peer, once known.
    var peerTag: UInt32 = 0
    /// The peer's tag after we closed, to answer a retransmitted SHUTDOWN ACK.
    var closedPeerTag: UInt32 = 0
    /// When we last answered an out-of-the-blue packet with ABORT (rate limit).
    var lastOutOfTheBlueAbort: Duration?
    /// From INIT ACK while waiting for COOKIE ACK.
    var pendingPeer: PeerParameters?
    /// The cookie from INIT ACK, for T1-cookie retransmission.
    var lastCookie: [UInt8]?
    var peer: PeerParameters?
    var outboundStreamCount: UInt16
    var inboundStreamCount: UInt16

    // Data path.
    var dataTracker: DataTracker?
    var reassembly: ReassemblyQueue
    var sendQueue = SendQueue()
    var retransmissions: RetransmissionQueue?
    var rto: RTOCalculator
    /// Association error counter (RFC 9260 §8.1).
    var errorCount = 0

    // Output.
    var now: Duration = .zero
    var outbox: [[UInt8]] = []
    var controlChunks: [Chunk] = []
    var events: [SCTPEvent] = []
    var eventHead = 0
    var forwardTSNNeeded = false

    // Acknowledgement (RFC 9260 §6.2).
    var sackNeeded = false
    var dataPacketsSinceSack = 0
    var delayedAckDeadline: Duration?

    // Timers, as plain deadlines.
    var initTimer: RetryTimer?
    var shutdownTimer: RetryTimer?
    var retransmissionDeadline: Duration?
    var heartbeat = HeartbeatState()
    var streamReset = StreamResetState()

    /// A retransmitted control chunk: when, how often already, and the current interval.
    struct RetryTimer: Sendable {
        var deadline: Duration
        var interval: Duration
        var attempts = 0
    }

    public init(configuration: SCTPConfiguration, seed: UInt64) {
        self.configuration = configuration
        var random = SCTPRandom(seed: seed)
        localTag = random.nonZeroUInt32()
        let drawnTSN = random.nextUInt32()
        localInitialTSN = configuration.initialTSN ?? drawnTSN
        cookieSecret = random.bytes(32)
        self.random = random
        outboundStreamCount = configuration.outboundStreams
        inboundStreamCount = configuration.inboundStreams
        reassembly = ReassemblyQueue(maxMessageSize: configuration.maxMessageSize)
        rto = RTOCalculator(initial: configuration.rtoInitial, minimum: configuration.rtoMin, maximum: configuration.rtoMax)
    }

    // MARK: Public surface

    public func pollEvent() -> SCTPEvent? {
        guard eventHead < events.count else {
            if !events.isEmpty { events.removeAll(keepingCapacity: false); eventHead = 0 }
            return nil
        }
        defer {
            eventHead += 1
            if eventHead > 256 && eventHead * 2 > events.count {
                events.removeFirst(eventHead)
                eventHead = 0
            }
        }
        return events[eventHead]
    }

    /// The earliest deadline, nil when nothing is scheduled.
    public func pollTimeout() -> Duration? {
        // Asked after every packet by drivers: a plain fold, no array of candidates.
        var earliest: Duration?
        func consider(_ deadline: Duration?) {
            if let deadline, earliest.map({ deadline < $0 }) ?? true { earliest = deadline }
        }
        consider(initTimer?.deadline)
        consider(shutdownTimer?.deadline)
        consider(retransmissionDeadline)
        consider(delayedAckDeadline)
        consider(heartbeat.nextDeadline)
        consider(streamReset.timer?.deadline)
        return earliest
    }

    /// Bytes accepted by `send` on this stream and not yet acknowledged (or abandoned).
    public func bufferedAmount(stream: UInt16) -> Int {
        sendQueue.queuedBytes(stream: stream) + (retransmissions?.unackedBytes(stream: stream) ?? 0)
    }

    /// Streams usable for sending: min(our outbound, peer's inbound) once established.
    public var negotiatedOutboundStreams: UInt16 { outboundStreamCount }

    /// Whether partial reliability (FORWARD TSN) was negotiated.
    public var peerSupportsPartialReliability: Bool { peer?.supportsForwardTSN ?? false }

    /// Smoothed RTT, once measured.
    public var smoothedRTT: Duration? { rto.smoothedRTT }

    /// Current congestion window in bytes, once established.
    public var congestionWindow: Int? { retransmissions?.congestion.congestionWindow }

    public func send(
        _ payload: [UInt8], stream: UInt16, ppid: UInt32, ordered: Bool, reliability: SCTPReliability,
        now: Duration
    ) throws(SCTPSendError) {
        self.now = max(self.now, now)
        guard state == .established else { throw .notEstablished }
        guard !payload.isEmpty else { throw .emptyMessage }
        guard payload.count <= configuration.remoteMaxMessageSize else {
            throw .messageTooLarge(limit: configuration.remoteMaxMessageSize)
        }
        guard stream < outboundStreamCount else { throw .invalidStream }
        var maxRetransmits: UInt16?
        var expiresAt: Duration?
        switch reliability {
        case .reliable: break
        case .maxRetransmits(let limit): maxRetransmits = limit
        case .maxLifetime(let lifetime): expiresAt = now + lifetime
        }
        sendQueue.enqueue(
            streamID: stream, ppid: ppid, ordered: ordered, payload: payload,
            maxRetransmits: maxRetransmits, expiresAt: expiresAt)
    }

    // MARK: Input

    /// One SCTP packet, as carried in one DTLS record.
    public func handle(packet bytes: [UInt8], now: Duration) {
        self.now = max(self.now, now)
        counters.packetsReceived += 1
        let packet: SCTPPacket
        do {
            packet = try SCTPPacket.parse(bytes)
        } catch .badChecksum {
            counters.badChecksum += 1
            return
        } catch {
            counters.malformed += 1
            return
        }
        guard packet.destinationPort == configuration.localPort, packet.sourcePort == configuration.remotePort else {
            counters.malformed += 1
            return
        }
        guard acceptsVerificationTag(packet) else {
            counters.badTag += 1
            return
        }
        if state == .closed, let first = packet.chunks.first, !Self.allowedWithoutAssociation(first) {
            answerOutOfTheBlue(first)
            return
        }
        let hadGaps = dataTracker?.hasGaps ?? false
        var sawData = false
        chunkLoop: for chunk in packet.chunks {
            guard state != .closed || Self.allowedWithoutAssociation(chunk) else { break }
            switch chunk {
            case .data(let data):
                sawData = true
                handleData(data)
            case .initiation(let initChunk): handleInit(initChunk)
            case .initAck(let initChunk): handleInitAck(initChunk)
            case .sack(let sack): handleSack(sack)
            case .heartbeat(let request): handleHeartbeat(request)
            case .heartbeatAck(let reply): handleHeartbeatAck(reply)
            case .abort(let abort): handleAbort(abort)
            case .shutdown(let shutdown): handleShutdown(shutdown)
            case .shutdownAck: handleShutdownAck(packetTag: packet.verificationTag)
            case .error(let error): handleError(error)
            case .cookieEcho(let echo): handleCookieEcho(echo, packetTag: packet.verificationTag)
            case .cookieAck: handleCookieAck()
            case .shutdownComplete: handleShutdownComplete()
            case .reconfig(let reconfig): handleReconfig(reconfig)
            case .forwardTSN(let forward): handleForwardTSN(forward)
            case .unknown(let type, let flags, let value):
                counters.unknownChunks += 1
                // RFC 9260 §3.2: high bits 01 and 11 report the chunk in an ERROR
                // (Unrecognized Chunk Type); 00 and 01 stop processing the packet, 10 and 11 skip it.
                if type & 0x40 != 0, peerTag != 0, state != .closed {
                    var original: [UInt8] = []
                    Chunk.unknown(type: type, flags: flags, value: Array(value.prefix(256))).serialize(into: &original, pad: false)
                    controlChunks.append(.error(ErrorChunk(causes: [
                        ErrorCause(code: ErrorCause.unrecognizedChunkType, information: original),
                    ])))
                }
                if type & 0x80 == 0 { break chunkLoop }
            }
        }
        if sawData { afterDataPacket(hadGaps: hadGaps) }
    }

    /// RFC 9260 §8.4 (8): a packet for the association we closed is answered with ABORT (at
    /// most once a second), using the peer's tag we still remember so that peers which ignore
    /// the T bit accept it too.
    func answerOutOfTheBlue(_ first: Chunk) {
        switch first {
        case .shutdownComplete, .cookieAck, .error, .initAck: return
        default: break
        }
        guard closedPeerTag != 0 else { return }
        if let last = lastOutOfTheBlueAbort, now - last < .seconds(1) { return }
        lastOutOfTheBlueAbort = now
        sendPacket(tag: closedPeerTag, [.abort(AbortChunk(tagReflected: false, causes: []))])
    }

    static func allowedWithoutAssociation(_ chunk: Chunk) -> Bool {
        switch chunk {
        case .initiation, .cookieEcho, .shutdownAck, .abort: true
        default: false
        }
    }

    /// RFC 9260 §8.5 and §8.5.1.
    func acceptsVerificationTag(_ packet: SCTPPacket) -> Bool {
        guard let first = packet.chunks.first else { return false }
        switch first {
        case .initiation:
            // §8.5.1 A: the tag is 0 and INIT is alone in its packet.
            return packet.verificationTag == 0 && packet.chunks.count == 1
        case .abort(let abort):
            // §8.5.1 B: T bit set means the tag is our own reflected back.
            if abort.tagReflected { return peerTag != 0 && packet.verificationTag == peerTag }
            return packet.verificationTag == localTag
        case .shutdownComplete(let reflected):
            if reflected { return peerTag != 0 && packet.verificationTag == peerTag }
            return packet.verificationTag == localTag
        case .shutdownAck:
            // §8.5.1 E: accepted with our tag; in COOKIE states it is treated as out of the blue.
            return packet.verificationTag == localTag
        default:
            return packet.verificationTag == localTag
        }
    }

    public func handleTimeout(now: Duration) {
        self.now = max(self.now, now)
        if let timer = initTimer, timer.deadline <= now { initTimerExpired() }
        if let timer = shutdownTimer, timer.deadline <= now { shutdownTimerExpired() }
        if let deadline = retransmissionDeadline, deadline <= now { retransmissionTimerExpired() }
        if let deadline = delayedAckDeadline, deadline <= now {
            delayedAckDeadline = nil
            sackNeeded = true
        }
        if let deadline = heartbeat.nextDeadline, deadline <= now { heartbeatTimerExpired() }
        if let timer = streamReset.timer, timer.deadline <= now { streamResetTimerExpired() }
    }

    // MARK: Output

    /// Queues a packet whose tag differs from the association's (INIT, INIT ACK, reflected ABORT).
    func sendPacket(tag: UInt32, _ chunks: [Chunk]) {
        let packet = SCTPPacket(
            sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
            verificationTag: tag, chunks: chunks)
        outbox.append(packet.serialize())
    }

    /// The next SCTP packet to send, built on demand so that cwnd and bundling see current state.
    public func pollTransmit() -> [UInt8]? {
        if !outbox.isEmpty {
            counters.packetsSent += 1
            return outbox.removeFirst()
        }
        guard peerTag != 0, state != .closed else { return nil }
        // Drivers poll until nil after every input, so "nothing to send" is the most common
        // answer: give it without building a SACK or walking the queues. Each condition
        // stands for one branch below that could add a chunk.
        if controlChunks.isEmpty, !sackNeeded, !forwardTSNNeeded, streamReset.pendingStreams.isEmpty, !mayProduceData {
            return nil
        }
        maybeSendResetRequest()
        let budget = configuration.maxPayload
        var used = 0
        var chunks: [Chunk] = []
        while let chunk = controlChunks.first {
            let size = Self.paddedSize(chunk)
            guard chunks.isEmpty || used + size <= budget else { break }
            chunks.append(chunk)
            controlChunks.removeFirst()
            used += size
        }
        guard state != .cookieWait, state != .cookieEchoed else { return finish(chunks) }
        // SACK: when due now, or bundled with outgoing data while the delayed-ack timer runs.
        var trackerAfterSack = dataTracker
        var sack: Chunk?
        if sackNeeded || delayedAckDeadline != nil, var tracker = trackerAfterSack {
            let chunk = Chunk.sack(tracker.makeSack(window: advertisedWindow))
            trackerAfterSack = tracker
            if used + Self.paddedSize(chunk) <= budget {
                sack = chunk
                used += Self.paddedSize(chunk)
            }
        }
        if forwardTSNNeeded, let forward = retransmissions?.forwardTSN() {
            let chunk = Chunk.forwardTSN(forward)
            if used + Self.paddedSize(chunk) <= budget {
                chunks.append(chunk)
                used += Self.paddedSize(chunk)
                forwardTSNNeeded = false
                counters.forwardTSNsSent += 1
            }
        } else {
            forwardTSNNeeded = false
        }
        let data = produceData(budget: budget - used)
        if let sack, sackNeeded || !data.isEmpty {
            let insertAt = chunks.firstIndex { if case .forwardTSN = $0 { true } else { false } } ?? chunks.count
            chunks.insert(sack, at: insertAt)
            dataTracker = trackerAfterSack
            sackNeeded = false
            delayedAckDeadline = nil
            dataPacketsSinceSack = 0
        }
        chunks += data.map(Chunk.data)
        return finish(chunks)
    }

    private func finish(_ chunks: [Chunk]) -> [UInt8]? {
        guard !chunks.isEmpty else { return nil }
        counters.packetsSent += 1
        return SCTPPacket(
            sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
            verificationTag: peerTag, chunks: chunks
        ).serialize()
    }

    static func paddedSize(_ chunk: Chunk) -> Int { (chunk.serializedLength + 3) & ~3 }

    /// Our receive window: configured size less what reassembly holds (RFC 9260 §6.2).
    var advertisedWindow: UInt32 {
        UInt32(max(0, Int(configuration.receiveWindow) - reassembly.bufferedBytes))
    }

    func emit(_ event: SCTPEvent) { events.append(event) }

    /// Ends the association locally with `reason` (no packet is sent here).
    func terminate(reason: String) {
        guard state != .closed || peerTag != 0 || initTimer != nil else { return }
        state = .closed
        initTimer = nil
        shutdownTimer = nil
        retransmissionDeadline = nil
        delayedAckDeadline = nil
        heartbeat = HeartbeatState()
        streamReset.timer = nil
        controlChunks.removeAll()
        sackNeeded = false
        sendQueue = SendQueue()
        retransmissions = nil
        closedPeerTag = peerTag
        peerTag = 0
        emit(.closed(reason: reason))
    }
}
