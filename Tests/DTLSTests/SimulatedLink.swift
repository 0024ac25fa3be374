import DTLS
import SRTP
import Testing

/// Two endpoints over a deterministic in-process link with simulated time.
/// Datagrams are delivered at once unless `drop` says otherwise; when nothing
/// is in flight the clock jumps to the earliest `pollTimeout()`.
final class SimulatedLink {
    enum Direction: Sendable, Equatable { case clientToServer, serverToClient }

    let client: DTLSEndpoint
    let server: DTLSEndpoint
    var now: Duration = .zero
    /// (direction, index of the datagram in that direction counting from 0, bytes) -> drop it?
    var drop: (Direction, Int, [UInt8]) -> Bool = { _, _, _ in false }
    /// Optionally replaces a datagram by others (after `drop` said keep it).
    var rewrite: ((Direction, Int, [UInt8]) -> [[UInt8]])?
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
                deliver(datagram, .clientToServer, to: server)
            }
            while let datagram = server.pollTransmit() {
                moved = true
                deliver(datagram, .serverToClient, to: client)
            }
            drainEvents()
            if done() { return true }
            if !moved {
                let deadlines = [client.pollTimeout(), server.pollTimeout()].compactMap { $0 }
                guard let next = deadlines.min(), next <= maxTime else { return false }
                now = max(now, next)
                client.handleTimeout(now: now)
                server.handleTimeout(now: now)
            }
        }
        return false
    }

    private func deliver(_ datagram: [UInt8], _ direction: Direction, to endpoint: DTLSEndpoint) {
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
            endpoint.handle(datagram: replacement, now: now)
        }
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
