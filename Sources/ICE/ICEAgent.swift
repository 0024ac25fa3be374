import SDP

/// A full ICE agent for one component over UDP (RFC 8445, RFC 7675), sans-IO:
/// no sockets, threads or clocks. The driver feeds it datagrams and time and
/// drains it for datagrams to send, events and the next deadline:
///
///     agent.handle(datagram:from:to:now:)  /  agent.handleTimeout(now:)
///     while let t = agent.pollTransmit() { send t }
///     while let e = agent.pollEvent() { act on e }
///     agent.pollTimeout()  // when to call handleTimeout next
///
/// Time is a `Duration` since any fixed origin the driver picks.
public struct ICEAgent: Sendable {
    public private(set) var role: ICERole
    public private(set) var localCredentials: ICECredentials
    public private(set) var remoteCredentials: ICECredentials?
    public private(set) var state: ICEConnectionState = .new
    public private(set) var counters = ICECounters()
    public private(set) var selectedPair: CandidatePair?
    /// Round-trip time of the last answered check or consent request on the selected pair.
    public private(set) var roundTripTime: Duration?
    public private(set) var localCandidates: [ICECandidate] = []
    public private(set) var remoteCandidates: [ICECandidate] = []
    public private(set) var checkList: [CandidatePair] = []
    public let timing: ICETiming

    private var tieBreaker: UInt64
    private var random: SplitMix64
    private var triggered: [PairKey] = []
    private var outstanding: [[UInt8]: OutstandingCheck] = [:]
    private var nextCheckAt: Duration?
    private var transmits: [ICETransmit] = []
    private var events: [ICEEvent] = []
    private var remoteEndOfCandidates = false
    private var nominatedByPeer = Set<PairKey>()
    private var nominating: PairKey?
    private var lastConsentResponse: Duration = .zero
    private var nextConsentAt: Duration?
    /// TURN allocations, by the host base they are reached from.
    private var relays: [TransportAddress: TURNClient] = [:]
    /// The latest time the driver told us, for work started outside a timed input.
    private var lastKnownTime: Duration = .zero
    /// Only relayed candidates are paired (`--relay-only`, RTCIceTransportPolicy "relay").
    public var relayOnly = false

    /// Binding requests to STUN servers, by transaction ID.
    private var gathering: [[UInt8]: GatherRequest] = [:]

    struct GatherRequest: Sendable {
        var base: TransportAddress
        var server: TransportAddress
        var bytes: [UInt8]
        var nextRetransmit: Duration
        var timeout: Duration
        var transmissionsLeft: Int
    }

    struct PairKey: Hashable, Sendable {
        var local: TransportAddress
        var remote: TransportAddress
    }

    struct OutstandingCheck: Sendable {
        var pair: PairKey
        var bytes: [UInt8]
        var isNomination: Bool
        var isConsent: Bool
        var lastSent: Duration
        var nextRetransmit: Duration
        var timeout: Duration
        var transmissionsLeft: Int
    }

    /// `seed` drives transaction IDs, tie-breaker and jitter: pass fresh random bits in use,
    /// a fixed value in tests.
    public init(role: ICERole, credentials: ICECredentials, seed: UInt64, timing: ICETiming = ICETiming()) {
        self.role = role
        localCredentials = credentials
        self.timing = timing
        random = SplitMix64(seed: seed)
        tieBreaker = random.next()
    }

    // MARK: - Inputs

    public mutating func setRemoteCredentials(_ credentials: ICECredentials) {
        remoteCredentials = credentials
    }

    public mutating func addLocalCandidate(_ candidate: ICECandidate) {
        guard !localCandidates.contains(where: { $0.address == candidate.address && $0.kind == candidate.kind }) else { return }
        localCandidates.append(candidate)
        rebuildCheckList()
    }

    public mutating func addRemoteCandidate(_ candidate: ICECandidate) {
        if let i = remoteCandidates.firstIndex(where: { $0.address == candidate.address }) {
            // A signalled candidate replaces a peer-reflexive one learned earlier (RFC 8445 §7.3.1.3).
            guard remoteCandidates[i].kind == .prflx else { return }
            remoteCandidates[i] = candidate
        } else {
            remoteCandidates.append(candidate)
        }
        rebuildCheckList()
    }

    /// `a=end-of-candidates` or an empty trickled candidate: no more remote candidates will come.
    public mutating func remoteCandidatesComplete() {
        remoteEndOfCandidates = true
    }

    /// Asks `server` for the server-reflexive address of every host candidate
    /// (RFC 8445 §5.1.1.2); new candidates come out as `.localCandidate` events,
    /// then `.gatheringComplete`.
    public mutating func gatherServerReflexive(from server: TransportAddress, now: Duration) {
        for host in localCandidates where host.kind == .host && host.address.family == server.family {
            let id = newTransactionID()
            let bytes = STUNMessage(method: .binding, messageClass: .request, transactionID: id).encode()
            gathering[id] = GatherRequest(base: host.base, server: server, bytes: bytes,
                                          nextRetransmit: now + timing.retransmissionTimeout,
                                          timeout: timing.retransmissionTimeout, transmissionsLeft: timing.transmissions - 1)
            transmits.append(ICETransmit(from: host.base, to: server, bytes: bytes))
        }
        if gathering.isEmpty { events.append(.gatheringComplete) }
    }

    /// Asks `server` for a relayed address from every host candidate of its family
    /// (RFC 8656); each allocation becomes a relay candidate (a `.localCandidate` event).
    /// `onlyFrom` limits the allocations to these host bases (those with a TCP connection to the server).
    public mutating func gatherRelayed(from server: TransportAddress, username: String, password: String, now: Duration,
                                       onlyFrom bases: Set<TransportAddress>? = nil) {
        lastKnownTime = max(lastKnownTime, now)
        for host in localCandidates where host.kind == .host && host.address.family == server.family && relays[host.base] == nil
            && bases?.contains(host.base) ?? true {
            var client = TURNClient(server: server, username: username, password: password, seed: random.next())
            client.allocate(now: now)
            relays[host.base] = client
            drainRelay(host.base, now: now)
        }
    }

    /// Whether datagrams from `address` belong to one of our TURN allocations
    /// (ChannelData is not STUN, yet it is ours to unwrap).
    public func isRelayServer(_ address: TransportAddress) -> Bool {
        relays.values.contains { $0.server == address }
    }

    /// Application data (DTLS, SRTP) for the peer on the selected pair, through the
    /// relay when the pair is relayed. False when there is no selected pair yet.
    public mutating func sendData(_ bytes: [UInt8]) -> Bool {
        guard let pair = selectedPair else { return false }
        queue(from: pair.local.base, to: pair.remote.address, bytes: bytes)
        return true
    }

    /// ICE restart (RFC 8445 §9): new credentials of ours, the peer's to follow with
    /// its new candidates. Local candidates stay; the selected pair keeps carrying
    /// media until a new one is selected.
    public mutating func restart(credentials: ICECredentials) {
        localCredentials = credentials
        remoteCredentials = nil
        remoteCandidates.removeAll()
        remoteEndOfCandidates = false
        checkList.removeAll()
        triggered.removeAll()
        outstanding = outstanding.filter { $0.value.isConsent }
        nominatedByPeer.removeAll()
        nominating = nil
        nextCheckAt = nil
        if state == .failed || state == .disconnected { setState(.checking) }
    }

    public mutating func close() {
        setState(.closed)
        outstanding.removeAll()
        triggered.removeAll()
        nextCheckAt = nil
        nextConsentAt = nil
    }

    /// A STUN datagram that arrived on the socket bound at `local` from `source`.
    public mutating func handle(datagram: [UInt8], from source: TransportAddress, to local: TransportAddress, now: Duration) {
        guard state != .closed else { return }
        lastKnownTime = max(lastKnownTime, now)
        if relays[local]?.server == source {
            relays[local]!.handle(datagram: datagram, now: now)
            drainRelay(local, now: now)
            return
        }
        let message: STUNMessage
        do { message = try STUNMessage.decode(datagram) } catch {
            counters.malformed += 1
            return
        }
        switch (message.method, message.messageClass) {
        case (.binding, .request): handleRequest(message, datagram, from: source, to: local, now: now)
        case (.binding, .successResponse), (.binding, .errorResponse): handleResponse(message, datagram, from: source, to: local, now: now)
        default: counters.malformed += 1  // indications and other methods are not ours to answer
        }
    }

    public mutating func handleTimeout(now: Duration) {
        guard state != .closed else { return }
        lastKnownTime = max(lastKnownTime, now)
        retransmit(now: now)
        retransmitGathering(now: now)
        for base in relays.keys {
            relays[base]!.handleTimeout(now: now)
            drainRelay(base, now: now)
        }
        startNextCheck(now: now)
        checkConsent(now: now)
        if selectedPair == nil, remoteEndOfCandidates, !checkList.isEmpty,
            checkList.allSatisfy({ $0.state == .failed }), outstanding.isEmpty
        {
            setState(.failed)
        }
    }

    // MARK: - Outputs

    public mutating func pollTransmit() -> ICETransmit? { transmits.isEmpty ? nil : transmits.removeFirst() }
    public mutating func pollEvent() -> ICEEvent? { events.isEmpty ? nil : events.removeFirst() }

    /// The next time `handleTimeout` has work to do, if any.
    public func pollTimeout() -> Duration? {
        guard state != .closed else { return nil }
        var deadlines = outstanding.values.map(\.nextRetransmit) + gathering.values.map(\.nextRetransmit)
            + relays.values.compactMap { $0.pollTimeout() }
        if let nextCheckAt, hasCheckToStart { deadlines.append(nextCheckAt) }
        if let nextConsentAt { deadlines.append(nextConsentAt) }
        if selectedPair != nil {
            if state == .connected { deadlines.append(lastConsentResponse + timing.disconnectedAfter) }
            if state != .failed { deadlines.append(lastConsentResponse + timing.failedAfter) }
        }
        return deadlines.min()
    }

    // MARK: - Check list

    private mutating func rebuildCheckList() {
        let old = checkList
        let locals = relayOnly ? localCandidates.filter { $0.kind == .relay } : localCandidates
        var fresh = CheckListBuilder.pairs(locals: locals, remotes: remoteCandidates, weAreControlling: role == .controlling)
        for i in fresh.indices {
            if let previous = old.first(where: { Self.key($0) == Self.key(fresh[i]) }) {
                fresh[i].state = previous.state
                fresh[i].nominated = previous.nominated
            } else if old.contains(where: { $0.foundation == fresh[i].foundation && ($0.state == .waiting || $0.state == .inProgress) }) {
                fresh[i].state = .frozen
            }
        }
        checkList = fresh
        if nextCheckAt == nil { nextCheckAt = .zero }
        if !relays.isEmpty { createMissingPermissions(now: lastKnownTime) }
    }

    private static func key(_ pair: CandidatePair) -> PairKey { PairKey(local: pair.local.base, remote: pair.remote.address) }

    private func index(of key: PairKey) -> Int? { checkList.firstIndex { Self.key($0) == key } }

    private var hasCheckToStart: Bool {
        remoteCredentials != nil && (!triggered.isEmpty || checkList.contains { $0.state == .waiting || $0.state == .frozen })
    }

    /// RFC 8445 §6.1.4.2: every Ta, the triggered queue first, then the best Waiting pair, else unfreeze one.
    private mutating func startNextCheck(now: Duration) {
        guard remoteCredentials != nil, let due = nextCheckAt, now >= due else { return }
        var chosen: PairKey?
        var nominate = false
        while !triggered.isEmpty && chosen == nil {
            let key = triggered.removeFirst()
            if let i = index(of: key), checkList[i].state != .failed || nominating == key {
                chosen = key
                nominate = nominating == key
            }
        }
        if chosen == nil, let i = checkList.firstIndex(where: { $0.state == .waiting }) {
            chosen = Self.key(checkList[i])
        }
        if chosen == nil, let i = checkList.firstIndex(where: { $0.state == .frozen }) {
            chosen = Self.key(checkList[i])
        }
        guard let key = chosen, let i = index(of: key) else { return }
        checkList[i].state = .inProgress
        sendCheck(on: checkList[i], nominate: nominate, consent: false, now: now)
        if state == .new { setState(.checking) }
        nextCheckAt = now + timing.pacing
    }

    private mutating func sendCheck(on pair: CandidatePair, nominate: Bool, consent: Bool, now: Duration) {
        guard let remote = remoteCredentials else { return }
        var attributes: [STUNAttribute] = [
            .username("\(remote.ufrag):\(localCredentials.ufrag)"),
            // RFC 8445 §7.1.1: the priority a peer-reflexive candidate from this check would get.
            .priority(ICECandidate.priority(kind: .prflx, localPreference: UInt16((pair.local.priority >> 8) & 0xFFFF), component: 1)),
            role == .controlling ? .iceControlling(tieBreaker: tieBreaker) : .iceControlled(tieBreaker: tieBreaker),
        ]
        if nominate && role == .controlling { attributes.append(.useCandidate) }
        let transactionID = newTransactionID()
        let request = STUNMessage(method: .binding, messageClass: .request, transactionID: transactionID, attributes: attributes)
        let bytes = request.encode(integrityKey: STUNCrypto.shortTermKey(password: remote.pwd))
        outstanding[transactionID] = OutstandingCheck(
            pair: Self.key(pair), bytes: bytes, isNomination: nominate, isConsent: consent, lastSent: now,
            nextRetransmit: now + timing.retransmissionTimeout, timeout: timing.retransmissionTimeout,
            transmissionsLeft: (consent ? 1 : timing.transmissions) - 1)
        queue(from: pair.local.base, to: pair.remote.address, bytes: bytes)
        counters.checksSent += 1
    }

    private mutating func retransmit(now: Duration) {
        for (id, check) in outstanding where check.nextRetransmit <= now {
            guard check.transmissionsLeft > 0 else {
                outstanding[id] = nil
                if !check.isConsent, let i = index(of: check.pair), checkList[i].state == .inProgress {
                    checkList[i].state = .failed
                    if nominating == check.pair { nominating = nil }
                }
                continue
            }
            var next = check
            next.timeout = min(check.timeout * 2, timing.maximumRetransmissionTimeout)
            next.nextRetransmit = now + next.timeout
            next.lastSent = now
            next.transmissionsLeft -= 1
            outstanding[id] = next
            queue(from: check.pair.local, to: check.pair.remote, bytes: check.bytes)
        }
    }

    // MARK: - Requests from the peer

    private mutating func handleRequest(_ request: STUNMessage, _ bytes: [UInt8], from source: TransportAddress,
                                        to local: TransportAddress, now: Duration) {
        // RFC 8445 §7.3: USERNAME is "<our ufrag>:<their ufrag>", integrity keyed with our password.
        guard let username = request.first({ if case .username(let u) = $0 { u } else { nil } }),
            username.hasPrefix(localCredentials.ufrag + ":")
        else {
            counters.wrongUsername += 1
            return
        }
        guard STUNMessage.hasValidIntegrity(bytes, key: STUNCrypto.shortTermKey(password: localCredentials.pwd)) else {
            counters.badIntegrity += 1
            return
        }
        // RFC 8445 §7.3.1.1: role conflicts are settled by the tie-breakers.
        if role == .controlling, let theirs = request.first({ if case .iceControlling(let t) = $0 { t } else { nil } }) {
            if tieBreaker >= theirs {
                respondError(to: request, code: 487, reason: "Role Conflict", from: local, to: source)
                return
            }
            switchRole(to: .controlled)
        } else if role == .controlled, let theirs = request.first({ if case .iceControlled(let t) = $0 { t } else { nil } }) {
            if tieBreaker >= theirs {
                switchRole(to: .controlling)
            } else {
                respondError(to: request, code: 487, reason: "Role Conflict", from: local, to: source)
                return
            }
        }
        let response = STUNMessage(method: .binding, messageClass: .successResponse, transactionID: request.transactionID,
                                   attributes: [.xorMappedAddress(source)])
        queue(from: local, to: source, bytes: response.encode(integrityKey: STUNCrypto.shortTermKey(password: localCredentials.pwd)))

        // RFC 8445 §7.3.1.3: an unknown source is a peer-reflexive remote candidate.
        if !remoteCandidates.contains(where: { $0.address == source }) {
            let priority = request.first({ if case .priority(let p) = $0 { p } else { nil } })
                ?? ICECandidate.priority(kind: .prflx, localPreference: 0, component: 1)
            let learned = ICECandidate(kind: .prflx, address: source, base: source, priority: priority,
                                       foundation: "prflx\(remoteCandidates.count)")
            remoteCandidates.append(learned)
            events.append(.peerReflexiveRemote(learned))
            rebuildCheckList()
        }
        let key = PairKey(local: local, remote: source)
        guard let i = index(of: key) else { return }
        let useCandidate = request.attributes.contains(.useCandidate)
        if useCandidate && role == .controlled { nominatedByPeer.insert(key) }
        // RFC 8445 §7.3.1.4: a triggered check, unless one is running or already succeeded.
        switch checkList[i].state {
        case .succeeded:
            if useCandidate && role == .controlled { select(checkList[i], now: now) }
        case .inProgress:
            break
        case .frozen, .waiting, .failed:
            checkList[i].state = .waiting
            if !triggered.contains(key) { triggered.append(key) }
            if nextCheckAt == nil || nextCheckAt! > now { nextCheckAt = now }
        }
    }

    private mutating func respondError(to request: STUNMessage, code: Int, reason: String, from local: TransportAddress,
                                       to source: TransportAddress) {
        let response = STUNMessage(method: .binding, messageClass: .errorResponse, transactionID: request.transactionID,
                                   attributes: [.errorCode(code: code, reason: reason)])
        queue(from: local, to: source, bytes: response.encode(integrityKey: STUNCrypto.shortTermKey(password: localCredentials.pwd)))
    }

    private mutating func switchRole(to newRole: ICERole) {
        guard role != newRole else { return }
        role = newRole
        events.append(.roleChanged(newRole))
        checkList.sort { $0.priority(weAreControlling: role == .controlling) > $1.priority(weAreControlling: role == .controlling) }
    }

    // MARK: - Responses to our checks

    private mutating func handleResponse(_ response: STUNMessage, _ bytes: [UInt8], from source: TransportAddress,
                                         to local: TransportAddress, now: Duration) {
        if let request = gathering[response.transactionID], source == request.server {
            gathered(request, response, id: response.transactionID)
            return
        }
        guard let check = outstanding[response.transactionID] else {
            counters.unknownTransaction += 1
            return
        }
        guard let remote = remoteCredentials,
            STUNMessage.hasValidIntegrity(bytes, key: STUNCrypto.shortTermKey(password: remote.pwd))
        else {
            counters.badIntegrity += 1
            return
        }
        outstanding[response.transactionID] = nil
        counters.responsesReceived += 1
        guard let i = index(of: check.pair) else { return }

        if response.messageClass == .errorResponse {
            let code = response.first { if case .errorCode(let c, _) = $0 { c } else { nil } }
            if code == 487 {
                // RFC 8445 §7.2.5.1: take the other role and check again.
                switchRole(to: role == .controlling ? .controlled : .controlling)
                if let j = index(of: check.pair) {
                    checkList[j].state = .waiting
                    triggered.append(check.pair)
                }
            } else if !check.isConsent {
                checkList[i].state = .failed
            }
            return
        }
        // RFC 8445 §7.2.5.2.1: the response must come back on the path the request took.
        guard source == check.pair.remote, local == check.pair.local else {
            if !check.isConsent { checkList[i].state = .failed }
            return
        }
        roundTripTime = now - check.lastSent
        if check.isConsent {
            lastConsentResponse = now
            if state == .disconnected { setState(.connected) }
            return
        }
        checkList[i].state = .succeeded
        // RFC 8445 §7.2.5.3.3: a success unfreezes the pairs of the same foundation.
        let foundation = checkList[i].foundation
        for j in checkList.indices where checkList[j].state == .frozen && checkList[j].foundation == foundation {
            checkList[j].state = .waiting
        }
        switch role {
        case .controlling:
            if check.isNomination {
                checkList[i].nominated = true
                select(checkList[i], now: now)
            } else if nominating == nil && selectedPair == nil {
                // Regular nomination (§8.1.1): check the first valid pair again with USE-CANDIDATE.
                nominating = check.pair
                triggered.insert(check.pair, at: 0)
                if nextCheckAt == nil || nextCheckAt! > now { nextCheckAt = now }
            }
        case .controlled:
            if nominatedByPeer.contains(check.pair) { select(checkList[i], now: now) }
        }
    }

    private mutating func gathered(_ request: GatherRequest, _ response: STUNMessage, id: [UInt8]) {
        gathering[id] = nil
        counters.responsesReceived += 1
        if response.messageClass == .successResponse,
            let mapped = response.first({ if case .xorMappedAddress(let a) = $0 { a } else { nil } }) ?? response.first({ if case .mappedAddress(let a) = $0 { a } else { nil } }),
            // RFC 8445 §5.1.3: a reflexive address equal to its base adds nothing.
            mapped != request.base,
            !localCandidates.contains(where: { $0.address == mapped })
        {
            let candidate = ICECandidate.local(kind: .srflx, address: mapped, base: request.base, server: request.server,
                                               relatedAddress: request.base)
            addLocalCandidate(candidate)
            events.append(.localCandidate(candidate))
        }
        if gathering.isEmpty { events.append(.gatheringComplete) }
    }

    private mutating func retransmitGathering(now: Duration) {
        for (id, request) in gathering where request.nextRetransmit <= now {
            guard request.transmissionsLeft > 0 else {
                gathering[id] = nil
                if gathering.isEmpty { events.append(.gatheringComplete) }
                continue
            }
            var next = request
            next.timeout = min(request.timeout * 2, timing.maximumRetransmissionTimeout)
            next.nextRetransmit = now + next.timeout
            next.transmissionsLeft -= 1
            gathering[id] = next
            transmits.append(ICETransmit(from: request.base, to: request.server, bytes: request.bytes))
        }
    }

    // MARK: - Relays

    /// Sends from a local base: straight out, or wrapped for the TURN server when the base is a relayed address.
    private mutating func queue(from base: TransportAddress, to destination: TransportAddress, bytes: [UInt8]) {
        if let host = relayHost(for: base) {
            relays[host]!.send(bytes, to: destination)
            drainRelayTransmits(host)
        } else {
            transmits.append(ICETransmit(from: base, to: destination, bytes: bytes))
        }
    }

    private func relayHost(for base: TransportAddress) -> TransportAddress? {
        relays.first { if case .allocated(let relayed, _) = $0.value.state { relayed == base } else { false } }?.key
    }

    private mutating func drainRelayTransmits(_ host: TransportAddress) {
        guard let server = relays[host]?.server else { return }
        while let datagram = relays[host]!.pollTransmit() {
            transmits.append(ICETransmit(from: host, to: server, bytes: datagram))
        }
    }

    private mutating func drainRelay(_ host: TransportAddress, now: Duration) {
        drainRelayTransmits(host)
        while let event = relays[host]?.pollEvent() {
            switch event {
            case .stateChanged(.allocated(let relayed, let mapped)):
                let candidate = ICECandidate.local(kind: .relay, address: relayed, base: relayed,
                                                   server: relays[host]!.server, relatedAddress: mapped)
                addLocalCandidate(candidate)
                events.append(.localCandidate(candidate))
            case .data(let peer, let bytes):
                guard case .allocated(let relayed, _) = relays[host]!.state else { continue }
                if STUNMessage.looksLikeSTUN(bytes) {
                    handle(datagram: bytes, from: peer, to: relayed, now: now)
                } else {
                    events.append(.relayedData(bytes, from: peer))
                }
            case .stateChanged(.failed(let why)):
                events.append(.relayFailed(why))
            case .stateChanged, .permissionCreated, .channelBound:
                break
            }
        }
        createMissingPermissions(now: now)
    }

    /// A relay drops packets from peers without a permission (RFC 8656 §9): ask for
    /// one (a channel, which includes it) for every remote paired with a relayed local.
    private mutating func createMissingPermissions(now: Duration) {
        for host in relays.keys {
            guard case .allocated(let relayed, _) = relays[host]!.state else { continue }
            for pair in checkList where pair.local.base == relayed && !relays[host]!.hasChannel(to: pair.remote.address) {
                relays[host]!.bindChannel(to: pair.remote.address, now: now)
                drainRelayTransmits(host)
            }
        }
    }

    // MARK: - Selection and consent

    private mutating func select(_ pair: CandidatePair, now: Duration) {
        if selectedPair.map(Self.key) != Self.key(pair) {
            selectedPair = pair
            events.append(.selectedPair(local: pair.local, remote: pair.remote))
        }
        lastConsentResponse = now
        nextConsentAt = now + jitteredConsentInterval()
        setState(.connected)
    }

    private mutating func checkConsent(now: Duration) {
        guard let pair = selectedPair else { return }
        if let due = nextConsentAt, now >= due {
            sendCheck(on: pair, nominate: false, consent: true, now: now)
            nextConsentAt = now + jitteredConsentInterval()
        }
        let silence = now - lastConsentResponse
        if silence >= timing.failedAfter {
            // RFC 7675 §5.1: consent expired; stop sending on this pair.
            setState(.failed)
            nextConsentAt = nil
        } else if silence >= timing.disconnectedAfter, state == .connected {
            setState(.disconnected)
        }
    }

    private mutating func jitteredConsentInterval() -> Duration {
        // RFC 7675 §5.1: randomise the interval by ±20 % (0.8 to 1.2 of the base).
        let factor = 0.8 + 0.4 * Double(random.next() >> 11) / Double(1 << 53)
        return timing.consentInterval * factor
    }

    private mutating func setState(_ newState: ICEConnectionState) {
        guard state != newState, state != .closed else { return }
        state = newState
        events.append(.stateChanged(newState))
    }

    private mutating func newTransactionID() -> [UInt8] { random.transactionID() }
}

/// A small deterministic generator: the agent's randomness comes from one seed.
struct SplitMix64: Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 96 bits for a STUN transaction ID (RFC 8489 §5).
    mutating func transactionID() -> [UInt8] {
        let a = next(), b = next()
        return (0..<8).map { UInt8(truncatingIfNeeded: a >> ($0 * 8)) } + (0..<4).map { UInt8(truncatingIfNeeded: b >> ($0 * 8)) }
    }
}
