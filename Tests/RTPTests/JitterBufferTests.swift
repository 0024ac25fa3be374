import RTP
import Testing

struct SimulatedStream {
    struct Result {
        var released: [UInt16] = []
        var lostReported = 0
        var trulyLost = 0
        var buffer: JitterBuffer
        /// For each released packet, how long after its send time it came out.
        var maxLatency: Duration = .zero
    }

    /// 20 ms audio packets (48 kHz) with uniform jitter in 0...maxJitter, `lossRate` loss; run in 1 ms steps.
    static func run(packets: Int, maxJitterMs: Int, lossRate: Double, seed: UInt64, firstSequence: UInt16 = 0) -> Result {
        var random = TestRandom(seed: seed)
        var arrivals: [(at: Duration, packet: RTPPacket, sent: Duration)] = []
        var trulyLost = 0
        for i in 0..<packets {
            if Double.random(in: 0..<1, using: &random) < lossRate {
                trulyLost += 1
                continue
            }
            let sent = Duration.milliseconds(20 * i)
            let at = sent + .milliseconds(30 + Int.random(in: 0...maxJitterMs, using: &random))
            let p = RTPPacket(payloadType: 111, sequenceNumber: firstSequence &+ UInt16(truncatingIfNeeded: i),
                              timestamp: UInt32(960 * i), ssrc: 1, payload: [UInt8(truncatingIfNeeded: i)])
            arrivals.append((at, p, sent))
        }
        arrivals.sort { $0.at < $1.at }
        var result = Result(buffer: JitterBuffer(clockRate: 48_000))
        result.trulyLost = trulyLost
        var next = 0
        var t = Duration.zero
        let end = Duration.milliseconds(20 * packets + 2000)
        while t < end {
            while next < arrivals.count && arrivals[next].at <= t {
                result.buffer.insert(arrivals[next].packet, arrival: arrivals[next].at)
                next += 1
            }
            while let out = result.buffer.pop(now: t) {
                switch out {
                case .packet(let p):
                    result.released.append(p.sequenceNumber)
                    let sent = Duration.milliseconds(20 * Int(p.sequenceNumber &- firstSequence))
                    result.maxLatency = max(result.maxLatency, t - sent)
                case .lost(_, let count):
                    result.lostReported += count
                }
            }
            t += .milliseconds(1)
        }
        return result
    }
}

func ms(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) * 1e-15
}

@Suite struct JitterBufferTests {
    @Test func reordersSkipsLossesAndTracksJitter() {
        let r = SimulatedStream.run(packets: 2000, maxJitterMs: 50, lossRate: 0.05, seed: 42, firstSequence: 64000)
        // In order (across the 16-bit wrap), each once.
        let offsets = r.released.map { Int($0 &- 64000) }
        #expect(offsets == offsets.sorted())
        #expect(Set(offsets).count == offsets.count)
        // Every packet is released or reported lost.
        #expect(r.released.count + r.lostReported == 2000)
        #expect(r.lostReported >= r.trulyLost)
        #expect(r.lostReported <= r.trulyLost + 20)  // at most 1% given up as late
        #expect(r.buffer.counters.reordered > 100)
        // Jitter of uniform 0-50 ms delay: E|X-Y| = 50/3 ≈ 17 ms.
        let jitterMs = ms(r.buffer.jitter)
        #expect(jitterMs > 10 && jitterMs < 25)
        let targetMs = ms(r.buffer.targetDelay)
        #expect(targetMs > 30 && targetMs < 80)
        // Nothing waited for long: latency stays within delay + jitter range + target + grace.
        #expect(r.maxLatency < .milliseconds(30 + 50 + 80 + 10 + 2))
    }

    @Test func targetDelayFollowsJitter() {
        let calm = SimulatedStream.run(packets: 500, maxJitterMs: 2, lossRate: 0, seed: 1)
        let rough = SimulatedStream.run(packets: 500, maxJitterMs: 50, lossRate: 0, seed: 1)
        #expect(calm.buffer.targetDelay == .milliseconds(20))  // the floor
        #expect(rough.buffer.targetDelay > .milliseconds(35))
        #expect(calm.released.count == 500)
    }

    @Test func duplicatesDroppedAndLateCounted() {
        var jb = JitterBuffer(clockRate: 90_000)
        func packet(_ seq: UInt16) -> RTPPacket { RTPPacket(payloadType: 96, sequenceNumber: seq, timestamp: UInt32(seq) * 3000, ssrc: 1) }
        jb.insert(packet(1), arrival: .zero)
        jb.insert(packet(1), arrival: .milliseconds(1))
        jb.insert(packet(3), arrival: .milliseconds(2))
        #expect(jb.counters.duplicates == 1)
        #expect(jb.pollTimeout() == .milliseconds(20))
        #expect(jb.pop(now: .milliseconds(19)) == nil)
        #expect(jb.pop(now: .milliseconds(20)) == .packet(packet(1)))
        // Packet 2 is missing: waited for until packet 3 is due plus the grace.
        #expect(jb.pollTimeout() == .milliseconds(32))
        #expect(jb.pop(now: .milliseconds(31)) == nil)
        #expect(jb.pop(now: .milliseconds(32)) == .lost(firstSequenceNumber: 2, count: 1))
        #expect(jb.pop(now: .milliseconds(32)) == .packet(packet(3)))
        jb.insert(packet(2), arrival: .milliseconds(40))
        jb.insert(packet(3), arrival: .milliseconds(40))
        #expect(jb.counters.late == 1 && jb.counters.duplicates == 2)
        #expect(jb.pollTimeout() == nil)
    }

    @Test func sequenceRestart() {
        var jb = JitterBuffer(clockRate: 48_000)
        func packet(_ seq: UInt16) -> RTPPacket { RTPPacket(payloadType: 111, sequenceNumber: seq, timestamp: UInt32(seq) * 960, ssrc: 1) }
        jb.insert(packet(10), arrival: .zero)
        jb.insert(packet(40_000), arrival: .milliseconds(1))  // stray
        #expect(jb.counters.rejected == 1)
        jb.insert(packet(11), arrival: .milliseconds(2))
        jb.insert(packet(20_000), arrival: .milliseconds(3))
        jb.insert(packet(20_001), arrival: .milliseconds(4))  // confirms a restart
        #expect(jb.counters.restarts == 1)
        // 10 and 11 were held and are gone: counted, so no packet vanishes from the counters.
        #expect(jb.counters.flushed == 2 && jb.counters.rejected == 2)
        #expect(jb.pop(now: .milliseconds(100)) == .packet(packet(20_001)))
        jb.insert(packet(20_002), arrival: .milliseconds(100))
        #expect(jb.pop(now: .milliseconds(200)) == .packet(packet(20_002)))
    }

    @Test func reorderedStartIsKept() {
        var jb = JitterBuffer(clockRate: 48_000)
        func packet(_ seq: UInt16) -> RTPPacket { RTPPacket(payloadType: 111, sequenceNumber: seq, timestamp: UInt32(seq) * 960, ssrc: 1) }
        jb.insert(packet(6), arrival: .zero)
        jb.insert(packet(5), arrival: .milliseconds(1))
        #expect(jb.pop(now: .milliseconds(30)) == .packet(packet(5)))
        #expect(jb.pop(now: .milliseconds(30)) == .packet(packet(6)))
        jb.insert(packet(4), arrival: .milliseconds(31))
        #expect(jb.counters.late == 1 && jb.count == 0)
        jb.insert(packet(5), arrival: .milliseconds(32))
        #expect(jb.counters.duplicates == 1)
    }

    /// `.atTimestamp`: packet k (sent every 20 ms) is due at 20k ms on the fastest path's
    /// clock plus the target, however late within the target it arrived.
    @Test func timestampPlayoutIgnoresArrivalJitterWithinTheTarget() {
        let configuration = JitterBuffer.Configuration(clockRate: 48_000, minimumDelay: .milliseconds(40), playout: .atTimestamp)
        var jb = JitterBuffer(configuration: configuration)
        var byArrival = JitterBuffer(configuration: .init(clockRate: 48_000, minimumDelay: .milliseconds(40)))
        var random = TestRandom(seed: 7)
        for k in 0..<50 {
            let p = RTPPacket(payloadType: 111, sequenceNumber: UInt16(k), timestamp: 1000 + UInt32(k * 960), ssrc: 1)
            // The first packet took the fastest path (transit 3 ms); the others up to 5 ms more.
            let arrival = Duration.milliseconds(20 * k + 3) + .microseconds(k == 0 ? 0 : Int.random(in: 1...5000, using: &random))
            jb.insert(p, arrival: arrival)
            byArrival.insert(p, arrival: arrival)
        }
        #expect(jb.targetDelay == .milliseconds(40) && jb.playoutDelay == .milliseconds(40))
        var spacings: Set<Duration> = []
        var last: Duration?
        for k in 0..<50 {
            let due = jb.pollTimeout()!
            #expect(due == .milliseconds(20 * k + 3 + 40))
            #expect(jb.pop(now: due - .microseconds(1)) == nil)
            #expect(jb.pop(now: due) == .packet(RTPPacket(payloadType: 111, sequenceNumber: UInt16(k),
                                                            timestamp: 1000 + UInt32(k * 960), ssrc: 1)))
            let arrivalDue = byArrival.pollTimeout()!
            _ = byArrival.pop(now: arrivalDue)
            if let last { spacings.insert(arrivalDue - last) }
            last = arrivalDue
        }
        // By arrival, the same packets would have come out unevenly.
        #expect(spacings.count > 10)
    }

    @Test func timestampPlayoutFollowsAFasterPathAndRestartsAtATimelineJump() {
        let configuration = JitterBuffer.Configuration(clockRate: 48_000, minimumDelay: .milliseconds(20), playout: .atTimestamp)
        var jb = JitterBuffer(configuration: configuration)
        func packet(_ k: Int, timestamp: UInt32? = nil) -> RTPPacket {
            RTPPacket(payloadType: 111, sequenceNumber: UInt16(k), timestamp: timestamp ?? UInt32(k * 960), ssrc: 1)
        }
        // Transit 10 ms, then 4 ms: the mapping follows the faster path, 6 ms earlier.
        for k in 0..<5 { jb.insert(packet(k), arrival: .milliseconds(20 * k + 10)) }
        jb.insert(packet(5), arrival: .milliseconds(100 + 4))
        #expect(jb.playoutDelay == jb.targetDelay - .milliseconds(6))
        while jb.pop(now: .milliseconds(200)) != nil {}
        // The sender's timestamps jump by an hour: the packet is due after its arrival, not in an hour.
        jb.insert(packet(6, timestamp: UInt32(6 * 960 + 3_600 * 48_000)), arrival: .milliseconds(220))
        #expect(jb.pollTimeout()! <= .milliseconds(220) + jb.targetDelay)
        #expect(jb.playoutDelay == jb.targetDelay)
    }
}
