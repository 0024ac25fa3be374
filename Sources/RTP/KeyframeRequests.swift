/// Receiver side: asks for a keyframe while the decoder needs one, with PLI
/// (RFC 4585 §6.3.1) or FIR (RFC 5104 §4.3.1), repeating at most every
/// `minimumInterval` until a keyframe arrives (a request or its answer can be lost).
public struct KeyframeRequester: Sendable {
    public enum Kind: Sendable, Hashable { case pli, fir }

    public let senderSSRC: UInt32
    public let mediaSSRC: UInt32
    public var kind: Kind
    public var minimumInterval: Duration
    public private(set) var requestsSent = 0

    private var lastSent: Duration?
    private var firSequenceNumber: UInt8 = 0

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, kind: Kind = .pli, minimumInterval: Duration = .milliseconds(300)) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.kind = kind
        self.minimumInterval = minimumInterval
    }

    /// The request to send now, if the decoder needs a keyframe and the last request
    /// is old enough. FIR sequence numbers advance per new request (RFC 5104 §4.3.1.2).
    public mutating func poll(needsKeyframe: Bool, now: Duration) -> RTCPPacket? {
        guard needsKeyframe else {
            lastSent = nil
            return nil
        }
        if let last = lastSent, now - last < minimumInterval { return nil }
        lastSent = now
        requestsSent += 1
        switch kind {
        case .pli:
            return .pli(PictureLossIndication(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC))
        case .fir:
            firSequenceNumber &+= 1
            return .fir(FullIntraRequest(senderSSRC: senderSSRC, entries: [.init(ssrc: mediaSSRC, sequenceNumber: firSequenceNumber)]))
        }
    }

    /// When the next repeat is allowed, while a keyframe is needed.
    public func pollTimeout(needsKeyframe: Bool) -> Duration? {
        guard needsKeyframe, let last = lastSent else { return nil }
        return last + minimumInterval
    }
}

/// Sender side: tells which received PLI/FIR ask for a new keyframe of `localSSRC`.
/// Every PLI does; a FIR does only when its sequence number differs from the last
/// one seen from the same requester (a repeat is a retransmission, RFC 5104 §4.3.1.2).
public struct KeyframeRequestFilter: Sendable {
    public let localSSRC: UInt32
    private var lastFIR: [UInt32: UInt8] = [:]

    public init(localSSRC: UInt32) {
        self.localSSRC = localSSRC
    }

    public mutating func isNewRequest(_ packet: RTCPPacket) -> Bool {
        switch packet {
        case .pli(let pli):
            return pli.mediaSSRC == localSSRC
        case .fir(let fir):
            guard let entry = fir.entries.first(where: { $0.ssrc == localSSRC }) else { return false }
            defer { lastFIR[fir.senderSSRC] = entry.sequenceNumber }
            return lastFIR[fir.senderSSRC] != entry.sequenceNumber
        default:
            return false
        }
    }
}
