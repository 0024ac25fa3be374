import RTP
import Testing

@Suite struct StatisticsTests {
    @Test func jitterForKnownArrivals() {
        // 90 kHz, a packet every 20 ms (1800 ticks); odd packets arrive 10 ms (900 ticks) late,
        // so |D| = 900 every time and J_n = 900 × (1 − (15/16)^n) (RFC 3550 A.8).
        var stats = ReceiverStatistics(ssrc: 1, clockRate: 90_000)
        func feed(_ i: Int) {
            let arrival = Duration.milliseconds(20 * i + (i % 2 == 1 ? 10 : 0))
            stats.received(sequenceNumber: UInt16(i), timestamp: UInt32(1800 * i), arrival: arrival)
        }
        feed(0)
        #expect(stats.jitter == 0)
        feed(1)
        #expect(stats.jitter == 56)  // 900 / 16 = 56.25
        feed(2)
        #expect(stats.jitter == 108)  // 56.25 + (900 − 56.25) / 16 = 108.98
        for i in 3..<300 { feed(i) }
        #expect(stats.jitter >= 899 && stats.jitter <= 900)
        #expect(stats.jitterDuration > .microseconds(9990) && stats.jitterDuration <= .milliseconds(10))
    }

    @Test func fractionAndCumulativeLost() {
        var stats = ReceiverStatistics(ssrc: 7, clockRate: 90_000)
        for seq in 0..<100 where seq % 10 != 5 {
            stats.received(sequenceNumber: UInt16(seq), timestamp: 0, arrival: .zero)
        }
        let first = stats.makeReportBlock(now: .zero)
        #expect(first.ssrc == 7)
        #expect(first.cumulativeLost == 10)
        #expect(first.fractionLost == 25)  // 10 × 256 / 100 = 25.6
        #expect(first.extendedHighestSequenceNumber == 99)
        for seq in 100..<200 { stats.received(sequenceNumber: UInt16(seq), timestamp: 0, arrival: .zero) }
        let second = stats.makeReportBlock(now: .zero)
        #expect(second.fractionLost == 0 && second.cumulativeLost == 10)
    }

    @Test func extendedSequenceAcrossWrap() {
        var stats = ReceiverStatistics(ssrc: 1, clockRate: 48_000)
        for i in 0..<12 { stats.received(sequenceNumber: 65530 &+ UInt16(i), timestamp: 0, arrival: .zero) }
        #expect(stats.extendedHighestSequenceNumber == 65536 + 5)
        #expect(stats.cumulativeLost == 0)
        // A duplicate does not move the maximum; it makes lost go negative (A.3).
        stats.received(sequenceNumber: 3, timestamp: 0, arrival: .zero)
        #expect(stats.extendedHighestSequenceNumber == 65541 && stats.cumulativeLost == -1)
    }

    @Test func lsrAndDlsrFromSenderReport() {
        var stats = ReceiverStatistics(ssrc: 1, clockRate: 90_000)
        stats.received(sequenceNumber: 1, timestamp: 0, arrival: .zero)
        let sr = SenderReport(ssrc: 1, ntpTimestamp: NTPTimestamp(0x0001_0002_0003_0004), rtpTimestamp: 0, packetCount: 1, octetCount: 1)
        stats.receivedSenderReport(sr, arrival: .seconds(10))
        let block = stats.makeReportBlock(now: .milliseconds(11_500))
        #expect(block.lastSenderReport == 0x0002_0003)  // middle 32 bits
        #expect(block.delaySinceLastSenderReport == 98_304)  // 1.5 s × 65536
    }

    @Test func senderReportAndRTT() throws {
        var sender = SenderStatistics(ssrc: 0xAA, clockRate: 90_000)
        for i in 0..<10 {
            sender.sent(RTPPacket(payloadType: 96, sequenceNumber: UInt16(i), timestamp: UInt32(i * 3000), ssrc: 0xAA,
                                  payload: Array(repeating: 0, count: 100)), now: .milliseconds(33 * i))
        }
        let wall = NTPTimestamp(unixTime: .seconds(1_700_000_000))
        #expect(wall.value >> 32 == 1_700_000_000 + 2_208_988_800)
        let sr = sender.makeSenderReport(now: .milliseconds(297 + 100), wallClock: wall)
        #expect(sr.packetCount == 10 && sr.octetCount == 1000)
        #expect(sr.rtpTimestamp == 27_000 + 9000)  // last timestamp + 100 ms at 90 kHz
        // The peer held our SR for 0.5 s; its report arrives 0.6 s after we sent the SR.
        let block = ReportBlock(ssrc: 0xAA, lastSenderReport: sr.ntpTimestamp.compact, delaySinceLastSenderReport: 32_768)
        let arrival = NTPTimestamp(unixTime: .seconds(1_700_000_000) + .milliseconds(600))
        let measured = sender.handleReportBlocks([block], arrival: arrival)
        let rtt = try #require(measured)
        #expect(rtt > .milliseconds(99) && rtt < .milliseconds(101))
        #expect(sender.roundTripTime == rtt)
        #expect(SenderStatistics.roundTripTime(for: ReportBlock(ssrc: 0xAA), arrival: arrival) == nil)  // no LSR
    }

    @Test func ntpFromUnixTime() {
        // 1.5 s after the Unix epoch: 2 208 988 801 s since 1900, fraction 0x8000_0000.
        let t = NTPTimestamp(unixTime: .milliseconds(1500))
        #expect(t.value == (UInt64(2_208_988_801) << 32 | 0x8000_0000))
        #expect(t.compact == UInt32(truncatingIfNeeded: t.value >> 16))
        // Negative durations do not trap: 0.25 s before the epoch.
        let before = NTPTimestamp(unixTime: .milliseconds(-250))
        #expect(before.value == (UInt64(2_208_988_799) << 32 | 0xC000_0000))
    }
}
