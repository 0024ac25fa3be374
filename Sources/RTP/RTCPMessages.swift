/// An RTCP report block (RFC 3550 §6.4.1), 24 octets.
public struct ReportBlock: Sendable, Hashable {
    public var ssrc: UInt32
    /// Fraction lost since the previous report, in 1/256 units.
    public var fractionLost: UInt8
    /// Cumulative number of packets lost, a 24-bit signed value.
    public var cumulativeLost: Int32
    public var extendedHighestSequenceNumber: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP timestamp of the last SR from this source (0 if none).
    public var lastSenderReport: UInt32
    /// Delay since that SR in units of 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    public init(ssrc: UInt32, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0, extendedHighestSequenceNumber: UInt32 = 0,
                jitter: UInt32 = 0, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = max(-0x80_0000, min(0x7F_FFFF, cumulativeLost))
        self.extendedHighestSequenceNumber = extendedHighestSequenceNumber
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    static func parse(_ r: inout ByteReader) -> ReportBlock? {
        guard let ssrc = r.u32(), let fraction = r.u8(), let lost = r.u24(), let highest = r.u32(),
              let jitter = r.u32(), let lsr = r.u32(), let dlsr = r.u32() else { return nil }
        // Sign-extend the 24-bit cumulative count.
        let signed = Int32(bitPattern: lost << 8) >> 8
        return ReportBlock(ssrc: ssrc, fractionLost: fraction, cumulativeLost: signed, extendedHighestSequenceNumber: highest,
                           jitter: jitter, lastSenderReport: lsr, delaySinceLastSenderReport: dlsr)
    }

    func write(to out: inout [UInt8]) {
        out.append(u32: ssrc)
        out.append(fractionLost)
        out.append(u24: UInt32(bitPattern: cumulativeLost) & 0xFF_FFFF)
        out.append(u32: extendedHighestSequenceNumber)
        out.append(u32: jitter)
        out.append(u32: lastSenderReport)
        out.append(u32: delaySinceLastSenderReport)
    }
}

/// A 64-bit NTP timestamp (RFC 3550 §4): seconds since 1900 in the high 32 bits,
/// fraction in the low 32.
public struct NTPTimestamp: Sendable, Hashable, Comparable {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// From a wall-clock time given as a duration since the Unix epoch (1970).
    public init(unixTime: Duration) {
        let c = unixTime.components
        var wholeSeconds = c.seconds
        var attoseconds = c.attoseconds
        if attoseconds < 0 {  // negative durations carry negative attoseconds
            wholeSeconds &-= 1
            attoseconds += 1_000_000_000_000_000_000
        }
        let seconds = UInt64(truncatingIfNeeded: wholeSeconds &+ 2_208_988_800)
        // fraction = attoseconds / 1e18 × 2^32
        let fraction = UInt64(min(4_294_967_295.0, Double(attoseconds) / 1e18 * 4_294_967_296.0))
        value = seconds << 32 | fraction
    }

    /// The middle 32 bits: the "compact" NTP format used by LSR and DLSR (§6.4.1).
    public var compact: UInt32 { UInt32(truncatingIfNeeded: value >> 16) }

    public static func < (a: NTPTimestamp, b: NTPTimestamp) -> Bool { a.value < b.value }
}

/// SR: PT 200 (RFC 3550 §6.4.1).
public struct SenderReport: Sendable, Hashable {
    public var ssrc: UInt32
    public var ntpTimestamp: NTPTimestamp
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    /// At most 31 per packet (5-bit RC); extra blocks are not serialized.
    public var reportBlocks: [ReportBlock]

    public init(ssrc: UInt32, ntpTimestamp: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
                reportBlocks: [ReportBlock] = []) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reportBlocks = reportBlocks
    }
}

/// RR: PT 201 (RFC 3550 §6.4.2).
public struct ReceiverReport: Sendable, Hashable {
    public var ssrc: UInt32
    public var reportBlocks: [ReportBlock]

    public init(ssrc: UInt32, reportBlocks: [ReportBlock] = []) {
        self.ssrc = ssrc
        self.reportBlocks = reportBlocks
    }
}

/// SDES: PT 202 (RFC 3550 §6.5).
public struct SourceDescription: Sendable, Hashable {
    public struct Item: Sendable, Hashable {
        /// 1 CNAME, 2 NAME, ... 8 PRIV.
        public var type: UInt8
        public var value: [UInt8]

        public init(type: UInt8, value: [UInt8]) {
            self.type = type
            self.value = value
        }

        public static let cnameType: UInt8 = 1
    }

    public struct Chunk: Sendable, Hashable {
        public var ssrc: UInt32
        public var items: [Item]

        public init(ssrc: UInt32, items: [Item]) {
            self.ssrc = ssrc
            self.items = items
        }

        public var cname: String? {
            items.first { $0.type == Item.cnameType }.flatMap { String(validating: $0.value, as: UTF8.self) }
        }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) { self.chunks = chunks }

    /// One chunk carrying a CNAME.
    public init(ssrc: UInt32, cname: String) {
        chunks = [Chunk(ssrc: ssrc, items: [Item(type: Item.cnameType, value: Array(cname.utf8.prefix(255)))])]
    }
}

/// BYE: PT 203 (RFC 3550 §6.6).
public struct Goodbye: Sendable, Hashable {
    public var ssrcs: [UInt32]
    /// Reason for leaving, as sent (UTF-8 text by the RFC; not checked).
    public var reason: [UInt8]?

    public init(ssrcs: [UInt32], reason: String? = nil) {
        self.ssrcs = ssrcs
        self.reason = reason.map { Array($0.utf8.prefix(255)) }
    }

    init(ssrcs: [UInt32], reasonBytes: [UInt8]?) {
        self.ssrcs = ssrcs
        self.reason = reasonBytes
    }

    public var reasonText: String? { reason.flatMap { String(validating: $0, as: UTF8.self) } }
}

/// Generic NACK: PT 205 (RTPFB) FMT 1 (RFC 4585 §6.2.1).
public struct GenericNACK: Sendable, Hashable {
    /// One FCI entry: a lost packet ID and a bitmask of the 16 following losses.
    public struct Item: Sendable, Hashable {
        public var packetID: UInt16
        /// Bit i (least significant first) set: packet `packetID + i + 1` is lost too.
        public var bitmask: UInt16

        public init(packetID: UInt16, bitmask: UInt16) {
            self.packetID = packetID
            self.bitmask = bitmask
        }

        public var sequenceNumbers: [UInt16] {
            var result = [packetID]
            for bit in 0..<16 where bitmask & (1 << bit) != 0 {
                result.append(packetID &+ UInt16(bit + 1))
            }
            return result
        }
    }

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var items: [Item]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, items: [Item]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.items = items
    }

    /// Packs lost sequence numbers into PID+BLP items, each PID followed by up to 16 losses.
    /// The numbers are ordered with wrap-around in mind (relative to the first one given).
    public init(senderSSRC: UInt32, mediaSSRC: UInt32, lostSequenceNumbers: [UInt16]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        var items: [Item] = []
        guard let reference = lostSequenceNumbers.first else {
            self.items = []
            return
        }
        // Order by distance from the reference, interpreted as signed 16-bit, so that 65535 precedes 0.
        let ordered = Set(lostSequenceNumbers).sorted {
            Int16(bitPattern: $0 &- reference) < Int16(bitPattern: $1 &- reference)
        }
        for seq in ordered {
            if var last = items.last {
                let distance = seq &- last.packetID
                if distance >= 1 && distance <= 16 {
                    last.bitmask |= 1 << (distance - 1)
                    items[items.count - 1] = last
                    continue
                }
            }
            items.append(Item(packetID: seq, bitmask: 0))
        }
        self.items = items
    }

    public var lostSequenceNumbers: [UInt16] { items.flatMap(\.sequenceNumbers) }
}

/// PLI: PT 206 (PSFB) FMT 1 (RFC 4585 §6.3.1); no FCI.
public struct PictureLossIndication: Sendable, Hashable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32

    public init(senderSSRC: UInt32, mediaSSRC: UInt32) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }
}

/// FIR: PT 206 (PSFB) FMT 4 (RFC 5104 §4.3.1). The media source SSRC of the
/// common header is 0; targets are in the FCI entries.
public struct FullIntraRequest: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var ssrc: UInt32
        /// Incremented by the requester for each new request (§4.3.1.1).
        public var sequenceNumber: UInt8

        public init(ssrc: UInt32, sequenceNumber: UInt8) {
            self.ssrc = ssrc
            self.sequenceNumber = sequenceNumber
        }
    }

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var entries: [Entry]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32 = 0, entries: [Entry]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.entries = entries
    }
}

/// REMB: PT 206 FMT 15 with the "REMB" identifier (draft-alvestrand-rmcat-remb §2.2).
/// The bitrate travels as an 18-bit mantissa and a 6-bit exponent.
public struct ReceiverEstimatedMaximumBitrate: Sendable, Hashable {
    public var senderSSRC: UInt32
    /// Bits per second (saturated when the wire value would not fit 64 bits).
    public var bitrate: UInt64
    public var ssrcs: [UInt32]

    public init(senderSSRC: UInt32, bitrate: UInt64, ssrcs: [UInt32]) {
        self.senderSSRC = senderSSRC
        self.bitrate = min(bitrate, Self.maximumBitrate)
        self.ssrcs = Array(ssrcs.prefix(255))
    }

    /// The exponent and mantissa the bitrate is sent as (rounded down to what fits).
    var exponentAndMantissa: (exponent: UInt8, mantissa: UInt32) {
        var exponent: UInt8 = 0
        var mantissa = bitrate
        while mantissa >= (1 << 18) && exponent < 63 {
            mantissa >>= 1
            exponent += 1
        }
        return (exponent, UInt32(min(mantissa, (1 << 18) - 1)))
    }

    static func bitrate(exponent: UInt8, mantissa: UInt32) -> UInt64 {
        let m = UInt64(mantissa & 0x3FFFF)
        if m == 0 { return 0 }
        if exponent > UInt8(m.leadingZeroBitCount) { return maximumBitrate }
        return m << UInt64(exponent)
    }

    /// The largest value that survives a round trip through the wire form.
    static let maximumBitrate: UInt64 = 0x3FFFF << 46


}
