import RTP
import Testing

@Suite struct RTPPacketTests {
    @Test func goldenHeaderWithCSRCsAndOneByteExtension() throws {
        let packet = RTPPacket(marker: true, payloadType: 96, sequenceNumber: 0x1234, timestamp: 0xDEAD_BEEF, ssrc: 0x1122_3344,
                               csrcs: [0xAABB_CCDD, 0x0102_0304],
                               extensions: [RTPHeaderExtension(id: 1, data: [0x30])], payload: [0xFF, 0xEE])
        let expected: [UInt8] = [
            0x92,  // V=2 (10), P=0, X=1, CC=2
            0xE0,  // M=1, PT=96 (0x60)
            0x12, 0x34,  // sequence number
            0xDE, 0xAD, 0xBE, 0xEF,  // timestamp
            0x11, 0x22, 0x33, 0x44,  // SSRC
            0xAA, 0xBB, 0xCC, 0xDD,  // CSRC 1
            0x01, 0x02, 0x03, 0x04,  // CSRC 2
            0xBE, 0xDE,  // RFC 8285 one-byte profile
            0x00, 0x01,  // extension length: 1 word
            0x10,  // ID=1, L=0 (one octet of data)
            0x30,  // "0": the MID
            0x00, 0x00,  // padding to the 32-bit boundary
            0xFF, 0xEE,  // payload
        ]
        #expect(packet.serialized() == expected)
        let parsed = try #require(RTPPacket(parsing: expected))
        #expect(parsed == packet)
        #expect(parsed.mid(extensionID: 1) == "0")
    }

    @Test func twoByteExtensionWhenDataIsLongOrEmpty() throws {
        var packet = RTPPacket(payloadType: 111, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: [1, 2, 3])
        packet.setHeaderExtension(id: 3, data: Array(repeating: 7, count: 20))  // > 16 bytes
        packet.setHeaderExtension(id: 4, data: [])
        let bytes = packet.serialized()
        #expect(bytes[12] == 0x10 && bytes[13] == 0x00)  // 0x1000: two-byte profile
        // id 3, len 20, data (22) + id 4, len 0 (2) = 24 bytes = 6 words
        #expect(bytes[14] == 0x00 && bytes[15] == 0x06)
        #expect(bytes[16] == 3 && bytes[17] == 20)
        let parsed = try #require(RTPPacket(parsing: bytes))
        #expect(parsed == packet)
    }

    @Test func paddingAndMIDAndAudioLevel() throws {
        var packet = RTPPacket(payloadType: 111, sequenceNumber: 9, timestamp: 960, ssrc: 42, payload: [9, 9], paddingLength: 4)
        packet.setMID("audio0", extensionID: 2)
        packet.setAudioLevel(AudioLevel(voiceActivity: true, level: 30), extensionID: 5)
        let bytes = packet.serialized()
        #expect(bytes[0] & 0x20 != 0)
        #expect(bytes.last == 4)
        let parsed = try #require(RTPPacket(parsing: bytes))
        #expect(parsed.payload == [9, 9])
        #expect(parsed.mid(extensionID: 2) == "audio0")
        #expect(parsed.audioLevel(extensionID: 5) == AudioLevel(voiceActivity: true, level: 30))
        #expect(parsed.headerExtension(id: 5) == [0x80 | 30])  // V=1, level 30 (RFC 6464 §3)
    }

    @Test func rejectsMalformed() {
        let good = RTPPacket(payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [4],
                             extensions: [RTPHeaderExtension(id: 1, data: [1])], payload: [5]).serialized()
        #expect(RTPPacket(parsing: Array(good.prefix(11))) == nil)  // truncated fixed header
        var badVersion = good
        badVersion[0] = (badVersion[0] & 0x3F) | 0x40
        #expect(RTPPacket(parsing: badVersion) == nil)
        var badCSRC = good
        badCSRC[0] = (badCSRC[0] & 0xF0) | 0x0F  // 15 CSRCs claimed
        #expect(RTPPacket(parsing: badCSRC) == nil)
        var longExtension = good
        longExtension[19] = 0x40  // extension length past the end
        #expect(RTPPacket(parsing: longExtension) == nil)
        var badPadding = good
        badPadding[0] |= 0x20
        badPadding[badPadding.count - 1] = 200  // padding longer than the packet
        #expect(RTPPacket(parsing: badPadding) == nil)
        badPadding[badPadding.count - 1] = 0  // a zero count is not valid padding
        #expect(RTPPacket(parsing: badPadding) == nil)
        var elementPastEnd = good
        elementPastEnd[20] = 0x1F  // id 1, L=15: 16 bytes in a 4-byte block
        #expect(RTPPacket(parsing: elementPastEnd) == nil)
    }

    @Test func opusPayloading() throws {
        var payloader = OpusPayloader(ssrc: 5, payloadType: 111, initialSequenceNumber: 65535)
        let a = payloader.packetize([1, 2, 3], timestamp: 0, startOfTalkspurt: true)
        let b = payloader.packetize([4], timestamp: 960)
        #expect(a.sequenceNumber == 65535 && b.sequenceNumber == 0)
        #expect(a.marker && !b.marker)
        let parsed = try #require(RTPPacket(parsing: b.serialized()))
        #expect(OpusDepayloader.depayload(parsed) == [4])
        #expect(OpusDepayloader.depayload(RTPPacket(payloadType: 111, sequenceNumber: 0, timestamp: 0, ssrc: 5)) == nil)
    }
}
