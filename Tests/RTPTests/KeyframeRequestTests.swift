import RTP
import Testing

@Suite struct KeyframeRequestTests {
    @Test func pliRepeatsUntilKeyframe() {
        var requester = KeyframeRequester(senderSSRC: 1, mediaSSRC: 2, minimumInterval: .milliseconds(300))
        let idle = requester.poll(needsKeyframe: false, now: .zero)
        #expect(idle == nil)
        let first = requester.poll(needsKeyframe: true, now: .zero)
        #expect(first == .pli(PictureLossIndication(senderSSRC: 1, mediaSSRC: 2)))
        let tooSoon = requester.poll(needsKeyframe: true, now: .milliseconds(100))
        #expect(tooSoon == nil)
        #expect(requester.pollTimeout(needsKeyframe: true) == .milliseconds(300))
        let repeated = requester.poll(needsKeyframe: true, now: .milliseconds(300))
        #expect(repeated != nil)
        let recovered = requester.poll(needsKeyframe: false, now: .milliseconds(310))
        #expect(recovered == nil)
        let newLoss = requester.poll(needsKeyframe: true, now: .milliseconds(320))  // a new loss: at once
        #expect(newLoss != nil)
        #expect(requester.requestsSent == 3)
    }

    @Test func firSequenceNumbersAndFilter() {
        var requester = KeyframeRequester(senderSSRC: 1, mediaSSRC: 2, kind: .fir)
        let first = requester.poll(needsKeyframe: true, now: .zero)
        let second = requester.poll(needsKeyframe: true, now: .seconds(1))
        guard case .fir(let a) = first, case .fir(let b) = second else {
            Issue.record("expected FIRs")
            return
        }
        #expect(a.entries.first?.sequenceNumber == 1 && b.entries.first?.sequenceNumber == 2)
        var filter = KeyframeRequestFilter(localSSRC: 2)
        let verdicts = [
            filter.isNewRequest(.fir(a)),
            filter.isNewRequest(.fir(a)),  // retransmitted FIR: same sequence number
            filter.isNewRequest(.fir(b)),
            filter.isNewRequest(.pli(PictureLossIndication(senderSSRC: 9, mediaSSRC: 2))),
            filter.isNewRequest(.pli(PictureLossIndication(senderSSRC: 9, mediaSSRC: 3))),  // not ours
        ]
        #expect(verdicts == [true, false, true, true, false])
    }
}
