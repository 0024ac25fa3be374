import SDP

/// What offer and answer agreed for the video m-line: the VP8 payload type both
/// directions use (the answer's, RFC 3264 §6.1, which as answerer is the offer's),
/// the SSRCs, the MID extension's id, and which ways video may flow.
public struct VideoNegotiation: Sendable, Equatable {
    public var payloadType: UInt8
    public var mid: String
    public var localSSRC: UInt32
    /// From the peer's `a=ssrc` (the first one not in an RTX FID group), when it sent one.
    public var remoteSSRC: UInt32?
    /// `urn:ietf:params:rtp-hdrext:sdes:mid` (RFC 8843), when both sides use it.
    public var midExtensionID: UInt8?
    /// RTX (RFC 4588) when both sides agreed it: its payload type and the SSRCs of each side's RTX stream.
    public var rtxPayloadType: UInt8?
    public var localRTXSSRC: UInt32?
    public var remoteRTXSSRC: UInt32?
    /// Whether the peer takes REMB (`a=rtcp-fb:* goog-remb`) and NACK (`nack`).
    public var remb: Bool
    public var nack: Bool
    /// The CNAME our SDES carries (the one in our `a=ssrc` lines).
    public var cname: String
    /// Whether we may send video (the peer receives it) and whether the peer sends.
    public var sends: Bool
    public var receives: Bool

    /// `answer` is the answer to the offer in the pair, whichever side made it; `remote`
    /// is the peer's description of the two. Nil when video was rejected or has no VP8.
    init?(answer: SDPDocument, remote: SDPDocument, localSSRC: UInt32, localRTXSSRC: UInt32, cname: String) {
        guard let answered = answer.media.first(where: { $0.kind == "video" && $0.mediaLine.port != 0 }),
              let vp8 = answered.rtpMaps.first(where: { $0.encoding.uppercased() == "VP8" && $0.clockRate == 90000 }),
              let payloadType = UInt8(exactly: vp8.payloadType)
        else { return nil }
        self.payloadType = payloadType
        let mid = answered.mid ?? "1"
        self.mid = mid
        self.localSSRC = localSSRC
        let theirs = remote.media.first { $0.kind == "video" && ($0.mid ?? "") == mid } ?? answered
        // `a=ssrc-group:FID <media> <rtx>` (RFC 5576 §4.2, RFC 4588 §8).
        let fid = theirs.lines.attributeValues("ssrc-group").map { $0.split(separator: " ") }.first { $0.first == "FID" }
        let rtxSSRCs = Set((fid ?? []).dropFirst(2).compactMap { UInt32($0) })
        remoteSSRC = theirs.ssrcs.first { !rtxSSRCs.contains($0) }
        let rtx = answered.rtpMaps.first { map in
            map.encoding.lowercased() == "rtx" && answered.formatParameters[map.payloadType] == "apt=\(vp8.payloadType)"
        }
        rtxPayloadType = rtx.flatMap { UInt8(exactly: $0.payloadType) }
        self.localRTXSSRC = rtxPayloadType == nil ? nil : localRTXSSRC
        remoteRTXSSRC = rtxPayloadType == nil ? nil : rtxSSRCs.first
        let feedback = Set(answered.rtcpFeedback[vp8.payloadType] ?? []).union(answered.rtcpFeedback[nil] ?? [])
        remb = feedback.contains("goog-remb")
        nack = feedback.contains("nack")
        self.cname = cname
        midExtensionID = answered.extensionMaps.first { $0.uri == SessionDescriptionBuilder.midExtension }
            .flatMap { UInt8(exactly: $0.id) }
        // The peer's direction, seen from its side.
        let direction = theirs.direction
        sends = direction == .sendrecv || direction == .recvonly
        receives = direction == .sendrecv || direction == .sendonly
    }
}
