/// One RTCP packet of a compound packet (RFC 3550 §6), with the AVPF and CCM
/// feedback messages WebRTC uses. Packets this layer does not model are kept
/// whole (header included) in `.unknown`.
public enum RTCPPacket: Sendable, Hashable {
    case senderReport(SenderReport)
    case receiverReport(ReceiverReport)
    case sourceDescription(SourceDescription)
    case goodbye(Goodbye)
    case nack(GenericNACK)
    case pli(PictureLossIndication)
    case fir(FullIntraRequest)
    case remb(ReceiverEstimatedMaximumBitrate)
    case unknown([UInt8])

    enum PacketType {
        static let senderReport: UInt8 = 200
        static let receiverReport: UInt8 = 201
        static let sourceDescription: UInt8 = 202
        static let goodbye: UInt8 = 203
        static let transportFeedback: UInt8 = 205  // RTPFB, RFC 4585 §6.1
        static let payloadFeedback: UInt8 = 206  // PSFB
    }

    /// Parses a compound RTCP packet, or a single reduced-size packet (RFC 5506):
    /// the packets need not start with SR/RR. Nil when any packet's header or
    /// length is inconsistent, or a known packet's body is malformed.
    public static func parseCompound(_ bytes: [UInt8]) -> [RTCPPacket]? {
        guard !bytes.isEmpty else { return nil }
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < bytes.count {
            // RFC 3550 §6.4.1 common header: V, P, count/FMT, PT, length in words minus one.
            guard bytes.count - offset >= 4 else { return nil }
            let b0 = bytes[offset]
            guard b0 >> 6 == 2 else { return nil }
            let length = ((Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) + 1) * 4
            guard length <= bytes.count - offset else { return nil }
            let whole = Array(bytes[offset..<offset + length])
            guard let packet = parseOne(whole) else { return nil }
            packets.append(packet)
            offset += length
        }
        return packets
    }

    /// Parses one packet whose length field matches `whole.count`.
    static func parseOne(_ whole: [UInt8]) -> RTCPPacket? {
        let b0 = whole[0]
        let count = Int(b0 & 0x1F)
        let type = whole[1]
        var end = whole.count
        if b0 & 0x20 != 0 {
            // Padding: the last octet counts the padding octets (§6.4.1), never into the header.
            guard let pad = whole.last, pad > 0, Int(pad) <= whole.count - 4 else { return nil }
            end -= Int(pad)
        }
        var r = ByteReader(whole, offset: 4, end: end)
        switch type {
        case PacketType.senderReport:
            guard let ssrc = r.u32(), let ntp = r.u64(), let rtp = r.u32(), let packets = r.u32(), let octets = r.u32(),
                  let blocks = reportBlocks(count, &r) else { return nil }
            return .senderReport(SenderReport(ssrc: ssrc, ntpTimestamp: NTPTimestamp(ntp), rtpTimestamp: rtp,
                                              packetCount: packets, octetCount: octets, reportBlocks: blocks))
        case PacketType.receiverReport:
            guard let ssrc = r.u32(), let blocks = reportBlocks(count, &r) else { return nil }
            return .receiverReport(ReceiverReport(ssrc: ssrc, reportBlocks: blocks))
        case PacketType.sourceDescription:
            return parseSourceDescription(count, &r).map { .sourceDescription($0) }
        case PacketType.goodbye:
            var ssrcs: [UInt32] = []
            for _ in 0..<count {
                guard let s = r.u32() else { return nil }
                ssrcs.append(s)
            }
            var reason: [UInt8]?
            if r.remaining > 0 {
                guard let n = r.u8(), let text = r.take(Int(n)) else { return nil }
                reason = text
            }
            return .goodbye(Goodbye(ssrcs: ssrcs, reasonBytes: reason))
        case PacketType.transportFeedback:
            guard count == 1 else { return .unknown(whole) }
            guard let sender = r.u32(), let media = r.u32() else { return nil }
            // §6.2.1: FCI entries of PID (16 bits) and BLP (16 bits).
            var items: [GenericNACK.Item] = []
            while r.remaining >= 4 {
                items.append(GenericNACK.Item(packetID: r.u16()!, bitmask: r.u16()!))
            }
            guard r.remaining == 0 else { return nil }
            return .nack(GenericNACK(senderSSRC: sender, mediaSSRC: media, items: items))
        case PacketType.payloadFeedback:
            guard [1, 4, 15].contains(count) else { return .unknown(whole) }
            guard let sender = r.u32(), let media = r.u32() else { return nil }
            switch count {
            case 1:
                return .pli(PictureLossIndication(senderSSRC: sender, mediaSSRC: media))
            case 4:
                // RFC 5104 §4.3.1.1: SSRC (32), Seq nr. (8), reserved (24).
                var entries: [FullIntraRequest.Entry] = []
                while r.remaining >= 8 {
                    let ssrc = r.u32()!
                    let seq = r.u8()!
                    _ = r.skip(3)
                    entries.append(FullIntraRequest.Entry(ssrc: ssrc, sequenceNumber: seq))
                }
                guard r.remaining == 0 else { return nil }
                return .fir(FullIntraRequest(senderSSRC: sender, mediaSSRC: media, entries: entries))
            case 15:
                // Application layer feedback; REMB is recognised by its "REMB" identifier.
                guard let id = r.u32(), id == 0x5245_4D42 else { return .unknown(whole) }
                guard let n = r.u8(), let exponentAndHigh = r.u8(), let low = r.u16() else { return nil }
                let exponent = exponentAndHigh >> 2
                let mantissa = UInt32(exponentAndHigh & 0x03) << 16 | UInt32(low)
                var ssrcs: [UInt32] = []
                for _ in 0..<Int(n) {
                    guard let s = r.u32() else { return nil }
                    ssrcs.append(s)
                }
                return .remb(ReceiverEstimatedMaximumBitrate(
                    senderSSRC: sender, bitrate: ReceiverEstimatedMaximumBitrate.bitrate(exponent: exponent, mantissa: mantissa),
                    ssrcs: ssrcs))
            default:
                return .unknown(whole)
            }
        default:
            return .unknown(whole)
        }
    }

    static func reportBlocks(_ count: Int, _ r: inout ByteReader) -> [ReportBlock]? {
        var blocks: [ReportBlock] = []
        for _ in 0..<count {
            guard let b = ReportBlock.parse(&r) else { return nil }
            blocks.append(b)
        }
        // Anything after the blocks is a profile-specific extension (§6.4.1): ignored.
        return blocks
    }

    /// §6.5: chunks of SSRC + items, each chunk ended by a null octet and padded to 32 bits.
    static func parseSourceDescription(_ count: Int, _ r: inout ByteReader) -> SourceDescription? {
        var chunks: [SourceDescription.Chunk] = []
        for _ in 0..<count {
            let chunkStart = r.offset
            guard let ssrc = r.u32() else { return nil }
            var items: [SourceDescription.Item] = []
            while true {
                guard let type = r.u8() else { return nil }
                if type == 0 { break }
                guard let n = r.u8(), let value = r.take(Int(n)) else { return nil }
                items.append(SourceDescription.Item(type: type, value: value))
            }
            let used = r.offset - chunkStart
            let padded = (used + 3) / 4 * 4
            guard r.skip(padded - used) else { return nil }
            chunks.append(SourceDescription.Chunk(ssrc: ssrc, items: items))
        }
        return SourceDescription(chunks: chunks)
    }

    // MARK: - Serialization

    public static func serializeCompound(_ packets: [RTCPPacket]) -> [UInt8] {
        var out: [UInt8] = []
        for p in packets { out.append(contentsOf: p.serialized()) }
        return out
    }

    /// The wire form of this one packet (no padding).
    public func serialized() -> [UInt8] {
        var body: [UInt8] = []
        let count: Int
        let type: UInt8
        switch self {
        case .senderReport(let sr):
            let blocks = sr.reportBlocks.prefix(31)
            count = blocks.count
            type = PacketType.senderReport
            body.append(u32: sr.ssrc)
            body.append(u64: sr.ntpTimestamp.value)
            body.append(u32: sr.rtpTimestamp)
            body.append(u32: sr.packetCount)
            body.append(u32: sr.octetCount)
            for b in blocks { b.write(to: &body) }
        case .receiverReport(let rr):
            let blocks = rr.reportBlocks.prefix(31)
            count = blocks.count
            type = PacketType.receiverReport
            body.append(u32: rr.ssrc)
            for b in blocks { b.write(to: &body) }
        case .sourceDescription(let sdes):
            let chunks = sdes.chunks.prefix(31)
            count = chunks.count
            type = PacketType.sourceDescription
            for chunk in chunks {
                let start = body.count
                body.append(u32: chunk.ssrc)
                for item in chunk.items where item.type != 0 {
                    let value = item.value.prefix(255)
                    body.append(item.type)
                    body.append(UInt8(value.count))
                    body.append(contentsOf: value)
                }
                body.append(0)  // end of the item list
                while (body.count - start) % 4 != 0 { body.append(0) }
            }
        case .goodbye(let bye):
            let ssrcs = bye.ssrcs.prefix(31)
            count = ssrcs.count
            type = PacketType.goodbye
            for s in ssrcs { body.append(u32: s) }
            if let reason = bye.reason {
                let text = reason.prefix(255)
                body.append(UInt8(text.count))
                body.append(contentsOf: text)
                while body.count % 4 != 0 { body.append(0) }
            }
        case .nack(let nack):
            count = 1
            type = PacketType.transportFeedback
            body.append(u32: nack.senderSSRC)
            body.append(u32: nack.mediaSSRC)
            for item in nack.items {
                body.append(u16: item.packetID)
                body.append(u16: item.bitmask)
            }
        case .pli(let pli):
            count = 1
            type = PacketType.payloadFeedback
            body.append(u32: pli.senderSSRC)
            body.append(u32: pli.mediaSSRC)
        case .fir(let fir):
            count = 4
            type = PacketType.payloadFeedback
            body.append(u32: fir.senderSSRC)
            body.append(u32: fir.mediaSSRC)
            for e in fir.entries {
                body.append(u32: e.ssrc)
                body.append(e.sequenceNumber)
                body.append(contentsOf: [0, 0, 0])
            }
        case .remb(let remb):
            count = 15
            type = PacketType.payloadFeedback
            let ssrcs = remb.ssrcs.prefix(255)
            body.append(u32: remb.senderSSRC)
            body.append(u32: 0)  // media source: unused, 0 (draft §2.2)
            body.append(contentsOf: Array("REMB".utf8))
            body.append(UInt8(ssrcs.count))
            let (exponent, mantissa) = remb.exponentAndMantissa
            body.append(exponent << 2 | UInt8(mantissa >> 16))
            body.append(u16: UInt16(truncatingIfNeeded: mantissa))
            for s in ssrcs { body.append(u32: s) }
        case .unknown(let bytes):
            return bytes
        }
        var out: [UInt8] = [2 << 6 | UInt8(count), type]
        out.append(u16: UInt16(truncatingIfNeeded: body.count / 4))  // (4 + body) / 4 - 1
        out.append(contentsOf: body)
        return out
    }
}
