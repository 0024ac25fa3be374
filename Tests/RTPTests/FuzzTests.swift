import RTP
import Testing

/// Thousands of random and mutated inputs into every parser and state machine:
/// nothing may trap, and whatever parses must survive a serialize → parse round trip.
@Suite struct FuzzTests {
    static func validRTPPackets(_ random: inout TestRandom) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for i in 0..<50 {
            var p = RTPPacket(marker: i % 2 == 0, payloadType: UInt8(i % 128), sequenceNumber: UInt16(i * 1000 % 65536),
                              timestamp: UInt32(random.next() & 0xFFFF_FFFF), ssrc: 42,
                              csrcs: (0..<(i % 4)).map { UInt32($0) }, payload: random.bytes(i % 40),
                              paddingLength: UInt8(i % 3 == 0 ? i % 7 : 0))
            if i % 3 != 2 { p.setMID("m\(i)", extensionID: UInt8(1 + i % 14)) }
            if i % 5 == 0 { p.setHeaderExtension(id: 200, data: random.bytes(i % 30)) }
            out.append(p.serialized())
        }
        return out
    }

    @Test func rtpParser() {
        var random = TestRandom(seed: 0xF0)
        let valid = Self.validRTPPackets(&random)
        var parsedCount = 0
        for i in 0..<20_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = random.bytes(Int.random(in: 0...64, using: &random))
                if !bytes.isEmpty { bytes[0] = 0x80 | (bytes[0] & 0x3F) }  // mostly version 2
            } else {
                bytes = random.mutate(valid[i % valid.count])
            }
            guard let packet = RTPPacket(parsing: bytes) else { continue }
            parsedCount += 1
            let again = RTPPacket(parsing: packet.serialized())
            #expect(again == packet)
            _ = packet.mid(extensionID: 1)
            _ = packet.audioLevel(extensionID: 2)
        }
        #expect(parsedCount > 1000)
    }

    static func validRTCP() -> [[UInt8]] {
        let block = ReportBlock(ssrc: 2, fractionLost: 1, cumulativeLost: -5, extendedHighestSequenceNumber: 9, jitter: 3)
        let packets: [RTCPPacket] = [
            .senderReport(SenderReport(ssrc: 1, ntpTimestamp: NTPTimestamp(99), rtpTimestamp: 5, packetCount: 6, octetCount: 7,
                                       reportBlocks: [block, block])),
            .receiverReport(ReceiverReport(ssrc: 1, reportBlocks: [block])),
            .sourceDescription(SourceDescription(ssrc: 1, cname: "cname-123")),
            .goodbye(Goodbye(ssrcs: [1, 2], reason: "done")),
            .nack(GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [1, 2, 5, 40, 41])),
            .pli(PictureLossIndication(senderSSRC: 1, mediaSSRC: 2)),
            .fir(FullIntraRequest(senderSSRC: 1, entries: [.init(ssrc: 2, sequenceNumber: 1), .init(ssrc: 3, sequenceNumber: 2)])),
            .remb(ReceiverEstimatedMaximumBitrate(senderSSRC: 1, bitrate: 777_777, ssrcs: [2])),
        ]
        var out = packets.map { $0.serialized() }
        out.append(RTCPPacket.serializeCompound(packets))
        out.append(RTCPPacket.serializeCompound(Array(packets.prefix(3))))
        return out
    }

    @Test func rtcpParser() {
        var random = TestRandom(seed: 0xF1)
        let valid = Self.validRTCP()
        var parsedCount = 0
        for i in 0..<20_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = random.bytes(4 * Int.random(in: 0...12, using: &random) + Int.random(in: 0...1, using: &random))
                if bytes.count >= 4 {
                    bytes[0] = 0x80 | (bytes[0] & 0x3F)
                    bytes[1] = UInt8.random(in: 200...206, using: &random)
                    bytes[2] = 0
                    bytes[3] = UInt8(truncatingIfNeeded: bytes.count / 4 - 1 + Int.random(in: -1...1, using: &random))
                }
            } else {
                bytes = random.mutate(valid[i % valid.count])
            }
            guard let packets = RTCPPacket.parseCompound(bytes) else { continue }
            parsedCount += 1
            let again = RTCPPacket.parseCompound(RTCPPacket.serializeCompound(packets))
            #expect(again == packets)
        }
        #expect(parsedCount > 1000)
    }

    @Test func vp8DescriptorAndDepayloader() {
        var random = TestRandom(seed: 0xF2)
        for _ in 0..<5000 {
            let bytes = random.bytes(Int.random(in: 0...8, using: &random))
            if let (d, size) = VP8PayloadDescriptor.parse(bytes) {
                #expect(size <= bytes.count)
                #expect(VP8PayloadDescriptor.parse(d.serialized())?.descriptor == d)
            }
        }
        // Random packets.
        var d = VP8Depayloader(maxWait: .milliseconds(50), capacity: 64)
        var now = Duration.zero
        for _ in 0..<10_000 {
            let payload = random.bytes(Int.random(in: 0...12, using: &random))
            let p = RTPPacket(marker: Bool.random(using: &random), payloadType: 96,
                              sequenceNumber: UInt16.random(in: 0...40, using: &random) &+ (Bool.random(using: &random) ? 0 : 65500),
                              timestamp: UInt32.random(in: 0...3, using: &random), ssrc: 1, payload: payload)
            d.insert(p, now: now)
            now += .milliseconds(Int.random(in: 0...20, using: &random))
            if Bool.random(using: &random) { d.handleTimeout(now: now) }
            if Int.random(in: 0..<50, using: &random) == 0 { d.skipMissing(now: now) }
            while d.poll() != nil {}
            if let t = d.pollTimeout() { #expect(t >= now - .milliseconds(50)) }
        }
        // A real stream with loss, duplicates, reordering and mutations.
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, seed: 7, maxPayloadSize: 300)
        var stream: [RTPPacket] = []
        for f in 0..<300 {
            stream += payloader.packetize(frame: fakeVP8Frame(size: Int.random(in: 1...2000, using: &random), keyframe: f % 30 == 0,
                                                              seed: UInt64(f)), timestamp: UInt32(f * 3000))
        }
        var e = VP8Depayloader()
        var delivered = 0
        var lastTimestamp: UInt32?
        for (i, p) in stream.enumerated() {
            let t = Duration.milliseconds(i)
            switch Int.random(in: 0..<20, using: &random) {
            case 0: continue  // lost
            case 1: e.insert(p, now: t); e.insert(p, now: t)  // duplicated
            case 2: if let m = RTPPacket(parsing: random.mutate(p.serialized())) { e.insert(m, now: t) }
            case 3: if i > 2 { e.insert(stream[i - 2], now: t) }; e.insert(p, now: t)  // an old one again
            default: e.insert(p, now: t)
            }
            e.handleTimeout(now: t)
            while let out = e.poll() {
                if case .frame(let f) = out {
                    delivered += 1
                    if let last = lastTimestamp { #expect(Int32(bitPattern: f.timestamp &- last) > 0) }
                    lastTimestamp = f.timestamp
                }
            }
        }
        // Each GOP of 30 frames breaks at the first damaged frame, so few come out.
        #expect(delivered > 15)
    }

    @Test func vp8LossyStreamDeliversExactFrames() {
        var random = TestRandom(seed: 0xF6)
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, seed: 8, maxPayloadSize: 500)
        var frames: [UInt32: [UInt8]] = [:]
        var stream: [RTPPacket] = []
        for f in 0..<600 {
            let frame = fakeVP8Frame(size: Int.random(in: 1...1500, using: &random), keyframe: f % 20 == 0, seed: UInt64(f))
            frames[UInt32(f * 3000)] = frame
            stream += payloader.packetize(frame: frame, timestamp: UInt32(f * 3000))
        }
        // 2 % loss, local reordering by up to 3 positions.
        var arriving = stream.filter { _ in Int.random(in: 0..<50, using: &random) != 0 }
        for i in stride(from: 0, to: arriving.count - 3, by: 1) where Int.random(in: 0..<10, using: &random) == 0 {
            arriving.swapAt(i, i + Int.random(in: 1...3, using: &random))
        }
        var d = VP8Depayloader(maxWait: .milliseconds(30))
        var delivered = 0
        var lost = 0
        for (i, p) in arriving.enumerated() {
            let t = Duration.milliseconds(i)
            d.insert(p, now: t)
            d.handleTimeout(now: t)
            while let out = d.poll() {
                switch out {
                case .frame(let f):
                    delivered += 1
                    #expect(frames[f.timestamp] == f.data)
                case .frameLost: lost += 1
                case .keyframeNeeded: break
                }
            }
        }
        #expect(delivered > 250 && lost > 0)
    }

    @Test func jitterBufferAndStatistics() {
        var random = TestRandom(seed: 0xF3)
        var jb = JitterBuffer(configuration: .init(clockRate: 90_000, capacity: 100))
        var nack = NACKGenerator()
        var stats = ReceiverStatistics(ssrc: 1, clockRate: 90_000)
        var estimator = RemoteBitrateEstimator()
        var now = Duration.zero
        var base: UInt16 = 0
        for i in 0..<20_000 {
            if i % 1000 == 0 { base = UInt16.random(in: 0...UInt16.max, using: &random) }  // wild jumps
            let seq = base &+ UInt16.random(in: 0...30, using: &random) &+ UInt16(truncatingIfNeeded: i)
            let p = RTPPacket(payloadType: 96, sequenceNumber: seq, timestamp: UInt32.random(in: 0...UInt32.max, using: &random),
                              ssrc: 1, payload: random.bytes(Int.random(in: 0...5, using: &random)))
            now += .microseconds(Int.random(in: 0...30_000, using: &random))
            jb.insert(p, arrival: now)
            nack.received(sequenceNumber: seq, now: now)
            stats.received(p, arrival: now)
            estimator.received(p, arrival: now)
            _ = estimator.pollREMB(now: now)
            if i % 7 == 0 { _ = stats.makeReportBlock(now: now) }
            _ = nack.poll(now: now)
            _ = nack.pollTimeout()
            while jb.pop(now: now) != nil {}
            if jb.pollTimeout() != nil { #expect(jb.count > 0) }
        }
        #expect(jb.counters.received == 20_000)
        #expect(jb.counters.restarts > 0 && jb.counters.rejected > 0)
    }

    @Test func jitterBufferOutputStaysOrdered() {
        var random = TestRandom(seed: 0xF4)
        var jb = JitterBuffer(clockRate: 48_000)
        var now = Duration.zero
        var released: [Int] = []
        var lostRanges = 0
        for i in 0..<5000 {
            // Sequence numbers within a reordering window of ±20 around i.
            let seq = max(0, i + Int.random(in: -20...20, using: &random))
            jb.insert(RTPPacket(payloadType: 111, sequenceNumber: UInt16(truncatingIfNeeded: seq), timestamp: UInt32(seq * 960),
                                ssrc: 1), arrival: now)
            now += .milliseconds(Int.random(in: 0...25, using: &random))
            while let out = jb.pop(now: now) {
                switch out {
                case .packet(let p): released.append(Int(p.sequenceNumber))
                case .lost: lostRanges += 1
                }
            }
        }
        // Unwrap the released numbers and check strict increase.
        var unwrapped: [Int] = []
        for s in released {
            guard let last = unwrapped.last else {
                unwrapped.append(s)
                continue
            }
            let delta = Int(Int16(truncatingIfNeeded: s - (last & 0xFFFF)))
            unwrapped.append(last + delta)
        }
        #expect(zip(unwrapped, unwrapped.dropFirst()).allSatisfy { $0 < $1 })
        #expect(released.count > 3000)
    }

    @Test func opusDepayloaderAndAudioJitterBuffer() {
        var random = TestRandom(seed: 0xF7)
        var payloader = OpusPayloader(ssrc: 7, payloadType: 111, initialSequenceNumber: 65_000)
        var jb = JitterBuffer(configuration: .init(clockRate: 48_000, minimumDelay: .milliseconds(40),
                                                   maximumDelay: .milliseconds(300), capacity: 200))
        var now = Duration.zero
        var timestamp: UInt32 = 0xFFFF_8000  // wraps within the first second
        var parsed = 0
        for i in 0..<20_000 {
            var packet = payloader.packetize(random.bytes(Int.random(in: 1...120, using: &random)), timestamp: timestamp,
                                              startOfTalkspurt: i == 0)
            timestamp &+= 960
            if i % 500 == 0 {  // a huge jump of the timestamp, or of the sequence number
                packet.timestamp &+= UInt32.random(in: 0...UInt32.max, using: &random)
                packet.sequenceNumber &+= UInt16.random(in: 3001...62000, using: &random)
            }
            let bytes = i % 3 == 0 ? random.mutate(packet.serialized()) : packet.serialized()
            now += .microseconds(Int.random(in: 0...40_000, using: &random))
            guard let received = RTPPacket(parsing: bytes) else { continue }
            parsed += 1
            // Nil only for an empty payload; otherwise exactly the payload, whatever it holds.
            let opus = OpusDepayloader.depayload(received)
            #expect(opus == (received.payload.isEmpty ? nil : received.payload))
            jb.insert(received, arrival: now)
            while jb.pop(now: now) != nil {}
        }
        while jb.pop(now: now + .seconds(10)) != nil {}
        let c = jb.counters
        #expect(c.received == parsed && jb.count == 0)
        #expect(c.released + c.duplicates + c.late + c.rejected + c.flushed == c.received)
        #expect(c.rejected > 0 && c.lost > 0)
    }

    @Test func rtxUnwrap() {
        var random = TestRandom(seed: 0xF5)
        for _ in 0..<5000 {
            guard let p = RTPPacket(parsing: random.mutate(random.bytes(Int.random(in: 12...30, using: &random)).enumerated()
                .map { $0.offset == 0 ? 0x80 : $0.element })) else { continue }
            if let original = SendHistory.unwrapRTX(p, mediaSSRC: 1, mediaPayloadType: 96) {
                #expect(original.payload.count == p.payload.count - 2)
            }
        }
    }
}
