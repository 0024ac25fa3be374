// Association setup: INIT, INIT ACK, COOKIE ECHO, COOKIE ACK (RFC 9260 §5.1), INIT collision
// (§5.2.1, §5.2.4) and T1-init / T1-cookie retransmission (§5.1 C, §6.3).

extension SCTPAssociation {
    /// Sends INIT. Both ends of a WebRTC connection may call this; the side that does not
    /// still answers an incoming INIT.
    public func connect(now: Duration) {
        self.now = max(self.now, now)
        guard state == .closed else { return }
        state = .cookieWait
        sendInit()
        initTimer = RetryTimer(deadline: now + configuration.rtoInitial, interval: configuration.rtoInitial)
    }

    func makeInit() -> InitChunk {
        InitChunk(
            initiateTag: localTag, advertisedReceiverWindow: configuration.receiveWindow,
            outboundStreams: configuration.outboundStreams, inboundStreams: configuration.inboundStreams,
            initialTSN: localInitialTSN, parameters: Self.extensionParameters)
    }

    /// RFC 5061 §4.2.7 Supported Extensions (FORWARD TSN, RE-CONFIG) and RFC 3758 §3.1.
    static let extensionParameters: [RawParameter] = [
        RawParameter(type: InitParameterType.supportedExtensions, value: [ChunkType.forwardTSN, ChunkType.reconfig]),
        RawParameter(type: InitParameterType.forwardTSNSupported, value: []),
    ]

    func sendInit() {
        // §8.5.1 A: INIT goes with verification tag 0.
        sendPacket(tag: 0, [.initiation(makeInit())])
    }

    func handleInit(_ chunk: InitChunk) {
        // §3.3.2: a zero Initiate Tag or zero stream counts are protocol violations.
        guard chunk.initiateTag != 0, chunk.outboundStreams > 0, chunk.inboundStreams > 0 else {
            counters.malformed += 1
            return
        }
        switch state {
        case .shutdownAckSent:
            // §9.2: an INIT in SHUTDOWN-ACK-SENT is answered with SHUTDOWN ACK again.
            controlChunks.append(.shutdownAck)
            return
        default:
            break
        }
        // Closed: no state is kept (§5.1.3). COOKIE-WAIT / COOKIE-ECHOED (§5.2.1): answer with
        // our original tag and TSN. Established (§5.2.2): our tags do not change; a changed peer
        // tag is resolved when its COOKIE ECHO arrives (§5.2.4 B).
        let cookie = StateCookie(createdAt: now, localTag: localTag, peer: PeerParameters(chunk))
        var parameters = [RawParameter(type: InitParameterType.stateCookie, value: cookie.sealed(secret: cookieSecret))]
        parameters += Self.extensionParameters
        let ack = InitChunk(
            initiateTag: localTag, advertisedReceiverWindow: configuration.receiveWindow,
            outboundStreams: configuration.outboundStreams, inboundStreams: configuration.inboundStreams,
            initialTSN: localInitialTSN, parameters: parameters)
        sendPacket(tag: chunk.initiateTag, [.initAck(ack)])
    }

    func handleInitAck(_ chunk: InitChunk) {
        // §5.2.3: INIT ACK outside COOKIE-WAIT is discarded.
        guard state == .cookieWait else { return }
        guard chunk.initiateTag != 0, chunk.outboundStreams > 0, chunk.inboundStreams > 0,
              let cookie = chunk.stateCookie else {
            counters.malformed += 1
            return
        }
        let parameters = PeerParameters(chunk)
        pendingPeer = parameters
        lastCookie = cookie
        peerTag = parameters.verificationTag
        state = .cookieEchoed
        controlChunks.insert(.cookieEcho(CookieEchoChunk(cookie: cookie)), at: 0)
        initTimer = RetryTimer(deadline: now + configuration.rtoInitial, interval: configuration.rtoInitial)
    }

    func handleCookieEcho(_ echo: CookieEchoChunk, packetTag: UInt32) {
        let cookie: StateCookie
        do {
            cookie = try StateCookie.open(
                echo.cookie, secret: cookieSecret, now: now, lifetime: configuration.cookieLifetime)
        } catch {
            counters.rejectedCookies += 1
            return
        }
        // §5.2.4: our tag must be the one in the cookie (cases A and C are discarded: we do not
        // support peer restarts).
        guard cookie.localTag == localTag, packetTag == localTag else {
            counters.rejectedCookies += 1
            return
        }
        switch state {
        case .closed, .cookieWait, .cookieEchoed:
            establish(with: cookie.peer)
        case .established, .shutdownPending, .shutdownReceived, .shutdownSent:
            // §5.2.4 D (both tags match): a repeated COOKIE ECHO, answer COOKIE ACK again.
            // B (peer tag changed): the peer started afresh with a new tag (and TSN); our tag
            // never changes, so this also covers a peer restart (A): take the new parameters.
            if cookie.peer.verificationTag != peerTag {
                if cookie.peer.initialTSN == peer?.initialTSN {
                    peerTag = cookie.peer.verificationTag
                    peer?.verificationTag = peerTag
                } else {
                    establish(with: cookie.peer, notify: false)
                }
            }
        case .shutdownAckSent:
            return
        }
        controlChunks.insert(.cookieAck, at: 0)
    }

    func handleCookieAck() {
        guard state == .cookieEchoed, let parameters = pendingPeer else { return }
        establish(with: parameters)
    }

    func establish(with parameters: PeerParameters, notify: Bool = true) {
        peer = parameters
        pendingPeer = nil
        peerTag = parameters.verificationTag
        outboundStreamCount = min(configuration.outboundStreams, parameters.inboundStreams)
        inboundStreamCount = min(configuration.inboundStreams, parameters.outboundStreams)
        dataTracker = DataTracker(peerInitialTSN: parameters.initialTSN)
        retransmissions = RetransmissionQueue(
            initialTSN: localInitialTSN, mtu: configuration.maxPayload + SCTPPacket.commonHeaderSize,
            peerReceiverWindow: parameters.receiverWindow, partialReliability: parameters.supportsForwardTSN)
        // RFC 6525 §5.1: request sequence numbers start at the initial TSN.
        streamReset = StreamResetState(
            nextRequestSequence: localInitialTSN, expectedPeerRequestSequence: parameters.initialTSN)
        initTimer = nil
        errorCount = 0
        retransmissionDeadline = nil
        delayedAckDeadline = nil
        sackNeeded = false
        dataPacketsSinceSack = 0
        forwardTSNNeeded = false
        if !notify {
            // A restart: what was queued for the old peer is gone with it.
            sendQueue = SendQueue()
            reassembly = ReassemblyQueue(maxMessageSize: configuration.maxMessageSize)
        }
        state = .established
        scheduleHeartbeat()
        if notify { emit(.established) }
    }

    func initTimerExpired() {
        guard var timer = initTimer else { return }
        timer.attempts += 1
        // §5.1 C: give up after Max.Init.Retransmits.
        guard timer.attempts <= configuration.maxInitRetransmits else {
            initTimer = nil
            terminate(reason: state == .cookieWait ? "no answer to INIT" : "no answer to COOKIE ECHO")
            return
        }
        timer.interval = min(configuration.rtoMax, timer.interval * 2)
        timer.deadline = now + timer.interval
        initTimer = timer
        switch state {
        case .cookieWait:
            sendInit()
        case .cookieEchoed:
            controlChunks.removeAll { if case .cookieEcho = $0 { true } else { false } }
            if let cookie = lastCookie { controlChunks.insert(.cookieEcho(CookieEchoChunk(cookie: cookie)), at: 0) }
        default:
            initTimer = nil
        }
        counters.retransmissions += 1
    }
}
