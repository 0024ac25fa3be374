import SDP

/// What offer and answer agreed for the audio m-line: Opus's payload type (the
/// answer's), SSRCs, the audio-level extension (RFC 6464), the fmtp choices that
/// matter (RFC 7587 §7: stereo only when the receiver asks, in-band FEC), and
/// which ways audio may flow.
public struct AudioNegotiation: Sendable, Equatable {
    public var payloadType: UInt8
    public var mid: String
    public var localSSRC: UInt32
    public var remoteSSRC: UInt32?
    public var midExtensionID: UInt8?
    public var audioLevelExtensionID: UInt8?
    /// The peer wants stereo from us (`stereo=1` in its fmtp).
    public var sendStereo: Bool
    /// We asked for stereo (`stereo=1` in ours): decode and play two channels. A peer
    /// that sends mono anyway is heard on both.
    public var receiveStereo = false
    public var inbandFEC: Bool
    /// The peer takes discontinuous transmission (`usedtx=1`, RFC 7587 §6.1): in
    /// silence we send a packet only every 400 ms, as the encoder emits them.
    public var dtx: Bool
    public var sends: Bool
    public var receives: Bool
    public var cname: String

    init?(answer: SDPDocument, remote: SDPDocument, localSSRC: UInt32, cname: String) {
        guard let answered = answer.media.first(where: { $0.kind == "audio" && $0.mediaLine.port != 0 }),
              let opus = answered.rtpMaps.first(where: { $0.encoding.lowercased() == "opus" && $0.clockRate == 48000 }),
              let payloadType = UInt8(exactly: opus.payloadType)
        else { return nil }
        self.payloadType = payloadType
        let mid = answered.mid ?? "0"
        self.mid = mid
        self.localSSRC = localSSRC
        self.cname = cname
        let theirs = remote.media.first { $0.kind == "audio" && ($0.mid ?? "") == mid } ?? answered
        remoteSSRC = theirs.ssrcs.first
        func extensionID(_ uri: String) -> UInt8? {
            answered.extensionMaps.first { $0.uri == uri }.flatMap { UInt8(exactly: $0.id) }
        }
        midExtensionID = extensionID(SessionDescriptionBuilder.midExtension)
        audioLevelExtensionID = extensionID(SessionDescriptionBuilder.audioLevelExtension)
        let theirParameters = Self.parameters(theirs.formatParameters[opus.payloadType] ?? "")
        sendStereo = theirParameters["stereo"] == "1"
        inbandFEC = theirParameters["useinbandfec"] != "0"
        dtx = theirParameters["usedtx"] == "1"
        let direction = theirs.direction
        sends = direction == .sendrecv || direction == .recvonly
        receives = direction == .sendrecv || direction == .sendonly
    }

    /// `minptime=10;useinbandfec=1` as a dictionary, matched loosely (INTEROP.md 10).
    static func parameters(_ fmtp: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in fmtp.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0.filter { !$0.isWhitespace }).lowercased() }
            if pair.count == 2 { result[pair[0]] = pair[1] }
        }
        return result
    }
}
