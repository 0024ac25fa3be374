public enum DataChannelMessage: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
}

/// What `open` needs (the W3C RTCDataChannelInit fields).
public struct DataChannelOptions: Sendable, Equatable {
    public var label: String
    public var `protocol`: String
    public var ordered: Bool
    public var maxRetransmits: UInt16?
    public var maxPacketLifeTime: Duration?
    /// Both sides agreed on this stream id out of band: no DCEP (RFC 8832 §1).
    public var negotiatedID: UInt16?

    public init(
        label: String, protocol: String = "", ordered: Bool = true, maxRetransmits: UInt16? = nil,
        maxPacketLifeTime: Duration? = nil, negotiatedID: UInt16? = nil
    ) {
        self.label = label
        self.protocol = `protocol`
        self.ordered = ordered
        self.maxRetransmits = maxRetransmits
        self.maxPacketLifeTime = maxPacketLifeTime
        self.negotiatedID = negotiatedID
    }

    var reliability: SCTPReliability {
        if let maxRetransmits { return .maxRetransmits(maxRetransmits) }
        if let maxPacketLifeTime { return .maxLifetime(maxPacketLifeTime) }
        return .reliable
    }
}

public enum DataChannelState: Sendable, Equatable {
    case connecting, open, closing, closed
}

public struct DataChannelInfo: Sendable, Equatable {
    public var label: String
    public var `protocol`: String
    public var ordered: Bool
    public var reliability: SCTPReliability
    public var negotiated: Bool
    public var priority: UInt16
    public var state: DataChannelState
}

public enum DataChannelEvent: Sendable, Equatable {
    case associationEstablished
    /// A channel we opened (on DATA_CHANNEL_ACK) or the peer opened (we replied ACK).
    case channelOpened(id: UInt16, label: String, protocol: String)
    case message(id: UInt16, DataChannelMessage)
    case channelClosed(id: UInt16)
    case bufferedAmountLow(id: UInt16)
    case closed(reason: String)
}

public enum DataChannelError: Error, Equatable, Sendable {
    case noFreeStream
    case streamInUse(UInt16)
    case invalidStream(UInt16)
    case unknownChannel(UInt16)
    case channelNotOpen(UInt16)
    case messageTooLarge(limit: Int)
    case associationClosed
}

/// SCTP payload protocol identifiers for WebRTC (RFC 8831 §8, RFC 8832 §8.1).
enum DataChannelPPID {
    static let dcep: UInt32 = 50
    static let string: UInt32 = 51
    static let binaryPartial: UInt32 = 52
    static let binary: UInt32 = 53
    static let stringPartial: UInt32 = 54
    static let emptyString: UInt32 = 56
    static let emptyBinary: UInt32 = 57
}
