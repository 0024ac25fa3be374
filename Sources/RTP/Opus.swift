/// RTP payloading for Opus (RFC 7587 §4): one Opus packet per RTP payload, the
/// timestamp on a 48 kHz clock whatever the audio bandwidth, no payload header.
public struct OpusPayloader: Sendable {
    public static let clockRate = 48_000
    public let ssrc: UInt32
    public let payloadType: UInt8
    public private(set) var nextSequenceNumber: UInt16

    public init(ssrc: UInt32, payloadType: UInt8, seed: UInt64) {
        var random = RTPRandom(seed: seed)
        self.init(ssrc: ssrc, payloadType: payloadType, initialSequenceNumber: UInt16(truncatingIfNeeded: random.next()))
    }

    public init(ssrc: UInt32, payloadType: UInt8, initialSequenceNumber: UInt16) {
        self.ssrc = ssrc
        self.payloadType = payloadType & 0x7F
        nextSequenceNumber = initialSequenceNumber
    }

    /// `timestamp` counts 48 kHz samples (960 per 20 ms frame). The marker bit marks
    /// the first packet after a silence (talkspurt start with DTX, RFC 3551 §4.1).
    public mutating func packetize(_ opusPacket: [UInt8], timestamp: UInt32, startOfTalkspurt: Bool = false) -> RTPPacket {
        defer { nextSequenceNumber &+= 1 }
        return RTPPacket(marker: startOfTalkspurt, payloadType: payloadType, sequenceNumber: nextSequenceNumber,
                         timestamp: timestamp, ssrc: ssrc, payload: opusPacket)
    }
}

public enum OpusDepayloader {
    /// The Opus packet carried by `packet`; nil for an empty payload (nothing to decode).
    public static func depayload(_ packet: RTPPacket) -> [UInt8]? {
        packet.payload.isEmpty ? nil : packet.payload
    }
}
