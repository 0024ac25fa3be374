import Testing
@testable import SCTP

/// Re-signs a packet so it passes the CRC32c check and reaches the chunk parsers.
func withValidChecksum(_ packet: [UInt8]) -> [UInt8] {
    guard packet.count >= 12 else { return packet }
    var out = packet
    let crc = CRC32c.checksum(out, zeroing: 8..<12)
    out[8] = UInt8(crc & 0xFF); out[9] = UInt8((crc >> 8) & 0xFF)
    out[10] = UInt8((crc >> 16) & 0xFF); out[11] = UInt8(crc >> 24)
    return out
}

func mutate(_ packet: [UInt8], _ random: inout TestRandom) -> [UInt8] {
    var out = packet
    switch random.below(6) {
    case 0:
        for _ in 0...random.below(4) where !out.isEmpty { out[random.below(out.count)] ^= UInt8(1 << random.below(8)) }
    case 1:
        if !out.isEmpty { out = Array(out.prefix(random.below(out.count))) }
    case 2:
        out += random.bytes(random.below(64))
    case 3:
        // Mangle a chunk or parameter length field.
        if out.count > 16 {
            let index = 12 + random.below(out.count - 14)
            out[index] = UInt8(truncatingIfNeeded: random.next())
            out[index + 1] = UInt8(truncatingIfNeeded: random.next())
        }
    case 4:
        out = Array(out.prefix(12)) + random.bytes(random.below(200))
    default:
        if out.count > 12 { out[12] = UInt8(truncatingIfNeeded: random.next()) }
    }
    return out
}

@Suite struct FuzzTests {
    @Test func parsersNeverTrapOnRandomInput() {
        var random = TestRandom(seed: 0xF022)
        for _ in 0..<20_000 {
            let bytes = random.bytes(random.below(300))
            _ = try? SCTPPacket.parse(bytes)
            _ = try? SCTPPacket.parse(withValidChecksum(bytes))
            _ = try? DCEPMessage.parse(bytes)
            _ = try? StateCookie.open(bytes, secret: [1, 2, 3], now: .zero, lifetime: .seconds(60))
            var reader = ByteReader(bytes)
            while !reader.isAtEnd, (try? Chunk.parse(&reader)) != nil {}
        }
    }

    @Test func mutatedTrafficIsDroppedAndTheAssociationKeepsWorking() throws {
        let link = connectedPair(seed: 77)
        link.recordPackets = true
        for index in 0..<30 {
            try link.left.send(pattern(1500, seed: index), stream: UInt16(index % 4), ppid: 53, ordered: index % 2 == 0,
                               reliability: .reliable, now: link.now)
        }
        try link.left.send([1], stream: 1, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.left.resetStreams([2], now: link.now)
        link.run(for: .seconds(40))
        let corpus = link.sent[.left, default: []] + link.sent[.right, default: []]
        #expect(corpus.count > 10)
        var random = TestRandom(seed: 0xBADC0DE)
        var delivered = 0
        for round in 0..<10_000 {
            let original = corpus[random.below(corpus.count)]
            var packet = mutate(original, &random)
            // Half keep a broken checksum; the rest carry a wrong tag so they stop at §8.5.
            if round % 2 == 1, packet.count >= 12 {
                packet[4] ^= 0x5A
                packet = withValidChecksum(packet)
            }
            if packet == original { continue }
            link.right.handle(packet: packet, now: link.now)
            link.left.handle(packet: packet, now: link.now)
            delivered += 1
        }
        link.pump()
        let dropped = link.right.counters.badChecksum + link.right.counters.badTag + link.right.counters.malformed
        #expect(dropped >= delivered * 9 / 10)
        #expect(link.left.state == .established && link.right.state == .established)
        let before = link.rightEvents.messages.count
        try link.left.send(pattern(50_000), stream: 9, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        try link.right.send([5, 5], stream: 9, ppid: 53, ordered: true, reliability: .reliable, now: link.now)
        link.run(for: .seconds(5))
        #expect(link.rightEvents.messages.count == before + 1)
        #expect(link.rightEvents.messages.last?.payload == pattern(50_000))
        #expect(link.leftEvents.messages.last?.payload == [5, 5])
    }

    /// Mutated packets that pass CRC and tag checks reach every chunk handler. The protocol lets
    /// some of them end the association (ABORT) or change it; none may trap, and whatever
    /// survives is still consistent.
    @Test func acceptedGarbageNeverTraps() throws {
        for seed in UInt64(1)...6 {
            let link = connectedPair(seed: seed)
            link.recordPackets = true
            for index in 0..<10 {
                try link.left.send(pattern(2500, seed: index), stream: 1, ppid: 53, ordered: index % 3 != 0,
                                   reliability: index % 2 == 0 ? .reliable : .maxRetransmits(1), now: link.now)
                try link.right.send(pattern(700, seed: index), stream: 2, ppid: 51, ordered: true,
                                    reliability: .reliable, now: link.now)
            }
            link.right.resetStreams([2], now: link.now)
            link.run(for: .seconds(35))
            let corpus = link.sent[.left, default: []] + link.sent[.right, default: []]
            var random = TestRandom(seed: seed &* 0x9E37)
            for _ in 0..<2_000 {
                let original = corpus[random.below(corpus.count)]
                var packet = withValidChecksum(mutate(original, &random))
                if packet.count >= 8, random.chance(0.5) {
                    // Aim at whichever side the tag already matches, or fix it for the left.
                    let tag = link.left.localTag
                    packet[4] = UInt8(tag >> 24); packet[5] = UInt8((tag >> 16) & 0xFF)
                    packet[6] = UInt8((tag >> 8) & 0xFF); packet[7] = UInt8(tag & 0xFF)
                    packet = withValidChecksum(packet)
                }
                link.left.handle(packet: packet, now: link.now)
                link.right.handle(packet: packet, now: link.now)
                if random.chance(0.05) { link.run(for: .milliseconds(random.below(500))) }
            }
            link.run(for: .seconds(120))
            for side in [link.left, link.right] {
                if side.state == .established {
                    #expect(side.pollTimeout() != nil)
                    #expect(side.retransmissions?.isConsistent == true)
                } else {
                    #expect(side.state == .closed || side.state != .cookieWait)
                }
            }
        }
    }
}
