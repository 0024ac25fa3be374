import DTLS
import Testing

/// Bad input never crashes; what cannot be DTLS is dropped and counted.
@Suite struct GarbageTests {
    static func malformed(_ generator: inout some RandomNumberGenerator) -> [[UInt8]] {
        var list: [[UInt8]] = [
            [],
            [22],  // shorter than a record header
            [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2],  // length says 5, 2 present
            [22, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1],  // TLS, not DTLS, version
            [0x40, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],  // unknown content type 64 (outside RFC 7983's range too)
            [63, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],  // content type 63: in the DTLS range, not a type we know
            [23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0, 0] + [22],  // one good empty record then a stray byte
            [0, 1, 0, 0],  // STUN-looking
            [0x80, 0x60, 0, 1],  // RTP-looking
        ]
        for _ in 0..<200 {
            var datagram = (0..<Int.random(in: 1...1500, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            datagram[0] = UInt8.random(in: 20...63, using: &generator)
            if datagram.count >= 3 { datagram[1] = 0xFE; datagram[2] = 0xFD }  // pass the first checks, fail later
            if datagram.count >= 13 {
                // A length that runs past the end.
                let length = datagram.count - 13 + Int.random(in: 1...200, using: &generator)
                datagram[11] = UInt8(length >> 8 & 0xFF)
                datagram[12] = UInt8(length & 0xFF)
            }
            list.append(datagram)
        }
        return list
    }

    func spray(_ endpoint: DTLSEndpoint, now: Duration) -> Int {
        var generator = SystemRandomNumberGenerator()
        let list = Self.malformed(&generator)
        let before = endpoint.counters.datagramsDropped
        for datagram in list { endpoint.handle(datagram: datagram, now: now) }
        #expect(endpoint.counters.datagramsDropped - before == list.count)
        return list.count
    }

    @Test func atEveryStateGarbageIsDroppedAndCounted() throws {
        let (link, _, _) = try SimulatedLink.make()
        // new (the client has not started; a server starts on its first datagram but drops garbage)
        _ = spray(link.client, now: .zero)
        #expect(link.client.state == .new)
        _ = spray(link.server, now: .zero)
        #expect(link.server.state == .connecting)
        #expect(link.server.pollTransmit() == nil)  // garbage made it say nothing
        // connecting
        link.start()
        _ = spray(link.client, now: .zero)
        let hello = try #require(link.client.pollTransmit())
        link.server.handle(datagram: hello, now: .zero)  // the ClientHello
        _ = spray(link.server, now: .zero)
        #expect(link.client.state == .connecting && link.server.state == .connecting)
        // the handshake is not disturbed
        #expect(link.run { link.bothConnected })
        #expect(SimulatedLink.failure(link.clientEvents) == nil && SimulatedLink.failure(link.serverEvents) == nil)
        // connected
        _ = spray(link.client, now: link.now)
        _ = spray(link.server, now: link.now)
        try link.client.send([9])
        #expect(link.run { SimulatedLink.data(link.serverEvents) == [[9]] })
        // closed and failed: everything is dropped, even well-formed records
        link.client.close()
        #expect(link.run { link.server.state == .closed })
        _ = spray(link.client, now: link.now)
        _ = spray(link.server, now: link.now)
        let record: [UInt8] = [23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0, 1, 0]
        let dropped = link.client.counters.datagramsDropped
        link.client.handle(datagram: record, now: link.now)
        #expect(link.client.counters.datagramsDropped == dropped + 1)
        #expect(link.client.pollEvent() == nil)
    }

    @Test func garbageAfterAFailureIsCounted() throws {
        let a = try DTLSCertificate(), b = try DTLSCertificate(), c = try DTLSCertificate()
        let client = try DTLSEndpoint(role: .client, certificate: a, remoteFingerprint: c.fingerprint)
        let server = try DTLSEndpoint(role: .server, certificate: b, remoteFingerprint: a.fingerprint)
        let link = SimulatedLink(client: client, server: server)
        link.start()
        #expect(link.run { client.state == .failed })
        _ = spray(client, now: link.now)
        #expect(client.state == .failed)
    }

    /// Record-shaped garbage (valid headers, random bodies) reaches OpenSSL. In the
    /// connected state it fails record authentication and is discarded (RFC 6347
    /// §4.1.2.7); the association keeps working.
    @Test func wellFramedGarbageWhenConnectedIsDiscarded() throws {
        let (link, _, _) = try SimulatedLink.make()
        link.start()
        #expect(link.run { link.bothConnected })
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let body = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let type = [UInt8(20), 21, 22, 23].randomElement(using: &generator)!
            let epoch = UInt8.random(in: 0...2, using: &generator)
            var record: [UInt8] = [type, 0xFE, 0xFD, 0, epoch]
            record += (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }
            record += [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
            let wasConnected = link.server.state == .connected
            link.server.handle(datagram: record, now: link.now)
            #expect(!wasConnected || link.server.state == .connected, "type \(type) epoch \(epoch) length \(body.count)")
        }
        while link.server.pollEvent() != nil {}
        #expect(link.server.state == .connected, "\(link.server.failureReason ?? "")")
        try link.client.send([1, 2, 3])
        #expect(link.run { SimulatedLink.data(link.serverEvents).contains([1, 2, 3]) })
    }

    /// During the handshake, record-shaped garbage may make OpenSSL abort the handshake
    /// (epoch 0 has no authentication); whatever happens, nothing traps and a failure says why.
    @Test func wellFramedGarbageDuringTheHandshakeNeverCrashes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<30 {
            let (link, _, _) = try SimulatedLink.make()
            link.start()
            for _ in 0..<20 {
                let body = (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                var record: [UInt8] = [[UInt8(20), 21, 22, 23].randomElement(using: &generator)!, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, UInt8.random(in: 0...9, using: &generator)]
                record += [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
                link.server.handle(datagram: record, now: link.now)
                link.client.handle(datagram: record, now: link.now)
            }
            _ = link.run { link.bothConnected || link.client.state == .failed || link.server.state == .failed }
            for endpoint in [link.client, link.server] where endpoint.state == .failed {
                #expect(endpoint.failureReason?.isEmpty == false)
            }
        }
    }
}
