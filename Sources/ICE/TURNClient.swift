/// A TURN client for one allocation over UDP (RFC 8656), sans-IO: it builds
/// the requests, answers the long-term-credential challenge, keeps the
/// allocation, permissions and channels refreshed, and wraps and unwraps
/// what goes to and from peers (Send/Data indications and ChannelData).
public struct TURNClient: Sendable {
    public enum State: Sendable, Equatable {
        case idle
        case allocating
        case allocated(relayed: TransportAddress, mapped: TransportAddress?)
        case failed(String)
    }

    public enum Event: Sendable, Equatable {
        case stateChanged(State)
        /// Data a peer sent to our relayed address.
        case data(from: TransportAddress, [UInt8])
        case permissionCreated(TransportAddress)
        case channelBound(TransportAddress, channel: UInt16)
    }

    public let server: TransportAddress
    public private(set) var state: State = .idle
    public private(set) var counters = ICECounters()

    private let username: String
    private let password: String
    private var realm: String?
    private var nonce: String?
    private var key: [UInt8]?
    private var random: SplitMix64
    private var pending: [[UInt8]: Request] = [:]
    private var transmits: [[UInt8]] = []
    private var events: [Event] = []
    private var lifetime: Duration = .seconds(600)
    private var refreshAllocationAt: Duration?
    private var permissions: [[UInt8]: Duration] = [:]  // peer IP -> refresh time
    private var channels: [TransportAddress: (number: UInt16, refreshAt: Duration, bound: Bool)] = [:]
    private var nextChannel: UInt16 = 0x4000

    enum Purpose: Sendable, Equatable {
        case allocate
        case refresh(lifetime: UInt32)
        case permission(TransportAddress)
        case channel(TransportAddress, UInt16)
    }

    struct Request: Sendable {
        var purpose: Purpose
        var bytes: [UInt8]
        var sentAt: Duration
        var retransmitAt: Duration
        var timeout: Duration
        var transmissionsLeft: Int
        var retriedAuth: Bool
    }

    public init(server: TransportAddress, username: String, password: String, seed: UInt64) {
        self.server = server
        self.username = username
        self.password = password
        random = SplitMix64(seed: seed)
    }

    // MARK: - Commands

    /// Asks for an allocation (RFC 8656 §7.1); the first try carries no credentials and
    /// expects the 401 challenge that brings the realm and nonce.
    public mutating func allocate(now: Duration) {
        setState(.allocating)
        send(.allocate, attributes: [.requestedTransport(17), .dontFragment], now: now)
    }

    /// Lets `peer`'s IP send to us through the relay (RFC 8656 §9), refreshed every 4 minutes.
    public mutating func createPermission(for peer: TransportAddress, now: Duration) {
        guard case .allocated = state else { return }
        send(.permission(peer), attributes: [.xorPeerAddress(peer)], now: now)
    }

    /// Binds a channel to `peer` so data travels in 4-byte ChannelData headers (RFC 8656 §12).
    public mutating func bindChannel(to peer: TransportAddress, now: Duration) {
        guard case .allocated = state else { return }
        let number = channels[peer]?.number ?? takeChannelNumber()
        channels[peer] = (number, now + .seconds(540), channels[peer]?.bound ?? false)
        send(.channel(peer, number), attributes: [.channelNumber(number), .xorPeerAddress(peer)], now: now)
    }

    /// Data for `peer` through the relay: ChannelData if a channel is bound, else a Send indication.
    public mutating func send(_ data: [UInt8], to peer: TransportAddress) {
        if let channel = channels[peer], channel.bound {
            var out: [UInt8] = [UInt8(channel.number >> 8), UInt8(channel.number & 0xFF),
                                UInt8(data.count >> 8 & 0xFF), UInt8(data.count & 0xFF)]
            out += data
            transmits.append(out)
        } else {
            let id = newTransactionID()
            let indication = STUNMessage(method: .send, messageClass: .indication, transactionID: id,
                                         attributes: [.xorPeerAddress(peer), .data(data)])
            transmits.append(indication.encode(fingerprint: false))
        }
    }

    /// Whether a channel to `peer` is bound or being bound.
    public func hasChannel(to peer: TransportAddress) -> Bool { channels[peer] != nil }

    /// Gives the allocation back (a Refresh with lifetime 0, RFC 8656 §7.2).
    public mutating func release(now: Duration) {
        guard case .allocated = state else { return }
        send(.refresh(lifetime: 0), attributes: [.lifetime(seconds: 0)], now: now)
        setState(.idle)
    }

    // MARK: - Input

    /// A datagram from the server. Returns false if it was not TURN traffic for us.
    @discardableResult
    public mutating func handle(datagram bytes: [UInt8], now: Duration) -> Bool {
        if let first = bytes.first, (0x40...0x7F).contains(first) {
            return handleChannelData(bytes)
        }
        guard let message = try? STUNMessage.decode(bytes) else {
            counters.malformed += 1
            return false
        }
        if message.method == .data && message.messageClass == .indication {
            guard let peer = message.first({ if case .xorPeerAddress(let a) = $0 { a } else { nil } }),
                let data = message.first({ if case .data(let d) = $0 { d } else { nil } })
            else {
                counters.malformed += 1
                return true
            }
            events.append(.data(from: peer, data))
            return true
        }
        guard let request = pending[message.transactionID] else {
            counters.unknownTransaction += 1
            return false
        }
        // Challenges (401, 438) come without integrity; everything else must carry ours.
        let code = message.first { if case .errorCode(let c, _) = $0 { c } else { nil } }
        if code != 401 && code != 438, let key, !STUNMessage.hasValidIntegrity(bytes, key: key) {
            counters.badIntegrity += 1
            return true
        }
        pending[message.transactionID] = nil
        counters.responsesReceived += 1
        if message.messageClass == .successResponse {
            succeeded(request.purpose, message, now: now)
        } else {
            failed(request, code: code ?? 0, message: message, now: now)
        }
        return true
    }

    public mutating func handleTimeout(now: Duration) {
        for (id, request) in pending where request.retransmitAt <= now {
            if request.transmissionsLeft == 0 {
                pending[id] = nil
                if request.purpose == .allocate { setState(.failed("no answer from the TURN server at \(server)")) }
                continue
            }
            var next = request
            next.timeout = min(request.timeout * 2, .seconds(3))
            next.retransmitAt = now + next.timeout
            next.transmissionsLeft -= 1
            pending[id] = next
            transmits.append(request.bytes)
        }
        guard case .allocated = state else { return }
        if let due = refreshAllocationAt, now >= due {
            refreshAllocationAt = nil
            send(.refresh(lifetime: 600), attributes: [.lifetime(seconds: 600)], now: now)
        }
        for (ip, due) in permissions where now >= due {
            permissions[ip] = now + .seconds(240)
            send(.permission(TransportAddress(address: ip, port: 0)), attributes: [.xorPeerAddress(TransportAddress(address: ip, port: 0))], now: now)
        }
        for (peer, channel) in channels where channel.bound && now >= channel.refreshAt {
            bindChannel(to: peer, now: now)
        }
    }

    // MARK: - Output

    /// The next datagram for the server.
    public mutating func pollTransmit() -> [UInt8]? { transmits.isEmpty ? nil : transmits.removeFirst() }
    public mutating func pollEvent() -> Event? { events.isEmpty ? nil : events.removeFirst() }

    public func pollTimeout() -> Duration? {
        var deadlines = pending.values.map(\.retransmitAt)
        if let refreshAllocationAt { deadlines.append(refreshAllocationAt) }
        deadlines += permissions.values
        deadlines += channels.values.filter(\.bound).map(\.refreshAt)
        return deadlines.min()
    }

    // MARK: - Internals

    private mutating func send(_ purpose: Purpose, attributes: [STUNAttribute], now: Duration, retriedAuth: Bool = false) {
        var all = attributes
        if let realm, let nonce { all += [.username(username), .realm(realm), .nonce(nonce)] }
        let id = newTransactionID()
        let method: STUNMethod
        switch purpose {
        case .allocate: method = .allocate
        case .refresh: method = .refresh
        case .permission: method = .createPermission
        case .channel: method = .channelBind
        }
        let bytes = STUNMessage(method: method, messageClass: .request, transactionID: id, attributes: all)
            .encode(integrityKey: key, fingerprint: false)
        pending[id] = Request(purpose: purpose, bytes: bytes, sentAt: now, retransmitAt: now + .milliseconds(500),
                              timeout: .milliseconds(500), transmissionsLeft: 6, retriedAuth: retriedAuth)
        transmits.append(bytes)
    }

    private mutating func succeeded(_ purpose: Purpose, _ message: STUNMessage, now: Duration) {
        switch purpose {
        case .allocate:
            guard let relayed = message.first({ if case .xorRelayedAddress(let a) = $0 { a } else { nil } }) else {
                setState(.failed("the TURN server's answer has no relayed address"))
                return
            }
            let mapped = message.first { if case .xorMappedAddress(let a) = $0 { a } else { nil } }
            if let seconds = message.first({ if case .lifetime(let s) = $0 { s } else { nil } }) {
                lifetime = .seconds(Int(seconds))
            }
            // Refresh a minute before the allocation would expire (RFC 8656 §7.2 leaves the margin to us).
            refreshAllocationAt = now + max(lifetime - .seconds(60), lifetime / 2)
            setState(.allocated(relayed: relayed, mapped: mapped))
        case .refresh(let requested):
            if requested > 0 { refreshAllocationAt = now + max(lifetime - .seconds(60), lifetime / 2) }
        case .permission(let peer):
            // Permissions last 300 s (RFC 8656 §9); renew at 240 s.
            if permissions[peer.address] == nil { events.append(.permissionCreated(peer)) }
            permissions[peer.address] = now + .seconds(240)
        case .channel(let peer, let number):
            let wasBound = channels[peer]?.bound ?? false
            channels[peer] = (number, now + .seconds(540), true)
            permissions[peer.address] = now + .seconds(240)
            if !wasBound { events.append(.channelBound(peer, channel: number)) }
        }
    }

    private mutating func failed(_ request: Request, code: Int, message: STUNMessage, now: Duration) {
        // RFC 8656 §7.3 / RFC 8489 §9.2.4: a 401 brings realm and nonce, a 438 a fresh nonce; retry once.
        if (code == 401 || code == 438), !request.retriedAuth || code == 438,
            let newNonce = message.first({ if case .nonce(let n) = $0 { n } else { nil } })
        {
            if let newRealm = message.first({ if case .realm(let r) = $0 { r } else { nil } }) { realm = newRealm }
            nonce = newNonce
            if let realm { key = STUNCrypto.longTermKey(username: username, realm: realm, password: password) }
            let attributes: [STUNAttribute]
            switch request.purpose {
            case .allocate: attributes = [.requestedTransport(17), .dontFragment]
            case .refresh(let lifetime): attributes = [.lifetime(seconds: lifetime)]
            case .permission(let peer): attributes = [.xorPeerAddress(peer)]
            case .channel(let peer, let number): attributes = [.channelNumber(number), .xorPeerAddress(peer)]
            }
            send(request.purpose, attributes: attributes, now: now, retriedAuth: true)
            return
        }
        let reason = message.first { if case .errorCode(_, let r) = $0 { r } else { nil } } ?? "error"
        if request.purpose == .allocate {
            setState(.failed(code == 401 ? "the TURN server refused the credentials (401 \(reason))" : "TURN allocation failed: \(code) \(reason)"))
        }
    }

    private mutating func handleChannelData(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else {
            counters.malformed += 1
            return true
        }
        let number = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard bytes.count >= 4 + length, let peer = channels.first(where: { $0.value.number == number })?.key else {
            counters.malformed += 1
            return true
        }
        events.append(.data(from: peer, Array(bytes[4..<(4 + length)])))
        return true
    }

    private mutating func takeChannelNumber() -> UInt16 {
        defer { nextChannel = nextChannel == 0x4FFF ? 0x4000 : nextChannel + 1 }
        return nextChannel
    }

    private mutating func setState(_ newState: State) {
        guard state != newState else { return }
        state = newState
        events.append(.stateChanged(newState))
    }

    private mutating func newTransactionID() -> [UInt8] { random.transactionID() }
}
