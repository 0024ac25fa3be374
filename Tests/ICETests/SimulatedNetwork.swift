import ICE

/// Two (or more) ICE agents on a simulated UDP network, in simulated time:
/// delay, seeded loss and blocking, faster than real time and reproducible.
struct SimulatedNetwork {
    struct Packet {
        var deliverAt: Duration
        var from: TransportAddress
        var to: TransportAddress
        var bytes: [UInt8]
    }

    var now: Duration = .zero
    var agents: [String: ICEAgent] = [:]
    /// Which agent owns a local address.
    var owners: [TransportAddress: String] = [:]
    var inFlight: [Packet] = []
    var delay: Duration = .milliseconds(10)
    var lossRate = 0.0
    /// Agents whose packets vanish (a peer that went away).
    var silenced: Set<String> = []
    var events: [String: [(Duration, ICEEvent)]] = [:]
    private var random: UInt64 = 0x1CE
    /// An address-restricted NAT in front of some private addresses.
    var nat: NAT?
    /// A STUN server that answers Binding requests with the source it saw.
    var stunServer: TransportAddress?

    /// Endpoint-independent mapping, address-restricted filtering (RFC 4787 terms).
    struct NAT {
        var publicIP: [UInt8]
        var privateIPs: Set<[UInt8]>
        var mappings: [TransportAddress: UInt16] = [:]
        var reverse: [UInt16: TransportAddress] = [:]
        var allowed: [UInt16: Set<[UInt8]>] = [:]
        var nextPort: UInt16 = 40000

        mutating func outbound(_ from: TransportAddress, to: TransportAddress) -> TransportAddress {
            guard privateIPs.contains(from.address) else { return from }
            let port = mappings[from] ?? {
                defer { nextPort += 1 }
                mappings[from] = nextPort
                reverse[nextPort] = from
                return nextPort
            }()
            allowed[port, default: []].insert(to.address)
            return TransportAddress(address: publicIP, port: port)
        }

        /// The private destination, or nil when the NAT drops the packet.
        func inbound(_ to: TransportAddress, from: TransportAddress) -> TransportAddress? {
            guard to.address == publicIP else { return to }
            guard let inside = reverse[to.port], allowed[to.port]?.contains(from.address) == true else { return nil }
            return inside
        }
    }

    mutating func add(_ name: String, _ agent: ICEAgent, addresses: [TransportAddress]) {
        agents[name] = agent
        for address in addresses { owners[address] = name }
    }

    mutating func nextRandom() -> Double {
        random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(random >> 11) / Double(1 << 53)
    }

    /// Runs until `end` in simulated time.
    mutating func run(until end: Duration) {
        while now <= end {
            drain()
            let nextDelivery = inFlight.map(\.deliverAt).min()
            let nextTimeout = agents.values.compactMap { $0.pollTimeout() }.min()
            guard let next = [nextDelivery, nextTimeout].compactMap({ $0 }).min() else { return }
            now = max(now, next)
            if now > end { return }
            let due = inFlight.filter { $0.deliverAt <= now }
            inFlight.removeAll { $0.deliverAt <= now }
            for packet in due {
                if packet.to == stunServer {
                    answerBinding(packet)
                    continue
                }
                guard let to = nat.map({ $0.inbound(packet.to, from: packet.from) }) ?? packet.to,
                    let name = owners[to]
                else { continue }
                agents[name]!.handle(datagram: packet.bytes, from: packet.from, to: to, now: now)
            }
            for name in agents.keys where (agents[name]!.pollTimeout() ?? .seconds(1_000_000)) <= now {
                agents[name]!.handleTimeout(now: now)
            }
        }
    }

    private mutating func drain() {
        for name in agents.keys.sorted() {
            while let transmit = agents[name]!.pollTransmit() {
                if silenced.contains(name) || nextRandom() < lossRate { continue }
                let from = nat?.outbound(transmit.from, to: transmit.to) ?? transmit.from
                inFlight.append(Packet(deliverAt: now + delay, from: from, to: transmit.to, bytes: transmit.bytes))
            }
            while let event = agents[name]!.pollEvent() { events[name, default: []].append((now, event)) }
        }
    }

    private mutating func answerBinding(_ packet: Packet) {
        guard let request = try? STUNMessage.decode(packet.bytes), request.messageClass == .request else { return }
        let response = STUNMessage(method: .binding, messageClass: .successResponse, transactionID: request.transactionID,
                                   attributes: [.xorMappedAddress(packet.from)])
        inFlight.append(Packet(deliverAt: now + delay, from: packet.to, to: packet.from, bytes: response.encode()))
    }

    func firstTime(_ name: String, of state: ICEConnectionState) -> Duration? {
        events[name]?.first { $0.1 == .stateChanged(state) }?.0
    }
}
