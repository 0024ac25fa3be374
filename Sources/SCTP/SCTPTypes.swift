/// Settings of one association. The defaults work with browsers (see notes/INTEROP.md).
public struct SCTPConfiguration: Sendable {
    public var localPort: UInt16 = 5000
    public var remotePort: UInt16 = 5000
    /// Bytes of chunks per packet: with the 12-byte common header whole packets stay <= 1200 bytes.
    public var maxPayload = 1188
    public var receiveWindow: UInt32 = 1_048_576
    public var inboundStreams: UInt16 = 1024
    public var outboundStreams: UInt16 = 1024
    /// The largest incoming message we reassemble.
    public var maxMessageSize = 262_144
    /// From the peer's SDP `a=max-message-size` (65536 when absent).
    public var remoteMaxMessageSize = 65_536
    /// RFC 9260 §16 protocol parameters (RTO.Min lowered for WebRTC).
    public var rtoInitial: Duration = .seconds(1)
    public var rtoMin: Duration = .milliseconds(200)
    public var rtoMax: Duration = .seconds(60)
    public var maxRetransmissions = 10
    public var maxInitRetransmits = 8
    public var heartbeatInterval: Duration = .seconds(30)
    public var delayedAckTimeout: Duration = .milliseconds(200)
    public var cookieLifetime: Duration = .seconds(60)
    /// Fixes our initial TSN (tests); nil draws it from the seed.
    public var initialTSN: UInt32?

    public init() {}
}

/// How hard a message is retried (RFC 3758 partial reliability when the peer supports it).
public enum SCTPReliability: Sendable, Equatable {
    case reliable
    case maxRetransmits(UInt16)
    case maxLifetime(Duration)
}

public enum SCTPEvent: Sendable, Equatable {
    case established
    /// A complete, reassembled user message.
    case message(stream: UInt16, ppid: UInt32, payload: [UInt8])
    /// The peer reset these outgoing streams of its own (our incoming ones).
    case streamsReset([UInt16])
    /// Acknowledged or abandoned data on this stream freed buffer space.
    case bufferedAmountDecreased(stream: UInt16)
    case closed(reason: String)
}

public enum SCTPSendError: Error, Equatable, Sendable {
    case notEstablished
    case messageTooLarge(limit: Int)
    case invalidStream
    case emptyMessage
}

/// RFC 9260 §4.
public enum SCTPAssociationState: Sendable, Equatable {
    case closed, cookieWait, cookieEchoed, established
    case shutdownPending, shutdownSent, shutdownReceived, shutdownAckSent
}

/// What happened on the wire, for tests and stats.
public struct SCTPCounters: Sendable, Equatable {
    public var packetsReceived = 0
    public var packetsSent = 0
    public var malformed = 0
    public var badChecksum = 0
    public var badTag = 0
    public var unknownChunks = 0
    public var dataChunksSent = 0
    public var dataChunksReceived = 0
    public var retransmissions = 0
    public var fastRetransmits = 0
    public var timeouts = 0
    public var duplicatesReceived = 0
    public var abandonedChunks = 0
    public var forwardTSNsSent = 0
    public var forwardTSNsReceived = 0
    public var droppedForBuffer = 0
    public var oversizedMessages = 0
    public var invalidStream = 0
    public var rejectedCookies = 0
    public var errorChunksReceived = 0
    public var heartbeatsSent = 0
    public var heartbeatAcksReceived = 0
    public var resetRequestsSent = 0
    public var resetRequestsReceived = 0

    public init() {}
}
