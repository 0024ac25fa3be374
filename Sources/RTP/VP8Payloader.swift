/// Splits encoded VP8 frames into RTP packets (RFC 7741 §4). Every packet carries
/// X=1, I=1 and a 15-bit picture ID (M=1) that increments per frame; the first
/// packet of a frame has S=1, all have PID 0 (the frame is not split by partition);
/// the last has the RTP marker bit (§4.1).
public struct VP8Payloader: Sendable {
    public let ssrc: UInt32
    public let payloadType: UInt8
    /// Largest RTP payload (descriptor + VP8 data) produced.
    public let maxPayloadSize: Int
    public private(set) var nextSequenceNumber: UInt16
    public private(set) var nextPictureID: UInt16

    static let descriptorSize = 4

    /// Initial sequence number and picture ID come from `seed` (RFC 3550 §5.1 asks
    /// for a random initial sequence number).
    public init(ssrc: UInt32, payloadType: UInt8, seed: UInt64, maxPayloadSize: Int = 1100) {
        var random = RTPRandom(seed: seed)
        self.init(ssrc: ssrc, payloadType: payloadType, initialSequenceNumber: UInt16(truncatingIfNeeded: random.next()),
                  initialPictureID: UInt16(truncatingIfNeeded: random.next()) & 0x7FFF, maxPayloadSize: maxPayloadSize)
    }

    public init(ssrc: UInt32, payloadType: UInt8, initialSequenceNumber: UInt16, initialPictureID: UInt16 = 0,
                maxPayloadSize: Int = 1100) {
        self.ssrc = ssrc
        self.payloadType = payloadType & 0x7F
        self.maxPayloadSize = max(maxPayloadSize, Self.descriptorSize + 1)
        nextSequenceNumber = initialSequenceNumber
        nextPictureID = initialPictureID & 0x7FFF
    }

    /// The payloads (descriptor + data) for one frame, advancing the picture ID.
    public mutating func payloads(frame: [UInt8]) -> [[UInt8]] {
        guard !frame.isEmpty else { return [] }
        let chunk = maxPayloadSize - Self.descriptorSize
        // Spread the data evenly so the last packet is not a runt.
        let count = (frame.count + chunk - 1) / chunk
        let base = frame.count / count
        let extra = frame.count % count
        let id = nextPictureID
        nextPictureID = (nextPictureID + 1) & 0x7FFF
        var result: [[UInt8]] = []
        result.reserveCapacity(count)
        var offset = 0
        for i in 0..<count {
            let size = base + (i < extra ? 1 : 0)
            var payload: [UInt8] = [
                0x80 | (i == 0 ? 0x10 : 0),  // X=1, S on the first packet, PID=0
                0x80,  // I=1 (picture ID present), no L/T/K
                0x80 | UInt8(id >> 8),  // M=1: 15-bit picture ID, high 7 bits
                UInt8(truncatingIfNeeded: id),
            ]
            payload.append(contentsOf: frame[offset..<offset + size])
            offset += size
            result.append(payload)
        }
        return result
    }

    /// RTP packets for one frame at `timestamp` (90 kHz clock, RFC 7741 §4.1).
    public mutating func packetize(frame: [UInt8], timestamp: UInt32) -> [RTPPacket] {
        let parts = payloads(frame: frame)
        var packets: [RTPPacket] = []
        packets.reserveCapacity(parts.count)
        for (i, payload) in parts.enumerated() {
            packets.append(RTPPacket(marker: i == parts.count - 1, payloadType: payloadType, sequenceNumber: nextSequenceNumber,
                                     timestamp: timestamp, ssrc: ssrc, payload: payload))
            nextSequenceNumber &+= 1
        }
        return packets
    }
}
