import Testing
@testable import SCTP

@Suite struct SoakTests {
    /// Both directions, many streams, mixed ordering, resets, loss, duplication and reordering:
    /// every reliable message arrives exactly once, ordered streams in order.
    @Test(arguments: [UInt64(101), 202, 303])
    func bidirectionalMixedTraffic(seed: UInt64) throws {
        let link = connectedPair(seed: seed)
        link.setConditions(LinkConditions(delay: .milliseconds(15), jitter: .milliseconds(20), lossRate: 0.08, duplicateRate: 0.03))
        var random = TestRandom(seed: seed)
        var expected: [Side: [UInt16: [[UInt8]]]] = [.left: [:], .right: [:]]
        var unorderedExpected: [Side: [[UInt8]]] = [.left: [], .right: []]
        for round in 0..<300 {
            let from: Side = random.chance(0.5) ? .left : .right
            let stream = UInt16(random.below(8))
            let ordered = stream % 2 == 0
            let size = 1 + random.below(random.chance(0.1) ? 20_000 : 1500)
            var payload = pattern(size, seed: round)
            payload[0] = UInt8(truncatingIfNeeded: round)
            try link.endpoint(from).send(payload, stream: stream, ppid: 53, ordered: ordered, reliability: .reliable, now: link.now)
            if ordered { expected[from.other, default: [:]][stream, default: []].append(payload) }
            else { unorderedExpected[from.other, default: []].append(payload) }
            if random.chance(0.03) { link.endpoint(from).resetStreams([stream], now: link.now) }
            link.run(for: .milliseconds(random.below(40)))
        }
        let total = 300
        #expect(link.run(until: { link.leftEvents.messages.count + link.rightEvents.messages.count == total }, timeout: .seconds(600)))
        for side in [Side.left, .right] {
            let events = side == .left ? link.leftEvents : link.rightEvents
            let received = events.messages
            for (stream, messages) in expected[side] ?? [:] {
                #expect(received.filter { $0.stream == stream }.map(\.payload) == messages, "stream \(stream) at \(side)")
            }
            let unordered = received.filter { $0.stream % 2 == 1 }.map(\.payload)
            #expect(unordered.count == unorderedExpected[side]?.count)
            #expect(Set(unordered) == Set(unorderedExpected[side] ?? []))
        }
        link.run(for: .seconds(5))
        for association in [link.left, link.right] {
            #expect(association.state == .established)
            #expect(association.retransmissions?.isConsistent == true)
            #expect(association.retransmissions?.isEmpty == true)
            #expect((0..<8).allSatisfy { association.bufferedAmount(stream: $0) == 0 })
        }
    }

    @Test func smallReceiveWindowThrottlesTheSender() throws {
        var receiver = SCTPConfiguration()
        receiver.receiveWindow = 8_192
        let link = connectedPair(right: receiver, seed: 404)
        link.setConditions(LinkConditions(delay: .milliseconds(5), lossRate: 0.05))
        let messages = (0..<40).map { pattern(4000, seed: $0) }
        for message in messages {
            try link.left.send(message, stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        }
        #expect(link.run(until: { link.rightEvents.messages.count == 40 }, timeout: .seconds(300)))
        #expect(link.rightEvents.messages.map(\.payload) == messages)
    }

    @Test func mixedReliabilityOnOneAssociation() throws {
        let link = connectedPair(seed: 505)
        link.setConditions(LinkConditions(delay: .milliseconds(10), jitter: .milliseconds(10), lossRate: 0.15))
        var reliable: [[UInt8]] = []
        for index in 0..<150 {
            let payload = pattern(200 + index * 13, seed: index)
            if index % 3 == 0 {
                reliable.append(payload)
                try link.left.send(payload, stream: 0, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
            } else {
                try link.left.send(payload, stream: UInt16(1 + index % 2), ppid: 53, ordered: index % 2 == 0,
                                   reliability: index % 4 == 1 ? .maxRetransmits(1) : .maxLifetime(.milliseconds(100)),
                                   now: link.now)
            }
            link.run(for: .milliseconds(7))
        }
        link.run(for: .seconds(60))
        #expect(link.rightEvents.messages.filter { $0.stream == 0 }.map(\.payload) == reliable)
        #expect(link.left.retransmissions?.isConsistent == true)
        #expect(link.left.retransmissions?.isEmpty == true)
        #expect(link.left.state == .established)
    }
}
