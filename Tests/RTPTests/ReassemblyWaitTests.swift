import Testing
@testable import RTP

@Suite struct ReassemblyWaitTests {
    @Test func aCleanShortPathWaitsLittle() {
        // 1 ms jitter, 2 ms RTT: reorder 15 ms; NACK after 2 ms, answer by 2+2+2+10 = 16 ms,
        // a retry by 28 ms: the 60 ms floor.
        #expect(ReassemblyWait.budget(jitter: .milliseconds(1), roundTrip: .milliseconds(2), nack: true) == .milliseconds(60))
    }

    @Test func jitterAndRoundTripWidenTheWaitUpToItsCap() {
        // 20 ms jitter, 80 ms RTT: NACK after 40 ms, answer by 40+80+40+10 = 170, retry by 260.
        #expect(ReassemblyWait.budget(jitter: .milliseconds(20), roundTrip: .milliseconds(80), nack: true) == .milliseconds(260))
        #expect(ReassemblyWait.budget(jitter: .milliseconds(100), roundTrip: .milliseconds(400), nack: true) == .milliseconds(500))
    }

    @Test func withoutNACKOnlyReorderingIsWaitedFor() {
        // Nothing will be retransmitted: four times the jitter, at most 150 ms.
        #expect(ReassemblyWait.budget(jitter: .milliseconds(10), roundTrip: .milliseconds(300), nack: false) == .milliseconds(40))
        #expect(ReassemblyWait.budget(jitter: .milliseconds(80), roundTrip: nil, nack: false) == .milliseconds(150))
    }

    @Test func theFirstNACKWaitsForReorderingButNotLong() {
        #expect(ReassemblyWait.firstNACKDelay(jitter: .zero) == .zero)
        #expect(ReassemblyWait.firstNACKDelay(jitter: .milliseconds(10)) == .milliseconds(20))
        #expect(ReassemblyWait.firstNACKDelay(jitter: .milliseconds(200)) == .milliseconds(50))
    }
}
