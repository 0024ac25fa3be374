import DTLS
import SRTP
import Testing

/// Two endpoints over a deterministic in-process link with simulated time.
/// Datagrams are delivered at once unless `drop` says otherwise, or after `delay`
/// when that is set; when nothing is due the clock jumps to the earliest
/// delivery or `pollTimeout()`.
final class SimulatedLink {
    enum Direction: Sendable, Equatable { case clientToServer, serverToClient }

    let client: DTLSEndpoint
    let server: DTLSEndpoint
    var now: Duration = .zero
    /// (direction, index of the datagram in that direction counting from 0, bytes) -> drop it?
    var drop: (Direction, Int, [UInt8]) -> Bool = { _, _, _ in false }
    /// Optionally replaces a datagram by others (after `drop` said keep it).
    var rewrite: ((Direction, Int, [UInt8]) -> [[UInt8]])?
    /// Optionally holds each kept datagram (after `rewrite`) in flight for this long; unequal
    /// delays reorder datagrams, including behind later flights and retransmissions.
    var delay: ((Direction, Int, [UInt8]) -> Duration)?
    /// Datagrams that arrived after one sent later in the same direction.
    private(set) var deliveredOutOfOrder = 0
    private var inFlight: [InFlight] = []
    private var sendOrder = 0
    private var highestDelivered: [Direction: Int] = [:]

    private struct InFlight {
        var deliverAt: Duration
        var order: Int
        var direction: Direction
        var bytes: [UInt8]
    }
    private(set) var sent: [Direction: Int] = [:]
    private(set) var transcript: [(direction: Direction, bytes: [UInt8], dropped: Bool)] = []
    private(set) var clientEvents: [DTLSEvent] = []
    private(set) var serverEvents: [DTLSEvent] = []

    init(client: DTLSEndpoint, server: DTLSEndpoint) {
        self.client = client
        self.server = server
    }

    static func make(
        clientMTU: Int = 1200, serverMTU: Int = 1200,
        clientProfiles: [SRTPProfile] = SRTPProfile.preferred, serverProfiles: [SRTPProfile] = SRTPProfile.preferred
    ) throws -> (SimulatedLink, DTLSCertificate, DTLSCertificate) {
        let clientCertificate = try DTLSCertificate(commonName: "client")
        let serverCertificate = try DTLSCertificate(commonName: "server")
        let client = try DTLSEndpoint(
            role: .client, certificate: clientCertificate, remoteFingerprint: serverCertificate.fingerprint, mtu: clientMTU,
            srtpProfiles: clientProfiles)
        let server = try DTLSEndpoint(
            role: .server, certificate: serverCertificate, remoteFingerprint: clientCertificate.fingerprint, mtu: serverMTU,
            srtpProfiles: serverProfiles)
        return (SimulatedLink(client: client, server: server), clientCertificate, serverCertificate)
    }

    func start() {
        server.start(now: now)
        client.start(now: now)
    }

    var largestFromClient: Int { transcript.filter { $0.direction == .clientToServer }.map(\.bytes.count).max() ?? 0 }
    var largestFromServer: Int { transcript.filter { $0.direction == .serverToClient }.map(\.bytes.count).max() ?? 0 }

    /// Moves datagrams and time until `done` holds; false if nothing more can happen or the limits hit.
    @discardableResult
    func run(until done: () -> Bool, maxSteps: Int = 100_000, maxTime: Duration = .seconds(3_600)) -> Bool {
        for _ in 0..<maxSteps {
            var moved = false
            while let datagram = client.pollTransmit() {
                moved = true
                transmit(datagram, .clientToServer)
            }
            while let datagram = server.pollTransmit() {
                moved = true
                transmit(datagram, .serverToClient)
            }
            if deliverDue() { moved = true }
            drainEvents()
            if done() { return true }
            if !moved {
                let deadlines = [client.pollTimeout(), server.pollTimeout(), inFlight.map(\.deliverAt).min()].compactMap { $0 }
                guard let next = deadlines.min(), next <= maxTime else { return false }
                now = max(now, next)
                client.handleTimeout(now: now)
                server.handleTimeout(now: now)
            }
        }
        return false
    }

    private func transmit(_ datagram: [UInt8], _ direction: Direction) {
        // The invariant every test checks: no datagram is larger than the sender's MTU.
        let sender = direction == .clientToServer ? client : server
        #expect(datagram.count <= sender.mtu, "a \(datagram.count)-byte datagram from an endpoint with MTU \(sender.mtu)")
        #expect(!datagram.isEmpty)
        let index = sent[direction, default: 0]
        sent[direction] = index + 1
        let dropped = drop(direction, index, datagram)
        transcript.append((direction, datagram, dropped))
        guard !dropped else { return }
        for replacement in rewrite?(direction, index, datagram) ?? [datagram] {
            sendOrder += 1
            guard let delay else {
                arrive(replacement, order: sendOrder, direction)
                continue
            }
            inFlight.append(InFlight(deliverAt: now + delay(direction, index, replacement), order: sendOrder, direction: direction, bytes: replacement))
        }
    }

    /// Hands over every in-flight datagram whose time has come, earliest first; true if any.
    private func deliverDue() -> Bool {
        guard inFlight.contains(where: { $0.deliverAt <= now }) else { return false }
        let due = inFlight.filter { $0.deliverAt <= now }.sorted { ($0.deliverAt, $0.order) < ($1.deliverAt, $1.order) }
        inFlight.removeAll { $0.deliverAt <= now }
        for datagram in due { arrive(datagram.bytes, order: datagram.order, datagram.direction) }
        return true
    }

    private func arrive(_ datagram: [UInt8], order: Int, _ direction: Direction) {
        if order < highestDelivered[direction, default: 0] { deliveredOutOfOrder += 1 }
        highestDelivered[direction] = max(order, highestDelivered[direction, default: 0])
        (direction == .clientToServer ? server : client).handle(datagram: datagram, now: now)
    }

    func drainEvents() {
        while let event = client.pollEvent() { clientEvents.append(event) }
        while let event = server.pollEvent() { serverEvents.append(event) }
    }

    var bothConnected: Bool { client.state == .connected && server.state == .connected }

    static func keys(_ events: [DTLSEvent]) -> SRTPKeyingMaterial? {
        for case .connected(let keys) in events { return keys }
        return nil
    }

    static func data(_ events: [DTLSEvent]) -> [[UInt8]] {
        events.compactMap { if case .data(let bytes) = $0 { bytes } else { nil } }
    }

    static func failure(_ events: [DTLSEvent]) -> String? {
        for case .failed(let why) in events { return why }
        return nil
    }
}
