import DTLS
import SRTP
import Testing
import TestSupport

extension SplitMix {
    mutating func chance(_ probability: Double) -> Bool { unit() < probability }
    mutating func milliseconds(_ range: ClosedRange<Int>) -> Duration {
        .milliseconds(range.lowerBound + Int(next() % UInt64(range.count)))
    }
}

@Suite struct DTLSLossyLinkTests {
    static let seeds = Array(UInt64(1)...40)

    /// Loss and reordering for one seed: each datagram is dropped with probability 0.2; kept ones
    /// take 10-40 ms, and one in four is held back a further 0.1-1.5 s, so it lands behind later
    /// datagrams of its flight, behind later flights, or after its own retransmission.
    static func impair(_ link: SimulatedLink, seed: UInt64) {
        var random = SplitMix(seed: seed)
        link.drop = { _, _, _ in random.chance(0.2) }
        link.delay = { _, _, _ in
            var delay = random.milliseconds(10...40)
            if random.chance(0.25) { delay += random.milliseconds(100...1_500) }
            return delay
        }
    }

    /// RFC 6347 §4.2.4: every flight is retransmitted on the timer until the peer's next flight
    /// arrives, and §4.2.2 reorders/reassembles handshake messages, so 20% loss with reordering
    /// only costs time. Odd seeds use a 400-byte MTU so that certificate flights are fragmented
    /// (§4.2.3) and a flight is only whole when every fragment survived, possibly across
    /// retransmissions. The bound: back-off doubles from 1 s (§4.2.4.1), so two minutes allow
    /// about six consecutive losses of one flight; OpenSSL itself gives up after 12 timeouts.
    @Test(arguments: seeds)
    func handshakeSurvivesTwentyPercentLossAndReordering(seed: UInt64) throws {
        let mtu = seed % 2 == 0 ? 1200 : 400
        let (link, _, _) = try SimulatedLink.make(clientMTU: mtu, serverMTU: mtu)
        Self.impair(link, seed: seed)
        link.start()
        let bound: Duration = .seconds(120)
        #expect(link.run(until: { link.bothConnected }, maxTime: bound), "seed \(seed): not connected within \(bound)")
        #expect(SimulatedLink.failure(link.clientEvents) == nil && SimulatedLink.failure(link.serverEvents) == nil)
        let clientKeys = try #require(SimulatedLink.keys(link.clientEvents))
        let serverKeys = try #require(SimulatedLink.keys(link.serverEvents))
        // RFC 5764 §4.2: one exporter output, split in opposite order at the two ends.
        #expect(clientKeys == serverKeys.mirrored)
        #expect(clientKeys.localKey != clientKeys.remoteKey)
        #expect(link.client.keyingMaterial == clientKeys && link.server.keyingMaterial == serverKeys)
        #expect(link.largestFromClient <= mtu && link.largestFromServer <= mtu)

        // Application data over the same link: DTLS does not retransmit records (RFC 6347 §4.1),
        // so some are lost; those that arrive are intact, once each, in whatever order the link
        // chose (the replay window accepts reordered records, §4.1.2.6).
        let sent = (0..<40).map { index in [UInt8(index)] + [UInt8](repeating: UInt8(seed), count: 20 + index) }
        for record in sent {
            try link.client.send(record)
            try link.server.send(Array(record.reversed()))
        }
        _ = link.run(until: { false }, maxTime: link.now + .seconds(5))
        let atServer = SimulatedLink.data(link.serverEvents)
        let atClient = SimulatedLink.data(link.clientEvents)
        for (received, expected) in [(atServer, sent), (atClient, sent.map { Array($0.reversed()) })] {
            #expect(received.allSatisfy { expected.contains($0) })
            #expect(Set(received).count == received.count, "a record delivered twice")
            // 40 records at 20% loss: 32 expected, fewer than 20 is over four standard deviations off.
            #expect(received.count >= 20 && received.count <= 40, "\(received.count) of 40 records arrived")
        }

        // And once the link heals, every record crosses.
        link.drop = { _, _, _ in false }
        try link.client.send(Array("last from client".utf8))
        try link.server.send(Array("last from server".utf8))
        #expect(link.run(until: {
            SimulatedLink.data(link.serverEvents).last == Array("last from client".utf8)
                && SimulatedLink.data(link.clientEvents).last == Array("last from server".utf8)
        }, maxTime: link.now + .seconds(5)))
        #expect(link.client.state == .connected && link.server.state == .connected)
    }

    /// The impairment above really loses and reorders (so the test cannot pass on a clean link),
    /// and the handshakes needed retransmissions to get through.
    @Test func theImpairmentLosesAndReorders() throws {
        var dropped = 0
        var total = 0
        var reordered = 0
        var retransmissions = 0
        var slowest: Duration = .zero
        for seed in Self.seeds {
            let mtu = seed % 2 == 0 ? 1200 : 400
            let (link, _, _) = try SimulatedLink.make(clientMTU: mtu, serverMTU: mtu)
            Self.impair(link, seed: seed)
            link.start()
            #expect(link.run(until: { link.bothConnected }, maxTime: .seconds(120)))
            dropped += link.transcript.filter(\.dropped).count
            total += link.transcript.count
            reordered += link.deliveredOutOfOrder
            retransmissions += link.client.counters.retransmissionTimeouts + link.server.counters.retransmissionTimeouts
            slowest = max(slowest, link.now)
        }
        let lossRate = Double(dropped) / Double(total)
        #expect(lossRate > 0.15 && lossRate < 0.25, "loss rate \(lossRate) over \(total) datagrams")
        #expect(reordered >= Self.seeds.count, "only \(reordered) datagrams arrived out of order")
        #expect(retransmissions >= Self.seeds.count / 2)
        #expect(slowest >= .seconds(3), "no seed needed more than one retransmission: \(slowest)")
    }
}
