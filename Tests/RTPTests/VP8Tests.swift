import RTP
import Testing

/// A fake VP8 frame: the first octet's bit 0 is the P bit (0 = keyframe, RFC 7741 §4.3).
func fakeVP8Frame(size: Int, keyframe: Bool, seed: UInt64) -> [UInt8] {
    var random = TestRandom(seed: seed)
    var frame = random.bytes(size)
    frame[0] = keyframe ? frame[0] & 0xFE : frame[0] | 0x01
    return frame
}

func frames(_ depayloader: inout VP8Depayloader) -> [VP8DepayloaderOutput] {
    var out: [VP8DepayloaderOutput] = []
    while let o = depayloader.poll() { out.append(o) }
    return out
}

/// Every permutation of 0..<n (Heap's algorithm).
func permutations(_ n: Int) -> [[Int]] {
    var result: [[Int]] = []
    var a = Array(0..<n)
    func generate(_ k: Int) {
        if k == 1 {
            result.append(a)
            return
        }
        for i in 0..<k {
            generate(k - 1)
            a.swapAt(k % 2 == 0 ? i : 0, k - 1)
        }
    }
    generate(n)
    return result
}

@Suite struct VP8Tests {
    @Test func payloaderLayout() {
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, initialSequenceNumber: 10, initialPictureID: 0x1234)
        let frame = fakeVP8Frame(size: 5000, keyframe: true, seed: 1)
        let packets = payloader.packetize(frame: frame, timestamp: 3000)
        #expect(packets.count == 5)  // 5000 / (1100 - 4) → 5 packets
        #expect(packets.allSatisfy { $0.payload.count <= 1100 && $0.timestamp == 3000 })
        #expect(packets.map(\.sequenceNumber) == [10, 11, 12, 13, 14])
        #expect(packets.map(\.marker) == [false, false, false, false, true])
        // X=1 S=1 PID=0 | I=1 | M=1 + picture ID 0x1234 (15 bits)
        #expect(Array(packets[0].payload.prefix(4)) == [0x90, 0x80, 0x92, 0x34])
        #expect(Array(packets[1].payload.prefix(4)) == [0x80, 0x80, 0x92, 0x34])  // S=0
        #expect(payloader.nextPictureID == 0x1235)
    }

    @Test func depayloadsInEveryOrder() throws {
        let frame = fakeVP8Frame(size: 5000, keyframe: true, seed: 2)
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, initialSequenceNumber: 500, initialPictureID: 7)
        let packets = payloader.packetize(frame: frame, timestamp: 90_000)
        let orders = permutations(packets.count)
        #expect(orders.count == 120)
        for order in orders {
            var d = VP8Depayloader()
            for i in order { d.insert(packets[i], now: .zero) }
            let out = frames(&d)
            #expect(out.count == 1)
            guard case .frame(let f) = out.first else {
                Issue.record("no frame for order \(order)")
                continue
            }
            #expect(f.data == frame)
            #expect(f.isKeyframe && f.pictureID == 7 && f.timestamp == 90_000)
            #expect(f.firstSequenceNumber == 500 && f.lastSequenceNumber == 504)
        }
    }

    @Test func missingPacketReportsFrameLost() {
        let frame = fakeVP8Frame(size: 5000, keyframe: true, seed: 3)
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, initialSequenceNumber: 0)
        let packets = payloader.packetize(frame: frame, timestamp: 1234)
        var random = TestRandom(seed: 3)
        var d = VP8Depayloader(maxWait: .milliseconds(100))
        for p in packets.enumerated().filter({ $0.offset != 2 }).map(\.element).shuffled(using: &random) {
            d.insert(p, now: .milliseconds(5))
        }
        #expect(frames(&d).isEmpty)
        #expect(d.pollTimeout() == .milliseconds(105))
        d.handleTimeout(now: .milliseconds(104))
        #expect(frames(&d).isEmpty)
        d.handleTimeout(now: .milliseconds(105))
        #expect(frames(&d) == [.frameLost(timestamp: 1234), .keyframeNeeded])
        #expect(d.counters.framesLost == 1 && d.needsKeyframe)
        // The missing packet arriving now is too late.
        d.insert(packets[2], now: .milliseconds(106))
        #expect(frames(&d).isEmpty)
        // A delta frame cannot be decoded; the next keyframe can.
        let delta = payloader.packetize(frame: fakeVP8Frame(size: 300, keyframe: false, seed: 4), timestamp: 4234)
        for p in delta { d.insert(p, now: .milliseconds(110)) }
        #expect(frames(&d).isEmpty)
        #expect(d.counters.framesDroppedAwaitingKeyframe == 1)
        let key = payloader.packetize(frame: fakeVP8Frame(size: 2000, keyframe: true, seed: 5), timestamp: 7234)
        for p in key.reversed() { d.insert(p, now: .milliseconds(120)) }
        let out = frames(&d)
        #expect(out.count == 1)
        if case .frame(let f) = out.first { #expect(f.isKeyframe && f.timestamp == 7234) }
        #expect(!d.needsKeyframe)
    }

    @Test func keyframeAfterGapIsDeliveredAtOnce() {
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, initialSequenceNumber: 100)
        let first = payloader.packetize(frame: fakeVP8Frame(size: 3000, keyframe: true, seed: 1), timestamp: 0)
        let lost = payloader.packetize(frame: fakeVP8Frame(size: 3000, keyframe: false, seed: 2), timestamp: 3000)
        let key = payloader.packetize(frame: fakeVP8Frame(size: 3000, keyframe: true, seed: 3), timestamp: 6000)
        _ = lost
        var d = VP8Depayloader()
        for p in first + key { d.insert(p, now: .zero) }
        let out = frames(&d)
        #expect(out.count == 2)
        #expect(d.pollTimeout() == nil)
    }

    @Test func completeKeyframeEndsTheWaitForAnIncompleteFrame() {
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, initialSequenceNumber: 0)
        let k1 = payloader.packetize(frame: fakeVP8Frame(size: 1000, keyframe: true, seed: 1), timestamp: 0)
        let broken = payloader.packetize(frame: fakeVP8Frame(size: 3000, keyframe: false, seed: 2), timestamp: 3000)
        let k2 = payloader.packetize(frame: fakeVP8Frame(size: 3000, keyframe: true, seed: 3), timestamp: 6000)
        var d = VP8Depayloader(maxWait: .seconds(10))
        for p in k1 + [broken[0], broken[2]] + k2 { d.insert(p, now: .zero) }
        let out = frames(&d)
        #expect(out.count == 3)  // k1, the loss, k2: no waiting
        #expect(out[1] == .frameLost(timestamp: nil))
        if case .frame(let f) = out.last { #expect(f.timestamp == 6000) }
        #expect(d.pollTimeout() == nil)
    }

    @Test func paddingOnlyPacketsBetweenFramesAreNoGap() {
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, initialSequenceNumber: 0)
        let k = payloader.packetize(frame: fakeVP8Frame(size: 1000, keyframe: true, seed: 1), timestamp: 0)
        // Two padding-only packets (P=1, no payload) take sequence numbers 1 and 2.
        let padding = (1...2).map { RTPPacket(payloadType: 96, sequenceNumber: UInt16($0), timestamp: 0, ssrc: 1, paddingLength: 200) }
        var next = VP8Payloader(ssrc: 1, payloadType: 96, initialSequenceNumber: 3, initialPictureID: 1)
        let delta = next.packetize(frame: fakeVP8Frame(size: 1000, keyframe: false, seed: 2), timestamp: 3000)
        var d = VP8Depayloader()
        for p in k + padding.reversed() + delta {
            d.insert(RTPPacket(parsing: p.serialized())!, now: .zero)
        }
        let out = frames(&d)
        #expect(out.count == 2)
        #expect(d.pollTimeout() == nil)
    }

    @Test func sequenceWrap() {
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, initialSequenceNumber: 65533)
        let f1 = fakeVP8Frame(size: 5000, keyframe: true, seed: 10)
        let f2 = fakeVP8Frame(size: 2500, keyframe: false, seed: 11)
        let p1 = payloader.packetize(frame: f1, timestamp: 0)
        let p2 = payloader.packetize(frame: f2, timestamp: 3000)
        #expect(p1.map(\.sequenceNumber) == [65533, 65534, 65535, 0, 1])
        var random = TestRandom(seed: 12)
        var d = VP8Depayloader()
        for p in (p1 + p2).shuffled(using: &random) { d.insert(p, now: .zero) }
        let out = frames(&d)
        guard out.count == 2, case .frame(let a) = out[0], case .frame(let b) = out[1] else {
            Issue.record("expected two frames, got \(out.count)")
            return
        }
        #expect(a.data == f1 && b.data == f2)
        #expect(a.lastSequenceNumber == 1 && b.firstSequenceNumber == 2)
    }

    @Test func pictureIDWrap() {
        var payloader = VP8Payloader(ssrc: 1, payloadType: 96, initialSequenceNumber: 0, initialPictureID: 32766)
        var d = VP8Depayloader()
        var ids: [UInt16?] = []
        for i in 0..<3 {
            for p in payloader.packetize(frame: fakeVP8Frame(size: 100, keyframe: true, seed: UInt64(i)), timestamp: UInt32(i * 3000)) {
                d.insert(p, now: .zero)
            }
            for case .frame(let f) in frames(&d) { ids.append(f.pictureID) }
        }
        #expect(ids == [32766, 32767, 0])
    }

    @Test func descriptorsFromOtherStacks() throws {
        // X=0: a one-octet descriptor.
        let plain = try #require(VP8PayloadDescriptor.parse([0x10, 0xAA]))
        #expect(plain.size == 1 && plain.descriptor.isFrameStart && plain.descriptor.pictureID == nil)
        // X=1, I=1 with a 7-bit picture ID (M=0).
        let short = try #require(VP8PayloadDescriptor.parse([0x90, 0x80, 0x55, 0xAA]))
        #expect(short.size == 3 && short.descriptor.pictureID == 0x55 && !short.descriptor.pictureIDIs15Bit)
        // X=1, I L T K all set: 15-bit picture ID, TL0PICIDX, TID/Y/KEYIDX.
        let full = try #require(VP8PayloadDescriptor.parse([0x90, 0xF0, 0x81, 0x02, 0x33, 0b1010_0101, 0xAA]))
        #expect(full.size == 6)
        #expect(full.descriptor.pictureID == 0x0102 && full.descriptor.tl0PictureIndex == 0x33)
        #expect(full.descriptor.temporalLayerIndex == 2 && full.descriptor.layerSync && full.descriptor.keyIndex == 5)
        #expect(full.descriptor.serialized() == [0x90, 0xF0, 0x81, 0x02, 0x33, 0b1010_0101])
        // Only K: the TID/KEYIDX octet is there, TID not meaningful.
        let k = try #require(VP8PayloadDescriptor.parse([0x80, 0x10, 0x03]))
        #expect(k.size == 3 && k.descriptor.keyIndex == 3 && k.descriptor.temporalLayerIndex == nil)
        // Truncated descriptors.
        #expect(VP8PayloadDescriptor.parse([]) == nil)
        #expect(VP8PayloadDescriptor.parse([0x80]) == nil)
        #expect(VP8PayloadDescriptor.parse([0x80, 0x80, 0x80]) == nil)
        #expect(VP8PayloadDescriptor.parse([0x80, 0x60]) == nil)

        // A frame from a stack using X=0 in the first packet and L/T fields in the second.
        let data1: [UInt8] = [0x00, 1, 2]  // keyframe: P=0
        let data2: [UInt8] = [3, 4]
        let a = RTPPacket(payloadType: 120, sequenceNumber: 7, timestamp: 9, ssrc: 1, payload: [0x10] + data1)
        let b = RTPPacket(marker: true, payloadType: 120, sequenceNumber: 8, timestamp: 9, ssrc: 1,
                          payload: [0x80, 0xE0, 0x05, 0x11, 0x40] + data2)
        var d = VP8Depayloader()
        d.insert(b, now: .zero)
        d.insert(a, now: .zero)
        let out = frames(&d)
        guard case .frame(let f) = out.first else {
            Issue.record("no frame")
            return
        }
        #expect(f.data == data1 + data2 && f.isKeyframe)
    }
}
