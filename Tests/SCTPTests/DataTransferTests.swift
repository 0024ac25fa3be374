import Testing
@testable import SCTP

@Suite struct DataTransferTests {
    @Test func smallMessagesBothWays() throws {
        let link = connectedPair()
        try link.left.send([1, 2, 3], stream: 0, ppid: 51, ordered: true, reliability: .reliable, now: link.now)
        try link.right.send([7], stream: 3, ppid: 53, ordered: false, reliability: .reliable, now: link.now)
        link.run(for: .seconds(1))
        #expect(link.rightEvents.messages.map(\.payload) == [[1, 2, 3]])
        #expect(link.rightEvents.messages.first?.ppid == 51)
        #expect(link.leftEvents.messages.first?.stream == 3)
        #expect(link.left.bufferedAmount(stream: 0) == 0)
        #expect(link.leftEvents.contains(.bufferedAmountDecreased(stream: 0)))
    }

    @Test func sackIsDelayedThenSent() throws {
        let link = connectedPair()
        link.recordPackets = true
        try link.left.send([1], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .milliseconds(100))
        // One DATA packet: the SACK waits for the 200 ms delayed-ack timer.
        #expect(link.left.bufferedAmount(stream: 0) == 1)
        link.run(for: .milliseconds(200))
        #expect(link.left.bufferedAmount(stream: 0) == 0)
    }

    @Test func largeMessageIsFragmentedAndReassembled() throws {
        let link = connectedPair(left: {
            var c = SCTPConfiguration(); c.remoteMaxMessageSize = 262_144; return c
        }())
        link.recordPackets = true
        let payload = pattern(200 * 1024)
        try link.left.send(payload, stream: 2, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(until: { !link.rightEvents.messages.isEmpty })
        #expect(link.rightEvents.messages.count == 1)
        #expect(link.rightEvents.messages.first?.payload == payload)
        // Every packet stays within 1200 bytes.
        #expect(link.sent[.left, default: []].allSatisfy { $0.count <= 1200 })
        #expect(link.left.counters.dataChunksSent >= 175)
    }

    @Test func messageOverRemoteLimitIsRefused() {
        let link = connectedPair()
        #expect(throws: SCTPSendError.messageTooLarge(limit: 65_536)) {
            try link.left.send(pattern(65_537), stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        #expect(throws: SCTPSendError.invalidStream) {
            try link.left.send([1], stream: 1024, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        #expect(throws: SCTPSendError.emptyMessage) {
            try link.left.send([], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        let fresh = SCTPAssociation(configuration: SCTPConfiguration(), seed: 3)
        #expect(throws: SCTPSendError.notEstablished) {
            try fresh.send([1], stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: .zero)
        }
    }

    @Test func incomingMessageOverMaxMessageSizeAborts() throws {
        var small = SCTPConfiguration()
        small.maxMessageSize = 10_000
        let link = connectedPair(right: small)
        try link.left.send(pattern(20_000), stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(2))
        #expect(link.right.counters.oversizedMessages == 1)
        #expect(link.right.state == .closed)
        #expect(link.left.state == .closed)
        #expect(link.leftEvents.closedReason?.hasPrefix("abort received") == true)
    }

    @Test func orderedMessagesStayInOrderUnderReordering() throws {
        let link = connectedPair(seed: 11)
        link.setConditions(LinkConditions(delay: .milliseconds(5), jitter: .milliseconds(30)))
        for index in 0..<200 {
            try link.left.send(pattern(300 + index, seed: index), stream: 1, ppid: 53, ordered: true,
                               reliability: .reliable, now: link.now)
        }
        link.run(until: { link.rightEvents.messages.count == 200 })
        let received = link.rightEvents.messages.map(\.payload)
        #expect(received == (0..<200).map { pattern(300 + $0, seed: $0) })
    }

    @Test func unorderedMessagesArriveOutOfOrderButComplete() throws {
        let link = connectedPair(seed: 12)
        link.setConditions(LinkConditions(delay: .milliseconds(5), jitter: .milliseconds(40)))
        for index in 0..<200 {
            try link.left.send(pattern(2000, seed: index), stream: 1, ppid: 53, ordered: false,
                               reliability: .reliable, now: link.now)
        }
        link.run(until: { link.rightEvents.messages.count == 200 })
        let received = link.rightEvents.messages.map(\.payload)
        let expected = (0..<200).map { pattern(2000, seed: $0) }
        #expect(received.count == 200)
        #expect(Set(received.map { $0 }) == Set(expected))
        #expect(received != expected, "jitter should reorder unordered delivery")
    }

    @Test func oneMegabyteUnderTenPercentLossArrivesIntactAndInOrder() throws {
        let link = connectedPair(seed: 21)
        link.setConditions(LinkConditions(delay: .milliseconds(25), jitter: .milliseconds(5), lossRate: 0.10))
        let messages = (0..<64).map { pattern(16 * 1024, seed: $0) }
        for message in messages {
            try link.left.send(message, stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        let ok = link.run(until: { link.rightEvents.messages.count == 64 }, timeout: .seconds(300))
        #expect(ok)
        #expect(link.rightEvents.messages.map(\.payload) == messages)
        #expect(link.left.counters.retransmissions > 0)
        #expect(link.left.counters.fastRetransmits > 0)
        #expect(link.left.retransmissions?.isConsistent == true)
        link.run(for: .seconds(5))
        #expect(link.left.bufferedAmount(stream: 0) == 0)
        #expect(link.left.state == .established)
    }

    @Test func fastPathGrowsTheWindow() throws {
        let link = connectedPair(seed: 22)
        link.setConditions(LinkConditions(delay: .microseconds(500)))
        let messages = (0..<64).map { pattern(16 * 1024, seed: $0) }
        for message in messages {
            try link.left.send(message, stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        let start = link.now
        #expect(link.run(until: { link.rightEvents.messages.count == 64 }))
        let elapsed = link.now - start
        // 1 MiB at 1 ms RTT: well under a second of simulated time.
        #expect(elapsed < .milliseconds(400), "took \(elapsed)")
        #expect((link.left.congestionWindow ?? 0) > 50_000)
    }

    @Test func tsnWrapsAroundTwoToThe32() throws {
        var config = SCTPConfiguration()
        config.initialTSN = UInt32.max - 20
        let link = connectedPair(left: config, seed: 31)
        link.setConditions(LinkConditions(delay: .milliseconds(5), jitter: .milliseconds(8), lossRate: 0.05))
        let messages = (0..<30).map { pattern(3000, seed: $0) }
        for message in messages {
            try link.left.send(message, stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        #expect(link.run(until: { link.rightEvents.messages.count == 30 }, timeout: .seconds(120)))
        #expect(link.rightEvents.messages.map(\.payload) == messages)
        let next = link.left.retransmissions?.nextTSN ?? 0
        #expect(next < 200, "TSN wrapped past zero, next is \(next)")
    }

    @Test func ssnWrapsAround16Bits() throws {
        let link = connectedPair(seed: 32)
        link.setConditions(LinkConditions(delay: .microseconds(200)))
        var sent = 0
        while sent < 70_000 {
            for _ in 0..<1000 {
                try link.left.send([UInt8(truncatingIfNeeded: sent)], stream: 4, ppid: 53, ordered: true,
                                   reliability: .reliable, now: link.now)
                sent += 1
            }
            link.run(until: { link.rightEvents.messages.count == sent })
        }
        let values = link.rightEvents.messages.map { $0.payload[0] }
        #expect(values.count == 70_000)
        #expect(values.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset) })
    }

    @Test func partialReliabilityWithZeroRetransmitsKeepsGoing() throws {
        let link = connectedPair(seed: 41)
        link.setConditions(LinkConditions(delay: .milliseconds(10), lossRate: 0.2))
        for index in 0..<200 {
            try link.left.send(pattern(500, seed: index), stream: 5, ppid: 53, ordered: true,
                               reliability: .maxRetransmits(0), now: link.now)
        }
        link.run(for: .seconds(30))
        let received = link.rightEvents.messages
        #expect(received.count < 200)
        #expect(received.count > 100)
        #expect(link.left.counters.forwardTSNsSent > 0)
        #expect(link.left.counters.abandonedChunks > 0)
        #expect(link.right.counters.forwardTSNsReceived > 0)
        // Delivered in order, each intact.
        let seeds = received.compactMap { message in (0..<200).first { pattern(500, seed: $0) == message.payload } }
        #expect(seeds == seeds.sorted())
        #expect(link.left.bufferedAmount(stream: 5) == 0)
        #expect(link.left.retransmissions?.isConsistent == true)
        // The stream still works reliably afterwards.
        link.setConditions(LinkConditions())
        try link.left.send([42], stream: 5, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(2))
        #expect(link.rightEvents.messages.last?.payload == [42])
    }

    @Test func partialReliabilityByLifetime() throws {
        let link = connectedPair(seed: 42)
        link.setConditions(LinkConditions(delay: .milliseconds(50), lossRate: 0.3))
        for index in 0..<100 {
            try link.left.send(pattern(800, seed: index), stream: 6, ppid: 53, ordered: false,
                               reliability: .maxLifetime(.milliseconds(150)), now: link.now)
        }
        link.run(for: .seconds(30))
        #expect(link.rightEvents.messages.count < 100)
        #expect(link.left.counters.forwardTSNsSent > 0)
        #expect(link.left.bufferedAmount(stream: 6) == 0)
        #expect(link.left.state == .established)
    }

    @Test func allStreamsUsable() throws {
        let link = connectedPair(seed: 51)
        for stream in 0..<UInt16(1024) {
            var payload: [UInt8] = []
            payload.appendU16(stream)
            try link.left.send(payload, stream: stream, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        #expect(link.run(until: { link.rightEvents.messages.count == 1024 }))
        let streams = Set(link.rightEvents.messages.map { $0.stream })
        #expect(streams.count == 1024)
        #expect(link.rightEvents.messages.allSatisfy { UInt16($0.payload[0]) << 8 | UInt16($0.payload[1]) == $0.stream })
    }

    @Test func duplicatesAreCountedAndIgnored() throws {
        let link = connectedPair(seed: 52)
        link.setConditions(LinkConditions(delay: .milliseconds(5), duplicateRate: 0.3))
        for index in 0..<50 {
            try link.left.send(pattern(100, seed: index), stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
            link.run(for: .milliseconds(3))
        }
        link.run(for: .seconds(2))
        #expect(link.rightEvents.messages.count == 50)
        #expect(link.right.counters.duplicatesReceived > 0)
    }
}
