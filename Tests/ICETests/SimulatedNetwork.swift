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
                guard let name = owners[packet.to] else { continue }
                agents[name]!.handle(datagram: packet.bytes, from: packet.from, to: packet.to, now: now)
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
                inFlight.append(Packet(deliverAt: now + delay, from: transmit.from, to: transmit.to, bytes: transmit.bytes))
            }
            while let event = agents[name]!.pollEvent() { events[name, default: []].append((now, event)) }
        }
    }

    func firstTime(_ name: String, of state: ICEConnectionState) -> Duration? {
        events[name]?.first { $0.1 == .stateChanged(state) }?.0
    }
}
