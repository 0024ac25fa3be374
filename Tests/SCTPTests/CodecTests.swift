import Testing
@testable import SCTP

@Suite struct CodecTests {
    // RFC 3720 Appendix B.4 CRC32c test vectors (the CRC as a number; on the wire its bytes
    // appear least significant first, e.g. "aa 36 91 8a").
    /// Both ways of computing it: the CPU's CRC32 instruction and the tables.
    static let paths = CRC32c.hardware ? [true, false] : [false]

    @Test(arguments: paths) func crc32cKnownAnswers(hardware: Bool) {
        #expect(CRC32c.checksum([UInt8](repeating: 0, count: 32), hardware: hardware) == 0x8A91_36AA)
        #expect(CRC32c.checksum([UInt8](repeating: 0xFF, count: 32), hardware: hardware) == 0x62A8_AB43)
        #expect(CRC32c.checksum((0..<32).map { UInt8($0) }, hardware: hardware) == 0x46DD_794E)
        #expect(CRC32c.checksum((0..<32).map { UInt8(31 - $0) }, hardware: hardware) == 0x113F_DB5C)
        #expect(CRC32c.checksum(Array("123456789".utf8), hardware: hardware) == 0xE306_9283)
    }

    #if arch(x86_64)
    /// x86-64 CPUs have had SSE 4.2 since 2008 (Intel) and 2011 (AMD): the fast path must be the one taken.
    @Test func theCRC32InstructionIsUsedOnX86() {
        #expect(CRC32c.hardware)
    }
    #endif

    /// The word-at-a-time CRC against the bit-at-a-time definition (RFC 9260 Appendix B), for every
    /// length up to 70 and every start alignment, so each head, word and tail path is covered.
    @Test(arguments: paths) func crc32cMatchesTheBitwiseDefinition(hardware: Bool) {
        func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        var random = TestRandom(seed: 9)
        let bytes = random.bytes(80)
        for start in 0..<8 {
            for length in 0...70 {
                let slice = bytes[start..<(start + length)]
                #expect(CRC32c.checksum(Array(slice), hardware: hardware) == bitwise(slice), "start \(start) length \(length)")
            }
        }
        // The zeroed range counts as zero bytes wherever it falls, clamped to the input.
        for range in [8..<12, 0..<4, 60..<80, 70..<90, 100..<104] {
            var zeroed = bytes
            for index in range where index < zeroed.count { zeroed[index] = 0 }
            #expect(CRC32c.checksum(bytes, zeroing: range, hardware: hardware) == bitwise(zeroed[...]), "\(range)")
        }
    }

    /// DATA and SACK lengths are counted rather than serialized; they must agree with the bytes.
    @Test func countedChunkLengthsMatchSerialization() {
        let chunks: [Chunk] = [
            .data(DataChunk(tsn: 1, streamID: 2, ssn: 3, ppid: 53, payload: [1, 2, 3, 4, 5], unordered: false, beginning: true, ending: true)),
            .data(DataChunk(tsn: 1, streamID: 2, ssn: 3, ppid: 53, payload: [], unordered: true, beginning: false, ending: false)),
            .sack(SackChunk(cumulativeTSNAck: 9, advertisedReceiverWindow: 1000, gapBlocks: [], duplicateTSNs: [])),
            .sack(SackChunk(cumulativeTSNAck: 9, advertisedReceiverWindow: 1000,
                            gapBlocks: [.init(start: 2, end: 3), .init(start: 5, end: 9)], duplicateTSNs: [4, 7, 8])),
        ]
        for chunk in chunks {
            var bytes: [UInt8] = []
            chunk.serialize(into: &bytes, pad: false)
            #expect(chunk.serializedLength == bytes.count, "\(chunk)")
        }
    }

    @Test func sha256AndHMACKnownAnswers() {
        // FIPS 180-2 "abc".
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // RFC 4231 test case 2.
        #expect(hex(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// INIT as RFC 9260 §3.1 + §3.3.2 lay it out, assembled by hand.
    @Test func goldenInitPacket() throws {
        let expected: [UInt8] = [
            // Common header (§3.1): source port 5000, destination port 5000, tag 0 for INIT (§8.5.1),
            0x13, 0x88, 0x13, 0x88, 0x00, 0x00, 0x00, 0x00,
            // checksum placeholder, filled below.
            0x00, 0x00, 0x00, 0x00,
            // INIT chunk: type 1, flags 0, length 32 = 4 header + 16 fixed + 8 (Supported
            // Extensions, padding included: not the last parameter) + 4 (Forward-TSN-Supported).
            0x01, 0x00, 0x00, 0x20,
            0x11, 0x22, 0x33, 0x44,  // Initiate Tag
            0x00, 0x10, 0x00, 0x00,  // a_rwnd 1 MiB
            0x04, 0x00,              // outbound streams 1024
            0x04, 0x00,              // inbound streams 1024
            0xAA, 0xBB, 0xCC, 0xDD,  // initial TSN
            // Supported Extensions (RFC 5061 §4.2.7): type 0x8008, length 6, FORWARD TSN, RE-CONFIG, pad.
            0x80, 0x08, 0x00, 0x06, 0xC0, 0x82, 0x00, 0x00,
            // Forward-TSN-Supported (RFC 3758 §3.1): type 0xC000, length 4.
            0xC0, 0x00, 0x00, 0x04,
        ]
        var withChecksum = expected
        let crc = CRC32c.checksum(expected)
        withChecksum[8] = UInt8(crc & 0xFF)
        withChecksum[9] = UInt8((crc >> 8) & 0xFF)
        withChecksum[10] = UInt8((crc >> 16) & 0xFF)
        withChecksum[11] = UInt8(crc >> 24)

        let initChunk = InitChunk(
            initiateTag: 0x1122_3344, advertisedReceiverWindow: 1_048_576, outboundStreams: 1024,
            inboundStreams: 1024, initialTSN: 0xAABB_CCDD, parameters: SCTPAssociation.extensionParameters)
        let packet = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: 0, chunks: [.initiation(initChunk)])
        #expect(packet.serialize() == withChecksum)
        let parsed = try SCTPPacket.parse(withChecksum)
        #expect(parsed == packet)
        #expect(initChunk.supportsForwardTSN && initChunk.supportsReconfig)
    }

    /// The INIT the association sends, checked field by field.
    @Test func associationInitLayout() throws {
        var config = SCTPConfiguration()
        config.initialTSN = 0x0102_0304
        let association = SCTPAssociation(configuration: config, seed: 99)
        association.connect(now: .zero)
        let bytes = try #require(association.pollTransmit())
        #expect(Array(bytes[0..<8]) == [0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0])
        #expect(bytes[12] == 1)  // INIT
        #expect(Array(bytes[24..<28]) == [0x04, 0x00, 0x04, 0x00])
        #expect(Array(bytes[28..<32]) == [0x01, 0x02, 0x03, 0x04])
        let tag = UInt32(bytes[16]) << 24 | UInt32(bytes[17]) << 16 | UInt32(bytes[18]) << 8 | UInt32(bytes[19])
        #expect(tag == association.localTag && tag != 0)
        let stored = UInt32(bytes[8]) | UInt32(bytes[9]) << 8 | UInt32(bytes[10]) << 16 | UInt32(bytes[11]) << 24
        #expect(CRC32c.checksum(bytes, zeroing: 8..<12) == stored)
        #expect(bytes.count == 44)
    }

    /// DATA per RFC 9260 §3.3.1, by hand.
    @Test func goldenDataChunk() throws {
        let bytes: [UInt8] = [
            0x00,                    // type DATA
            0x03,                    // flags: B and E (unfragmented), ordered, I clear
            0x00, 0x15,              // length 21 = 16 header + 5 payload (padding not counted)
            0x00, 0x00, 0x00, 0x01,  // TSN 1
            0x00, 0x02,              // stream 2
            0x00, 0x03,              // SSN 3
            0x00, 0x00, 0x00, 0x33,  // PPID 51 (WebRTC string)
            0x68, 0x65, 0x6C, 0x6C, 0x6F,  // "hello"
            0x00, 0x00, 0x00,        // padding to 24
        ]
        let chunk = DataChunk(tsn: 1, streamID: 2, ssn: 3, ppid: 51, payload: Array("hello".utf8),
                              unordered: false, beginning: true, ending: true)
        var out: [UInt8] = []
        Chunk.data(chunk).serialize(into: &out)
        #expect(out == bytes)
        var reader = ByteReader(bytes)
        #expect(try Chunk.parse(&reader) == .data(chunk))
        #expect(reader.isAtEnd)
        // Unordered middle fragment: flags U only.
        var middle = chunk
        middle.unordered = true
        middle.beginning = false
        middle.ending = false
        out = []
        Chunk.data(middle).serialize(into: &out)
        #expect(out[1] == 0x04)
    }

    @Test func everyChunkRoundTrips() throws {
        let all: [Chunk] = [
            .data(DataChunk(tsn: 9, streamID: 1, ssn: 2, ppid: 53, payload: [1, 2, 3], unordered: true, beginning: true, ending: false)),
            .sack(SackChunk(cumulativeTSNAck: 100, advertisedReceiverWindow: 5000,
                            gapBlocks: [.init(start: 2, end: 3), .init(start: 6, end: 6)], duplicateTSNs: [99])),
            .heartbeat(HeartbeatChunk(info: [1, 2, 3, 4, 5])),
            .heartbeatAck(HeartbeatChunk(info: [9])),
            .abort(AbortChunk(tagReflected: true, causes: [.userAbort("bye")])),
            .shutdown(ShutdownChunk(cumulativeTSNAck: 77)),
            .shutdownAck,
            .error(ErrorChunk(causes: [ErrorCause(code: 1, information: [0, 5, 0, 0])])),
            .cookieEcho(CookieEchoChunk(cookie: [1, 2, 3])),
            .cookieAck,
            .shutdownComplete(tagReflected: true),
            .forwardTSN(ForwardTSNChunk(newCumulativeTSN: 12, skipped: [.init(streamID: 1, ssn: 4)])),
            .reconfig(ReconfigChunk(parameters: [
                .outgoingResetRequest(requestSequence: 1, responseSequence: 2, senderLastTSN: 3, streams: [4, 5, 6]),
                .response(responseSequence: 7, result: .successPerformed),
            ])),
            .unknown(type: 0xBF, flags: 3, value: [1, 2]),
        ]
        let packet = SCTPPacket(sourcePort: 1, destinationPort: 2, verificationTag: 3, chunks: all)
        #expect(try SCTPPacket.parse(packet.serialize()) == packet)
    }

    @Test func unknownInitParametersAreSkippedByTypeBits() throws {
        var value: [UInt8] = []
        value.appendU32(5); value.appendU32(1000); value.appendU16(10); value.appendU16(10); value.appendU32(1)
        // Zero checksum acceptable (0x8001, bits 10: skip), then Forward-TSN-Supported.
        RawParameter(type: 0x8001, value: [0, 0, 0, 1]).serialize(into: &value)
        RawParameter(type: 0xC000, value: []).serialize(into: &value)
        // 0x4099 (bits 01): stop here; the Supported Extensions after it is not processed.
        RawParameter(type: 0x4099, value: [1]).serialize(into: &value)
        RawParameter(type: 0x8008, value: [0x82]).serialize(into: &value)
        let chunk = try InitChunk.parse(value)
        #expect(chunk.supportsForwardTSN)
        #expect(!chunk.supportsReconfig)
        #expect(chunk.parameters.map(\.type) == [0x8001, 0xC000])
    }

    @Test func unknownChunksFollowTheirTypeBits() throws {
        let link = connectedPair()
        let tag = link.right.localTag
        // 0xBF (bits 10): skip and go on, so the HEARTBEAT after it is answered.
        let skip = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: tag, chunks: [
            .unknown(type: 0xBF, flags: 0, value: [1, 2, 3]), .heartbeat(HeartbeatChunk(info: [7])),
        ])
        link.right.handle(packet: skip.serialize(), now: link.now)
        let reply = try #require(link.right.pollTransmit())
        #expect(chunks(of: reply).contains(.heartbeatAck(HeartbeatChunk(info: [7]))))
        // 0x3F (bits 00): stop processing the packet.
        let stop = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: tag, chunks: [
            .unknown(type: 0x3F, flags: 0, value: []), .heartbeat(HeartbeatChunk(info: [8])),
        ])
        link.right.handle(packet: stop.serialize(), now: link.now)
        #expect(link.right.pollTransmit() == nil)
        // 0x7F (bits 01): stop, and report it in an ERROR with an Unrecognized Chunk Type cause.
        let report = SCTPPacket(sourcePort: 5000, destinationPort: 5000, verificationTag: tag, chunks: [
            .unknown(type: 0x7F, flags: 0, value: [9]), .heartbeat(HeartbeatChunk(info: [8])),
        ])
        link.right.handle(packet: report.serialize(), now: link.now)
        let error = try #require(link.right.pollTransmit())
        #expect(chunks(of: error) == [.error(ErrorChunk(causes: [ErrorCause(code: 6, information: [0x7F, 0, 0, 5, 9])]))])
        #expect(link.right.counters.unknownChunks == 3)
    }

    @Test func truncatedAndOddInputsAreMalformedNotFatal() {
        #expect(throws: SCTPPacket.ParseFailure.self) { try SCTPPacket.parse([1, 2, 3]) }
        var packet = SCTPPacket(sourcePort: 1, destinationPort: 2, verificationTag: 3, chunks: [.cookieAck]).serialize()
        packet[14] = 0xFF  // chunk length far past the end
        packet[15] = 0xFF
        let crc = CRC32c.checksum(packet, zeroing: 8..<12)
        packet[8] = UInt8(crc & 0xFF); packet[9] = UInt8((crc >> 8) & 0xFF)
        packet[10] = UInt8((crc >> 16) & 0xFF); packet[11] = UInt8(crc >> 24)
        #expect(throws: SCTPPacket.ParseFailure.self) { try SCTPPacket.parse(packet) }
    }

    @Test func serialNumberArithmeticWraps() {
        #expect(UInt32.max.precedes(0))
        #expect(UInt32(0).follows(UInt32.max))
        #expect(UInt32(5).precedes(UInt32(0x7FFF_FFFF)))
        #expect(!UInt32(5).precedes(UInt32(5)))
        #expect(UInt16.max.precedes(0))
        #expect(UInt16(65_000).precedes(UInt16(10)))
    }

    @Test func dataTrackerGapBlocksAcrossWrap() {
        var tracker = DataTracker(peerInitialTSN: UInt32.max - 1)
        tracker.record(UInt32.max - 1)
        tracker.record(1)
        tracker.record(2)
        tracker.record(4)
        let sack = tracker.makeSack(window: 100)
        #expect(sack.cumulativeTSNAck == UInt32.max - 1)
        // Missing: max, 0, 3 → blocks at offsets 3-4 (TSN 1-2) and 6 (TSN 4).
        #expect(sack.gapBlocks == [.init(start: 3, end: 4), .init(start: 6, end: 6)])
        tracker.record(UInt32.max)
        tracker.record(0)
        #expect(tracker.cumulativeTSN == 2)
        #expect(tracker.classify(1) == .duplicate)
    }

    /// The tracker against a plain set of received TSNs (RFC 9260 §6.2.1 cumulative TSN, §3.3.4
    /// gap blocks as offsets), for random arrival orders with duplicates, FORWARD TSNs and a wrap.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func dataTrackerMatchesASetModel(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let initial = UInt32.max - 150
        var tracker = DataTracker(peerInitialTSN: initial)
        var received: Set<UInt32> = []
        var floor = initial &- 1  // everything up to here counts as received (FORWARD TSN)
        for _ in 0..<600 {
            let tsn = initial &+ UInt32(random.below(400))
            if random.chance(0.02) {
                let target = tsn &- 20
                tracker.forward(to: target)
                if target.follows(floor) { floor = target }
                continue
            }
            let expectedVerdict: DataTracker.Verdict =
                tsn.precedesOrEquals(floor) || received.contains(tsn) ? .duplicate : .new
            #expect(tracker.classify(tsn) == expectedVerdict)
            tracker.record(tsn)
            received.insert(tsn)
            var cumulative = floor
            while received.contains(cumulative &+ 1) || cumulative.precedes(floor) { cumulative &+= 1 }
            #expect(tracker.cumulativeTSN == cumulative)
            let ahead = received.filter { $0.follows(cumulative) }.map { $0 &- cumulative }.sorted()
            var blocks: [SackChunk.GapBlock] = []
            for offset in ahead.map({ UInt16($0) }) {
                if let last = blocks.last, last.end &+ 1 == offset { blocks[blocks.count - 1].end = offset }
                else { blocks.append(.init(start: offset, end: offset)) }
            }
            #expect(tracker.makeSack(window: 0).gapBlocks == Array(blocks.prefix(DataTracker.maxGapBlocks)))
            #expect(tracker.highestReceived == (ahead.last.map { cumulative &+ $0 } ?? cumulative))
        }
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { let s = String($0, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
}
