/// The last `capacity` packets sent on one stream, kept to answer NACKs, with
/// RTX wrapping (RFC 4588 §4): the retransmission goes on its own SSRC and payload
/// type with its own sequence numbers, and its payload is the original sequence
/// number (2 octets, OSN) followed by the original payload.
public struct SendHistory: Sendable {
    public struct RTXConfiguration: Sendable, Hashable {
        public var ssrc: UInt32
        /// Media payload type → its RTX payload type (`a=fmtp:RTX apt=MEDIA`).
        public var payloadTypes: [UInt8: UInt8]

        public init(ssrc: UInt32, payloadTypes: [UInt8: UInt8]) {
            self.ssrc = ssrc
            self.payloadTypes = payloadTypes
        }
    }

    public let capacity: Int
    public let rtx: RTXConfiguration?
    public private(set) var nextRTXSequenceNumber: UInt16
    /// Retransmissions produced.
    public private(set) var retransmitted = 0
    /// Requested packets no longer (or never) in the history.
    public private(set) var missed = 0

    private var slots: [RTPPacket?]

    public init(capacity: Int = 1024, rtx: RTXConfiguration? = nil, seed: UInt64 = 0) {
        self.capacity = max(capacity, 1)
        self.rtx = rtx
        var random = RTPRandom(seed: seed)
        nextRTXSequenceNumber = UInt16(truncatingIfNeeded: random.next())
        slots = Array(repeating: nil, count: self.capacity)
    }

    public mutating func record(_ packet: RTPPacket) {
        slots[Int(packet.sequenceNumber) % capacity] = packet
    }

    public func packet(sequenceNumber: UInt16) -> RTPPacket? {
        guard let p = slots[Int(sequenceNumber) % capacity], p.sequenceNumber == sequenceNumber else { return nil }
        return p
    }

    /// What to send for the lost sequence numbers: RTX packets when RTX is set up
    /// for the packet's payload type, else the original packets again.
    public mutating func retransmissions(for sequenceNumbers: [UInt16]) -> [RTPPacket] {
        var out: [RTPPacket] = []
        for seq in sequenceNumbers {
            guard let original = packet(sequenceNumber: seq) else {
                missed += 1
                continue
            }
            retransmitted += 1
            if let rtx, let rtxType = rtx.payloadTypes[original.payloadType] {
                out.append(wrap(original, ssrc: rtx.ssrc, payloadType: rtxType))
            } else {
                out.append(original)
            }
        }
        return out
    }

    public mutating func retransmissions(for nack: GenericNACK) -> [RTPPacket] {
        retransmissions(for: nack.lostSequenceNumbers)
    }

    private mutating func wrap(_ original: RTPPacket, ssrc: UInt32, payloadType: UInt8) -> RTPPacket {
        var payload: [UInt8] = [UInt8(original.sequenceNumber >> 8), UInt8(truncatingIfNeeded: original.sequenceNumber)]
        payload.append(contentsOf: original.payload)
        defer { nextRTXSequenceNumber &+= 1 }
        // Same timestamp, marker, CSRCs and extensions (e.g. MID); padding is not carried over.
        return RTPPacket(marker: original.marker, payloadType: payloadType, sequenceNumber: nextRTXSequenceNumber,
                         timestamp: original.timestamp, ssrc: ssrc, csrcs: original.csrcs, extensions: original.extensions,
                         payload: payload)
    }

    /// Restores the original packet from an RTX packet (RFC 4588 §4); nil when the
    /// payload is too short to hold the OSN.
    public static func unwrapRTX(_ rtx: RTPPacket, mediaSSRC: UInt32, mediaPayloadType: UInt8) -> RTPPacket? {
        guard rtx.payload.count >= 2 else { return nil }
        let osn = UInt16(rtx.payload[0]) << 8 | UInt16(rtx.payload[1])
        return RTPPacket(marker: rtx.marker, payloadType: mediaPayloadType, sequenceNumber: osn, timestamp: rtx.timestamp,
                         ssrc: mediaSSRC, csrcs: rtx.csrcs, extensions: rtx.extensions, payload: Array(rtx.payload[2...]))
    }
}
