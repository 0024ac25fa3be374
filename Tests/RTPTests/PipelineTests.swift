import RTP
import Testing

/// Sender and receiver wired through a lossy simulated network, in 1 ms steps:
/// VP8Payloader → SendHistory | network | JitterBuffer → VP8Depayloader, with
/// NACKGenerator → RTCP NACK bytes → SendHistory → RTX → unwrap on the way back.
struct LossyCall {
    struct InFlight {
        var at: Duration
        var bytes: [UInt8]
        var toReceiver: Bool
    }

    var random: TestRandom
    var lossRate: Double
    var useNACK: Bool
    var inFlight: [InFlight] = []

    init(seed: UInt64, lossRate: Double, useNACK: Bool) {
        random = TestRandom(seed: seed)
        self.lossRate = lossRate
        self.useNACK = useNACK
    }

    mutating func send(_ bytes: [UInt8], now: Duration, toReceiver: Bool) {
        guard Double.random(in: 0..<1, using: &random) >= lossRate else { return }
        inFlight.append(InFlight(at: now + .milliseconds(10 + Int.random(in: 0...5, using: &random)), bytes: bytes,
                                 toReceiver: toReceiver))
    }

    /// Returns frames sent and frames delivered intact.
    mutating func run(frames frameCount: Int) -> (sent: Int, delivered: Int, recovered: Int, plis: Int) {
        let mediaSSRC: UInt32 = 0x1111
        let rtxSSRC: UInt32 = 0x2222
        var payloader = VP8Payloader(ssrc: mediaSSRC, payloadType: 96, seed: 1)
        var history = SendHistory(capacity: 1024, rtx: .init(ssrc: rtxSSRC, payloadTypes: [96: 97]), seed: 2)
        var jitter = JitterBuffer(configuration: .init(clockRate: 90_000, minimumDelay: .milliseconds(100)))
        var depayloader = VP8Depayloader(maxWait: .milliseconds(100))
        var nack = NACKGenerator()
        nack.roundTripTime = .milliseconds(35)
        var sentFrames: [UInt32: [UInt8]] = [:]
        var delivered = 0
        var now = Duration.zero
        let end = Duration.milliseconds(33 * frameCount + 500)
        var frame = 0
        var keyframeRequested = false
        var plis = 0
        while now < end {
            // Sender: a frame every 33 ms, a keyframe every 60.
            if frame < frameCount && now >= .milliseconds(33 * frame) {
                var sizeRandom = TestRandom(seed: UInt64(frame))
                let data = fakeVP8Frame(size: Int.random(in: 1500...4000, using: &sizeRandom),
                                        keyframe: frame % 60 == 0 || keyframeRequested, seed: UInt64(frame))
                keyframeRequested = false
                let ts = UInt32(frame * 3000)
                sentFrames[ts] = data
                for p in payloader.packetize(frame: data, timestamp: ts) {
                    history.record(p)
                    send(p.serialized(), now: now, toReceiver: true)
                }
                frame += 1
            }
            // Network delivery.
            let due = inFlight.filter { $0.at <= now }
            inFlight.removeAll { $0.at <= now }
            for d in due {
                if d.toReceiver {
                    guard var p = RTPPacket(parsing: d.bytes) else { continue }
                    if p.ssrc == rtxSSRC {
                        guard let original = SendHistory.unwrapRTX(p, mediaSSRC: mediaSSRC, mediaPayloadType: 96) else { continue }
                        p = original
                    }
                    nack.received(sequenceNumber: p.sequenceNumber, now: now)
                    jitter.insert(p, arrival: now)
                } else if let rtcp = RTCPPacket.parseCompound(d.bytes) {
                    for packet in rtcp {
                        switch packet {
                        case .nack(let n):
                            for r in history.retransmissions(for: n) { send(r.serialized(), now: now, toReceiver: true) }
                        case .pli:
                            keyframeRequested = true
                        default: break
                        }
                    }
                }
            }
            // Receiver.
            if useNACK, let n = nack.pollNACK(senderSSRC: 0x3333, mediaSSRC: mediaSSRC, now: now) {
                send(RTCPPacket.nack(n).serialized(), now: now, toReceiver: false)
            }
            while let out = jitter.pop(now: now) {
                switch out {
                case .packet(let p): depayloader.insert(p, now: now)
                case .lost: depayloader.skipMissing(now: now)
                }
            }
            depayloader.handleTimeout(now: now)
            while let out = depayloader.poll() {
                switch out {
                case .frame(let f): if sentFrames[f.timestamp] == f.data { delivered += 1 }
                case .keyframeNeeded, .frameLost:
                    // RFC 5506 reduced-size PLI.
                    plis += 1
                    send(RTCPPacket.pli(PictureLossIndication(senderSSRC: 0x3333, mediaSSRC: mediaSSRC)).serialized(),
                         now: now, toReceiver: false)
                }
            }
            now += .milliseconds(1)
        }
        return (frameCount, delivered, nack.counters.recovered, plis)
    }
}

@Suite struct PipelineTests {
    @Test func nackAndRTXRecoverLossesEndToEnd() {
        var withNACK = LossyCall(seed: 9, lossRate: 0.05, useNACK: true)
        let a = withNACK.run(frames: 300)
        var without = LossyCall(seed: 9, lossRate: 0.05, useNACK: false)
        let b = without.run(frames: 300)
        #expect(a.delivered >= 290, "with NACK: \(a)")
        #expect(a.recovered > 20)
        #expect(b.delivered < a.delivered - 10, "without NACK: \(b)")
    }
}
