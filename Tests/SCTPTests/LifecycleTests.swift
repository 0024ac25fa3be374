import Testing
@testable import SCTP

@Suite struct LifecycleTests {
    @Test func heartbeatOnIdlePath() {
        let link = connectedPair()
        link.run(for: .seconds(95))
        #expect(link.left.counters.heartbeatsSent >= 2)
        #expect(link.left.counters.heartbeatAcksReceived == link.left.counters.heartbeatsSent)
        #expect(link.right.counters.heartbeatAcksReceived >= 2)
        #expect(link.left.smoothedRTT != nil)
        #expect(link.left.state == .established)
    }

    @Test func heartbeatDetectsVanishedIdlePeer() {
        let link = connectedPair()
        link.silenced = [.right]
        link.run(for: .seconds(600))
        #expect(link.left.state == .closed)
        #expect(link.leftEvents.closedReason?.contains("heartbeat") == true)
    }

    @Test func gracefulShutdownAfterPendingData() throws {
        let link = connectedPair()
        link.setConditions(LinkConditions(delay: .milliseconds(10), lossRate: 0.1))
        let payload = pattern(50_000)
        try link.left.send(payload, stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.left.shutdown(now: link.now)
        #expect(link.left.state == .shutdownPending)
        #expect(throws: SCTPSendError.notEstablished) {
            try link.left.send([1], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        #expect(link.run(until: { link.left.state == .closed && link.right.state == .closed }, timeout: .seconds(120)))
        #expect(link.rightEvents.messages.first?.payload == payload)
        #expect(link.leftEvents.closedReason == "shutdown complete")
        #expect(link.rightEvents.closedReason == "shutdown complete")
        #expect(link.left.pollTimeout() == nil)
    }

    @Test func simultaneousShutdown() {
        let link = connectedPair()
        link.left.shutdown(now: link.now)
        link.right.shutdown(now: link.now)
        #expect(link.run(until: { link.left.state == .closed && link.right.state == .closed }))
    }

    @Test func peerVanishingClosesWithFailureReason() throws {
        let link = connectedPair()
        link.silenced = [.right]
        try link.left.send(pattern(1000), stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(900))
        #expect(link.left.state == .closed)
        let reason = link.leftEvents.closedReason ?? ""
        #expect(reason.contains("retransmissions"))
        #expect(link.left.counters.timeouts == 11)
    }

    @Test func abortReachesPeer() {
        let link = connectedPair()
        link.left.abort(reason: "user hung up")
        link.run(for: .seconds(1))
        #expect(link.left.state == .closed)
        #expect(link.right.state == .closed)
        #expect(link.rightEvents.closedReason == "abort received: user abort: user hung up")
        #expect(link.leftEvents.closedReason == "user hung up")
    }

    @Test func streamResetBothWays() throws {
        let link = connectedPair()
        try link.left.send([1], stream: 3, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        try link.left.send([2], stream: 3, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.left.resetStreams([3], now: link.now)
        link.run(for: .seconds(1))
        #expect(link.rightEvents.messages.map(\.payload) == [[1], [2]])
        #expect(link.rightEvents.contains(.streamsReset([3])))
        #expect(link.left.counters.resetRequestsSent == 1)
        // After the reset the stream restarts at SSN 0 and still delivers.
        try link.left.send([3], stream: 3, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(1))
        #expect(link.rightEvents.messages.map(\.payload) == [[1], [2], [3]])
        link.right.resetStreams([3], now: link.now)
        link.run(for: .seconds(1))
        #expect(link.leftEvents.contains(.streamsReset([3])))
    }

    @Test func streamResetUnderLossWaitsForData() throws {
        let link = connectedPair(seed: 61)
        link.setConditions(LinkConditions(delay: .milliseconds(10), lossRate: 0.25))
        for index in 0..<20 {
            try link.left.send(pattern(3000, seed: index), stream: 7, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        link.left.resetStreams([7], now: link.now)
        try link.left.send([99], stream: 7, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        #expect(link.run(until: { link.rightEvents.messages.count == 21 }, timeout: .seconds(120)))
        let payloads = link.rightEvents.messages.map(\.payload)
        #expect(Array(payloads.prefix(20)) == (0..<20).map { pattern(3000, seed: $0) })
        #expect(payloads.last == [99])
        let resetIndex = link.rightEvents.firstIndex(of: .streamsReset([7]))
        let lastIndex = link.rightEvents.lastIndex { if case .message = $0 { true } else { false } }
        #expect(resetIndex != nil && lastIndex != nil && resetIndex! < lastIndex!)
    }

    @Test func idleAssociationMemoryIsSmall() {
        let link = connectedPair()
        link.run(for: .seconds(1))
        // The object itself plus its inline stored values; dictionaries start empty.
        let size = class_getInstanceSizeEstimate()
        #expect(size < 2048)
    }
}

/// Sum of the inline sizes of the association's parts (class instance layout estimate).
func class_getInstanceSizeEstimate() -> Int {
    MemoryLayout<SCTPConfiguration>.size + MemoryLayout<SCTPCounters>.size
        + MemoryLayout<DataTracker>.size + MemoryLayout<ReassemblyQueue>.size
        + MemoryLayout<SendQueue>.size + MemoryLayout<RetransmissionQueue>.size
        + MemoryLayout<RTOCalculator>.size + MemoryLayout<HeartbeatState>.size
        + MemoryLayout<StreamResetState>.size + MemoryLayout<PeerParameters>.size * 2 + 256
}

@Suite struct IncomingResetRequestTests {
    /// usrsctp asks for both directions at once: an Incoming SSN Reset Request makes us reset ours.
    @Test func peerAsksUsToResetOurOutgoingStream() throws {
        let link = connectedPair(seed: 71)
        try link.left.send([1], stream: 4, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(1))
        let request = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: link.left.localTag, chunks: [
            .reconfig(ReconfigChunk(parameters: [
                .incomingResetRequest(requestSequence: link.left.streamReset.expectedPeerRequestSequence, streams: [4]),
            ])),
        ])
        link.inject(request.serialize(), to: .left)
        link.run(for: .seconds(1))
        #expect(link.left.counters.resetRequestsSent == 1)
        #expect(link.rightEvents.contains(.streamsReset([4])))
        try link.left.send([2], stream: 4, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(1))
        #expect(link.rightEvents.messages.map(\.payload) == [[1], [2]])
    }
}

@Suite struct ShutdownLossTests {
    @Test func lostShutdownCompleteIsAnsweredAgain() throws {
        let link = connectedPair(seed: 81)
        // Drop the first SHUTDOWN COMPLETE from the left.
        var dropped = false
        link.tamper = { side, packet in
            if side == .left, !dropped, chunks(of: packet).contains(.shutdownComplete(tagReflected: false)) {
                dropped = true
                return false
            }
            return true
        }
        link.left.shutdown(now: link.now)
        #expect(link.run(until: { link.left.state == .closed && link.right.state == .closed }, timeout: .seconds(30)))
        #expect(dropped)
        #expect(link.rightEvents.closedReason == "shutdown complete")
    }
}

@Suite struct OutOfTheBlueTests {
    /// Our ABORT is lost; the peer keeps sending and learns of the end from our answer.
    @Test func lostAbortIsRepeatedForOutOfTheBluePackets() throws {
        let link = connectedPair(seed: 82)
        link.silenced = [.left]
        link.left.abort(reason: "gone")
        link.run(for: .milliseconds(100))
        link.silenced = []
        #expect(link.right.state == .established)
        try link.right.send([1], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(2))
        #expect(link.right.state == .closed)
        #expect(link.rightEvents.closedReason == "abort received")
    }
}
