import Testing
@testable import SCTP

@Suite struct AssociationSetupTests {
    @Test func oneSideConnects() {
        let link = makeAssociations()
        link.left.connect(now: .zero)
        #expect(link.left.state == .cookieWait)
        let ok = link.run(until: { link.left.state == .established && link.right.state == .established })
        #expect(ok)
        #expect(link.leftEvents.contains(.established))
        #expect(link.rightEvents.contains(.established))
        #expect(link.left.negotiatedOutboundStreams == 1024)
        #expect(link.left.peerSupportsPartialReliability)
        // 4-way handshake in 2 round trips of 10 ms each way.
        #expect(link.now <= .milliseconds(41))
    }

    @Test func bothSidesConnectAtOnce() {
        let link = makeAssociations(seed: 5)
        link.left.connect(now: .zero)
        link.right.connect(now: .zero)
        let ok = link.run(until: { link.left.state == .established && link.right.state == .established })
        #expect(ok)
        #expect(link.leftEvents.filter { $0 == .established }.count == 1)
        #expect(link.rightEvents.filter { $0 == .established }.count == 1)
        // Data flows both ways afterwards.
        try? link.left.send([1, 2, 3], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        try? link.right.send([4, 5], stream: 1, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(1))
        #expect(link.rightEvents.messages.map(\.payload) == [[1, 2, 3]])
        #expect(link.leftEvents.messages.map(\.payload) == [[4, 5]])
    }

    @Test func collisionWithSkewedStart() {
        for offset in [1, 5, 9, 15, 25] {
            let link = makeAssociations(seed: UInt64(offset))
            link.left.connect(now: .zero)
            link.run(for: .milliseconds(offset))
            link.right.connect(now: link.now)
            let ok = link.run(until: { link.left.state == .established && link.right.state == .established })
            #expect(ok, "offset \(offset)")
            try? link.left.send([9], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
            link.run(for: .seconds(1))
            #expect(link.rightEvents.messages.count == 1, "offset \(offset)")
        }
    }

    @Test func setupSurvivesLoss() {
        let link = makeAssociations(seed: 9)
        link.setConditions(LinkConditions(delay: .milliseconds(20), lossRate: 0.4))
        link.left.connect(now: .zero)
        let ok = link.run(until: { link.left.state == .established && link.right.state == .established }, timeout: .seconds(120))
        #expect(ok)
    }

    @Test func forgedOrModifiedCookieIsRejected() {
        let link = makeAssociations()
        // Flip one byte of the state cookie inside every COOKIE ECHO from the left.
        link.tamper = { side, packet in
            guard side == .left, var parsed = try? SCTPPacket.parse(packet) else { return true }
            for index in parsed.chunks.indices {
                if case .cookieEcho(var echo) = parsed.chunks[index], !echo.cookie.isEmpty {
                    echo.cookie[echo.cookie.count / 3] ^= 0x40
                    parsed.chunks[index] = .cookieEcho(echo)
                }
            }
            packet = parsed.serialize()
            return true
        }
        link.left.connect(now: .zero)
        link.run(for: .seconds(5))
        #expect(link.right.state == .closed)
        #expect(link.right.counters.rejectedCookies >= 1)
        #expect(link.left.state != .established)
    }

    @Test func cookieFromAnotherAssociationIsRejected() {
        // A cookie signed by a different secret (another seed) with a valid layout.
        let victim = SCTPAssociation(configuration: SCTPConfiguration(), seed: 1)
        let other = SCTPAssociation(configuration: SCTPConfiguration(), seed: 2)
        let forged = StateCookie(
            createdAt: .zero, localTag: victim.localTag,
            peer: PeerParameters(verificationTag: 77, initialTSN: 1, receiverWindow: 1000, outboundStreams: 10,
                                 inboundStreams: 10, supportsForwardTSN: true, supportsReconfig: true))
        let packet = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: victim.localTag,
                                chunks: [.cookieEcho(CookieEchoChunk(cookie: forged.sealed(secret: other.cookieSecret)))])
        victim.handle(packet: packet.serialize(), now: .zero)
        #expect(victim.state == .closed)
        #expect(victim.counters.rejectedCookies == 1)
        // The same cookie signed with the right secret is accepted.
        let genuine = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: victim.localTag,
                                 chunks: [.cookieEcho(CookieEchoChunk(cookie: forged.sealed(secret: victim.cookieSecret)))])
        victim.handle(packet: genuine.serialize(), now: .seconds(1))
        #expect(victim.state == .established)
    }

    @Test func staleCookieIsRejected() {
        let victim = SCTPAssociation(configuration: SCTPConfiguration(), seed: 1)
        let cookie = StateCookie(
            createdAt: .zero, localTag: victim.localTag,
            peer: PeerParameters(verificationTag: 77, initialTSN: 1, receiverWindow: 1000, outboundStreams: 10,
                                 inboundStreams: 10, supportsForwardTSN: true, supportsReconfig: true))
        let packet = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: victim.localTag,
                                chunks: [.cookieEcho(CookieEchoChunk(cookie: cookie.sealed(secret: victim.cookieSecret)))])
        victim.handle(packet: packet.serialize(), now: .seconds(61))
        #expect(victim.state == .closed)
        #expect(victim.counters.rejectedCookies == 1)
    }

    @Test func wrongTagAndBadChecksumAreDropped() throws {
        let link = connectedPair()
        var packet = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: link.right.localTag &+ 1,
                                chunks: [.abort(AbortChunk(tagReflected: false, causes: []))]).serialize()
        link.inject(packet, to: .right)
        #expect(link.right.counters.badTag == 1)
        #expect(link.right.state == .established)
        packet = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: link.right.localTag,
                            chunks: [.abort(AbortChunk(tagReflected: false, causes: []))]).serialize()
        packet[packet.count - 1] ^= 0xFF
        link.inject(packet, to: .right)
        #expect(link.right.counters.badChecksum == 1)
        #expect(link.right.state == .established)
    }

    @Test func unansweredInitGivesUp() {
        let link = makeAssociations()
        link.silenced = [.left]
        link.left.connect(now: .zero)
        link.run(for: .seconds(600))
        #expect(link.left.state == .closed)
        #expect(link.leftEvents.closedReason == "no answer to INIT")
    }

    @Test func passiveSideNeedsNoConnectCall() {
        let link = makeAssociations()
        link.right.connect(now: .zero)
        #expect(link.run(until: { link.left.state == .established }))
    }
}

@Suite struct RestartTests {
    /// The peer comes back as a new association (new tag, new TSN): we take its parameters.
    @Test func peerRestartIsAccepted() throws {
        let first = connectedPair(seed: 91)
        try first.left.send([1], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: first.now)
        first.run(for: .seconds(1))
        let reborn = SCTPAssociation(configuration: SCTPConfiguration(), seed: 4242)
        let link = AssociationLink(left: first.left, right: reborn, seed: 3)
        link.now = first.now
        reborn.connect(now: link.now)
        #expect(link.run(until: { reborn.state == .established }))
        try link.left.send([2], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        try reborn.send([3], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(1))
        #expect(link.rightEvents.messages.map(\.payload) == [[2]])
        #expect(link.leftEvents.messages.map(\.payload) == [[3]])
        #expect(link.left.state == .established)
    }
}
