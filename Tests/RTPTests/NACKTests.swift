import RTP
import Testing

@Suite struct NACKTests {
    @Test func gapOfThreeMakesOneNACK() throws {
        var gen = NACKGenerator()
        gen.received(sequenceNumber: 10, now: .zero)
        gen.received(sequenceNumber: 14, now: .milliseconds(1))
        let polled = gen.pollNACK(senderSSRC: 1, mediaSSRC: 2, now: .milliseconds(1))
        let nack = try #require(polled)
        #expect(nack.items == [GenericNACK.Item(packetID: 11, bitmask: 0b11)])
        #expect(RTCPPacket.nack(nack).serialized().suffix(4) == [0x00, 0x0B, 0x00, 0x03])
        // Not again before an RTT.
        gen.roundTripTime = .milliseconds(50)
        #expect(gen.poll(now: .milliseconds(30)).isEmpty)
        #expect(gen.pollTimeout() == .milliseconds(51))
        #expect(gen.poll(now: .milliseconds(51)) == [11, 12, 13])
        // Retransmissions arrive: requests stop.
        gen.received(sequenceNumber: 12, now: .milliseconds(60))
        #expect(gen.poll(now: .milliseconds(200)) == [11, 13])
        gen.received(sequenceNumber: 11, now: .milliseconds(210))
        gen.received(sequenceNumber: 13, now: .milliseconds(210))
        #expect(gen.poll(now: .milliseconds(400)).isEmpty)
        #expect(gen.pollTimeout() == nil)
        #expect(gen.counters.recovered == 3)
    }

    @Test func boundedRetriesAndDeadline() {
        var gen = NACKGenerator(configuration: .init(maxRetries: 3, maxAge: .seconds(1), defaultRTT: .milliseconds(100)))
        gen.received(sequenceNumber: 65534, now: .zero)
        gen.received(sequenceNumber: 1, now: .zero)  // 65535 and 0 missing, across the wrap
        #expect(gen.missingSequenceNumbers == [65535, 0])
        var requests = 0
        var t = Duration.zero
        while t < .seconds(2) {
            requests += gen.poll(now: t).count
            t += .milliseconds(10)
        }
        #expect(requests == 6)  // 2 packets × 3 tries
        #expect(gen.counters.abandoned == 2)

        var aged = NACKGenerator(configuration: .init(maxRetries: 100, maxAge: .milliseconds(250)))
        aged.received(sequenceNumber: 1, now: .zero)
        aged.received(sequenceNumber: 3, now: .zero)
        var tries = 0
        t = .zero
        while t < .seconds(1) {
            tries += aged.poll(now: t).count
            t += .milliseconds(10)
        }
        #expect(tries == 3)  // at 0, 100, 200 ms; given up after 250 ms
        #expect(aged.missingSequenceNumbers.isEmpty)
    }

    @Test func strayPacketCausesNoStormButRestartIsFollowed() {
        var gen = NACKGenerator()
        gen.received(sequenceNumber: 100, now: .zero)
        gen.received(sequenceNumber: 30_000, now: .zero)  // far ahead, alone: ignored (RFC 3550 A.1)
        gen.received(sequenceNumber: 101, now: .zero)
        #expect(gen.poll(now: .zero).isEmpty)
        gen.received(sequenceNumber: 5000, now: .zero)  // a restart: confirmed by 5001
        gen.received(sequenceNumber: 5001, now: .zero)
        gen.received(sequenceNumber: 5003, now: .zero)
        #expect(gen.poll(now: .zero) == [5002])
    }

    @Test func firstRequestDelayAbsorbsReordering() {
        var gen = NACKGenerator(configuration: .init(firstRequestDelay: .milliseconds(20)))
        gen.received(sequenceNumber: 1, now: .zero)
        gen.received(sequenceNumber: 3, now: .zero)
        #expect(gen.poll(now: .milliseconds(10)).isEmpty)
        #expect(gen.pollTimeout() == .milliseconds(20))
        gen.received(sequenceNumber: 2, now: .milliseconds(15))  // just reordered
        #expect(gen.poll(now: .milliseconds(20)).isEmpty)
        gen.received(sequenceNumber: 5, now: .milliseconds(30))
        #expect(gen.poll(now: .milliseconds(50)) == [4])
    }

    @Test func sendHistoryAnswersWithRTX() throws {
        var history = SendHistory(capacity: 64, rtx: .init(ssrc: 0xBEEF, payloadTypes: [96: 97]), seed: 5)
        var originals: [RTPPacket] = []
        for i in 0..<100 {
            var p = RTPPacket(marker: i % 5 == 4, payloadType: 96, sequenceNumber: UInt16(65500 + i % 36) &+ UInt16(i / 36 * 36),
                              timestamp: UInt32(i * 3000), ssrc: 0xCAFE, payload: [UInt8(i), 1, 2, 3])
            p.setMID("v", extensionID: 4)
            history.record(p)
            originals.append(p)
        }
        let wanted = originals[90]
        let firstRTX = history.nextRTXSequenceNumber
        let nack = GenericNACK(senderSSRC: 1, mediaSSRC: 0xCAFE, lostSequenceNumbers: [wanted.sequenceNumber, originals[10].sequenceNumber])
        let out = history.retransmissions(for: nack)
        #expect(out.count == 1)  // packet 10 has left the 64-packet history
        #expect(history.missed == 1)
        let rtx = try #require(out.first)
        #expect(rtx.ssrc == 0xBEEF && rtx.payloadType == 97 && rtx.sequenceNumber == firstRTX)
        #expect(Array(rtx.payload.prefix(2)) == [UInt8(wanted.sequenceNumber >> 8), UInt8(wanted.sequenceNumber & 0xFF)])
        // Over the wire and back.
        let parsed = try #require(RTPPacket(parsing: rtx.serialized()))
        let restored = try #require(SendHistory.unwrapRTX(parsed, mediaSSRC: 0xCAFE, mediaPayloadType: 96))
        #expect(restored == wanted)
        #expect(history.retransmissions(for: [wanted.sequenceNumber]).first?.sequenceNumber == firstRTX &+ 1)
        #expect(SendHistory.unwrapRTX(RTPPacket(payloadType: 97, sequenceNumber: 0, timestamp: 0, ssrc: 1, payload: [1]),
                                      mediaSSRC: 2, mediaPayloadType: 96) == nil)
        // Without RTX the original goes out again.
        var plain = SendHistory(capacity: 8)
        plain.record(wanted)
        #expect(plain.retransmissions(for: [wanted.sequenceNumber]) == [wanted])
    }
}
