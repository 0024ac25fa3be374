import RTP
import Testing

@Suite struct RTCPPacketTests {
    @Test func goldenSenderReportWithOneBlock() throws {
        let block = ReportBlock(ssrc: 0x5566_7788, fractionLost: 0x40, cumulativeLost: 3, extendedHighestSequenceNumber: 0x0001_0005,
                                jitter: 0x20, lastSenderReport: 0x0304_0506, delaySinceLastSenderReport: 0x0001_0000)
        let sr = SenderReport(ssrc: 0x1122_3344, ntpTimestamp: NTPTimestamp(0x0102_0304_0506_0708), rtpTimestamp: 0x0A0B_0C0D,
                              packetCount: 100, octetCount: 1000, reportBlocks: [block])
        let expected: [UInt8] = [
            0x81, 200,  // V=2, P=0, RC=1; PT=200 SR
            0x00, 0x0C,  // length: 52 bytes / 4 - 1 = 12
            0x11, 0x22, 0x33, 0x44,  // sender SSRC
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // NTP timestamp
            0x0A, 0x0B, 0x0C, 0x0D,  // RTP timestamp
            0x00, 0x00, 0x00, 0x64,  // packet count 100
            0x00, 0x00, 0x03, 0xE8,  // octet count 1000
            0x55, 0x66, 0x77, 0x88,  // block: SSRC
            0x40,  // fraction lost 64/256
            0x00, 0x00, 0x03,  // cumulative lost 3 (24-bit)
            0x00, 0x01, 0x00, 0x05,  // extended highest seq: cycle 1, seq 5
            0x00, 0x00, 0x00, 0x20,  // jitter
            0x03, 0x04, 0x05, 0x06,  // LSR
            0x00, 0x01, 0x00, 0x00,  // DLSR: 1 s in 1/65536 units
        ]
        #expect(RTCPPacket.senderReport(sr).serialized() == expected)
        #expect(RTCPPacket.parseCompound(expected) == [.senderReport(sr)])
    }

    @Test func negativeCumulativeLostIsSignExtended() throws {
        let rr = RTCPPacket.receiverReport(ReceiverReport(ssrc: 1, reportBlocks: [ReportBlock(ssrc: 2, cumulativeLost: -1)]))
        let bytes = rr.serialized()
        #expect(Array(bytes[13...15]) == [0xFF, 0xFF, 0xFF])
        #expect(RTCPPacket.parseCompound(bytes) == [rr])
    }

    @Test func goldenNACK() throws {
        let nack = GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [11, 12, 13])
        let expected: [UInt8] = [
            0x81, 205,  // V=2, FMT=1 (generic NACK); PT=205 RTPFB
            0x00, 0x03,  // length: 16 / 4 - 1
            0x00, 0x00, 0x00, 0x01,  // sender SSRC
            0x00, 0x00, 0x00, 0x02,  // media SSRC
            0x00, 0x0B,  // PID 11
            0x00, 0x03,  // BLP: bit 0 → 12, bit 1 → 13
        ]
        #expect(RTCPPacket.nack(nack).serialized() == expected)
        let parsed = try #require(RTCPPacket.parseCompound(expected))
        guard case .nack(let n) = parsed.first else {
            Issue.record("not a NACK")
            return
        }
        #expect(n.lostSequenceNumbers == [11, 12, 13])
    }

    @Test func nackPacksAcrossWrapAndLongRuns() {
        let nack = GenericNACK(senderSSRC: 0, mediaSSRC: 0, lostSequenceNumbers: [0, 65535, 1, 17, 18, 40])
        #expect(nack.items == [
            GenericNACK.Item(packetID: 65535, bitmask: 0b11),  // 0 and 1
            GenericNACK.Item(packetID: 17, bitmask: 0b1),  // 18 (17 is 18 past 65535: new item)
            GenericNACK.Item(packetID: 40, bitmask: 0),
        ])
    }

    @Test func goldenPLI() {
        let expected: [UInt8] = [
            0x81, 206,  // FMT=1 PLI; PT=206 PSFB
            0x00, 0x02,  // length: 12 / 4 - 1
            0x00, 0x00, 0x00, 0x01,  // sender SSRC
            0x00, 0x00, 0x00, 0x02,  // media SSRC
        ]
        let pli = RTCPPacket.pli(PictureLossIndication(senderSSRC: 1, mediaSSRC: 2))
        #expect(pli.serialized() == expected)
        // RFC 5506 reduced size: a lone feedback packet parses.
        #expect(RTCPPacket.parseCompound(expected) == [pli])
    }

    @Test func goldenFIR() {
        let expected: [UInt8] = [
            0x84, 206,  // FMT=4 FIR; PT=206
            0x00, 0x04,  // length: 20 / 4 - 1
            0x00, 0x00, 0x00, 0x01,  // sender SSRC
            0x00, 0x00, 0x00, 0x00,  // media SSRC: 0 (RFC 5104 §4.3.1.2)
            0xCA, 0xFE, 0xBA, 0xBE,  // FCI: target SSRC
            0x07, 0x00, 0x00, 0x00,  // seq nr 7, reserved
        ]
        let fir = RTCPPacket.fir(FullIntraRequest(senderSSRC: 1, entries: [.init(ssrc: 0xCAFE_BABE, sequenceNumber: 7)]))
        #expect(fir.serialized() == expected)
        #expect(RTCPPacket.parseCompound(expected) == [fir])
    }

    @Test func goldenREMBOneMegabit() {
        let expected: [UInt8] = [
            0x8F, 206,  // FMT=15 application layer FB; PT=206
            0x00, 0x05,  // length: 24 / 4 - 1
            0x00, 0x00, 0x00, 0x01,  // sender SSRC
            0x00, 0x00, 0x00, 0x00,  // media SSRC: unused
            0x52, 0x45, 0x4D, 0x42,  // "REMB"
            0x01,  // Num SSRC = 1
            0x0B,  // BR Exp = 2 (000010), mantissa high bits 11: 1 000 000 = 250 000 × 2^2, 250 000 = 0x3D090
            0xD0, 0x90,  // mantissa low 16 bits
            0x00, 0x00, 0x00, 0x09,  // SSRC feedback
        ]
        let remb = RTCPPacket.remb(ReceiverEstimatedMaximumBitrate(senderSSRC: 1, bitrate: 1_000_000, ssrcs: [9]))
        #expect(remb.serialized() == expected)
        #expect(RTCPPacket.parseCompound(expected) == [remb])
    }

    @Test func compoundRoundTrip() throws {
        let packets: [RTCPPacket] = [
            .receiverReport(ReceiverReport(ssrc: 7, reportBlocks: [ReportBlock(ssrc: 8, fractionLost: 3, cumulativeLost: 9)])),
            .sourceDescription(SourceDescription(ssrc: 7, cname: "abcdefgh")),
            .remb(ReceiverEstimatedMaximumBitrate(senderSSRC: 7, bitrate: 123_456_789, ssrcs: [8, 9])),
            .goodbye(Goodbye(ssrcs: [7], reason: "bye")),
        ]
        let bytes = RTCPPacket.serializeCompound(packets)
        #expect(bytes.count % 4 == 0)
        let parsed = try #require(RTCPPacket.parseCompound(bytes))
        #expect(parsed.count == 4)
        #expect(parsed[0] == packets[0])
        #expect(parsed[1] == packets[1])
        if case .sourceDescription(let s) = parsed[1] { #expect(s.chunks.first?.cname == "abcdefgh") }
        if case .remb(let r) = parsed[2] {
            // 18-bit mantissa: within 2^-17 of the value
            #expect(r.bitrate <= 123_456_789 && r.bitrate > 123_456_789 - 123_456_789 / 100_000)
            #expect(r.ssrcs == [8, 9])
        } else {
            Issue.record("REMB lost")
        }
        if case .goodbye(let g) = parsed[3] { #expect(g.reasonText == "bye") }
    }

    @Test func unknownKeptAndLiesRejected() {
        let app: [UInt8] = [0x80, 204, 0x00, 0x02, 0, 0, 0, 1, 0x41, 0x42, 0x43, 0x44]  // APP packet
        #expect(RTCPPacket.parseCompound(app) == [.unknown(app)])
        var lying = app
        lying[3] = 0x03  // claims 16 bytes
        #expect(RTCPPacket.parseCompound(lying) == nil)
        #expect(RTCPPacket.parseCompound([]) == nil)
        #expect(RTCPPacket.parseCompound([0x81, 200, 0x00, 0x01, 0, 0, 0, 1]) == nil)  // SR body truncated
        let padded: [UInt8] = [0xA0, 201, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 9]  // P=1, pad count 9 > body
        #expect(RTCPPacket.parseCompound(padded) == nil)
    }
}
